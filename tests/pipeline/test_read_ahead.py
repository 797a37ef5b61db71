"""`coopdb import` reads workbooks in a second process (importers/read_ahead.py): the import is the one reading
in process gives, problems and progress included; a stopped or killed import takes its reader with it; on
SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from db.models import Base
from importers import files, read_ahead
from importers.files import import_file
from tests.conftest import url_text
from tests.test_runs import _count, _runs, _start, _wait_for_writing

T = Base.metadata.tables
pytestmark = pytest.mark.skipif(not read_ahead.CAN_FORK, reason="processes are not forked on this system")


def _workbook(path: Path, rows: int, *, bad: dict[int, str] | None = None, participants: bool = True) -> Path:
    """Projects in a sheet; without `participants`, no country to resolve (a database without countries)."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["code", "title", "participants" if participants else "sector", "description"])
    for i in range(rows):
        title = (bad or {}).get(i, f"Project {i}")
        sheet.append([f"P-{i:06d}", title, "host:Kazakhstan|financier:China" if participants else "energy",
                      "text " * 20])
    book.save(path)
    return path


def _report(report) -> tuple:
    return (report.read, report.inserted, report.rejected, [str(p) for p in report.problems])


def test_a_workbook_read_ahead_imports_as_reading_it_in_process(world, tmp_path, monkeypatch):
    path = _workbook(tmp_path / "p.xlsx", 3000, bad={1200: "#N/A"})
    monkeypatch.setenv("COOPDB_READ_AHEAD", "0")
    in_process = import_file(world, "projects", path, dry_run=True, allow_rejects=True)
    monkeypatch.delenv("COOPDB_READ_AHEAD")
    seen = []
    ahead = import_file(world, "projects", path, dry_run=True, allow_rejects=True,
                        progress=lambda position: seen.append((position, len(mp.active_children()))))
    assert _report(ahead) == _report(in_process)
    assert [(p.line, p.field) for p in ahead.problems] == [(1202, "title")] and ahead.rejected == 1
    assert seen[0][1] == 1  # the reader ran beside the import (it ends once the pipe holds the rest)
    assert seen[-1][0].done == 3000  # rows of a sheet saved without its dimension: no total
    report = import_file(world, "projects", path, allow_rejects=True)
    assert (report.inserted, report.rejected) == (2999, 1)
    with world.connect() as conn:
        assert conn.execute(select(func.count()).select_from(T["projects"])).scalar_one() == 2999
        assert conn.execute(select(func.count()).select_from(T["project_countries"])).scalar_one() == 5998
    assert mp.active_children() == []


def test_a_large_csv_file_read_ahead_on_request_imports_as_in_process(world, tmp_path, monkeypatch):
    """CSV files are read in process (reading them ahead gains nothing); the reader takes them all the same."""
    path = tmp_path / "p.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("code,title,participants\n")
        for i in range(3000):
            fh.write("P-bad,Too,host:China,many\n" if i == 1000 else f"P-{i:06d},Project {i},host:Kazakhstan\n")
    assert not read_ahead.worth_reading_ahead("csv")
    in_process = import_file(world, "projects", path, dry_run=True, allow_rejects=True)
    monkeypatch.setattr(files, "worth_reading_ahead", lambda _format: True)
    ahead = import_file(world, "projects", path, dry_run=True, allow_rejects=True)
    assert _report(ahead) == _report(in_process)
    assert [p.line for p in ahead.problems] == [1002]


def test_a_workbook_with_an_error_cell_names_it_and_writes_nothing(world, tmp_path):
    path = _workbook(tmp_path / "p.xlsx", 600, bad={400: "#DIV/0!"})
    with pytest.raises(Exception, match=r"p.xlsx:402 \[title\]: expected a value, not the spreadsheet error #DIV/0!"):
        import_file(world, "projects", path)
    with world.connect() as conn:
        assert conn.execute(select(func.count()).select_from(T["projects"])).scalar_one() == 0
    assert mp.active_children() == []


def test_read_ahead_is_for_workbooks_and_can_be_turned_off(monkeypatch):
    assert read_ahead.worth_reading_ahead("xlsx")
    assert not any(read_ahead.worth_reading_ahead(f) for f in ("csv", "tsv", "json", "jsonl", "yaml"))
    monkeypatch.setenv("COOPDB_READ_AHEAD", "0")
    assert not read_ahead.worth_reading_ahead("xlsx")


def _processes_reading(path: Path) -> list[int]:
    """Processes whose command line names `path` (a reader has its import's command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(path).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _gone(path: Path, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while _processes_reading(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _processes_reading(path)


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="processes are listed through /proc")
@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_a_stopped_or_killed_import_takes_its_reader_with_it(db_url, backend, tmp_path, how):
    url = url_text(db_url)
    path = _workbook(tmp_path / "big.xlsx", 40_000, participants=False)
    proc = _start(url, "import", "projects", str(path), "-q", cwd=tmp_path)
    run_id = _wait_for_writing(url, proc, backend)[0]
    deadline = time.monotonic() + 60
    while len(_processes_reading(path)) < 2 and time.monotonic() < deadline:  # the import and its reader
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    assert len(_processes_reading(path)) == 2
    os.kill(proc.pid, signal.SIGTERM if how == "SIGTERM" else signal.SIGKILL)
    _out, err = proc.communicate(timeout=120)
    assert _gone(path)
    if how == "SIGTERM":
        assert proc.returncode == 143, err
        assert err == ("interrupted (SIGTERM): an import in progress was rolled back, nothing of it written, and "
                       "its run marked interrupted\n")
        assert [r[:2] for r in _runs(url)] == [(run_id, "interrupted")]
    assert _count(url, T["projects"]) == 0
