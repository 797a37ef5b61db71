"""The four example files of other people's shapes (examples/*.mapping.yml) import on both backends with
exact counts, and a second import changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from db.models import Base
from importers.countries import import_countries
from importers.files import import_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
T = Base.metadata.tables

# (entity, file, mapping, records, {table: rows}) — the counts a user would check by hand
SHAPES = [
    ("agreements", "treaties.csv", "treaties.mapping.yml", 6, {"agreement_parties": 12}),
    ("agreements", "treaties-numbered.csv", "treaties-numbered.mapping.yml", 5,
     {"agreement_parties": 18, "agreement_forums": 2}),
    ("projects", "tracker.csv", "tracker.mapping.yml", 4,
     {"project_countries": 4, "project_organisations": 7, "organisations": 5}),
    ("projects", "agency-projects.csv", "agency-projects.mapping.yml", 3,
     {"project_countries": 3, "project_organisations": 9, "organisations": 7, "sources": 4}),
]


@pytest.fixture
def reference(engine):
    import_countries(engine)
    import_file(engine, "forums", EXAMPLES / "blocs.csv")
    return engine


def _rows(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(T[table])).scalar_one()


@pytest.mark.parametrize(("entity", "name", "mapping", "records", "tables"), SHAPES,
                         ids=[s[1] for s in SHAPES])
def test_example_imports_with_exact_counts_and_again_changes_nothing(reference, entity, name, mapping, records,
                                                                     tables):
    before = {table: _rows(reference, table) for table in tables}
    first = import_file(reference, entity, EXAMPLES / name, mapping=EXAMPLES / mapping)
    assert (first.read, first.inserted, first.updated, first.rejected) == (records, records, 0, 0)
    assert first.warnings == []
    # sources the file itself brings (one file source per import: not counted above)
    grown = {table: _rows(reference, table) - before[table] - (1 if table == "sources" else 0) for table in tables}
    assert grown == tables
    second = import_file(reference, entity, EXAMPLES / name, mapping=EXAMPLES / mapping)
    assert (second.inserted, second.updated, second.unchanged, second.rejected) == (0, 0, records, 0)


def test_treaty_list_parties_resolve_every_spelling(reference):
    import_file(reference, "agreements", EXAMPLES / "treaties.csv", mapping=EXAMPLES / "treaties.mapping.yml")
    with reference.connect() as conn:
        rows = conn.execute(text(
            "SELECT a.code, a.status, a.signed_on, a.signed_precision, c.code AS party FROM agreements a "
            "JOIN agreement_parties p ON p.agreement_id = a.id JOIN countries c ON c.id = p.country_id "
            "WHERE c.code NOT IN ('CHN', 'KAZ') ORDER BY a.code")).all()
        title = conn.execute(text("SELECT description FROM agreements WHERE code = 'IIA-2'")).scalar_one()
    assert [(r.code, r.status, str(r.signed_on), r.signed_precision, r.party) for r in rows] == [
        ("IIA-2", "in_force", "2007-09-07", "day", "KOR"),       # Korea Republic of
        ("IIA-3", "terminated", "1991-06-01", "month", "SUN"),   # USSR (former), signed 06-1991
        ("IIA-4", "in_force", "1991-12-04", "day", "CSK"),       # Czech and Slovak Republic
        ("IIA-5", "signed", "2005-04-20", "day", "HKG"),         # Hong Kong, China SAR
        ("IIA-6", "in_force", "1964-06-01", "month", "TZA"),     # Tanganyika; status derived
    ]
    assert title == "Agreement on the Promotion and Protection of Investments"  # the no-break space is gone


def test_numbered_party_columns_keep_twelve_parties_and_blocs(reference):
    import_file(reference, "agreements", EXAMPLES / "treaties-numbered.csv",
                mapping=EXAMPLES / "treaties-numbered.mapping.yml")
    with reference.connect() as conn:
        parties = dict(conn.execute(text(
            "SELECT a.code, COUNT(*) FROM agreements a JOIN agreement_parties p ON p.agreement_id = a.id "
            "GROUP BY a.code")).all())
        blocs = conn.execute(text(
            "SELECT a.code, f.code FROM agreement_forums x JOIN agreements a ON a.id = x.agreement_id "
            "JOIN forums f ON f.id = x.forum_id ORDER BY a.code")).all()
        ussr = conn.execute(text(
            "SELECT c.code FROM agreement_parties p JOIN agreements a ON a.id = p.agreement_id "
            "JOIN countries c ON c.id = p.country_id WHERE a.code = 'TREATY-104' ORDER BY c.code")).scalars().all()
        title = conn.execute(text("SELECT title FROM agreements WHERE code = 'TREATY-103'")).scalar_one()
    assert parties == {"TREATY-101": 1, "TREATY-102": 1, "TREATY-103": 2, "TREATY-104": 2, "TREATY-105": 12}
    assert [tuple(b) for b in blocs] == [("TREATY-101", "EU"), ("TREATY-102", "EFTA")]
    assert ussr == ["CHN", "SUN"]  # 810: the Soviet Union's numeric code
    assert title == "Accord entre la République populaire de Chine et la République de Côte d'Ivoire"


def test_tracker_codes_amounts_and_dates(reference):
    import_file(reference, "projects", EXAMPLES / "tracker.csv", mapping=EXAMPLES / "tracker.mapping.yml")
    with reference.connect() as conn:
        rows = conn.execute(text("SELECT code, amount, currency, committed_on, committed_precision FROM projects "
                                 "ORDER BY code")).all()
    assert [(r.code, int(r.amount), r.currency, str(r.committed_on), r.committed_precision) for r in rows] == [
        ("TRACKER-1", 1_500_000_000, "USD", "2014-12-01", "month"),
        ("TRACKER-2", 290_500_000, "USD", "2016-06-01", "month"),
        ("TRACKER-3", 4_200_000_000, "USD", "2019-01-01", "year"),
        ("TRACKER-4", 120_000_000, "USD", "2021-03-01", "month"),
    ]


def test_agency_list_sources_and_conditional_constant(reference):
    import_file(reference, "projects", EXAMPLES / "agency-projects.csv",
                mapping=EXAMPLES / "agency-projects.mapping.yml")
    with reference.connect() as conn:
        sources = conn.execute(text("SELECT key, kind, notes FROM sources WHERE url IS NOT NULL ORDER BY key")).all()
        base = dict(conn.execute(text("SELECT code, usd_base_year FROM projects")).all())
        cited = conn.execute(text(
            "SELECT COUNT(*) FROM citations ci JOIN sources s ON s.id = ci.source_id "
            "WHERE s.url IS NOT NULL AND ci.record_type = 'project'")).scalar_one()
    assert [tuple(s) for s in sources] == [
        ("https://government.example.kz/lrt-loan", "official_document", "Government Source (Donor/Recipient)"),
        ("https://mof.example.kg/roads", "official_document", "Government Source (Donor/Recipient)"),
        ("https://news.example.org/astana-lrt", "news_article", "Media Report"),
        ("https://news.example.org/dushanbe-tpp", "news_article", "Media Report"),
    ]
    assert base == {"AGENCY-9001": 2014, "AGENCY-9002": None, "AGENCY-9003": 2014}  # none where no amount
    assert cited == 4


def test_examples_readme_lists_the_mapped_examples():
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for entity, name, mapping, _records, _tables in SHAPES:
        assert f"coopdb import {entity} examples/{name} --mapping examples/{mapping}" in readme
    assert "coopdb import forums examples/blocs.csv" in readme
