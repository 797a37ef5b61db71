"""Statements: what each source says about each record, and the typed tables derived from them.

    writer = StatementWriter(run)
    outcome = writer.write(PROJECT, items)        # items: one Item per record of a batch

An `Item` is one record as one source gives it: the typed columns the input carries (`row`; a column the
input does not carry is not in it), the child rows of the collections it carries, the source and where in
it. For every item the writer

1. makes sure the record's row exists (a new record is inserted with the values it gives);
2. merges the item into the source's statement on the record (one `statements` row per record and source,
   its `data` a JSON object of field -> value): a carried field replaces the source's earlier value, a
   blank one retracts it, `<clear>` states "no value" on purpose; a field the input does not carry keeps
   what the source said before; a carried collection replaces the source's earlier list;
3. where a statement changed, derives the record's current values from all its statements by the
   precedence (docs/provenance.md): per field group, the source with the highest `priority`, then the
   latest source date (its publication date, else the day it was first imported), then the import that
   gave the value last; child rows are those at least one source lists. Only real differences are
   written to the typed tables, so a re-import settles at 0 updated.

Counts: a record is inserted (new row), updated (a current value or child row changed) or unchanged (its
current view is the same, even when a statement changed: a lower-ranked source adding its value changes
nothing a user sees). Statement counts go to the report's details under `statements`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, Date, Integer, Numeric, String, Table, delete, select, update

from db.base import Base, utcnow
from db.upsert import (
    UpsertResult,
    _select_existing,
    insert_new,
    insert_new_ids,
    lock_for_writing,
    matching,
    same_value,
    upsert,
)
from importers.core import RunContext
from importers.entities import CLEAR, Collection, Entity

T = Base.metadata.tables
CHUNK = 10_000


@dataclass
class Item:
    key: tuple[Any, ...]
    row: dict[str, Any]  # carried typed columns -> value (None: blank, CLEAR: cleared on purpose)
    source_id: int
    locator: str = ""
    children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    replace: frozenset[str] = frozenset()  # collections whose rows replace those of every source


@dataclass
class _Stmt:
    id: int | None
    source_id: int
    data: dict[str, Any]
    runs: dict[str, int]


# ----------------------------------------------------------------------------------------------- values
_PLAIN = frozenset((str, int, bool, type(None)))


def encode(value: Any) -> Any:
    """A typed value as JSON: decimals as exact text without trailing zeros, dates as ISO text."""
    if type(value) in _PLAIN or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return encode(Decimal(str(value)))
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    return str(value)


def decoder(column) -> Any:
    kind = column.type
    if isinstance(kind, Boolean):
        return lambda v: None if v is None else bool(v)
    if isinstance(kind, Numeric):
        return lambda v: None if v is None else Decimal(str(v))
    if isinstance(kind, Integer):
        return lambda v: None if v is None else int(v)
    if isinstance(kind, Date):
        return lambda v: None if v is None else (v if isinstance(v, dt.date) else dt.date.fromisoformat(v))
    return lambda v: v


@cache
def _decoders(entity: Entity) -> dict[str, Any]:
    return {c: decoder(entity.t.c[c]) for c in entity.fields}


@cache
def _nullable(entity: Entity) -> dict[str, bool]:
    return {c: entity.t.c[c].nullable for c in entity.fields}


@cache
def _child_decoders(c: Collection) -> list[Any]:
    return [decoder(c.t.c[col]) for col in c.columns]


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# ------------------------------------------------------------------------------------------ precedence
@dataclass(frozen=True)
class SourceRank:
    key: str
    priority: int
    date: dt.date  # published_on, else the day the source was first imported

    def rank(self, run_id: int) -> tuple[int, dt.date, int]:
        return (self.priority, self.date, run_id)


def load_ranks(conn, source_ids: Iterable[int], cache: dict[int, SourceRank] | None = None) -> dict[int, SourceRank]:
    cache = {} if cache is None else cache
    wanted = [s for s in set(source_ids) if s not in cache]
    s = T["sources"]
    for start in range(0, len(wanted), CHUNK):
        rows = conn.execute(select(s.c.id, s.c.key, s.c.priority, s.c.published_on, s.c.created_at)
                            .where(s.c.id.in_(wanted[start:start + CHUNK])))
        for r in rows:
            created = r.created_at
            if isinstance(created, str):
                created = dt.datetime.fromisoformat(created)
            day = r.published_on or (created.date() if created else dt.date.min)
            if isinstance(day, str):
                day = dt.date.fromisoformat(day[:10])
            cache[r.id] = SourceRank(r.key, r.priority or 0, day)
    return cache


def derive(entity: Entity, stmts: Sequence[_Stmt], ranks: dict[int, SourceRank]
           ) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]], dict[str, int | None]]:
    """The current values of one record from its statements: (typed columns, child rows per collection,
    the winning source id per group head)."""
    values: dict[str, Any] = {}
    winners: dict[str, int | None] = {}
    defaults, decoders, nullable = entity.defaults, _decoders(entity), _nullable(entity)
    for head, group in entity.head_groups:
        best, best_rank = None, None
        for s in stmts:
            if head in s.data:
                r = ranks[s.source_id].rank(s.runs.get(head, 0))
                if best_rank is None or r > best_rank:
                    best, best_rank = s, r
        winners[head] = None if best is None else best.source_id
        data = None if best is None else best.data
        for column in group:
            if data is None or column not in data:
                values[column] = defaults[column]
            else:
                raw = data[column]
                values[column] = defaults[column] if raw is None and not nullable[column] else decoders[column](raw)
    return values, derive_children(entity, stmts, ranks), winners


def keep_unstated(entity: Entity, values: dict[str, Any], winners: dict[str, int | None],
                  stored: Mapping[str, Any]) -> None:
    """For an entity whose unstated fields keep their stored value (sources): put the stored value of each field
    group no statement gives into `values` (the current values `derive` returned)."""
    if entity.unstated_keeps_stored:
        for head, group in entity.head_groups:
            if winners[head] is None:
                for column in group:
                    values[column] = stored[column]


def derive_children(entity: Entity, stmts: Sequence[_Stmt], ranks: dict[int, SourceRank]
                    ) -> dict[str, list[dict[str, Any]]]:
    """The child rows of one record: those at least one source lists (see `derive`)."""
    children: dict[str, list[dict[str, Any]]] = {}
    for c in entity.collections:
        rows: dict[tuple, tuple[tuple, dict[str, Any]]] = {}
        decoders_c = _child_decoders(c)
        # a fallback source (negative priority) lists rows only while no other source lists the collection
        listing = [s for s in stmts if s.data.get(c.name)]
        if any(ranks[s.source_id].priority >= 0 for s in listing):
            listing = [s for s in listing if ranks[s.source_id].priority >= 0]
        for s in listing:
            r = ranks[s.source_id].rank(s.runs.get(c.name, 0))
            for entry in s.data[c.name]:
                row = {col: d(v) for col, d, v in zip(c.columns, decoders_c, entry, strict=False)}
                k = tuple(row[col] for col in c.key)
                if k not in rows or r > rows[k][0]:
                    rows[k] = (r, row)
        children[c.name] = [row for _r, row in rows.values()]
    return children


# ---------------------------------------------------------------------------------------------- writer
class StatementWriter:
    def __init__(self, run: RunContext):
        self.run = run
        self.conn = run.conn
        self.ranks: dict[int, SourceRank] = {}

    def _detail(self, table: str) -> dict[str, int]:
        return self.run.report.details.setdefault(table, {"inserted": 0, "updated": 0, "unchanged": 0})

    def write(self, entity: Entity, items: Sequence[Item], *, count: bool = True
              ) -> tuple[dict[tuple, int], dict[tuple, str]]:
        """Write one batch (one item per record); returns (key -> record id, key -> inserted/updated/unchanged).
        `count=False`: a second pass over records already counted (links), left out of the table details."""
        if not items:
            return {}, {}
        conn, run_id = self.conn, self.run.run_id
        table = entity.t
        # 1. the records' rows: new ones inserted with the values they give
        lock_for_writing(conn)  # SQLite: a key found absent below stays absent until this import commits
        found = _select_existing(conn, table, list(entity.key), [], [item.key for item in items])
        ids = {k: row_id for k, (row_id, _v) in found.items()}
        rows = []
        defaults, fields, key_columns = entity.defaults, _field_set(entity), entity.key
        for item in items:
            if item.key in ids:
                continue
            row = dict(zip(key_columns, item.key, strict=True))
            row.update(defaults)
            for column, value in item.row.items():
                if value is not None and column in fields and not (type(value) is str and value == CLEAR):
                    row[column] = value
            rows.append(row)
        if rows and conn.dialect.name == "sqlite" and _text_key(entity):
            written = insert_new_ids(conn, table, rows, entity.key[0], run_id=run_id)
            main = UpsertResult(inserted=len(written), ids=written, inserted_keys=list(written))
        else:
            main = upsert(conn, table, rows, entity.key, run_id=run_id, compare=())
        main.unchanged = len(ids)
        if count:
            self.run.report.add(main, entity.table, count=False)
        new = set(main.inserted_keys)
        ids.update(main.ids)
        # 2. the statements
        existing_ids = [ids[item.key] for item in items if item.key not in new]
        stmts = self._load(entity, existing_ids)
        now = utcnow()
        changed_records: set[int] = set()
        to_write: dict[tuple[int, int], tuple[_Stmt, str]] = {}
        seen: list[int] = []
        for item in items:
            rid = ids[item.key]
            mine = stmts.setdefault(rid, {}).get(item.source_id)
            old_data = {} if mine is None else mine.data
            data, runs = dict(old_data), {} if mine is None else dict(mine.runs)
            self._merge(entity, item, data)
            if mine is None:
                runs = dict.fromkeys(data, run_id or 0)
            else:
                for name in set(data) | set(old_data):
                    if name not in data:
                        runs.pop(name, None)
                    elif name not in old_data or data[name] != old_data[name]:
                        runs[name] = run_id or 0
            for name in item.replace:  # --replace-participants: the other sources' lists go
                for other in stmts[rid].values():
                    if other.source_id != item.source_id and name in other.data:
                        other.data = {k: v for k, v in other.data.items() if k != name}
                        other.runs.pop(name, None)
                        to_write[(rid, other.source_id)] = (other, "")
                        changed_records.add(rid)
            if mine is None or data != old_data:
                stmt = _Stmt(None if mine is None else mine.id, item.source_id, data, runs)
                stmts[rid][item.source_id] = stmt
                to_write[(rid, item.source_id)] = (stmt, item.locator)
                changed_records.add(rid)
            else:
                seen.append(mine.id)
        new_ids = {ids[k] for k in new}
        self._write_statements(entity, to_write, now, new_ids)
        if seen:
            self._seen(seen, now)
        if new:  # a new record's row has its values already; its child rows are those its one source lists
            self._fresh_children(entity, [item for item in items if item.key in new], ids, stmts)
            changed_records -= new_ids
        # 3. the current view of the records whose statements changed
        outcome = {item.key: ("inserted" if item.key in new else "unchanged") for item in items}
        key_of = {ids[item.key]: item.key for item in items}
        if changed_records:
            self._derive(entity, {rid: key_of[rid] for rid in changed_records}, stmts, new, outcome)
        return ids, outcome

    def _merge(self, entity: Entity, item: Item, data: dict[str, Any]) -> None:
        carried = item.row
        defaults = entity.defaults
        for head, group in _carried_groups(entity, frozenset(carried)):
            value = carried.get(head)
            if value is not None and type(value) is str and value == CLEAR:
                for column in group:
                    data[column] = None
            elif value is None and head in carried:
                for column in group:
                    data.pop(column, None)
            else:
                for column in group:
                    v = carried[column] if column in carried else defaults[column]
                    if type(v) in _PLAIN:
                        data[column] = None if v == CLEAR else v
                    else:
                        data[column] = encode(v)
        if not item.children:
            return
        for name, rows in item.children.items():
            columns = _collection_columns(entity, name)
            if columns is None:
                continue
            if rows:
                getter = _getter(columns)
                entries = {}
                for row in rows:
                    try:
                        values = getter(row)
                    except KeyError:  # a column the row leaves out is None
                        values = tuple(row.get(col) for col in columns)
                    if any(type(v) not in _PLAIN for v in values):
                        values = tuple(encode(v) for v in values)
                    entries[values] = None
                listed = sorted(entries, key=_sort_key) if len(entries) > 1 else list(entries)
                data[name] = [list(entry) for entry in listed]
            else:
                data.pop(name, None)

    def _fresh_children(self, entity: Entity, items: list[Item], ids: dict[tuple, int],
                        stmts: dict[int, dict[int, _Stmt]]) -> None:
        """The child rows of records this import inserted, written straight (`insert_new`): the rows the
        record's one statement lists, as `derive_children` would give them. A list with one key twice (two
        rows differing in a value only) is derived from the statement itself, so that the same row wins."""
        for c in entity.collections:
            detail = self._detail(c.table)
            columns, key_columns, name, parent = c.columns, c.key, c.name, c.parent
            rows = []
            for item in items:
                listed = item.children.get(name)
                if not listed:
                    continue
                rid = ids[item.key]
                out = {}
                for row in listed:
                    values = {col: row.get(col) for col in columns}
                    k = tuple(values[col] for col in key_columns)
                    if k in out and out[k] != values:
                        out = None
                        break
                    out[k] = values
                if out is None:
                    stmt = stmts.get(rid, {}).get(item.source_id)
                    chosen = _own_children(entity, stmt.data if stmt else {})[name]
                else:
                    chosen = out.values()
                for values in chosen:
                    full = {parent: rid, **values}
                    if c.derived:
                        full.update(c.derived(full))
                    rows.append(full)
            if rows:
                detail["inserted"] += insert_new(self.conn, c.t, rows, run_id=self.run.run_id)

    def _load(self, entity: Entity, record_ids: list[int]) -> dict[int, dict[int, _Stmt]]:
        found: dict[int, dict[int, _Stmt]] = {}
        st = T["statements"]
        for start in range(0, len(record_ids), CHUNK):
            chunk = record_ids[start:start + CHUNK]
            query = matching(self.conn, st, [st.c.id, st.c.record_id, st.c.source_id, st.c.data, st.c.field_runs],
                             ("record_id",), [(rid,) for rid in chunk], st.c.record_type == entity.name)
            for r in self.conn.execute(query):
                found.setdefault(r.record_id, {})[r.source_id] = _Stmt(
                    r.id, r.source_id, json.loads(r.data), json.loads(r.field_runs))
        return found

    def _write_statements(self, entity: Entity, to_write: dict[tuple[int, int], tuple[_Stmt, str]],
                          now: dt.datetime, new_records: set[int] = frozenset()) -> None:
        if not to_write:
            return
        st = T["statements"]
        detail = self._detail("statements")
        # a statement another item only retracted from (no locator given) keeps its locator
        with_locator, keep_locator, empty, fresh = [], [], [], []
        run_id = self.run.run_id
        for (rid, sid), (stmt, locator) in to_write.items():
            if not stmt.data:  # it says nothing any more
                if stmt.id is not None:
                    empty.append(stmt.id)
                continue
            row = {"record_type": entity.name, "record_id": rid, "source_id": sid, "data": dumps(stmt.data),
                   "field_runs": _runs_json(stmt.runs), "first_seen_at": now, "last_seen_at": now,
                   "last_seen_run_id": run_id}
            if rid in new_records:  # a record this import inserted: nobody else states it yet
                fresh.append({**row, "locator": locator[:200]})
            elif locator:
                with_locator.append({**row, "locator": locator[:200]})
            else:
                keep_locator.append(row)
        if fresh:
            detail["inserted"] += insert_new(self.conn, st, fresh, run_id=run_id)
        for group in (keep_locator, with_locator):
            if group:
                result = upsert(self.conn, st, group, ("record_type", "record_id", "source_id"),
                                run_id=self.run.run_id, ids=False,
                                compare=[c for c in ("data", "field_runs", "locator", "last_seen_at",
                                                     "last_seen_run_id") if c in group[0]])
                detail["inserted"] += result.inserted
                detail["updated"] += result.updated
        for start in range(0, len(empty), CHUNK):
            self.conn.execute(delete(st).where(st.c.id.in_(empty[start:start + CHUNK])))
            detail["deleted"] = detail.get("deleted", 0) + len(empty[start:start + CHUNK])

    def _seen(self, statement_ids: list[int], now: dt.datetime) -> None:
        st = T["statements"]
        self._detail("statements")["unchanged"] += len(statement_ids)
        for start in range(0, len(statement_ids), CHUNK):
            self.conn.execute(update(st).where(st.c.id.in_(statement_ids[start:start + CHUNK]))
                              .values(last_seen_at=now, last_seen_run_id=self.run.run_id))

    def _derive(self, entity: Entity, records: dict[int, tuple], stmts: dict[int, dict[int, _Stmt]],
                new: set[tuple], outcome: dict[tuple, str]) -> None:
        sources = {sid for rid in records for sid in stmts.get(rid, {})}
        load_ranks(self.conn, sources, self.ranks)
        current, children, winners = {}, {}, {}
        for rid, k in records.items():
            found = list(stmts.get(rid, {}).values())
            if k in new:  # its row was inserted with the values of its only statement
                children[rid] = derive_children(entity, found, self.ranks) if len(found) > 1 \
                    else _own_children(entity, found[0].data if found else {})
            else:
                current[rid], children[rid], winners[rid] = derive(entity, found, self.ranks)
        report = self.run.report
        # typed rows: compare with what is stored, write the differences
        old_keys = [k for rid, k in records.items() if k not in new]
        stored = _select_existing(self.conn, entity.t, list(entity.key), list(entity.fields), old_keys) \
            if old_keys else {}
        id_of = {k: rid for rid, k in records.items()}
        changed_rows = []
        for k, (_rid, old) in stored.items():
            rid = id_of.get(k)
            if rid is None:
                continue
            now_values = current[rid]
            keep_unstated(entity, now_values, winners[rid], old)
            diff = {c: (old[c], now_values[c]) for c in entity.fields
                    if not (old[c] == now_values[c] or same_value(old[c], now_values[c]))}
            if diff:
                changed_rows.append({**dict(zip(entity.key, k, strict=True)), **current[rid]})
                outcome[k] = "updated"
                if report.dry_run:
                    report.changes.append({"table": entity.table, "key": list(k),
                                           "fields": {c: [o, n] for c, (o, n) in diff.items()}})
        if changed_rows:
            upsert(self.conn, entity.t, changed_rows, entity.key, run_id=self.run.run_id, ids=False,
                   compare=entity.fields)
            detail = self._detail(entity.table)
            detail["updated"] += len(changed_rows)
            detail["unchanged"] -= len(changed_rows)  # counted unchanged when found, before its values
        for c in entity.collections:
            touched = self._sync(c, records, {rid: children[rid].get(c.name, []) for rid in records}, new)
            for rid in touched:
                k = records[rid]
                if outcome[k] == "unchanged":
                    outcome[k] = "updated"

    def _sync(self, c: Collection, records: dict[int, tuple], wanted: dict[int, list[dict[str, Any]]],
              new: set[tuple]) -> set[int]:
        """Make the child rows of `records` what the statements list; returns the parents that changed."""
        child = c.t
        old_parents = [rid for rid, k in records.items() if k not in new]
        stored: dict[tuple, tuple[int, dict[str, Any]]] = {}
        for start in range(0, len(old_parents), CHUNK):
            chunk = old_parents[start:start + CHUNK]
            cols = [child.c.id, child.c[c.parent], *[child.c[x] for x in c.columns]]
            for r in self.conn.execute(matching(self.conn, child, cols, (c.parent,), [(rid,) for rid in chunk])
                                       ).mappings():
                stored[(r[c.parent], *(r[x] for x in c.key))] = (r["id"], {x: r[x] for x in c.values})
        rows, wanted_keys, same = [], set(), 0
        for rid, listed in wanted.items():
            for row in listed:
                k = (rid, *(row[x] for x in c.key))
                wanted_keys.add(k)
                old = stored.get(k)
                if old is not None and all(same_value(old[1][x], row[x]) for x in c.values):
                    same += 1
                    continue
                full = {c.parent: rid, **{x: row[x] for x in c.columns}}
                if c.derived:
                    full.update(c.derived(full))
                rows.append(full)
        touched = {row[c.parent] for row in rows}
        detail = self._detail(c.table)
        detail["unchanged"] += same
        if rows and new:  # the children of records this import inserted
            new_ids = {rid for rid, k in records.items() if k in new}
            fresh = [row for row in rows if row[c.parent] in new_ids]
            if fresh:
                rows = [row for row in rows if row[c.parent] not in new_ids]
                detail["inserted"] += insert_new(self.conn, child, fresh, run_id=self.run.run_id)
        if rows:
            result = upsert(self.conn, child, rows, (c.parent, *c.key), run_id=self.run.run_id, ids=False,
                            compare=[x for x in rows[0] if x not in (c.parent, *c.key)])
            detail["inserted"] += result.inserted
            detail["updated"] += result.updated
        gone = [(k, row_id) for k, (row_id, _v) in stored.items() if k not in wanted_keys]
        if gone:
            touched |= {k[0] for k, _id in gone}
            detail["deleted"] = detail.get("deleted", 0) + len(gone)
            if self.run.report.dry_run:
                self._report_deleted(c, records, [k for k, _id in gone])
            row_ids = [row_id for _k, row_id in gone]
            self.run.note_unlinked(c.table, row_ids)
            citations = T["citations"]
            for start in range(0, len(row_ids), CHUNK):
                chunk = row_ids[start:start + CHUNK]
                if c.citation_type:
                    self.conn.execute(delete(citations).where(citations.c.record_type == c.citation_type,
                                                              citations.c.record_id.in_(chunk)))
                self.conn.execute(delete(child).where(child.c.id.in_(chunk)))
        return touched

    def retract_unlisted(self, entity: Entity, group_column: str, listed: dict[tuple[int, int], set[int]],
                         *, cite_type: str) -> None:
        """Records grouped by `group_column` (memberships by forum) that a source lists as a whole: for each
        (source id, group value) the ids this import listed; the source's statements on the group's other
        records are retracted. A record left with no statement is deleted (with its citations); one that
        other sources still state is derived again from them."""
        conn, table, st = self.conn, entity.t, T["statements"]
        by_source: dict[int, dict[int, set[int]]] = {}
        for (source_id, group), ids in listed.items():
            by_source.setdefault(source_id, {})[group] = ids
        retracted: dict[int, set[int]] = {}  # record id -> the sources whose statement on it goes
        gone_statements: list[int] = []
        for source_id, groups in by_source.items():
            values = list(groups)
            for start in range(0, len(values), CHUNK):
                query = (select(st.c.id, st.c.record_id, table.c[group_column])
                         .join(table, table.c.id == st.c.record_id)
                         .where(st.c.record_type == entity.name, st.c.source_id == source_id,
                                table.c[group_column].in_(values[start:start + CHUNK])))
                for stmt_id, record_id, group in conn.execute(query):
                    if record_id not in groups[group]:
                        gone_statements.append(stmt_id)
                        retracted.setdefault(record_id, set()).add(source_id)
        if not retracted:
            return
        detail = self._detail("statements")
        detail["deleted"] = detail.get("deleted", 0) + len(gone_statements)
        for start in range(0, len(gone_statements), CHUNK):
            conn.execute(delete(st).where(st.c.id.in_(gone_statements[start:start + CHUNK])))
        record_ids = list(retracted)
        citations = T["citations"]
        for source_id in {s for sources in retracted.values() for s in sources}:
            ids = [rid for rid, sources in retracted.items() if source_id in sources]
            for start in range(0, len(ids), CHUNK):
                conn.execute(delete(citations).where(citations.c.record_type == cite_type,
                                                     citations.c.source_id == source_id,
                                                     citations.c.record_id.in_(ids[start:start + CHUNK])))
        remaining = self._load(entity, record_ids)
        keys: dict[int, tuple] = {}
        for start in range(0, len(record_ids), CHUNK):
            query = select(table.c.id, *[table.c[k] for k in entity.key]).where(
                table.c.id.in_(record_ids[start:start + CHUNK]))
            for r in conn.execute(query):
                keys[r[0]] = tuple(r[1:])
        orphans = [rid for rid in record_ids if not remaining.get(rid)]
        if orphans:
            if self.run.report.dry_run:
                codes = reference_codes(conn, table, {column: {keys[rid][i] for rid in orphans}
                                               for i, column in enumerate(entity.key)})
                self.run.report.changes.extend(
                    {"table": entity.table, "deleted": True, "fields": {},
                     "key": [codes[c].get(v, v) if c in codes else encode(v) for c, v in zip(entity.key, keys[rid],
                                                                                            strict=True)]}
                    for rid in orphans)
            self._detail(entity.table)["deleted"] = self._detail(entity.table).get("deleted", 0) + len(orphans)
            self.run.note_unlinked(entity.table, orphans)
            for start in range(0, len(orphans), CHUNK):
                chunk = orphans[start:start + CHUNK]
                conn.execute(delete(citations).where(citations.c.record_type == cite_type,
                                                     citations.c.record_id.in_(chunk)))
                conn.execute(delete(table).where(table.c.id.in_(chunk)))
        still = {rid: keys[rid] for rid in record_ids if remaining.get(rid)}
        if still:
            # derived again from the other sources; not records this import read, so not in the headline
            outcome = {k: "unchanged" for k in still.values()}
            self._derive(entity, still, remaining, set(), outcome)
            detail = self._detail(entity.table)
            detail["unchanged"] += sum(1 for state in outcome.values() if state == "updated")

    def _report_deleted(self, c: Collection, records: dict[int, tuple], keys: list[tuple]) -> None:
        codes: dict[str, dict[int, str]] = {}
        for column, ref_table in c.refs.items():
            ids = {k[1 + c.key.index(column)] for k in keys}
            ref = T[ref_table]
            codes[column] = dict(self.conn.execute(select(ref.c.id, ref.c.code).where(ref.c.id.in_(ids))).all())
        for k in keys:
            shown = list(records[k[0]])
            for column, value in zip(c.key, k[1:], strict=True):
                shown.append(codes[column].get(value, value) if column in codes else value)
            self.run.report.changes.append({"table": c.table, "key": shown, "fields": {}, "deleted": True})


_RUNS_JSON: dict[tuple, str] = {}


def _runs_json(runs: dict[str, int]) -> str:
    """dumps(runs), remembered for the common case of every field given by one run (a new statement)."""
    values = set(runs.values())
    if len(values) != 1:
        return dumps(runs)
    cache_key = (tuple(runs), *values)
    text = _RUNS_JSON.get(cache_key)
    if text is None:
        text = dumps(runs)
        if len(_RUNS_JSON) < 4096:
            _RUNS_JSON[cache_key] = text
    return text


def _own_children(entity: Entity, data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The child rows of a record that one source states (`derive_children` of a single statement)."""
    children: dict[str, list[dict[str, Any]]] = {}
    for c in entity.collections:
        entries = data.get(c.name)
        if not entries:
            children[c.name] = []
            continue
        columns, decoders_c = c.columns, _child_decoders(c)
        rows: dict[tuple, dict[str, Any]] = {}
        for entry in entries:
            row = {col: d(v) for col, d, v in zip(columns, decoders_c, entry, strict=False)}
            k = tuple(row[col] for col in c.key)
            if k not in rows:
                rows[k] = row
        children[c.name] = list(rows.values())
    return children


@cache
def _text_key(entity: Entity) -> bool:
    """Whether the entity's natural key is one text column (stored as given on every backend)."""
    return len(entity.key) == 1 and isinstance(entity.t.c[entity.key[0]].type, String)


@cache
def _field_set(entity: Entity) -> frozenset[str]:
    return frozenset(entity.fields)


@cache
def _getter(columns: tuple[str, ...]) -> Any:
    """row -> the tuple of its values of `columns`."""
    if len(columns) == 1:
        name = columns[0]
        return lambda row: (row[name],)
    return itemgetter(*columns)


@cache
def _collection_columns(entity: Entity, name: str) -> tuple[str, ...] | None:
    """The columns of a collection of the entity, in statement order (None: not a collection of it)."""
    for c in entity.collections:
        if c.name == name:
            return c.columns
    return None


@cache
def _carried_groups(entity: Entity, carried: frozenset[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The field groups of which an input carries at least one column (one answer per set of columns)."""
    return tuple((head, group) for head, group in entity.head_groups if any(c in carried for c in group))


def table_codes(conn, table: Table, ids: Iterable[Any]) -> dict[Any, str]:
    """id -> code for the rows of `table` with these ids."""
    values = list({v for v in ids if v is not None})
    found: dict[Any, str] = {}
    for start in range(0, len(values), CHUNK):
        found.update(conn.execute(select(table.c.id, table.c.code).where(table.c.id.in_(values[start:start + CHUNK]))
                                  ).all())
    return found


def reference_codes(conn, table: Table, ids: dict[str, set[Any]]) -> dict[str, dict[Any, str]]:
    """column -> {id: code} for the columns of `table` (given with the ids wanted) that reference a table with
    codes (forums, countries, projects, ...); other columns are left out."""
    return {column: table_codes(conn, fk.column.table, wanted)
            for column, wanted in ids.items() for fk in table.c[column].foreign_keys if "code" in fk.column.table.c}


def _sort_key(entry: tuple) -> tuple:
    return tuple((x is None, str(x)) for x in entry)

