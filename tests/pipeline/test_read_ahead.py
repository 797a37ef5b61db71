"""`coopdb import` reads workbooks and large CSV files in a second process (importers/read_ahead.py): the
import is the one reading in process gives, problems and progress included, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp

import openpyxl
import pytest
from sqlalchemy import func, select

from db.models import Base
from importers import read_ahead
from importers.files import import_file

T = Base.metadata.tables
pytestmark = pytest.mark.skipif(not read_ahead.CAN_FORK, reason="processes are not forked on this system")


def _big_csv(path, rows: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("code,title,participants,description\n")
        for i in range(rows):
            if i == 5000:
                fh.write("P-bad,Too,host:China,many,cells\n")  # a row the reader rejects
            fh.write(f"P-{i:06d},Project {i},host:Kazakhstan|financier:China,{'text ' * 20}\n")


def _report(report) -> tuple:
    return (report.read, report.inserted, report.rejected, [str(p) for p in report.problems])


def test_a_large_csv_file_read_ahead_imports_as_reading_it_in_process(world, tmp_path, monkeypatch):
    path = tmp_path / "p.csv"
    _big_csv(path, 12_000)
    assert path.stat().st_size >= read_ahead.READ_AHEAD_BYTES
    monkeypatch.setattr(read_ahead, "READ_AHEAD_BYTES", 1 << 40)
    in_process = import_file(world, "projects", path, dry_run=True, allow_rejects=True)
    monkeypatch.undo()
    seen = []
    ahead = import_file(world, "projects", path, dry_run=True, allow_rejects=True,
                        progress=lambda position: seen.append((position, len(mp.active_children()))))
    assert _report(ahead) == _report(in_process)
    assert ahead.problems[0].line == 5002 and ahead.rejected == 1
    assert seen[0][1] == 1  # the reader ran beside the import (it ends once the pipe holds the rest)
    assert seen[-1][0].done == seen[-1][0].total == path.stat().st_size
    report = import_file(world, "projects", path, allow_rejects=True)
    assert (report.inserted, report.rejected) == (12_000, 1)
    with world.connect() as conn:
        assert conn.execute(select(func.count()).select_from(T["projects"])).scalar_one() == 12_000
        assert conn.execute(select(func.count()).select_from(T["project_countries"])).scalar_one() == 24_000
    assert mp.active_children() == []


def test_a_workbook_with_an_error_cell_names_it_and_writes_nothing(world, tmp_path):
    path = tmp_path / "p.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["code", "title", "participants"])
    for i in range(600):
        book.active.append([f"P-{i}", "#DIV/0!" if i == 400 else f"Project {i}", "host:Kazakhstan"])
    book.save(path)
    with pytest.raises(Exception, match=r"p.xlsx:402 \[title\]: expected a value, not the spreadsheet error #DIV/0!"):
        import_file(world, "projects", path)
    with world.connect() as conn:
        assert conn.execute(select(func.count()).select_from(T["projects"])).scalar_one() == 0
    assert mp.active_children() == []


def test_read_ahead_can_be_turned_off(monkeypatch):
    assert read_ahead.worth_reading_ahead("xlsx", 10)
    assert read_ahead.worth_reading_ahead("csv", read_ahead.READ_AHEAD_BYTES)
    assert not read_ahead.worth_reading_ahead("csv", read_ahead.READ_AHEAD_BYTES - 1)
    assert not read_ahead.worth_reading_ahead("jsonl", 1 << 30)
    monkeypatch.setenv("COOPDB_READ_AHEAD", "0")
    assert not read_ahead.worth_reading_ahead("xlsx", 10)
