"""Reading mentions back: which entity is named in which source, with the sentence."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, String, literal, or_, select, union_all

from db.errors import UserError
from db.models import Agreement, Country, Forum, Mention, Organisation, Project, Source

ENTITY_TABLES = {"country": Country, "forum": Forum, "organisation": Organisation, "project": Project,
                 "agreement": Agreement}


def list_mentions(engine: Engine, *, source: str | None = None, entity: str | None = None) -> list[dict[str, Any]]:
    """Mentions in source order, optionally of one source (id, key or URL) or one entity (CODE or type:CODE)."""
    names = union_all(*[
        select(model.id.label("entity_id"), model.code.label("code"),
               (model.title if model in (Project, Agreement) else model.name).label("name"),
               literal(kind, String).label("entity_type"))
        for kind, model in ENTITY_TABLES.items()
    ]).subquery()
    query = (
        select(Mention.source_id, Source.key.label("source_key"), Mention.line, Mention.sentence_index,
               Mention.start_char, Mention.end_char, Mention.entity_type, names.c.code, names.c.name,
               Mention.matched_text, Mention.matched_name, Mention.sentence)
        .join(Source, Source.id == Mention.source_id)
        .join(names, (names.c.entity_type == Mention.entity_type) & (names.c.entity_id == Mention.entity_id))
        .order_by(Mention.source_id, Mention.start_char, Mention.entity_type)
    )
    if source:
        condition = [Source.key == source, Source.url == source]
        if source.isdigit():
            condition.append(Source.id == int(source))
        with engine.connect() as conn:
            if conn.execute(select(Source.id).where(or_(*condition)).limit(1)).first() is None:
                raise UserError(f"--source: no source with id, key or URL {source!r} (see coopdb mentions)")
        query = query.where(or_(*condition))
    if entity:
        kind, _, code = entity.rpartition(":")
        if kind and kind not in ENTITY_TABLES:
            raise UserError(f"--entity: unknown type {kind!r} (expected {', '.join(ENTITY_TABLES)})")
        kinds = [kind] if kind else list(ENTITY_TABLES)
        with engine.connect() as conn:
            _require_entity(conn, kinds, code.strip(), entity)
        query = query.where(names.c.code.in_([code.strip(), code.strip().upper()]))
        if kind:
            query = query.where(Mention.entity_type == kind)
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def _require_entity(conn: Connection, kinds: list[str], code: str, given: str) -> None:
    """Raise a UserError with "did you mean" suggestions when no entity of `kinds` has the code."""
    codes = [code, code.upper()]
    for kind in kinds:
        model = ENTITY_TABLES[kind]
        if conn.execute(select(model.id).where(model.code.in_(codes)).limit(1)).first() is not None:
            return
    from rapidfuzz import fuzz, process

    known: dict[str, tuple[str, str, str]] = {}  # text to match -> (type, code, name)
    for kind in kinds:
        model = ENTITY_TABLES[kind]
        label = model.title if model in (Project, Agreement) else model.name
        for row_code, name in conn.execute(select(model.code, label)):
            known.setdefault(row_code.upper(), (kind, row_code, name or ""))
            if name:
                known.setdefault(name.upper(), (kind, row_code, name))
    found: list[tuple[str, str, str]] = []
    for _text, _score, _i in process.extract(code.upper(), list(known), scorer=fuzz.WRatio, limit=12,
                                             score_cutoff=70):
        if known[_text] not in found:
            found.append(known[_text])
    what = " or ".join(kinds) if len(kinds) < len(ENTITY_TABLES) else "country, forum, project, agreement or " \
        "organisation"
    hint = ("; did you mean " + ", ".join(f"{k}:{c} ({n})" for k, c, n in found[:5]) if found else
            "; nothing close: `coopdb countries list` and `coopdb sql \"SELECT code, name FROM forums\"` show codes")
    raise UserError(f"--entity: no {what} with the code {given!r}{hint}")
