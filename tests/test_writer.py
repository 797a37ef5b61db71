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
