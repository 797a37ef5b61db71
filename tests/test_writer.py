"""The record writer on both backends: resolve, upsert, count, cite, reject."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select

from db.models import Base, Citation, Membership, Project, ProjectCountry
from importers.core import ImportRejected, import_run
from importers.normalize import fold
from importers.records import (
    AgreementRecord,
    Cite,
    ForumRecord,
    MembershipRecord,
    Name,
    Participant,
    ProjectRecord,
    SourceRecord,
)
from importers.writer import Writer

T = Base.metadata.tables


@pytest.fixture
def countries(engine):
    with engine.begin() as conn:
        for code, a2, name, alias in [("CHN", "CN", "China", "Tiongkok"), ("KAZ", "KZ", "Kazakhstan", "Kazakstan")]:
            cid = conn.execute(insert(T["countries"]).values(code=code, alpha2=a2, alpha3=code, name=name,
                                                             kind="sovereign").returning(T["countries"].c.id)).scalar()
            conn.execute(insert(T["country_names"]).values(country_id=cid, lang="id", name=alias, kind="common",
                                                           normalized=fold(alias)))
    return engine


def _load(engine, *, zhanatas_mw="100", extra_country=None, dry_run=False, allow_rejects=False):
    with import_run(engine, "test", dry_run=dry_run, allow_rejects=allow_rejects) as run:
        w = Writer(run)
        w.sources([SourceRecord(file="t.yml", line=1, key="https://example.org/a", kind="news_article",
                                title="An article", language="id")])
        w.forums([ForumRecord(file="t.yml", line=2, code="SCO", name="Shanghai Cooperation Organisation",
                              kind="intergovernmental_organisation", acronym="SCO",
                              names=[Name("ШОС", "ru", "acronym")], codes=[("cow_igo", "SCO")])])
        w.memberships([MembershipRecord(file="t.yml", line=3, forum="ШОС", country=c, role="founding_member",
                                        started_on=dt.date(2001, 6, 15),
                                        cites=[Cite("https://example.org/a", "line 3")])
                       for c in ("China", "Kazakstan")])
        participants = [Participant("Tiongkok", "financier"), Participant("KZ", "host")]
        if extra_country:
            participants.append(Participant(extra_country, "partner"))
        w.projects([ProjectRecord(file="t.yml", line=5, code="KZ-ZHANATAS-WIND", title="Zhanatas wind farm",
                                  sector="energy", status="operational", capacity=Decimal(zhanatas_mw),
                                  capacity_unit="MW", participants=participants,
                                  cites=[Cite("https://example.org/a", "line 8", "PLTB Zhanatas")])])
        w.agreements([AgreementRecord(file="t.yml", line=6, code="CN-KZ-TRADE", title="Double trade",
                                      kind="target", parties=[("China", "party"), ("Kazakhstan", "party")],
                                      subjects=["Trade"], projects=["KZ-ZHANATAS-WIND"])])
    return run.report


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def test_first_import_inserts_and_second_changes_nothing(countries):
    first = _load(countries)
    assert (first.inserted, first.updated, first.unchanged) == (6, 0, 0)
    assert _count(countries, Membership) == 2
    assert _count(countries, ProjectCountry) == 2
    second = _load(countries)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 6)


def test_one_changed_value_is_one_update_of_that_field(countries):
    _load(countries)
    report = _load(countries, zhanatas_mw="101", dry_run=True)
    assert report.updated == 1
    assert report.changes == [{"table": "projects", "key": ["KZ-ZHANATAS-WIND"],
                               "fields": {"capacity": [Decimal("100.000"), Decimal("101")]}}]
    with countries.connect() as conn:
        assert conn.execute(select(Project.capacity)).scalar_one() == Decimal("100")
    report = _load(countries, zhanatas_mw="101")
    assert (report.updated, report.unchanged) == (1, 5)


def test_unknown_country_rejects_and_writes_nothing(countries):
    with pytest.raises(ImportRejected) as info:
        _load(countries, extra_country="Atlantis")
    assert str(info.value.report.problems[0]) == (
        "t.yml:5 [participants[partner]]: expected a country name or code known to coopdb (got 'Atlantis')"
    )
    assert _count(countries, Project) == 0
    assert _count(countries, Citation) == 0


def test_allow_rejects_keeps_the_good_records(countries):
    report = _load(countries, extra_country="Atlantis", allow_rejects=True)
    # the project names an unknown country; the agreement covers that project, so it goes too
    assert report.rejected == 2
    assert [p.line for p in report.problems] == [5, 6]
    assert _count(countries, Project) == 0
    assert _count(countries, Membership) == 2
    with countries.connect() as conn:
        assert conn.execute(select(func.count()).select_from(T["import_rejects"])).scalar_one() == 2


def test_bundle_imports_with_file_citations_and_is_idempotent(countries):
    from pathlib import Path

    from importers.yaml_bundle import import_bundle

    path = Path(__file__).parent / "fixtures" / "bundle_small.yml"
    first = import_bundle(countries, path)
    assert (first.read, first.inserted, first.updated, first.rejected) == (6, 6, 0, 0)
    with countries.connect() as conn:
        project = conn.execute(select(Project.capacity, Project.completed_on, Project.completed_precision)).one()
        assert project == (Decimal("100"), dt.date(2021, 1, 1), "year")
        locators = conn.execute(select(Citation.locator).where(Citation.record_type == "project")).scalars().all()
        assert locators == ["line 22"]
    second = import_bundle(countries, path)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 6)


def test_bundle_bad_values_are_reported_with_line_and_field(countries, tmp_path):
    from importers.yaml_bundle import import_bundle

    path = tmp_path / "bad.yml"
    path.write_text("projects:\n  - code: X\n    title: T\n    amount: -5\n    committed_on: 31/02/2024\n")
    with pytest.raises(ImportRejected) as info:
        import_bundle(countries, path)
    assert [str(p) for p in info.value.report.problems] == [
        "bad.yml:2 [committed_on]: expected a date like 2024-07-03, 2024-07 or 2024 (got '31/02/2024')",
        "bad.yml:2 [amount]: expected a number of at least 0 (got '-5')",  # YAML values are read as text
    ]
    assert _count(countries, Project) == 0


def test_key_lookups_find_rows_by_text_integer_and_date_keys_in_one_parameter(engine):
    """`db.upsert.matching` (the lookup of every batch's keys): on SQLite text, integer and date keys go as one
    JSON parameter (dates as the ISO text SQLite stores), so a batch renders a fixed statement instead of one
    parameter per value; on both backends exactly the stored rows are found, a date one day off is not."""
    from sqlalchemy import Column, Date, Integer, MetaData, String, Table

    from db.upsert import matching

    meta = MetaData()
    t = Table("lookup_probe", meta, Column("id", Integer, primary_key=True), Column("code", String(16)),
              Column("n", Integer), Column("on", Date))
    meta.create_all(engine)
    try:
        stored = [("A", 1, dt.date(2001, 1, 1)), ("B", 2, dt.date(999, 12, 31)), ("C", 3, dt.date(2024, 2, 29))]
        with engine.begin() as conn:
            conn.execute(insert(t), [{"code": c, "n": n, "on": d} for c, n, d in stored])
            wanted = [("A", 1, dt.date(2001, 1, 1)), ("B", 2, dt.date(999, 12, 31)), ("C", 3, dt.date(2024, 3, 1)),
                      ("D", 4, dt.date(2001, 1, 1))]
            query = matching(conn, t, [t.c.code, t.c.n, t.c.on], ["code", "n", "on"], wanted)
            assert sorted(tuple(r) for r in conn.execute(query)) == stored[:2]
            by_date = matching(conn, t, [t.c.code], ["on"], [(dt.date(2024, 2, 29),), (dt.date(1999, 1, 1),)])
            assert [r.code for r in conn.execute(by_date)] == ["C"]
            if engine.dialect.name == "sqlite":  # the same statement for 4 keys as for 1,000
                sql = str(query.compile(dialect=engine.dialect))
                more = matching(conn, t, [t.c.code, t.c.n, t.c.on], ["code", "n", "on"], wanted * 250)
                assert "json_each" in sql and str(more.compile(dialect=engine.dialect)) == sql
    finally:
        meta.drop_all(engine)
