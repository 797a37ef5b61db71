"""The typed fast path for flat CSV files of projects writes what the general path writes, on both backends."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import delete, select

from db.models import Base
from importers.bundle import to_record
from importers.core import ImportRejected
from importers.fastpath import FlatProjects
from importers.files import import_file
from importers.tabular import to_bundle_dict
from tests.pipeline.conftest import world  # noqa: F401  (fixture)

T = Base.metadata.tables
HEADER = ["code", "title", "sector", "status", "committed_on", "amount", "currency", "amount_year",
          "capacity", "capacity_unit", "location_name", "participants", "is_regional", "description"]
GOOD = [
    ["FP-1", "Road", "transport", "agreed", "2014-07", "1000.50", "usd", "2014", "12", "km", "Site",
     "host:Kazakhstan|financier:China", "", "A road"],
    ["FP-2", "Plant", "", "", "", "", "", "", "", "", "", "", "yes", ""],  # blank cells everywhere
    ["FP-3", "Line", "energy", "Under construction", "2015", "1,200", "CNY", "", "", "", "",
     "Host: Russia | financier:Tiongkok|host:Russia", "0", "ru"],  # falls back: role spelled 'Host'
    ["FP-4", "Pipe", "energy", "completed", "2016-01-02", "7", "USD", "2016", "", "", "", "| host:Kazakstan |",
     "no", ""],
]
BAD = [
    ["FP-5", "Bad date", "", "agreed", "31/02/2024", "", "", "", "", "", "", "host:China", "", ""],
    ["FP-6", "", "", "", "", "-5", "", "", "", "", "", "lender:China", "", ""],  # title, amount, role
    ["FP-1", "Again", "", "", "", "", "", "", "", "", "", "", "", ""],  # the same key as line 2
    ["FP-7", "Unknown", "", "", "", "", "", "", "", "", "", "host:Atlantis", "", ""],
]


def _write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def _content(engine) -> dict[str, list[tuple]]:
    """Every written row by natural keys (ids and run bookkeeping left out)."""
    p, pc, c, ci = T["projects"], T["project_countries"], T["countries"], T["citations"]
    skip = {"id", "created_at", "updated_at", "created_run_id", "updated_run_id"}
    with engine.connect() as conn:
        projects = [tuple(r) for r in conn.execute(select(*[x for x in p.c if x.name not in skip]).order_by(p.c.code))]
        participants = [tuple(r) for r in conn.execute(
            select(p.c.code, c.c.code, pc.c.role).join(pc, pc.c.project_id == p.c.id)
            .join(c, c.c.id == pc.c.country_id).order_by(p.c.code, c.c.code, pc.c.role))]
        cites = [tuple(r) for r in conn.execute(
            select(p.c.code, ci.c.field, ci.c.locator, ci.c.quote).join(ci, ci.c.record_id == p.c.id)
            .where(ci.c.record_type == "project").order_by(p.c.code))]
    return {"projects": projects, "participants": participants, "cites": cites}


def _clear(engine) -> None:
    with engine.begin() as conn:
        for table in ("citations", "statements", "project_countries", "projects", "sources"):
            conn.execute(delete(T[table]))


def _counts(report) -> tuple:
    return (report.read, report.inserted, report.updated, report.unchanged, report.rejected,
            [str(p) for p in report.problems], report.details)


def _both_paths(engine, path, **options):
    """(report, rows) of the general path, then of the fast path, each into the same empty tables."""
    out = []
    for fast in (False, True):
        _clear(engine)
        report = import_file(engine, "projects", path, fast_path=fast, **options)
        again = import_file(engine, "projects", path, fast_path=fast, **options)
        out.append((_counts(report), _counts(again), _content(engine)))
    return out


def test_fast_and_general_paths_write_the_same_rows(world, tmp_path):  # noqa: F811
    path = _write(tmp_path / "projects.csv", GOOD)
    general, fast = _both_paths(world, path)
    assert fast == general
    assert general[0][:5] == (4, 4, 0, 0, 0) and general[1][:5] == (4, 0, 0, 4, 0)
    assert len(general[2]["participants"]) == 5 and len(general[2]["cites"]) == 4


def test_a_bad_row_gives_the_same_messages_and_rows_on_both_paths(world, tmp_path):  # noqa: F811
    path = _write(tmp_path / "projects.csv", GOOD + BAD)
    messages = []
    for fast in (False, True):
        with pytest.raises(ImportRejected) as caught:
            import_file(world, "projects", path, fast_path=fast)
        messages.append((str(caught.value), [str(p) for p in caught.value.report.problems]))
    assert messages[0] == messages[1]
    assert "projects.csv:6 [committed_on]: expected a date like 2024-07-03, 2024-07 or 2024 (got '31/02/2024')" \
        in messages[0][1]
    assert any(m.startswith("projects.csv:8: a record appearing once") for m in messages[0][1])
    general, fast = _both_paths(world, path, allow_rejects=True, force=True)  # each run replaces the rejects file
    assert fast == general
    assert general[0][:5] == (8, 4, 0, 0, 4)


def test_plan_is_made_only_for_flat_project_csv_and_rows_match_the_general_record():
    assert FlatProjects.plan_for("projects", "json", HEADER, None) is None
    assert FlatProjects.plan_for("agreements", "csv", ["code", "title"], None) is None
    assert FlatProjects.plan_for("projects", "csv", [*HEADER, "sources"], None) is None
    fast = FlatProjects.plan_for("projects", "csv", HEADER, None)
    assert fast is not None
    for line, cells in enumerate(GOOD + BAD, start=2):
        row = dict(zip(HEADER, cells, strict=True))
        general, problems = to_record("projects", to_bundle_dict("projects", row, lambda *a: None), "p.csv", line)
        got = fast("p.csv", line, row)
        if cells[0] == "FP-3" or problems:  # a spelling the general path folds, or a bad row: not taken
            assert got is None
        else:
            assert got == general


def test_repeated_cells_give_the_same_rows_and_each_bad_row_its_own_messages(world, tmp_path):  # noqa: F811
    """The fast path remembers converted cells and parsed participants: a value seen before gives the
    same row, and a refused value is refused again on every row that has it."""
    rows = []
    for i in range(3):
        rows.append([f"R-{i}", "Road", "transport", "agreed", "2014-07", "10", "USD", "2014", "5", "km", "Site",
                     "host:Kazakhstan|financier:China", "", ""])
        rows.append([f"B-{i}", "Bad", "", "agreed", "31/02/2024", "", "", "", "", "", "", "lender:China", "", ""])
    path = _write(tmp_path / "projects.csv", rows)
    general, fast = _both_paths(world, path, allow_rejects=True, force=True)
    assert fast == general
    assert general[0][:5] == (6, 3, 0, 0, 3)
    problems = general[0][5]
    for line in (3, 5, 7):
        assert f"projects.csv:{line} [committed_on]: expected a date like 2024-07-03, 2024-07 or 2024 " \
               "(got '31/02/2024')" in problems
        assert any(p.startswith(f"projects.csv:{line} [participants") for p in problems)


def test_memoized_converter_remembers_results_not_refusals():
    from importers import fields as f
    from importers.fastpath import memoized

    calls = []

    def convert(value):
        calls.append(value)
        return f.date_with_precision(value)

    cached = memoized(convert, limit=2)
    assert cached("2014-07") == cached("2014-07")
    assert calls == ["2014-07"]
    for _ in range(2):
        with pytest.raises(f.BadValue):
            cached("31/02/2024")
    assert calls == ["2014-07", "31/02/2024", "31/02/2024"]
    cached("2015"), cached("2016"), cached("2016")  # the limit: 2016 is not remembered
    assert calls[-3:] == ["2015", "2016", "2016"]
