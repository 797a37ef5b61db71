"""The corpus written for the article reader (tests/articles/corpus/): every article against its truth
file, on the database the quickstart builds, on both backends. The bars are those of the issue that
asked for it: key facts recall >= 0.8, precision of distinct candidates >= 0.8, no two candidates for
one thing, mentions precision >= 0.98. bench/articles_quality.py prints the same figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from importers.articles import analyse
from importers.articles.quality import Score, describe, load_truth, score
from importers.quickstart import run_all

CORPUS = Path(__file__).resolve().parent / "corpus"
ARTICLES = sorted(CORPUS.glob("*.txt"))


@pytest.fixture
def reference(engine):
    run_all(engine)
    return engine


def _published(truth) -> dt.date | None:
    value = truth.get("published")
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def test_the_corpus_has_three_languages_and_a_truth_file_each():
    assert len(ARTICLES) >= 22
    assert {p.suffixes[0] for p in ARTICLES} == {".id", ".en", ".ru"}
    assert all(p.with_suffix(".yml").is_file() for p in ARTICLES)


def test_corpus_quality(reference, capsys):
    total = Score()
    with reference.connect() as conn:
        for path in ARTICLES:
            truth = load_truth(path.with_suffix(".yml"))
            result = analyse(conn, path.read_text(encoding="utf-8"), published=_published(truth))
            assert result.language == path.suffixes[0][1:]
            total.add(score(result, truth, path.name))
    with capsys.disabled():
        print("\n" + "\n".join(describe(total)))
        for note in total.notes:
            print("  " + note)
    assert total.candidates.recall >= 0.8
    assert total.candidates.precision >= 0.8
    assert total.duplicates == 0
    assert total.mentions.precision >= 0.98
    assert total.amounts.recall >= 0.8 and total.dates.recall >= 0.8
    # events (the articles whose truth lists them): found with their kind and date, host and visiting
    # countries, and what was signed there
    assert total.events.expected >= 7 and total.events.recall >= 0.8 and total.events.precision >= 0.8
    assert total.event_countries.recall >= 0.8 and total.event_countries.precision >= 0.9
    assert total.event_agreements.recall >= 0.8 and total.event_agreements.precision >= 0.8


def test_a_wrong_and_a_duplicate_candidate_are_counted(reference):
    """The scorer itself: a second candidate for one fact and one that fits nothing lower the precision."""
    path = CORPUS / "kcjb.id.txt"
    truth = load_truth(path.with_suffix(".yml"))
    with reference.connect() as conn:
        result = analyse(conn, path.read_text(encoding="utf-8"), published=_published(truth))
    good = score(result, truth)
    assert (good.candidates.precision, good.duplicates) == (1.0, 0)
    result.candidates = result.candidates * 2
    doubled = score(result, truth)
    assert doubled.duplicates == 1 and doubled.candidates.precision == 0.5
    truth["facts"] = []
    assert score(result, truth).candidates.precision == 0.0


def test_an_events_wrong_role_and_an_unexpected_event_are_counted(reference):
    """The scorer of events: a visitor taken for the host and an event the truth does not list."""
    path = CORPUS / "sharif.en.txt"
    truth = load_truth(path.with_suffix(".yml"))
    with reference.connect() as conn:
        result = analyse(conn, path.read_text(encoding="utf-8"), published=_published(truth))
    good = score(result, truth)
    assert (good.events.precision, good.event_countries.precision, good.event_agreements.recall) == (1.0, 1.0, 1.0)
    (visit,) = result.events
    pakistan = next(c for c in visit.countries if c.code == "PAK")
    visit.countries, visit.country = [visit.country], pakistan  # Pakistan as the host, China the visitor
    truth["events"].append({"kind": "summit", "date": "2024-06-05"})
    swapped = score(result, truth)
    assert swapped.event_countries.precision == 0.0 and swapped.events.recall == 0.5
    result.events = [*result.events, result.events[0]]
    assert score(result, truth).events.precision == 0.5
