"""The shipped reference files themselves: consistent, and free of the article's sentences."""

from __future__ import annotations

import re

import pytest
import yaml

from importers.reference import ARTICLE_KEY, CHINA_KAZAKHSTAN, DATA, MEMBERSHIPS
from tests.conftest import SHARED_SEEDS

ARTICLE = SHARED_SEEDS / "china-kazakhstan-cooperation.id.txt"


def _load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_memberships_repeated_in_the_dataset_match_the_catalogue():
    """The dataset only adds the article's citations to memberships; any other difference would
    make the two steps overwrite each other on every run."""
    catalogue = {(m["forum"], m["country"], m["role"], m["started_on"]): m for m in _load(MEMBERSHIPS)["memberships"]}
    for m in _load(CHINA_KAZAKHSTAN)["memberships"]:
        key = (m["forum"], m["country"], m["role"], m["started_on"])
        assert key in catalogue, key
        drop = {"cites"}
        assert {k: v for k, v in m.items() if k not in drop} == \
            {k: v for k, v in catalogue[key].items() if k not in drop}
        assert all(c["source"] == ARTICLE_KEY for c in m["cites"])


def test_no_sentence_of_the_article_is_in_the_project_data():
    if not ARTICLE.exists():
        pytest.skip(f"{ARTICLE} not present (the shared seeds folder is beside the checkout)")
    words = re.findall(r"\w+", ARTICLE.read_text(encoding="utf-8").lower())
    shipped = " ".join(re.findall(r"\w+", " ".join(p.read_text(encoding="utf-8").lower()
                                                    for p in sorted(DATA.glob("*.yml")))))
    copied = {" ".join(words[i:i + 7]) for i in range(len(words) - 6)
              if " ".join(words[i:i + 7]) in shipped}
    assert copied == set()
