"""`coopdb explain`: every value that sources give for a record's fields, and which one wins and why.

    report = explain(engine, "AIDDATA-39556")             # or "project:AIDDATA-39556", field="amount"

The precedence is the one the statement writer applies (importers/statements.py, docs/provenance.md):
the source's priority, then its date, then the import that gave the value last.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select

from db.base import Base
from db.errors import UserError
from db.migrate import require_head
from importers.entities import ENTITIES, SOURCE, Entity
from importers.statements import _Stmt, derive, keep_unstated, load_ranks, reference_codes

T = Base.metadata.tables


@dataclass
class Stated:
    source_key: str
    source_title: str | None
    source_date: str
    priority: int
    run_id: int
    locator: str
    value: Any
    wins: bool = False


@dataclass
class FieldReport:
    field: str
    columns: list[str]
    current: Any
    stated: list[Stated] = field(default_factory=list)
    reason: str = ""


@dataclass
class ExplainReport:
    record_type: str
    record_id: int
    code: str
    title: str | None
    fields: list[FieldReport] = field(default_factory=list)
    identifiers: list[dict[str, Any]] = field(default_factory=list)  # scheme, value, source
    merged: list[str] = field(default_factory=list)  # codes of records merged into this one

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def _find(conn, ref: str) -> tuple[Entity, int, str, str | None]:
    kind, sep, key = ref.partition(":")
    if sep and kind.strip().lower() == "source":  # source:KEY, e.g. source:https://example.org/news/1
        src = T["sources"]
        row = conn.execute(select(src.c.id, src.c.key, src.c.title).where(src.c.key == key.strip())).first()
        if row is None:
            raise UserError(f"no source with the key {key.strip()!r}")
        return SOURCE, row.id, row.key, row.title
    kind, _sep, code = ref.partition(":") if ":" in ref and ref.split(":", 1)[0] in ENTITIES else ("", "", ref)
    hits = []
    scheme, sep, value = ref.partition(":")
    if sep and not kind:  # an identifier: aiddata:39556
        ident = T["identifiers"]
        for record_type, record_id in conn.execute(select(ident.c.record_type, ident.c.record_id).where(
                ident.c.scheme == scheme.strip().lower(), ident.c.value == value.strip())):
            entity = ENTITIES[record_type]
            t = entity.t
            title = t.c.title if "title" in t.c else t.c.name
            row = conn.execute(select(t.c.code, title).where(t.c.id == record_id)).one()
            hits.append((entity, record_id, row[0], row[1]))
        if len(hits) == 1:
            return hits[0]
        hits = []
    same = T["same_as"]
    for entity in ENTITIES.values():
        if (kind and entity.name != kind) or entity.label != "code":
            continue
        t = entity.t
        title = t.c.title if "title" in t.c else t.c.name
        for row in conn.execute(select(t.c.id, t.c.code, title).where(func.upper(t.c.code) == code.strip().upper())):
            hits.append((entity, row[0], row[1], row[2]))
        if not hits:  # a code merged into another record: the kept record
            for (record_id,) in conn.execute(select(same.c.record_id).where(
                    same.c.record_type == entity.name, func.upper(same.c.code) == code.strip().upper())):
                row = conn.execute(select(t.c.id, t.c.code, title).where(t.c.id == record_id)).one()
                hits.append((entity, row[0], row[1], row[2]))
    if not hits:
        src = T["sources"]
        if conn.execute(select(src.c.id).where(src.c.key == ref.strip())).first() is not None:
            raise UserError(f"{ref.strip()!r} is the key of a source: coopdb explain 'source:{ref.strip()}'")
        raise UserError(f"no project, agreement, event, forum or organisation with the code {code!r}")
    if len(hits) > 1:
        options = ", ".join(f"{e.name}:{c}" for e, _i, c, _t in hits)
        raise UserError(f"{code!r} is the code of several records: name one as {options}")
    return hits[0]


def explain(engine: Engine, ref: str, field_name: str | None = None) -> ExplainReport:
    require_head(engine)
    with engine.connect() as conn:
        entity, record_id, code, title = _find(conn, ref)
        st = T["statements"]
        stmts, locators = [], {}
        for r in conn.execute(select(st.c.source_id, st.c.data, st.c.field_runs, st.c.locator)
                              .where(st.c.record_type == entity.name, st.c.record_id == record_id)):
            stmts.append(_Stmt(None, r.source_id, json.loads(r.data), json.loads(r.field_runs)))
            locators[r.source_id] = r.locator
        ranks = load_ranks(conn, [s.source_id for s in stmts])
        titles = dict(conn.execute(select(T["sources"].c.id, T["sources"].c.title)
                                   .where(T["sources"].c.id.in_([s.source_id for s in stmts]))).all())
        current, _children, winners = derive(entity, stmts, ranks)
        if entity.unstated_keeps_stored:  # a field no source states keeps what the row holds
            keep_unstated(entity, current, winners, conn.execute(
                select(*(entity.t.c[c] for c in entity.fields)).where(entity.t.c.id == record_id)).mappings().one())
        names = _names(conn, entity, stmts)
        codes = _field_codes(conn, entity, [current, *(s.data for s in stmts)])
        report = ExplainReport(entity.name, record_id, code, title)
        ident, src, same = T["identifiers"], T["sources"], T["same_as"]
        for scheme, value, key in conn.execute(
                select(ident.c.scheme, ident.c.value, src.c.key)
                .select_from(ident.outerjoin(src, src.c.id == ident.c.source_id))
                .where(ident.c.record_type == entity.name, ident.c.record_id == record_id)
                .order_by(ident.c.scheme, ident.c.value)):
            report.identifiers.append({"scheme": scheme, "value": value, "source": key})
        report.merged = [c for (c,) in conn.execute(select(same.c.code).where(
            same.c.record_type == entity.name, same.c.record_id == record_id).order_by(same.c.code))]
        wanted = None if field_name is None else field_name.strip().lower()
        known = [*entity.heads, *(c.name for c in entity.collections)]
        if wanted is not None and wanted not in known and wanted not in entity.fields:
            raise UserError(f"{entity.name} has no field {field_name!r} (expected one of {', '.join(known)})")
        for head in entity.heads:
            group = [c for c in entity.group_of(head) if c in entity.fields]
            if wanted is not None and wanted not in group:
                continue
            fr = FieldReport(head, group, _shown({c: current[c] for c in group}, group, codes))
            for s in stmts:
                if head not in s.data:
                    continue
                rank = ranks[s.source_id]
                value = _shown({c: s.data.get(c) for c in group}, group, codes)
                fr.stated.append(Stated(rank.key, titles.get(s.source_id), rank.date.isoformat(), rank.priority,
                                        s.runs.get(head, 0), locators[s.source_id], value,
                                        wins=s.source_id == winners[head]))
            fr.stated.sort(key=lambda x: (x.priority, x.source_date, x.run_id), reverse=True)
            fr.reason = _reason(fr.stated)
            if fr.stated or wanted is not None:
                report.fields.append(fr)
        for c in entity.collections:
            if wanted is not None and wanted != c.name:
                continue
            listed = [s for s in stmts if s.data.get(c.name)]
            if not listed and wanted is None:
                continue
            fr = FieldReport(c.name, list(c.columns), None, reason="a row exists while at least one source lists it")
            rows = set()
            for s in listed:
                rank = ranks[s.source_id]
                entries = [_entry(c, e, names) for e in s.data[c.name]]
                rows.update(entries)
                fr.stated.append(Stated(rank.key, titles.get(s.source_id), rank.date.isoformat(), rank.priority,
                                        s.runs.get(c.name, 0), locators[s.source_id], entries, wins=True))
            fr.current = sorted(rows)
            report.fields.append(fr)
        return report


def _shown(values: dict[str, Any], group: list[str], codes: dict[str, dict[Any, str]] | None = None) -> Any:
    """A field group's values as text; a reference (country_id, forum_id, ...) as the code of what it names."""
    codes = codes or {}

    def plain(column: str, v: Any) -> Any:
        if column in codes and v is not None:
            return codes[column].get(int(v), v)
        if isinstance(v, dt.date):
            return v.isoformat()
        if v is None or isinstance(v, bool | int | str):
            return v
        return format(v, "f") if hasattr(v, "as_tuple") else str(v)

    if len(group) == 1:
        return plain(group[0], values[group[0]])
    return ", ".join(f"{c}={plain(c, values[c])}" for c in group
                     if values[c] is not None and values[c] is not False) or None


def _field_codes(conn, entity: Entity, data: list[dict[str, Any]]) -> dict[str, dict[Any, str]]:
    """column -> {id: code} for the fields that reference a table with codes (a project's framework forum,
    an event's country, project, agreement and forum), over the values in `data`."""
    ids = {column: {int(v) for values in data if str(v := values.get(column)).lstrip("-").isdigit()}
           for column in entity.fields}
    return reference_codes(conn, entity.t, {column: wanted for column, wanted in ids.items() if wanted})


def _names(conn, entity: Entity, stmts: list[_Stmt]) -> dict[tuple[str, int], str]:
    """(table, id) -> code for the ids that collections list."""
    wanted: dict[str, set[int]] = {}
    for c in entity.collections:
        for column, table in c.refs.items():
            pos = c.columns.index(column)
            for s in stmts:
                for entry in s.data.get(c.name) or []:
                    wanted.setdefault(table, set()).add(entry[pos])
    found = {}
    for table, ids in wanted.items():
        t = T[table]
        for row_id, code in conn.execute(select(t.c.id, t.c.code).where(t.c.id.in_(ids))):
            found[(table, row_id)] = code
    return found


def _entry(c, entry: list, names: dict[tuple[str, int], str]) -> str:
    parts = []
    for column, value in zip(c.columns, entry, strict=False):
        if value is None:
            continue
        parts.append(names.get((c.refs[column], value), str(value)) if column in c.refs else str(value))
    return " / ".join(parts)


def _reason(stated: list[Stated]) -> str:
    if not stated:
        return "no source gives a value"
    if len(stated) == 1:
        return "the only source that gives it"
    first = next(s for s in stated if s.wins)
    others = [s for s in stated if s is not first]
    if all(s.value == first.value for s in others):
        return "all sources agree"
    second = others[0]
    if first.priority != second.priority:
        return f"higher priority ({first.priority} > {second.priority})"
    if first.source_date != second.source_date:
        return f"newer source ({first.source_date} > {second.source_date})"
    return f"newer import (run {first.run_id} > run {second.run_id})"
