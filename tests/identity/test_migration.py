"""Migrations of identity on both backends. 0008: AidData projects stored before identifiers get theirs from
their code, of the release that states them; a companion file imported afterwards lands on them. 0013: events
join identifiers and same_as; a database of 0012 keeps every row, and its events merge afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from db import migrate
from db.base import Base
from db.errors import UserError
from importers.aiddata import import_aiddata
from importers.files import import_file
from importers.merge import merge, unmerge
from importers.yaml_bundle import import_bundle
from tests.identity.test_merge import SUMMIT_A, SUMMIT_B

FIX = Path(__file__).resolve().parent / "fixtures"


def q(engine, sql):
    with engine.connect() as conn:
        return conn.execute(text(sql)).all()


def test_existing_aiddata_projects_get_their_identifier(few_countries, tmp_path):
    engine = few_countries
    import_aiddata(engine, FIX / "release_3.csv", subset=True)
    flat = tmp_path / "mine.csv"
    flat.write_text("code,title\nAIDDATA-NOT-A-NUMBER,Odd code\nKZ-1,Plain\n")
    import_file(engine, "projects", flat)
    migrate.downgrade(engine, "0007")
    migrate.upgrade(engine)
    assert q(engine, """SELECT p.code, i.scheme, i.value, s.key FROM identifiers i
                        JOIN projects p ON p.id = i.record_id LEFT JOIN sources s ON s.id = i.source_id
                        ORDER BY p.code""") == [
        ("AIDDATA-39556", "aiddata", "39556", "aiddata-gcdf-3.0"),
        ("AIDDATA-39557", "aiddata", "39557", "aiddata-gcdf-3.0"),
        ("AIDDATA-39560", "aiddata", "39560", "aiddata-gcdf-3.0")]
    report = import_file(engine, "projects", FIX / "companion.csv", mapping=FIX / "companion.mapping.yml",
                         source_date="2018")
    assert (report.inserted, report.updated + report.unchanged) == (0, 2)
    assert q(engine, "SELECT count(*) FROM projects") == [(5,)]


def dump(engine) -> dict[str, list[tuple]]:
    """Every table as sorted tuples of its values."""
    with engine.connect() as conn:
        return {name: sorted((tuple(r) for r in conn.execute(select(table))), key=repr)
                for name, table in Base.metadata.tables.items()}


def test_0013_keeps_a_database_of_0012_and_its_events_merge_afterwards(few_countries, tmp_path):
    engine = few_countries
    import_aiddata(engine, FIX / "release_3.csv", subset=True)
    import_file(engine, "projects", FIX / "curated.csv")
    merge(engine, "AIDDATA-39556", "KZ-TURGUSUN")  # a project merged before 0013: its same_as row stays
    for name, body in (("a.yml", SUMMIT_A), ("b.yml", SUMMIT_B)):
        (tmp_path / name).write_text(body, encoding="utf-8")
        import_bundle(engine, tmp_path / name, cite_file=False)
    merge(engine, "SCO-SUMMIT-2024", "SCO-ASTANA-SUMMIT")
    with pytest.raises(UserError, match=r"1 merged event\(s\) \(SCO-ASTANA-SUMMIT\): revision 0012 cannot hold a "
                                        r"merged event; run `coopdb unmerge CODE` for each"):
        migrate.downgrade(engine, "0012")
    assert migrate.current_revision(engine) == migrate.head_revision()
    unmerge(engine, "SCO-ASTANA-SUMMIT")
    at_head = dump(engine)

    migrate.downgrade(engine, "0012")
    at_0012 = dump(engine)
    # 0012 holds no identifier of an event: the downgrade deleted the one SUMMIT_B gave, and (0015) the statements
    # about sources, and nothing else
    record_type = [c.name for c in Base.metadata.tables["identifiers"].c].index("record_type")
    stated_type = [c.name for c in Base.metadata.tables["statements"].c].index("record_type")
    assert at_0012 == {**at_head, "identifiers": [r for r in at_head["identifiers"] if r[record_type] != "event"],
                       "statements": [r for r in at_head["statements"] if r[stated_type] != "source"]}
    assert len(at_0012["identifiers"]) == len(at_head["identifiers"]) - 1
    migrate.upgrade(engine)
    assert dump(engine) == at_0012
    if engine.dialect.name == "postgresql":
        assert q(engine, "SELECT obj_description('country_pair_totals'::regclass, 'pg_class')") == [
            (Base.metadata.tables["country_pair_totals"].comment,)]

    again = import_bundle(engine, tmp_path / "b.yml", cite_file=False)  # gives the event its identifier back
    assert (again.inserted, again.updated) == (0, 0)
    report = merge(engine, "SCO-SUMMIT-2024", "SCO-ASTANA-SUMMIT")
    assert (report.moved["statements"], report.moved["identifiers"]) == (1, 1)
    assert q(engine, "SELECT record_type, code FROM same_as ORDER BY record_type") == [
        ("event", "SCO-ASTANA-SUMMIT"), ("project", "KZ-TURGUSUN")]
