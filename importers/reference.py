"""Built-in reference content: the forums catalogue, memberships, and the China-Kazakhstan dataset.

The data lives beside this module in `importers/data/reference/` as bundle files of our own record
layout (importers/bundle.py), so the same reader, validation and writer serve it as any user file:

    forums.yml             15 forums (UN, SCO, BRICS, BRI, C+C5, CICA, EAEU, CIS, CSTO, OTS, ASEAN,
                           G20, APEC, FOCAC, CAREC) with names in several languages and their sources
    memberships.yml        who belongs to which forum, with role and dates (countries by ISO alpha-3)
    china-kazakhstan.yml   the facts of the example article on China-Kazakhstan cooperation, each
                           citing the article line that supports it, plus the facts it implies

Records cite their own sources (official pages, news reports, the article by its content hash), not
the data file: the file and its hash are recorded on the import run. docs/reference-data.md
describes the catalogue, the sources and how the article's date was worked out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from importers.core import ImportReport
from importers.yaml_bundle import import_bundle

DATA = Path(__file__).resolve().parent / "data" / "reference"
FORUMS = DATA / "forums.yml"
MEMBERSHIPS = DATA / "memberships.yml"
CHINA_KAZAKHSTAN = DATA / "china-kazakhstan.yml"

# The example article, known by the sha256 of its text (UTF-8); its text is not stored.
ARTICLE_SHA256 = "39897a994a5007f521aa9c42608996683423453fcd48f1661741575549427510"
ARTICLE_KEY = f"sha256:{ARTICLE_SHA256}"


def _importer(name: str, path: Path) -> Callable[[Engine], ImportReport]:
    def run(engine: Engine, *, dry_run: bool = False) -> ImportReport:
        return import_bundle(engine, path, dry_run=dry_run, importer=name, cite_file=False)

    run.__name__ = f"import_{name.replace('-', '_')}"
    run.__doc__ = f"Import the built-in {path.name} (all or nothing; a second run changes nothing)."
    return run


import_forums = _importer("reference-forums", FORUMS)
import_memberships = _importer("reference-memberships", MEMBERSHIPS)
import_china_kazakhstan = _importer("china-kazakhstan", CHINA_KAZAKHSTAN)

# In dependency order: memberships need the forums, the dataset needs both (and the countries).
STEPS: list[tuple[str, Callable[[Engine], ImportReport]]] = [
    ("forums", import_forums),
    ("memberships", import_memberships),
    ("china-kazakhstan", import_china_kazakhstan),
]
