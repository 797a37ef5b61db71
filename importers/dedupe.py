"""`coopdb dedupe`: pairs of records that are probably the same thing, with the evidence.

    pairs = likely_duplicates(engine, "projects")     # [Pair(keep, other, score, reasons)], best first

Candidates are compared within blocks (a shared host/recipient country and year, or the same normalised
title), so the work grows with the size of the blocks, not with the square of the table. A pair is listed
only when two kinds of evidence agree and one of them is the title or a name: the titles alike (rapidfuzz
token-sort ratio >= 90 on folded titles) or a shared name; the same year; the same amount; the same
countries. A title score alone never lists a pair, and two records that carry different identifiers of
the same scheme (two AidData ids) are known to be different and never listed. Nothing is merged here:
`coopdb merge KEEP OTHER` does that once a person has looked.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, select

from db.base import Base
from db.errors import UserError
from db.migrate import require_head
from importers.normalize import fold

T = Base.metadata.tables
TITLE_ALIKE = 90
ENTITIES = ("projects", "agreements", "events")


@dataclass
class Candidate:
    id: int
    code: str
    title: str
    folded: str
    year: int | None
    amounts: set[tuple[str, Decimal]] = field(default_factory=set)
    countries: frozenset[str] = frozenset()
    names: set[str] = field(default_factory=set)
    identifiers: dict[str, str] = field(default_factory=dict)
    sources: int = 0


@dataclass
class Pair:
    keep: str
    other: str
    keep_title: str
    other_title: str
    score: float
    reasons: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"keep": self.keep, "other": self.other, "keep_title": self.keep_title,
                "other_title": self.other_title, "score": round(self.score, 3), "reasons": self.reasons}


def likely_duplicates(engine: Engine, entity: str = "projects", *, limit: int | None = None) -> list[Pair]:
    if entity not in ENTITIES:
        raise UserError(f"dedupe: unknown entity {entity!r} (expected one of {', '.join(ENTITIES)})")
    require_head(engine)
    with engine.connect() as conn:
        candidates = {"projects": _load_projects, "agreements": _load_agreements, "events": _load_events}[entity](conn)
    pairs = [p for a, b in _blocked_pairs(candidates) if (p := _compare(a, b)) is not None]
    pairs.sort(key=lambda p: (-p.score, p.keep, p.other))
    return pairs[:limit] if limit else pairs


def _load_projects(conn) -> dict[int, Candidate]:
    p, pc, c, pn = T["projects"], T["project_countries"], T["countries"], T["project_names"]
    out: dict[int, Candidate] = {}
    for r in conn.execute(select(p.c.id, p.c.code, p.c.title, p.c.committed_on, p.c.started_on, p.c.amount,
                                 p.c.currency, p.c.amount_usd_constant, p.c.usd_base_year, p.c.amount_usd_nominal)):
        day = r.committed_on or r.started_on
        amounts = set()
        if r.amount is not None and r.currency:
            amounts.add((r.currency, Decimal(r.amount)))
        if r.amount_usd_constant is not None:
            amounts.add((f"USD{r.usd_base_year}", Decimal(r.amount_usd_constant)))
        if r.amount_usd_nominal is not None:
            amounts.add(("USD", Decimal(r.amount_usd_nominal)))
        out[r.id] = Candidate(r.id, r.code, r.title, fold(r.title), _year(day), amounts)
    _with_countries(out, conn.execute(select(pc.c.project_id, c.c.code).join(c, c.c.id == pc.c.country_id)
                                      .where(pc.c.role != "financier")))
    for pid, name in conn.execute(select(pn.c.project_id, pn.c.name)):
        if pid in out:
            out[pid].names.add(fold(name))
    _identifiers(conn, "project", out)
    return out


def _load_agreements(conn) -> dict[int, Candidate]:
    a, ap, c = T["agreements"], T["agreement_parties"], T["countries"]
    out = {r.id: Candidate(r.id, r.code, r.title, fold(r.title), _year(r.signed_on))
           for r in conn.execute(select(a.c.id, a.c.code, a.c.title, a.c.signed_on))}
    _with_countries(out, conn.execute(select(ap.c.agreement_id, c.c.code).join(c, c.c.id == ap.c.country_id)))
    _identifiers(conn, "agreement", out)
    return out


def _load_events(conn) -> dict[int, Candidate]:
    """Events with the year they happened and the countries they happened in or took part in (any role)."""
    e, ec, c = T["events"], T["event_countries"], T["countries"]
    out: dict[int, Candidate] = {}
    where: list[tuple[int, str]] = []
    for r in conn.execute(select(e.c.id, e.c.code, e.c.title, e.c.occurred_on, c.c.code.label("country"))
                          .outerjoin(c, c.c.id == e.c.country_id)):
        out[r.id] = Candidate(r.id, r.code, r.title, fold(r.title), _year(r.occurred_on))
        if r.country:
            where.append((r.id, r.country))
    _with_countries(out, [*where, *conn.execute(select(ec.c.event_id, c.c.code)
                                                .join(c, c.c.id == ec.c.country_id))])
    _identifiers(conn, "event", out)
    return out


def _with_countries(out: dict[int, Candidate], pairs) -> None:
    """Each candidate's countries, from (record id, country code) pairs."""
    found: dict[int, set[str]] = defaultdict(set)
    for record_id, code in pairs:
        found[record_id].add(code)
    for record_id, codes in found.items():
        if record_id in out:
            out[record_id].countries = frozenset(codes)


def _identifiers(conn, record_type: str, out: dict[int, Candidate]) -> None:
    ident, st = T["identifiers"], T["statements"]
    for rid, scheme, value in conn.execute(select(ident.c.record_id, ident.c.scheme, ident.c.value)
                                           .where(ident.c.record_type == record_type)):
        if rid in out:
            out[rid].identifiers[scheme] = value
    for (rid,) in conn.execute(select(st.c.record_id).where(st.c.record_type == record_type)):
        if rid in out:
            out[rid].sources += 1


def _year(day) -> int | None:
    if day is None:
        return None
    return day.year if hasattr(day, "year") else int(str(day)[:4])


def _blocked_pairs(candidates: dict[int, Candidate]):
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for c in candidates.values():
        for country in c.countries:
            blocks[("country", country, c.year)].append(c.id)
        blocks[("title", c.folded)].append(c.id)
    seen: set[tuple[int, int]] = set()
    for ids in blocks.values():
        for a, b in itertools.combinations(sorted(set(ids)), 2):
            if (a, b) not in seen:
                seen.add((a, b))
                yield candidates[a], candidates[b]


def _same_amount(a: Candidate, b: Candidate) -> str | None:
    for unit, value in a.amounts:
        for unit_b, value_b in b.amounts:
            if unit == unit_b and value and abs(value - value_b) <= Decimal("0.01") * max(value, value_b):
                return f"same amount ({format(value.normalize(), 'f')} {unit})"
    return None


def _compare(a: Candidate, b: Candidate) -> Pair | None:
    if any(a.identifiers.get(s) not in (None, v) for s, v in b.identifiers.items()):
        return None  # different ids of one scheme: the scheme says they are two things
    from rapidfuzz import fuzz

    reasons, kinds, score = [], set(), 0.0
    ratio = 100.0 if a.folded == b.folded else fuzz.token_sort_ratio(a.folded, b.folded)
    if ratio >= TITLE_ALIKE:
        reasons.append("same title" if ratio == 100 else f"titles {ratio:.0f}% alike")
        kinds.add("name")
    shared = ({a.folded} | a.names) & ({b.folded} | b.names)
    if shared and "name" not in kinds:
        reasons.append(f"shared name {sorted(shared)[0]!r}")
        kinds.add("name")
    if "name" not in kinds:
        return None  # the title or a name must be part of the evidence
    score += ratio / 100
    if a.year is not None and a.year == b.year:
        reasons.append(f"same year {a.year}")
        kinds.add("year")
    amount = _same_amount(a, b)
    if amount:
        reasons.append(amount)
        kinds.add("amount")
    if a.countries and a.countries == b.countries:
        reasons.append(f"same countries {', '.join(sorted(a.countries))}")
        kinds.add("countries")
    if len(kinds) < 2:
        return None  # one kind of evidence never decides
    score += 0.5 * (len(kinds) - 1)
    # keep the record more sources state (then the older one)
    keep, other = (a, b) if (a.sources, -a.id) >= (b.sources, -b.id) else (b, a)
    return Pair(keep.code, other.code, keep.title, other.title, score, reasons)
