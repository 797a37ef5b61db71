"""The set-based write path of db.upsert and the dry run's compare path agree, on both backends."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Base
from db.upsert import upsert
from importers.files import import_file
from tests.pipeline.conftest import world  # noqa: F401  (fixture)

T = Base.metadata.tables
COMPARED = ("title", "status", "amount", "committed_on", "committed_precision", "is_regional")


def _projects(n: int, changes: dict | None = None) -> list[dict]:
    rows = []
    for i in range(n):
        row = {"code": f"P-{i:04d}", "title": f"Project {i}", "status": "agreed", "amount": Decimal("100.50"),
               "committed_on": dt.date(2010 + i % 10, 1 + i % 12, 1), "committed_precision": "month",
               "is_regional": bool(i % 2)}
        rows.append({**row, **(changes or {}).get(i, {})})
    return rows


def _stored(conn) -> list[tuple]:
    t = T["projects"]
    return [tuple(r) for r in conn.execute(select(t.c.code, *[t.c[c] for c in COMPARED]).order_by(t.c.code))]


def test_write_and_dry_run_give_the_same_counts_keys_and_ids(engine):
    t = T["projects"]
    first = _projects(300)
    # an edit in each compared column, one new row, the rest the same (100.5 written as 100.500)
    edits = {3: {"title": "Renamed"}, 5: {"status": "completed"}, 7: {"amount": Decimal("101")},
             9: {"committed_on": dt.date(1999, 1, 1)}, 11: {"is_regional": False}, 13: {"amount": None}}
    second = [{**r, "amount": Decimal("100.500") if r["amount"] == Decimal("100.50") else r["amount"]}
              for r in _projects(300, edits)]
    second.append({**_projects(301)[300]})
    with engine.begin() as conn:
        written = upsert(conn, t, first, ["code"], run_id=None)
        assert (written.inserted, written.updated, written.unchanged) == (300, 0, 0)
        assert len(written.ids) == 300 and sorted(written.inserted_keys) == sorted((r["code"],) for r in first)
        ids = dict(written.ids)

        preview = upsert(conn, t, second, ["code"], dry_run=True)
        real = upsert(conn, t, second, ["code"])
    assert (preview.inserted, preview.updated, preview.unchanged) == (1, 6, 294)
    assert (real.inserted, real.updated, real.unchanged) == (preview.inserted, preview.updated, preview.unchanged)
    assert set(real.changes) == set(preview.changes) == {(f"P-{i:04d}",) for i in edits}
    assert real.inserted_keys == preview.inserted_keys == [("P-0300",)]
    assert preview.changes[("P-0003",)] == {"title": ("Project 3", "Renamed")}
    assert set(preview.changes[("P-0013",)]) == {"amount"}
    # every existing row keeps its id; the new one gets one
    assert {k: v for k, v in real.ids.items() if k in ids} == ids and ("P-0300",) in real.ids
    with engine.connect() as conn:
        stored = _stored(conn)
        again = upsert(conn, t, second, ["code"], dry_run=True)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 301)
    expected = sorted((r["code"], *[r[c] for c in COMPARED]) for r in second)
    normalised = [(*row[:3], None if row[3] is None else Decimal(str(row[3])), *row[4:]) for row in stored]
    assert normalised == [(*row[:3], row[3], *row[4:]) for row in expected]


def test_compare_limits_what_an_update_writes_and_ids_can_be_skipped(engine):
    t = T["projects"]
    with engine.begin() as conn:
        upsert(conn, t, _projects(3), ["code"])
        changed = _projects(3, {0: {"title": "New title", "status": "completed"}})
        result = upsert(conn, t, changed, ["code"], compare=["status"], ids=False)
        assert (result.inserted, result.updated, result.unchanged) == (0, 1, 2)
        assert list(result.ids) == [("P-0000",)]  # only the row written
        row = conn.execute(select(t.c.title, t.c.status).where(t.c.code == "P-0000")).one()
        assert tuple(row) == ("Project 0", "completed")  # title not compared: not written
        nothing = upsert(conn, t, changed, ["code"], compare=[])
        assert (nothing.inserted, nothing.updated, nothing.unchanged) == (0, 0, 3)
        assert len(nothing.ids) == 3


def test_updates_set_the_run_and_time_only_on_changed_rows(engine):
    t = T["projects"]
    with engine.begin() as conn:
        upsert(conn, t, _projects(2), ["code"], run_id=None)
        before = dict(conn.execute(select(t.c.code, t.c.updated_at)).all())
        upsert(conn, t, _projects(2, {1: {"title": "Other"}}), ["code"])
        after = dict(conn.execute(select(t.c.code, t.c.updated_at)).all())
        created = dict(conn.execute(select(t.c.code, t.c.created_at)).all())
    assert after["P-0000"] == before["P-0000"]
    assert after["P-0001"] > before["P-0001"]
    assert created["P-0001"] == before["P-0001"]


def test_an_unchanged_row_is_not_locked_on_postgresql(engine, backend):
    """ON CONFLICT DO UPDATE locks every row it meets, even one its WHERE leaves alone; the upsert leaves the
    unchanged rows out first, so a re-import writes nothing to them (xmax stays 0: no lock, no new version)."""
    if backend != "postgresql":
        pytest.skip("SQLite locks the whole database, never a row")
    t = T["projects"]
    with engine.begin() as conn:
        upsert(conn, t, _projects(3), ["code"], run_id=None)
    with engine.begin() as conn:
        result = upsert(conn, t, _projects(3, {2: {"title": "Other"}}), ["code"])
        touched = dict(conn.exec_driver_sql("SELECT code, xmax::text::bigint <> 0 FROM projects").all())
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 2)
    assert (touched["P-0000"], touched["P-0001"]) == (False, False)


def test_a_key_twice_or_a_null_key_is_refused(engine):
    t = T["projects"]
    with engine.begin() as conn:
        with pytest.raises(ValueError, match="twice in one batch"):
            upsert(conn, t, [*_projects(2), _projects(1)[0]], ["code"])
        with pytest.raises(ValueError, match="NULL in natural key"):
            upsert(conn, t, [{**_projects(1)[0], "code": None}], ["code"])


def test_dates_in_a_composite_key_map_back_to_the_given_keys(engine):
    """SQLite stores dates as text: returned keys must still be the keys the caller gave."""
    with engine.begin() as conn:
        forum = conn.execute(T["forums"].insert().values(code="F", name="Forum", kind="other")
                             .returning(T["forums"].c.id)).scalar_one()
        country = conn.execute(T["countries"].insert().values(code="CHN", alpha2="CN", alpha3="CHN", name="China",
                                                              kind="sovereign").returning(T["countries"].c.id)
                               ).scalar_one()
        row = {"forum_id": forum, "country_id": country, "role": "member", "started_on": dt.date(2001, 6, 15),
               "started_precision": "day", "note": None}
        key = ["forum_id", "country_id", "role", "started_on"]
        first = upsert(conn, T["memberships"], [row], key)
        second = upsert(conn, T["memberships"], [{**row, "note": "x"}], key)
    k = (forum, country, "member", dt.date(2001, 6, 15))
    assert first.inserted_keys == [k] and list(first.ids) == [k]
    assert set(second.changes) == {k} and second.updated == 1


def test_json_lines_leave_out_a_field_per_record(world, tmp_path):  # noqa: F811
    """A field missing from one JSON record keeps the stored value; another record naming it writes it."""
    first = tmp_path / "p.csv"
    first.write_text("code,title,status,sector\nA,Alpha,agreed,energy\nB,Beta,agreed,water\n", encoding="utf-8")
    import_file(world, "projects", first)
    lines = [{"code": "A", "title": "Alpha", "status": "completed"},  # no sector: energy stays
             {"code": "B", "title": "Beta", "sector": "transport"}]  # no status: agreed stays
    second = tmp_path / "p.jsonl"
    second.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    report = import_file(world, "projects", second)
    assert (report.inserted, report.updated, report.unchanged) == (0, 2, 0)
    t = T["projects"]
    with world.connect() as conn:
        rows = {r.code: (r.status, r.sector) for r in conn.execute(select(t.c.code, t.c.status, t.c.sector))}
    assert rows == {"A": ("completed", "energy"), "B": ("agreed", "transport")}


def test_file_dry_run_and_real_import_agree(world, tmp_path):  # noqa: F811
    path = tmp_path / "p.csv"
    head = "code,title,amount,committed_on,participants\n"
    path.write_text(head + "".join(f"C{i},T{i},{i}.5,2014-0{1 + i % 9},host:Kazakhstan|financier:China\n"
                                   for i in range(40)), encoding="utf-8")
    import_file(world, "projects", path)
    path.write_text(head + "".join(f"C{i},T{i}{'x' if i % 4 == 0 else ''},{i}.50,2014-0{1 + i % 9},"
                                   f"host:Kazakhstan|financier:{'Russia' if i % 5 == 0 else 'China'}\n"
                                   for i in range(45)), encoding="utf-8")
    preview = import_file(world, "projects", path, dry_run=True)
    real = import_file(world, "projects", path)
    again = import_file(world, "projects", path)
    assert (preview.inserted, preview.updated, preview.unchanged) == (5, 16, 24)
    assert (real.inserted, real.updated, real.unchanged) == (preview.inserted, preview.updated, preview.unchanged)
    assert real.details["projects"] == preview.details["projects"]
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 45)
