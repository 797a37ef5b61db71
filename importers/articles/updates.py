"""Updates to known records: what an article says about a project or agreement already in the database.

    updates = propose(conn, recognised, published=date(2025, 6, 18), priority=0)

For every recognised record (importers/articles/known.py, or a known code, title or cited line), each fact
the article gives (`FIELDS`) is compared with the record's current value: a fact equal to it proposes
nothing; a different one is an `update CODE: field old -> new` line in the review file, importable as a
statement of the article (`updates:` of a bundle). A date the article gives less precisely than the
record but agreeing with it (June 2021 for 2021-06-20) is equal; a more precise one that agrees is an
update. A size in another unit than the record's (km for MW) is not compared: it is listed, not proposed.

Whether the article's value then becomes the current one is the precedence's business
(docs/provenance.md): each update says when the source that gives the current value ranks higher
(a higher priority, or a later date), so that the article's statement is kept but does not win.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from db.base import Base
from importers.articles.candidates import Candidate
from importers.articles.names import is_cyrillic, stem
from importers.articles.text import Sentence
from importers.entities import AGREEMENT, PROJECT, Entity
from importers.statements import _Stmt, derive, load_ranks

T = Base.metadata.tables

# record type -> the fact groups an article can give: (head, the columns given with it)
FIELDS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "project": (("status", ()), ("amount", ("currency",)), ("capacity", ("capacity_unit",)),
                ("committed_on", ("committed_precision",)), ("started_on", ("started_precision",)),
                ("completed_on", ("completed_precision",))),
    "agreement": (("status", ()), ("signed_on", ("signed_precision",)), ("in_force_on", ("in_force_precision",)),
                  ("terminated_on", ("terminated_precision",))),
}
ENTITIES: dict[str, Entity] = {"project": PROJECT, "agreement": AGREEMENT}
_FINER = {"year": 0, "month": 1, "day": 2}


@dataclass
class Change:
    field: str  # the group's head: amount, capacity, completed_on, status, ...
    values: dict[str, Any]  # column -> the article's value, as the bundle writes it
    old: str
    new: str
    note: str = ""  # e.g. why the current value stays after the import


@dataclass
class Update:
    record_type: str  # project or agreement
    code: str
    title: str
    sentences: list[Sentence]
    changes: list[Change] = field(default_factory=list)
    same: list[str] = field(default_factory=list)  # facts equal to the current value
    skipped: list[str] = field(default_factory=list)  # facts not compared, with why

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.record_type, "code": self.code, "title": self.title,
                "lines": sorted({s.line for s in self.sentences}),
                "changes": [{"field": c.field, "old": c.old, "new": c.new, "note": c.note} for c in self.changes],
                "same": self.same, "skipped": self.skipped}


def shown_date(value: dt.date | None, precision: str | None) -> str:
    if value is None:
        return "(none)"
    return {"year": str(value.year), "month": value.isoformat()[:7]}.get(precision or "day", value.isoformat())


def _shown(head: str, row: dict[str, Any]) -> str:
    value = row.get(head)
    if head.endswith("_on"):
        return shown_date(value, row.get(head.replace("_on", "_precision")))
    if value is None:
        return "(none)"
    if isinstance(value, Decimal):
        value = format(value.normalize(), "f")
    unit = row.get("currency") if head == "amount" else row.get("capacity_unit") if head == "capacity" else None
    return f"{value} {unit}" if unit else str(value)


def _same_date(new: dt.date, new_p: str, old: dt.date | None, old_p: str | None) -> bool:
    """The article's date says nothing new: equal, or less precise and agreeing."""
    if old is None:
        return False
    new_p, old_p = new_p or "day", old_p or "day"
    if _FINER[new_p] > _FINER[old_p]:
        return False  # more precise than the record: an update (when it agrees) or a change
    cut = {"year": 4, "month": 7, "day": 10}[new_p]
    return new.isoformat()[:cut] == old.isoformat()[:cut]


def _compare(head: str, columns: tuple[str, ...], fields: dict[str, Any], current: dict[str, Any]
             ) -> tuple[str, dict[str, Any] | None, str]:
    """('same' | 'change' | 'skip', the article's values, why skipped)."""
    new = {head: fields[head], **{c: fields.get(c) for c in columns}}
    if head.endswith("_on"):
        precision = head.replace("_on", "_precision")
        if _same_date(fields[head], fields.get(precision) or "day", current.get(head), current.get(precision)):
            return "same", None, ""
        return "change", new, ""
    if head == "capacity" and current.get("capacity") is not None and current.get("capacity_unit") and \
            fields.get("capacity_unit") != current.get("capacity_unit"):
        return "skip", None, (f"capacity {_shown(head, fields)}: another unit than the record's "
                              f"{_shown(head, current)}, not compared")
    old = current.get(head)
    if head in ("amount", "capacity"):
        equal = old is not None and Decimal(str(old)) == Decimal(str(fields[head]))
    else:
        equal = old == fields[head]
    if equal and all(current.get(c) == fields.get(c) for c in columns if fields.get(c) is not None):
        return "same", None, ""
    return "change", new, ""


def propose(conn, things: list[Candidate], *, published: dt.date | None, priority: int = 0,
            source_id: int | None = None) -> list[Update]:
    """The updates the article proposes for the known records it reports (`things`: recognised candidates
    whose `known` is a project or agreement)."""
    out: list[Update] = []
    for thing in things:
        known = thing.known
        if known is None or known.entity_type not in FIELDS:
            continue
        entity = ENTITIES[known.entity_type]
        columns = [c for head, group in FIELDS[known.entity_type] for c in (head, *group)]
        row = conn.execute(select(*[entity.t.c[c] for c in columns]).where(entity.t.c.id == known.entity_id)
                           ).mappings().first()
        if row is None:
            continue
        current = dict(row)
        update = Update(known.entity_type, known.code, known.name, list(thing.sentences))
        for head, group in FIELDS[known.entity_type]:
            if thing.fields.get(head) is None:
                continue
            verdict, values, why = _compare(head, group, thing.fields, current)
            if verdict == "same":
                update.same.append(f"{head} {_shown(head, current)}")
            elif verdict == "skip":
                update.skipped.append(why)
            else:
                assert values is not None
                update.changes.append(Change(head, values, _shown(head, current), _shown(head, values)))
        if known.entity_type == "project":
            _new_names(conn, known.entity_id, known.name, thing, update)
        if update.changes:
            _notes(conn, entity, known.entity_id, update, published, priority, source_id)
        if update.changes or update.same or update.skipped:
            out.append(update)
    return out


def _new_names(conn, project_id: int, title: str, thing: Candidate, update: Update) -> None:
    """The names the article writes a known project under that it does not have yet ("Жанатасская ВЭС"):
    proposed as aliases (`names`, kind alias, in the article's language)."""
    names = T["project_names"]
    stored = conn.execute(select(names.c.name).where(names.c.project_id == project_id)).scalars()
    have = {_stems(n) for n in (title, *stored)}
    forms: dict[tuple[str, ...], list[tuple[str, str]]] = {}  # one alias per name, whatever its case
    for name, lang in thing.names:
        if _stems(name) not in have:
            forms.setdefault(_stems(name), []).append((name, lang))
    new = []
    for written in forms.values():
        name, lang = next((w for w in written if _nominative(w[0])), written[0])
        if not _nominative(name):
            name = _feminine_nominative(name)
        new.append({"name": name, "lang": lang, "kind": "alias"})
    if new:
        update.changes.append(Change("names", {"names": new}, "", ", ".join(f"{n['name']!r} ({n['lang']})"
                                                                              for n in new)))


def _stems(name: str) -> tuple[str, ...]:
    """A name's words reduced to their stems ("Жанатасской ВЭС" and "Жанатасская ВЭС" are one name)."""
    return tuple(stem(w) for w in name.split())


def _nominative(name: str) -> bool:
    """A Russian name whose first word is an adjective in the nominative ("Жанатасская ВЭС"), the form to keep."""
    first = name.split()[0].lower() if name.split() else ""
    return not is_cyrillic(first) or first.endswith(("ая", "ий", "ый", "ое", "ие", "ые"))


# Russian abbreviations of plants, all feminine: "Тургусунской ГЭС" is "Тургусунская ГЭС"
_FEMININE = ("ГЭС", "ВЭС", "АЭС", "СЭС", "ТЭС", "ТЭЦ", "ГРЭС")


def _feminine_nominative(name: str) -> str:
    words = name.split()
    if len(words) == 2 and words[1] in _FEMININE and words[0].endswith(("ой", "ую")):
        return f"{words[0][:-2]}ая {words[1]}"
    return name


def _notes(conn, entity: Entity, record_id: int, update: Update, published: dt.date | None, priority: int,
           source_id: int | None) -> None:
    """Say, for each change, when the source giving the current value ranks above the article (its
    statement is then kept, and the current value stays)."""
    st = T["statements"]
    stmts = [_Stmt(None, r.source_id, json.loads(r.data), json.loads(r.field_runs)) for r in conn.execute(
        select(st.c.source_id, st.c.data, st.c.field_runs).where(st.c.record_type == entity.name,
                                                                 st.c.record_id == record_id))
        if r.source_id != source_id]
    if not stmts:
        return
    ranks = load_ranks(conn, [s.source_id for s in stmts])
    _values, _children, winners = derive(entity, stmts, ranks)
    mine = (priority, published or dt.date.today())
    for change in update.changes:
        winner = winners.get(change.field)
        if winner is None:
            continue
        rank = ranks[winner]
        if (rank.priority, rank.date) > mine:
            why = (f"priority {rank.priority} > {priority}" if rank.priority != priority
                   else f"its date {rank.date.isoformat()} is later")
            change.note = f"the current value stays: {rank.key} ranks higher ({why})"
