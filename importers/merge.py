"""`coopdb merge KEEP OTHER` and `coopdb unmerge CODE`: two records that are one real thing become one.

    report = merge(engine, "AIDDATA-39556", "KZ-TURGUSUN")
    report = unmerge(engine, "KZ-TURGUSUN")

A merge keeps every statement and every source: OTHER's statements, citations, identifiers and mentions
move to KEEP, the records that name OTHER (links, covered projects, events: `references_to`) name KEEP, and KEEP's
current values are derived again from all its statements by the precedence (docs/provenance.md). OTHER's row
goes, and `same_as` records its code, so that a later import of either key lands on KEEP (importers/writer.py
looks merged codes up after identifiers). Where one source states both records, KEEP's statement stays
current and OTHER's is held in `same_as.detail` (shown by unmerge, not by explain). `unmerge` puts
everything back as it was at the merge: OTHER's row with its id, its statements, citations, identifiers,
mentions and the references to it, and derives both records again. A merge is one run (`import_runs`,
importer `merge`), in one transaction; `--dry-run` reports and rolls back. Projects, agreements and events
merge (`MERGEABLE`); child rows (participants, parties, an event's countries and agreements) are derived again
from the moved statements, so KEEP lists what either record's sources list.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import DateTime, Engine, and_, delete, insert, select, update

from db.base import Base
from db.errors import UserError
from importers.core import ImportReport, import_run
from importers.entities import ENTITIES, Entity
from importers.explain import _find
from importers.statements import StatementWriter, decoder, encode

T = Base.metadata.tables
# Forums and organisations hold identifiers too, but memberships, parties and participants name them in ways a
# merge does not rewrite yet
MERGEABLE = ("project", "agreement", "event")


def references_to(table: str) -> list[tuple[Entity, str, int | None]]:
    """What names a record of `table` in the statements of other records, from the declarations and the
    model's foreign keys: (entity, field or collection, position of the id in a collection's rows, or None
    for a field). A project is named by links and covered projects (collections) and by events (a field)."""
    out: list[tuple[Entity, str, int | None]] = []
    for e in ENTITIES.values():
        for column in e.fields:
            if any(fk.column.table.name == table for fk in e.t.c[column].foreign_keys):
                out.append((e, column, None))
        for c in e.collections:
            out += [(e, c.name, c.columns.index(col)) for col, target in c.refs.items() if target == table]
    return out


@dataclass
class MergeReport:
    record_type: str
    keep: str
    other: str
    moved: dict[str, int] = field(default_factory=dict)
    held: int = 0  # statements of a source that states both records, kept aside
    run: ImportReport | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"record_type": self.record_type, "keep": self.keep, "other": self.other, "moved": self.moved,
                "held_statements": self.held, "run_id": self.run.run_id if self.run else None,
                "dry_run": bool(self.run and self.run.dry_run)}


def _snapshot(table, row) -> dict[str, Any]:
    return {c.name: encode(row[c.name]) for c in table.columns}


def _restore(table, data: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in data.items():
        column = table.c[name]
        if value is not None and isinstance(column.type, DateTime):
            out[name] = dt.datetime.fromisoformat(value)
        else:
            out[name] = decoder(column)(value)
    return out


def _move(conn, table, column: str, old: int, new: int, unique: tuple[str, ...], where=None) -> tuple[list[int], list]:
    """Point rows of `table` whose `column` is `old` at `new`; a row that would then repeat a row already
    there (other than itself: an identifier's key does not hold its record) is deleted instead. Returns (ids
    moved, snapshots of the rows deleted)."""
    cond = table.c[column] == old
    if where is not None:
        cond = and_(cond, where)
    moved, dropped = [], []
    rows = list(conn.execute(select(table).where(cond)).mappings())
    for row in rows:
        same = [table.c[u] == (new if u == column else row[u]) for u in unique]
        if conn.execute(select(table.c.id).where(*same, table.c.id != row["id"])).first() is not None:
            dropped.append(_snapshot(table, row))
            conn.execute(delete(table).where(table.c.id == row["id"]))
        else:
            conn.execute(update(table).where(table.c.id == row["id"]).values({column: new}))
            moved.append(row["id"])
    return moved, dropped


def _rewrite(entries: list[list], pos: int, old: int, new: int) -> list[list]:
    out, seen = [], set()
    for entry in entries:
        entry = list(entry)
        if entry[pos] == old:
            entry[pos] = new
        key = json.dumps(entry)
        if key not in seen:
            seen.add(key)
            out.append(entry)
    return out


def _derive(writer: StatementWriter, entity: Entity, record_ids: set[int]) -> None:
    if not record_ids:
        return
    codes = {r.id: r.code for r in writer.conn.execute(select(entity.t.c.id, entity.t.c.code)
                                                       .where(entity.t.c.id.in_(record_ids)))}
    stmts = writer._load(entity, list(codes))
    records = {rid: (code,) for rid, code in codes.items()}
    outcome = {k: "unchanged" for k in records.values()}
    writer._derive(entity, records, stmts, set(), outcome)


def _child_citations(conn, entity: Entity, record_id: int) -> list[dict[str, Any]]:
    """Citations of the record's child rows (participants, links, ...), each with its child row's key."""
    found = []
    citations = T["citations"]
    for c in entity.collections:
        if not c.citation_type:
            continue
        child = c.t
        for row in conn.execute(select(child.c.id, *[child.c[k] for k in c.key])
                                .where(child.c[c.parent] == record_id)).mappings():
            for (cid,) in conn.execute(select(citations.c.id).where(citations.c.record_type == c.citation_type,
                                                                   citations.c.record_id == row["id"])):
                found.append({"citation": cid, "collection": c.name, "key": [encode(row[k]) for k in c.key]})
    return found


def _reattach(conn, entity: Entity, record_id: int, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Point child-row citations at the record's child row with the same key; those that would repeat a
    citation already there are deleted (their rows returned)."""
    citations = T["citations"]
    dropped = []
    for item in found:
        c = entity.collection(item["collection"])
        decoders = [decoder(c.t.c[k]) for k in c.key]
        cond = [c.t.c[c.parent] == record_id, *[c.t.c[k] == d(v) for k, d, v in zip(c.key, decoders, item["key"],
                                                                                     strict=True)]]
        target = conn.execute(select(c.t.c.id).where(*cond)).scalar()
        row = conn.execute(select(citations).where(citations.c.id == item["citation"])).mappings().first()
        if row is None:
            continue
        clash = target is None or conn.execute(select(citations.c.id).where(
            citations.c.source_id == row["source_id"], citations.c.record_type == row["record_type"],
            citations.c.record_id == target, citations.c.field == row["field"],
            citations.c.locator == row["locator"])).first() is not None
        if clash:
            dropped.append({**item, "row": _snapshot(citations, row)})
            conn.execute(delete(citations).where(citations.c.id == row["id"]))
        else:
            conn.execute(update(citations).where(citations.c.id == row["id"]).values(record_id=target))
    return dropped


def merge(engine: Engine, keep_ref: str, other_ref: str, *, dry_run: bool = False) -> MergeReport:
    with import_run(engine, "merge", options={"keep": keep_ref, "other": other_ref, "dry_run": dry_run},
                    dry_run=dry_run) as run:
        conn = run.conn
        entity, keep_id, keep_code, _t = _find(conn, keep_ref)
        other_entity, other_id, other_code, _t2 = _find(conn, other_ref)
        if entity is not other_entity:
            raise UserError(f"merge: {keep_code} is a {entity.name} and {other_code} a {other_entity.name}; only "
                            "records of one kind merge")
        if keep_id == other_id:
            raise UserError(f"merge: {keep_ref} and {other_ref} are already the one {entity.name} {keep_code}")
        if entity.name not in MERGEABLE:
            raise UserError(f"merge: {entity.name}s do not merge yet (projects, agreements and events do)")
        report = MergeReport(entity.name, keep_code, other_code, run=run.report)
        st, cit, ident, men, same = T["statements"], T["citations"], T["identifiers"], T["mentions"], T["same_as"]
        detail: dict[str, Any] = {"row": _snapshot(entity.t, conn.execute(
            select(entity.t).where(entity.t.c.id == other_id)).mappings().one())}
        # statements: a source stating both keeps its statement on KEEP; OTHER's is held aside
        keep_sources = {sid for (sid,) in conn.execute(select(st.c.source_id).where(
            st.c.record_type == entity.name, st.c.record_id == keep_id))}
        detail["statements"], detail["held"] = [], []
        for row in conn.execute(select(st).where(st.c.record_type == entity.name, st.c.record_id == other_id))\
                .mappings().all():
            if row["source_id"] in keep_sources:
                detail["held"].append(_snapshot(st, row))
                conn.execute(delete(st).where(st.c.id == row["id"]))
            else:
                detail["statements"].append(row["id"])
        if detail["statements"]:
            conn.execute(update(st).where(st.c.id.in_(detail["statements"])).values(record_id=keep_id))
        # statements of other records that name OTHER (links, covered projects) name KEEP
        detail["references"] = []
        touched: dict[str, set[int]] = {}
        for ref_entity, name, pos in references_to(entity.table):
            for row in conn.execute(select(st.c.id, st.c.record_id, st.c.data).where(
                    st.c.record_type == ref_entity.name)).all():
                data = json.loads(row.data)
                if pos is None:  # a field naming the record
                    if data.get(name) != other_id:
                        continue
                    new = keep_id
                else:
                    entries = data.get(name)
                    if not entries or not any(e[pos] == other_id for e in entries):
                        continue
                    new = _rewrite(entries, pos, other_id, keep_id)
                    if ref_entity is entity and row.record_id == keep_id:  # KEEP linked to OTHER: no self-link
                        new = [e for e in new if e[pos] != keep_id]
                detail["references"].append({"id": row.id, "data": row.data})
                data[name] = new
                if pos is not None and not new:
                    del data[name]
                conn.execute(update(st).where(st.c.id == row.id).values(data=json.dumps(
                    data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))))
                touched.setdefault(ref_entity.name, set()).add(row.record_id)
        child_citations = _child_citations(conn, entity, other_id)
        detail["citations"], detail["dropped_citations"] = _move(
            conn, cit, "record_id", other_id, keep_id, ("source_id", "record_type", "record_id", "field", "locator"),
            where=cit.c.record_type == entity.name)
        detail["identifiers"], _none = _move(conn, ident, "record_id", other_id, keep_id,
                                             ("record_type", "scheme", "value"),
                                             where=ident.c.record_type == entity.name)
        detail["mentions"], detail["dropped_mentions"] = _move(
            conn, men, "entity_id", other_id, keep_id, ("source_id", "start_char", "entity_type", "entity_id"),
            where=men.c.entity_type == entity.name)
        detail["same_as"], _none = _move(conn, same, "record_id", other_id, keep_id, ("record_type", "code"),
                                        where=same.c.record_type == entity.name)
        # OTHER's child rows go (their citations, listed in `child_citations`, move to KEEP's rows below)
        writer = StatementWriter(run)
        for name, ids in touched.items():  # the references first: they may hold child rows naming OTHER
            _derive(writer, ENTITIES[name], ids - {other_id} if name == entity.name else ids)
        for c in entity.collections:
            run.note_unlinked(c.table, list(conn.execute(select(c.t.c.id).where(c.t.c[c.parent] == other_id))
                                            .scalars()))
            conn.execute(delete(c.t).where(c.t.c[c.parent] == other_id))
        conn.execute(delete(entity.t).where(entity.t.c.id == other_id))
        _derive(writer, entity, {keep_id})
        detail["child_citations"] = child_citations
        detail["dropped_child_citations"] = _reattach(conn, entity, keep_id, child_citations)
        conn.execute(insert(same).values(record_type=entity.name, record_id=keep_id, code=other_code,
                                         merged_id=other_id, detail=json.dumps(detail, ensure_ascii=False),
                                         run_id=run.run_id))
        report.moved = {"statements": len(detail["statements"]), "citations": len(detail["citations"]),
                        "identifiers": len(detail["identifiers"]), "mentions": len(detail["mentions"]),
                        "references": len(detail["references"])}
        report.held = len(detail["held"])
        run.report.updated = 1
    return report


def unmerge(engine: Engine, code: str, *, dry_run: bool = False) -> MergeReport:
    with import_run(engine, "unmerge", options={"code": code, "dry_run": dry_run}, dry_run=dry_run) as run:
        conn = run.conn
        same = T["same_as"]
        found = conn.execute(select(same).where(same.c.code == code.strip().upper())).mappings().all()
        if not found:
            raise UserError(f"unmerge: {code!r} is not the code of a merged record (coopdb explain KEEP lists the "
                            "codes merged into a record)")
        row = found[0]
        entity = ENTITIES[row["record_type"]]
        keep_id, other_id = row["record_id"], row["merged_id"]
        detail = json.loads(row["detail"])
        st, cit, ident, men = T["statements"], T["citations"], T["identifiers"], T["mentions"]
        keep_code = conn.execute(select(entity.t.c.code).where(entity.t.c.id == keep_id)).scalar_one()
        taken = conn.execute(select(entity.t.c.id).where(entity.t.c.code == row["code"])).first()
        if taken is not None:
            raise UserError(f"unmerge: another {entity.name} has the code {row['code']} since the merge; rename or "
                            "merge it first")
        conn.execute(delete(same).where(same.c.id == row["id"]))
        conn.execute(insert(entity.t).values(_restore(entity.t, detail["row"])))
        if detail["statements"]:
            conn.execute(update(st).where(st.c.id.in_(detail["statements"]), st.c.record_id == keep_id)
                         .values(record_id=other_id))
        for held in detail["held"]:
            conn.execute(insert(st).values(_restore(st, held)))
        for ref in detail["references"]:
            conn.execute(update(st).where(st.c.id == ref["id"]).values(data=ref["data"]))
        for table, key in ((cit, "citations"), (ident, "identifiers")):
            if detail[key]:
                conn.execute(update(table).where(table.c.id.in_(detail[key])).values(record_id=other_id))
        if detail["mentions"]:
            conn.execute(update(men).where(men.c.id.in_(detail["mentions"])).values(entity_id=other_id))
        if detail["same_as"]:
            conn.execute(update(same).where(same.c.id.in_(detail["same_as"])).values(record_id=other_id))
        for table, key in ((cit, "dropped_citations"), (men, "dropped_mentions")):
            for dropped in detail[key]:
                conn.execute(insert(table).values(_restore(table, dropped)))
        writer = StatementWriter(run)
        touched: dict[str, set[int]] = {}
        for ref in detail["references"]:
            rt, rid = conn.execute(select(st.c.record_type, st.c.record_id).where(st.c.id == ref["id"])).one()
            touched.setdefault(rt, set()).add(rid)
        _derive(writer, entity, {other_id, keep_id})
        for name, ids in touched.items():
            _derive(writer, ENTITIES[name], ids - {other_id, keep_id} if name == entity.name else ids)
        # child-row citations go back to OTHER's rows of the same key
        for item in detail["dropped_child_citations"]:
            conn.execute(insert(cit).values(_restore(cit, item["row"])))
        _reattach(conn, entity, other_id, detail["child_citations"])
        report = MergeReport(entity.name, keep_code, row["code"], run=run.report)
        report.moved = {"statements": len(detail["statements"]), "citations": len(detail["citations"]),
                        "identifiers": len(detail["identifiers"]), "mentions": len(detail["mentions"]),
                        "references": len(detail["references"])}
        report.held = len(detail["held"])
        run.report.inserted = 1
    return report
