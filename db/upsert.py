"""The one upsert helper: write rows by natural key, only where something really changed.

It never asks callers which database they are on. A write goes set-based, one batch at a time: the
rows go into a temporary staging table (PostgreSQL `COPY`, SQLite `executemany`), then one
`INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE SET ... WHERE <a compared column differs>
RETURNING` writes new rows and changed rows and leaves the others alone. ON CONFLICT keeps two
imports running at once from creating duplicates. `updated_at` and `updated_run_id` are set in the
statement itself (an `onupdate` would not fire for it); `created_*` only on insert.

A dry run reads the existing rows by key and compares values in Python instead, writing nothing: it
reports which columns would change (`UpsertResult.changes` maps each updated key to
{column: (old, new)}); a real write knows only that a row changed (the mapping is empty).
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import ARRAY, Boolean, Connection, Date, DateTime, Select, Table, bindparam, func, select, true, tuple_

from db.base import TRACKING_COLUMNS, utcnow

# Stay far below SQLite's 32,766 and PostgreSQL's 65,535 bind parameters per statement.
MAX_BIND_PARAMS = 30_000
# Rows per staging round trip (memory stays bounded whatever the caller passes).
STAGE_ROWS = 50_000

Key = tuple[Any, ...]


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    # key -> id of every row written or found (only when upsert() was asked for ids)
    ids: dict[Key, int] = field(default_factory=dict)
    # key -> {column: (old, new)} for every updated row (the columns only in a dry run)
    changes: dict[Key, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    inserted_keys: list[Key] = field(default_factory=list)

    def merge(self, other: UpsertResult) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.ids.update(other.ids)
        self.changes.update(other.changes)
        self.inserted_keys.extend(other.inserted_keys)


def same_value(old: Any, new: Any) -> bool:
    """Equality that ignores representation: 100 == Decimal('100.000'), naive == aware UTC."""
    if old is None or new is None:
        return old is None and new is None
    if isinstance(old, Decimal | float | int) and isinstance(new, Decimal | float | int) and not (
        isinstance(old, bool) or isinstance(new, bool)
    ):
        return Decimal(str(old)) == Decimal(str(new))
    if isinstance(old, dt.datetime) and isinstance(new, dt.datetime):
        if old.tzinfo is None:
            old = old.replace(tzinfo=dt.UTC)
        if new.tzinfo is None:
            new = new.replace(tzinfo=dt.UTC)
    return old == new


def _chunks(rows: Sequence[Mapping[str, Any]], size: int) -> Iterable[Sequence[Mapping[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    key: Sequence[str],
    *,
    run_id: int | None = None,
    dry_run: bool = False,
    compare: Sequence[str] | None = None,
    ids: bool = True,
) -> UpsertResult:
    """Insert or update `rows` of `table` identified by the natural `key` columns.

    `compare` lists the columns whose change counts as an update and that an update writes
    (default: every column the rows carry apart from the key); the other columns are written on
    insert only. Rows must have the same columns and distinct, non-NULL keys: validation reports
    those to the user before this point, so here they are programming errors. With `ids=False`
    the result's `ids` holds only the rows written (callers that need no ids save a query).
    """
    result = UpsertResult()
    if not rows:
        return result
    key = list(key)
    columns = list(rows[0].keys())
    compare = [c for c in (columns if compare is None else compare) if c not in key and c in columns]
    if dry_run:
        width = max(len(columns) + 4, len(key))
        for batch in _chunks(rows, max(1, MAX_BIND_PARAMS // width)):
            result.merge(_compare_batch(conn, table, batch, key, compare))
        return result
    write = _write_postgresql if conn.dialect.name == "postgresql" else _write_sqlite
    now = utcnow()
    for batch in _chunks(rows, STAGE_ROWS):
        keys = _checked_keys(table, batch, key)
        result.merge(write(conn, table, batch, keys, columns, key, compare, run_id, now, ids))
    return result


def _key_of(row: Mapping[str, Any], key: list[str]) -> Key:
    return tuple(row[k] for k in key)


def _checked_keys(table: Table, batch: Sequence[Mapping[str, Any]], key: list[str]) -> list[Key]:
    if len(key) == 1:
        name = key[0]
        keys = [(row[name],) for row in batch]
    else:
        getter = itemgetter(*key)
        keys = [getter(row) for row in batch]
    if len(set(keys)) != len(keys):
        seen: set[Key] = set()
        for k in keys:
            if k in seen:
                raise ValueError(f"{table.name}: key {k} twice in one batch")
            seen.add(k)
    for k in keys:
        if None in k:
            raise ValueError(f"{table.name}: NULL in natural key {dict(zip(key, k, strict=True))}")
    return keys


# ---------------------------------------------------------------------------------- set-based writes
def _stage_name(table: Table, columns: list[str]) -> str:
    return f"_stage_{table.name}_{zlib.crc32(','.join(columns).encode()):08x}"


def _extras(table: Table, columns: list[str], run_id: int | None, now: dt.datetime) -> dict[str, Any]:
    """Values for the columns the rows leave out: tracking, and scalar defaults of the model (which an
    INSERT ... SELECT would not apply: they live in Python, not in the database)."""
    extras = {c: run_id if c.endswith("run_id") else now
              for c in TRACKING_COLUMNS if c in table.c and c not in columns}
    for column in table.c:
        if column.name not in columns and column.name not in extras and column.default is not None \
                and column.default.is_scalar:
            extras[column.name] = column.default.arg
    return extras


def _upsert_sql(conn: Connection, table: Table, stage: str, columns: list[str], key: list[str],
                compare: list[str], tracking: list[str], placeholders: list[str], where: str) -> str:
    q = conn.dialect.identifier_preparer.quote
    name = q(table.name)
    col_list = ", ".join(q(c) for c in columns)
    target = ", ".join(q(c) for c in [*columns, *tracking])
    select_list = ", ".join([col_list, *placeholders]) if placeholders else col_list
    key_list = ", ".join(q(k) for k in key)
    sql = f"INSERT INTO {name} ({target}) SELECT {select_list} FROM {q(stage)}{where} ON CONFLICT ({key_list}) "
    if not compare:
        return sql + "DO NOTHING"
    sets = [f"{q(c)} = excluded.{q(c)}" for c in compare]
    sets += [f"{q(c)} = excluded.{q(c)}" for c in ("updated_at", "updated_run_id") if c in tracking]
    differs = " OR ".join(f"{name}.{q(c)} IS DISTINCT FROM excluded.{q(c)}" for c in compare)
    return sql + f"DO UPDATE SET {', '.join(sets)} WHERE {differs}"


def _write_postgresql(conn, table, batch, keys, columns, key, compare, run_id, now, want_ids) -> UpsertResult:
    """COPY into a temporary staging table, then one INSERT ... SELECT ... ON CONFLICT DO UPDATE."""
    q = conn.dialect.identifier_preparer.quote
    stage = _stage_name(table, columns)
    col_list = ", ".join(q(c) for c in columns)
    extras = _extras(table, columns, run_id, now)
    tracking = list(extras)
    casts = [f"%({c})s::{table.c[c].type.compile(conn.dialect)}" for c in tracking]
    sql = _upsert_sql(conn, table, stage, columns, key, compare, tracking, casts,
                      _changed_only(conn, table, key, compare))
    sql += f" RETURNING id, {', '.join(q(k) for k in key)}, (xmax = 0)"
    result = UpsertResult()
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {q(stage)} AS SELECT {col_list} FROM {q(table.name)} "
                    "WITH NO DATA")
        cur.execute(f"TRUNCATE {q(stage)}")
        with cur.copy(f"COPY {q(stage)} ({col_list}) FROM STDIN") as copy:
            write_row = copy.write_row
            for values in _value_lists(batch, columns):
                write_row(values)
        cur.execute(sql, extras)
        returned = cur.fetchall()
        found = len(returned)
        for rec in returned:
            k = tuple(rec[1:-1])
            result.ids[k] = rec[0]
            if rec[-1]:
                result.inserted_keys.append(k)
            else:
                result.changes[k] = {}
        if want_ids and found < len(batch):
            on = " AND ".join(f"t.{q(k)} = s.{q(k)}" for k in key)
            cur.execute(f"SELECT t.id, {', '.join(f't.{q(k)}' for k in key)} FROM {q(table.name)} t "
                        f"JOIN {q(stage)} s ON {on}")
            for rec in cur.fetchall():
                result.ids.setdefault(tuple(rec[1:]), rec[0])
        cur.execute(f"TRUNCATE {q(stage)}")
    result.inserted = len(result.inserted_keys)
    result.updated = found - result.inserted
    result.unchanged = len(batch) - found
    return result


def _changed_only(conn: Connection, table: Table, key: list[str], compare: list[str]) -> str:
    """PostgreSQL: the staged rows that equal a stored row are left out before ON CONFLICT. DO UPDATE locks
    every row it conflicts with, also one its WHERE then leaves alone: a lock written to the row (a dirtied
    page, a WAL record) for each unchanged row of a re-import. The WHERE stays for rows changed meanwhile."""
    if not compare:  # DO NOTHING locks nothing
        return ""
    q = conn.dialect.identifier_preparer.quote
    same = [f"t.{q(k)} = s.{q(k)}" for k in key] + [f"t.{q(c)} IS NOT DISTINCT FROM s.{q(c)}" for c in compare]
    return f" AS s WHERE NOT EXISTS (SELECT 1 FROM {q(table.name)} AS t WHERE {' AND '.join(same)})"


class _Same(dict):
    """A mapping of every key to itself."""

    def __getitem__(self, key: Key) -> Key:
        return key


def _value_lists(batch: Sequence[Mapping[str, Any]], columns: list[str]) -> list[list[Any]]:
    if len(columns) == 1:
        name = columns[0]
        return [[row[name]] for row in batch]
    getter = itemgetter(*columns)
    return [list(getter(row)) for row in batch]


def _repeats(table: Table, column: str) -> bool:
    """Flags, dates and times repeat over a batch: their conversion is worth remembering (equal values
    of these types convert equally, unlike 1 == 1.0 in a numeric column)."""
    return isinstance(table.c[column].type, Boolean | Date | DateTime)


def _processors(conn: Connection, table: Table, columns: list[str]) -> list:
    return [table.c[c].type._cached_bind_processor(conn.dialect) for c in columns]


def _write_sqlite(conn, table, batch, keys, columns, key, compare, run_id, now, want_ids) -> UpsertResult:
    """executemany into a temporary staging table, read the ids of the keys that exist, then one
    INSERT ... SELECT ... ON CONFLICT DO UPDATE ... RETURNING (the rows inserted or changed)."""
    q = conn.dialect.identifier_preparer.quote
    stage = _stage_name(table, columns)
    col_list = ", ".join(q(c) for c in columns)
    extras = _extras(table, columns, run_id, now)
    tracking = list(extras)
    procs = _processors(conn, table, columns)
    values = _value_lists(batch, columns)
    for i, convert in [(i, p) for i, p in enumerate(procs) if p is not None]:
        convert = lru_cache(maxsize=None)(convert) if _repeats(table, columns[i]) else convert
        for v in values:
            v[i] = convert(v[i])
    key_pos = [columns.index(k) for k in key]
    # key as stored (dates are text in SQLite) -> key as given; the same when no key column is converted
    if any(procs[i] is not None for i in key_pos):
        given = {tuple(v[i] for i in key_pos): k for v, k in zip(values, keys, strict=True)}
    else:
        given = _Same()
    tracking_values = [p(v) if p else v for p, v in zip(_processors(conn, table, tracking), extras.values(),
                                                         strict=True)]
    sql = _upsert_sql(conn, table, stage, columns, key, compare, tracking, ["?"] * len(tracking), " WHERE true")
    sql += f" RETURNING id, {', '.join(q(k) for k in key)}"
    result = UpsertResult()
    raw = conn.connection.driver_connection
    if not raw.in_transaction:
        # Take the write lock first (waiting for another writer as long as busy_timeout allows): a
        # transaction that read the table first could not wait for it and fails with "database is locked".
        raw.execute("BEGIN IMMEDIATE")
    cur = raw.cursor()
    try:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {q(stage)} AS SELECT {col_list} FROM {q(table.name)} "
                    "WHERE 0")
        cur.execute(f"DELETE FROM {q(stage)}")
        cur.executemany(f"INSERT INTO {q(stage)} ({col_list}) VALUES ({', '.join('?' * len(columns))})", values)
        existing: dict[Key, int] = {}
        last_id = None
        if want_ids:  # the ids of the rows that exist, unchanged ones included
            on = " AND ".join(f"t.{q(k)} = s.{q(k)}" for k in key)
            cur.execute(f"SELECT t.id, {', '.join(f't.{q(k)}' for k in key)} FROM {q(table.name)} t "
                        f"JOIN {q(stage)} s ON {on}")
            existing = {given[tuple(rec[1:])]: rec[0] for rec in cur.fetchall()}
        else:
            # Without the ids of unchanged rows, new rows are told apart by their id: SQLite gives a new
            # row max(id) + 1, and no other writer can insert while this transaction holds the lock.
            last_id = cur.execute(f"SELECT max(id) FROM {q(table.name)}").fetchone()[0] or 0
        cur.execute(sql, tracking_values)
        for rec in cur.fetchall():
            k = given[tuple(rec[1:])]
            result.ids[k] = rec[0]
            is_new = k not in existing if last_id is None else rec[0] > last_id
            if is_new:
                result.inserted_keys.append(k)
            else:
                result.changes[k] = {}
        cur.execute(f"DELETE FROM {q(stage)}")
    finally:
        cur.close()
    if want_ids:
        for k, row_id in existing.items():
            result.ids.setdefault(k, row_id)
    result.inserted = len(result.inserted_keys)
    result.updated = len(result.changes)
    result.unchanged = len(batch) - result.inserted - result.updated
    return result


def lock_for_writing(conn: Connection) -> None:
    """SQLite: take the write lock now (`BEGIN IMMEDIATE`, waiting for another writer as long as busy_timeout
    allows), so that what this transaction reads next stays true until it commits: a key not found is
    not written by anybody else meanwhile. PostgreSQL: nothing (its writes use ON CONFLICT instead)."""
    if conn.dialect.name == "sqlite":
        raw = conn.connection.driver_connection
        if not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")


def insert_new_ids(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], key: str, *,
                   run_id: int | None = None) -> dict[Key, int]:
    """SQLite only, under `lock_for_writing` and for keys read as absent in the same transaction: write the
    rows straight (`insert_new`) and return key -> id of each, read back as the rows with an id above the
    largest before (no other writer can insert meanwhile). `key` is one text column."""
    q = conn.dialect.identifier_preparer.quote
    raw = conn.connection.driver_connection
    last = raw.execute(f"SELECT max(id) FROM {q(table.name)}").fetchone()[0] or 0
    insert_new(conn, table, rows, run_id=run_id)
    found = raw.execute(f"SELECT id, {q(key)} FROM {q(table.name)} WHERE id > ?", (last,)).fetchall()
    return {(k,): row_id for row_id, k in found}


def insert_new(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], *, run_id: int | None = None
               ) -> int:
    """Write rows that cannot exist yet straight into `table` (PostgreSQL `COPY`, SQLite `executemany`),
    without staging and `ON CONFLICT`: the child rows, statements and citations of records this
    transaction has just inserted (no other transaction can see those records' ids, so none can write
    the same keys). Tracking columns and scalar model defaults are filled in as `upsert` does. Returns
    the number of rows written; a dry run must not call it."""
    if not rows:
        return 0
    columns = list(rows[0].keys())
    extras = _extras(table, columns, run_id, utcnow())
    names = [*columns, *extras]
    q = conn.dialect.identifier_preparer.quote
    col_list = ", ".join(q(c) for c in names)
    tail = list(extras.values())
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur:
            for batch in _chunks(rows, STAGE_ROWS):
                with cur.copy(f"COPY {q(table.name)} ({col_list}) FROM STDIN") as copy:
                    write_row = copy.write_row
                    for values in _value_lists(batch, columns):
                        write_row(values + tail)
        return len(rows)
    procs = _processors(conn, table, names)
    tail = [p(v) if p else v for p, v in zip(procs[len(columns):], tail, strict=True)]
    if not raw.in_transaction:
        raw.execute("BEGIN IMMEDIATE")
    sql = f"INSERT INTO {q(table.name)} ({col_list}) VALUES ({', '.join('?' * len(names))})"
    cur = raw.cursor()
    try:
        for batch in _chunks(rows, STAGE_ROWS):
            values = _value_lists(batch, columns)
            for i, convert in [(i, p) for i, p in enumerate(procs[:len(columns)]) if p is not None]:
                convert = lru_cache(maxsize=None)(convert) if _repeats(table, columns[i]) else convert
                for v in values:
                    v[i] = convert(v[i])
            if tail:
                for v in values:
                    v.extend(tail)
            cur.executemany(sql, values)
    finally:
        cur.close()
    return len(rows)


# ---------------------------------------------------------------------------------- dry runs
def _compare_batch(conn, table, batch, key, compare) -> UpsertResult:
    """What a write would do, from the existing rows compared in Python; writes nothing."""
    result = UpsertResult()
    by_key: dict[Key, Mapping[str, Any]] = {}
    for row, k in zip(batch, _checked_keys(table, batch, key), strict=True):
        by_key[k] = row
    existing = _select_existing(conn, table, key, compare, list(by_key))
    for k in by_key:
        if k not in existing:
            result.inserted += 1
            result.inserted_keys.append(k)
    for k, (row_id, old) in existing.items():
        row = by_key[k]
        result.ids[k] = row_id
        diff = {c: (old[c], row[c]) for c in compare if not same_value(old[c], row[c])}
        if not diff:
            result.unchanged += 1
            continue
        result.updated += 1
        result.changes[k] = diff
    return result


def _select_existing(conn, table, key, compare, keys: list[Key]) -> dict[Key, tuple[int, dict]]:
    if not keys:
        return {}
    cols = [table.c.id, *[table.c[k] for k in key], *[table.c[c] for c in compare]]
    found: dict[Key, tuple[int, dict]] = {}
    for rec in conn.execute(matching(conn, table, cols, key, keys)).mappings():
        k = tuple(rec[c] for c in key)
        found[k] = (rec["id"], {c: rec[c] for c in compare})
    return found


# key values that JSON gives back as SQLite compares them: dates as the ISO text SQLite stores (not bool, datetimes)
_JSON_KEY_TYPES = frozenset((str, int, dt.date))


def _json_value(value: Any) -> Any:
    return value.isoformat() if type(value) is dt.date else value


def matching(conn: Connection, table: Table, columns: Sequence[Any], key: Sequence[str], keys: Sequence[Key],
             *where: Any) -> Select:
    """SELECT `columns` of the rows of `table` whose `key` columns equal one of `keys` (callers chunk them) and
    that meet the conditions `where`.

    PostgreSQL: the keys as arrays (one parameter each instead of one per value, which psycopg would parse),
    each looked up by itself through the index on `key` (`unnest` joined LATERAL to a subquery that `OFFSET 0`
    keeps from being merged into a join). Left to choose, the planner scanned the whole table for every
    batch where the table had no statistics yet (`IN`, `= ANY` and a plain join alike): a table an import is
    filling, or any table where autovacuum has not analysed the rows of the last import, so each batch of a
    re-import read every statement.

    SQLite: text, integer and date keys (dates as the ISO text SQLite stores them) as one JSON parameter read by
    `json_each` (each looked up through the index all the same); other keys (datetimes, flags) as an IN list."""
    if conn.dialect.name != "postgresql":
        if all(type(v) in _JSON_KEY_TYPES for k in keys for v in k):
            # an IN list of N parameters costs SQLAlchemy N unique names to render at every call
            each = func.json_each(bindparam("_keys", json.dumps([_json_value(k[0]) for k in keys] if len(key) == 1
                                                                else [[_json_value(v) for v in k] for k in keys])
                                            )).table_valued("value")
            listed = select(each.c.value) if len(key) == 1 else \
                select(*[func.json_extract(each.c.value, f"$[{i}]") for i in range(len(key))])
            condition = table.c[key[0]].in_(listed) if len(key) == 1 else tuple_(*[table.c[k] for k in key]).in_(listed)
        else:
            condition = table.c[key[0]].in_([k[0] for k in keys]) if len(key) == 1 \
                else tuple_(*[table.c[k] for k in key]).in_(keys)
        return select(*columns).where(*where, condition)
    arrays = [bindparam(f"_k{i}", [k[i] for k in keys], type_=ARRAY(table.c[c].type)) for i, c in enumerate(key)]
    wanted = func.unnest(*arrays).table_valued(*[f"k{i}" for i in range(len(key))]).render_derived()
    found = select(*columns).where(*where, *[table.c[c] == wanted.c[f"k{i}"] for i, c in enumerate(key)]) \
        .offset(0).lateral("found")
    return select(*found.c).select_from(wanted.join(found, true()))


__all__ = ["TRACKING_COLUMNS", "UpsertResult", "insert_new", "insert_new_ids", "lock_for_writing", "matching",
           "same_value", "upsert"]
