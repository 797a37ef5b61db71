"""Migration 0008 on both backends: AidData projects stored before identifiers get theirs from their code,
of the release that states them; a companion file imported afterwards lands on them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from db import migrate
from importers.aiddata import import_aiddata
from importers.files import import_file

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
