"""The one upsert helper: write rows by natural key, only where something really changed.

It never asks callers which database they are on. For each batch it reads the existing rows by
key, compares values in Python, inserts the new ones with ON CONFLICT DO NOTHING (so two imports
running at once cannot create duplicates: the loser re-reads and compares), and updates by id only
the rows whose compared columns differ, setting `updated_at` and `updated_run_id` itself (an
`onupdate` would not fire for these statements).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, Connection, Table, and_, any_, bindparam, func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from db.base import TRACKING_COLUMNS, utcnow

# Stay far below SQLite's 32,766 and PostgreSQL's 65,535 bind parameters per statement.
MAX_BIND_PARAMS = 30_000
# From this many new rows in a batch, PostgreSQL inserts through COPY and a staging table.
COPY_MIN_ROWS = 200

Key = tuple[Any, ...]


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: dict[Key, int] = field(default_factory=dict)
    # key -> {column: (old, new)} for every updated row
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


def _insert(conn: Connection, table: Table):
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


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
) -> UpsertResult:
    """Insert or update `rows` of `table` identified by the natural `key` columns.

    `compare` lists the columns whose change counts as an update (default: every column the rows
    carry apart from the key). Rows must have distinct, non-NULL keys: validation reports those to
    the user before this point, so here they are programming errors.
    """
    result = UpsertResult()
    if not rows:
        return result
    columns = list(rows[0].keys())
    compare = [c for c in (columns if compare is None else compare) if c not in key]
    width = max(len(columns) + 4, len(key))
    for batch in _chunks(rows, max(1, MAX_BIND_PARAMS // width)):
        result.merge(_upsert_batch(conn, table, batch, list(key), compare, run_id, dry_run))
    return result


def _key_of(row: Mapping[str, Any], key: list[str]) -> Key:
    return tuple(row[k] for k in key)


def _upsert_batch(conn, table, batch, key, compare, run_id, dry_run) -> UpsertResult:
    result = UpsertResult()
    by_key: dict[Key, Mapping[str, Any]] = {}
    for row in batch:
        k = _key_of(row, key)
        if any(v is None for v in k):
            raise ValueError(f"{table.name}: NULL in natural key {dict(zip(key, k, strict=True))}")
        if k in by_key:
            raise ValueError(f"{table.name}: key {k} twice in one batch")
        by_key[k] = row

    existing = _select_existing(conn, table, key, compare, list(by_key))
    new_rows = [row for k, row in by_key.items() if k not in existing]
    now = utcnow()
    if new_rows and not dry_run:
        has_tracking = "created_run_id" in table.c
        payload = []
        for row in new_rows:
            values = dict(row)
            if has_tracking:
                values.setdefault("created_run_id", run_id)
                values.setdefault("updated_run_id", run_id)
                values.setdefault("created_at", now)
                values.setdefault("updated_at", now)
            payload.append(values)
        if conn.dialect.name == "postgresql" and len(payload) >= COPY_MIN_ROWS:
            returned = _copy_insert(conn, table, payload, key)
        else:
            stmt = _insert(conn, table).on_conflict_do_nothing(index_elements=key).returning(
                table.c.id, *[table.c[k] for k in key]
            )
            returned = conn.execute(stmt, payload).all() if len(payload) > 1 else conn.execute(
                stmt.values(payload[0])
            ).all()
        for rec in returned:
            k = tuple(rec[1:])
            result.ids[k] = rec[0]
            result.inserted_keys.append(k)
        result.inserted += len(returned)
        lost = [k for k in (_key_of(r, key) for r in new_rows) if k not in result.ids]
        if lost:  # another transaction inserted them first: treat them as existing rows
            existing.update(_select_existing(conn, table, key, compare, lost))
    elif new_rows:
        result.inserted += len(new_rows)
        result.inserted_keys.extend(_key_of(r, key) for r in new_rows)

    updates = []
    for k, (row_id, old) in existing.items():
        row = by_key[k]
        result.ids[k] = row_id
        diff = {c: (old[c], row[c]) for c in compare if c in row and not same_value(old[c], row[c])}
        if not diff:
            result.unchanged += 1
            continue
        result.updated += 1
        result.changes[k] = diff
        values = {c: new for c, (_old, new) in diff.items()}
        updates.append((row_id, values))
    if updates and not dry_run:
        _apply_updates(conn, table, updates, run_id, now)
    return result


def _select_existing(conn, table, key, compare, keys: list[Key]) -> dict[Key, tuple[int, dict]]:
    if not keys:
        return {}
    cols = [table.c.id, *[table.c[k] for k in key], *[table.c[c] for c in compare]]
    if len(key) == 1 and conn.dialect.name == "postgresql":
        # one array parameter instead of thousands of placeholders (psycopg parses every one)
        column = table.c[key[0]]
        where = column == any_(bindparam("_keys", [k[0] for k in keys], type_=ARRAY(column.type)))
    elif len(key) == 1:
        where = table.c[key[0]].in_([k[0] for k in keys])
    elif conn.dialect.name == "postgresql":
        arrays = [bindparam(f"_k{i}", [k[i] for k in keys], type_=ARRAY(table.c[c].type)) for i, c in enumerate(key)]
        wanted = func.unnest(*arrays).table_valued(*[f"k{i}" for i in range(len(key))]).render_derived()
        on = and_(*[table.c[c] == wanted.c[f"k{i}"] for i, c in enumerate(key)])
        where = None
        query = select(*cols).join_from(table, wanted, on)
    else:
        where = tuple_(*[table.c[k] for k in key]).in_(keys)
    if where is not None:
        query = select(*cols).where(where)
    found: dict[Key, tuple[int, dict]] = {}
    for rec in conn.execute(query).mappings():
        k = tuple(rec[c] for c in key)
        found[k] = (rec["id"], {c: rec[c] for c in compare})
    return found


def _copy_insert(conn: Connection, table: Table, payload: list[dict], key: list[str]) -> list[tuple]:
    """PostgreSQL: COPY the new rows into a temporary staging table, then one
    INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING id and key (a concurrent import that
    inserted a key first wins; the caller re-reads those rows and compares)."""
    cols = list(payload[0].keys())
    col_list = ", ".join(f'"{c}"' for c in cols)
    key_list = ", ".join(f'"{k}"' for k in key)
    stage = f"_stage_{table.name}_{zlib.crc32(col_list.encode()):08x}"
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        cur.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" AS SELECT {col_list} FROM "{table.name}" '
                    "WITH NO DATA")
        cur.execute(f'TRUNCATE "{stage}"')
        with cur.copy(f'COPY "{stage}" ({col_list}) FROM STDIN') as copy:
            for row in payload:
                copy.write_row([row[c] for c in cols])
        cur.execute(f'INSERT INTO "{table.name}" ({col_list}) SELECT {col_list} FROM "{stage}" '
                    f"ON CONFLICT ({key_list}) DO NOTHING RETURNING id, {key_list}")
        return [tuple(r) for r in cur.fetchall()]


def _apply_updates(conn, table, updates, run_id, now) -> None:
    tracking = "updated_at" in table.c
    # Group rows that change the same set of columns into one executemany each.
    groups: dict[tuple[str, ...], list[dict]] = {}
    for row_id, values in updates:
        groups.setdefault(tuple(sorted(values)), []).append({"_id": row_id, **values})
    for cols, params in groups.items():
        assignments = {c: bindparam(c) for c in cols}
        if tracking:
            assignments["updated_at"] = now
            assignments["updated_run_id"] = run_id
        stmt = update(table).where(table.c.id == bindparam("_id")).values(assignments)
        conn.execute(stmt, params)


__all__ = ["TRACKING_COLUMNS", "UpsertResult", "same_value", "upsert"]
