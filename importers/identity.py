"""Which record an imported record is: by identifier first, then by a merged code, then by code.

    found = lookup(conn, PROJECT, [("aiddata", "39556")])       # (scheme, value) -> record id

Each record of projects, agreements, events, forums and organisations may carry external identifiers (scheme,
value): an AidData project id, a treaty list's number, a tracker's row. A (scheme, value) names one record
(`identifiers`, unique per record type). The writer (importers/writer.py) finds each imported record by
its identifiers, else by a code merged into another record (`same_as`, written by `coopdb merge`), else by
its code; it refuses a code that would take over a record another source created under another scheme
(docs/provenance.md). This module holds the queries; the writer applies them per batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, tuple_

from db.base import Base
from db.upsert import upsert
from importers.entities import Entity
from importers.statements import table_codes

T = Base.metadata.tables
CHUNK = 500


@dataclass(frozen=True)
class Held:
    """An identifier a record holds, with the source that gave it."""

    scheme: str
    value: str
    source_id: int | None
    source_key: str | None


def lookup(conn: Connection, entity: Entity, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(scheme, value) -> record id, for those of `pairs` that a record of `entity` holds."""
    wanted = list(dict.fromkeys(pairs))
    ident = T["identifiers"]
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start:start + CHUNK]
        query = select(ident.c.scheme, ident.c.value, ident.c.record_id).where(
            ident.c.record_type == entity.name, tuple_(ident.c.scheme, ident.c.value).in_(chunk))
        for scheme, value, record_id in conn.execute(query):
            found[(scheme, value)] = record_id
    return found


def merged(conn: Connection, entity: Entity, codes: Sequence[str] | None = None) -> dict[str, int]:
    """Merged code -> id of the record it was merged into (all of them when `codes` is None)."""
    same = T["same_as"]
    query = select(same.c.code, same.c.record_id).where(same.c.record_type == entity.name)
    if codes is None:
        return {code.upper(): rid for code, rid in conn.execute(query)}
    found: dict[str, int] = {}
    codes = list(dict.fromkeys(codes))
    for start in range(0, len(codes), CHUNK):
        for code, rid in conn.execute(query.where(same.c.code.in_(codes[start:start + CHUNK]))):
            found[code.upper()] = rid
    return found


def codes_of(conn: Connection, entity: Entity, ids: Iterable[int]) -> dict[int, str]:
    return table_codes(conn, entity.t, ids)


def ids_of(conn: Connection, entity: Entity, codes: Iterable[str]) -> dict[str, int]:
    codes = list(set(codes))
    table = entity.t
    out: dict[str, int] = {}
    for start in range(0, len(codes), CHUNK):
        for rid, code in conn.execute(select(table.c.id, table.c.code)
                                      .where(table.c.code.in_(codes[start:start + CHUNK]))):
            out[code.upper()] = rid
    return out


def held(conn: Connection, entity: Entity, record_ids: Iterable[int]) -> dict[int, list[Held]]:
    """The identifiers each record holds, with their sources."""
    ident, src = T["identifiers"], T["sources"]
    ids = list(set(record_ids))
    out: dict[int, list[Held]] = {}
    for start in range(0, len(ids), CHUNK):
        query = (select(ident.c.record_id, ident.c.scheme, ident.c.value, ident.c.source_id, src.c.key)
                 .select_from(ident.outerjoin(src, src.c.id == ident.c.source_id))
                 .where(ident.c.record_type == entity.name, ident.c.record_id.in_(ids[start:start + CHUNK]))
                 .order_by(ident.c.id))
        for rid, scheme, value, source_id, key in conn.execute(query):
            out.setdefault(rid, []).append(Held(scheme, value, source_id, key))
    return out


def record(conn: Connection, entity: Entity, rows: Sequence[tuple[int, str, str, int | None]],
           run_id: int | None) -> Any:
    """Give records their identifiers: (record id, scheme, value, source id); an identifier already held
    stays with the source that first gave it."""
    if not rows:
        return None
    data = [{"record_type": entity.name, "record_id": rid, "scheme": scheme, "value": value, "source_id": sid}
            for rid, scheme, value, sid in dict.fromkeys(rows)]
    return upsert(conn, T["identifiers"], data, ("record_type", "scheme", "value"), run_id=run_id, compare=(),
                  ids=False)
