"""Scoring what the article reader found against a truth file (the corpus in tests/articles/corpus/).

A truth file (YAML) beside each article `NAME.LANG.txt` is `NAME.LANG.yml`:

    published: 2023-10-03
    mentions: [country:IDN, forum:BRI]       # every known entity the text names, nothing else
    facts:                                   # the key facts
      - {type: project, words: [jakarta, bandung], amount: 7270000000 USD, date: 2023-10-02, capacity: 142.3 km}
      - {type: agreement, lines: [1, 2], date: 2024-04-18}
      - {type: project, known: KZ-ZHANATAS-WIND}   # known: recognised, never proposed
    also_right: [{type: project, words: [...]}]    # right, but not key facts
    events:                                  # every event the article reports (when the key is there)
      - {kind: visit, date: 2024-07-03, host: KAZ, visitors: [CHN], participants: [], agreements: [[25]]}

A candidate is a fact's when the types agree, every word of `words` (an item "a|b" allows either) is
in its folded title and names, and it cites one of `lines`. Counted over a corpus:
- mentions: distinct (type, code) named per article, precision and recall against `mentions`
  (a known fact's code counts as right);
- candidates: precision of distinct candidates (a second candidate for a fact already taken, or one
  that fits nothing, is wrong), the number of facts with two or more candidates (duplicates);
- key facts: recall (proposed, or recognised for a known one);
- amounts, dates, capacities: over facts matched, recall (the value found) and precision (values
  proposed on matched candidates that are right; a value on a fact that has none in the truth is wrong).
- events (articles whose truth has `events:`): an event is the truth's when kind and date (to the truth's
  precision) agree; precision of the events proposed, recall of those expected; over matched events, the
  countries with their roles (host, visitors, participants) and the agreements signed there (each an item of
  words, all in the agreement's code or title), precision and recall.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from importers.normalize import fold

DATE_FIELDS = ("completed_on", "committed_on", "started_on", "signed_on", "in_force_on")


@dataclass
class Tally:
    right: int = 0
    proposed: int = 0
    found: int = 0
    expected: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    def add(self, other: Tally) -> None:
        self.right += other.right
        self.proposed += other.proposed
        self.found += other.found
        self.expected += other.expected


@dataclass
class Score:
    mentions: Tally = field(default_factory=Tally)
    candidates: Tally = field(default_factory=Tally)  # right = distinct right candidates, found = key facts found
    amounts: Tally = field(default_factory=Tally)
    dates: Tally = field(default_factory=Tally)
    capacities: Tally = field(default_factory=Tally)
    events: Tally = field(default_factory=Tally)
    event_countries: Tally = field(default_factory=Tally)
    event_agreements: Tally = field(default_factory=Tally)
    duplicates: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in ("mentions", "candidates", "amounts", "dates", "capacities", "events", "event_countries",
                     "event_agreements"):
            getattr(self, name).add(getattr(other, name))
        self.duplicates += other.duplicates
        self.notes += other.notes


def load_truth(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _words(candidate) -> set[str]:
    return set(fold(" ".join([candidate.title, *(n for n, _l in candidate.names)])).replace("-", " ").split())


def _fits(fact: dict[str, Any], candidate) -> bool:
    if candidate.section[:-1] != fact["type"]:
        return False
    words = _words(candidate)
    if any(not any(fold(w) in words for w in str(item).split("|")) for item in fact.get("words", [])):
        return False
    return not fact.get("lines") or bool(set(fact["lines"]) & {s.line for s in candidate.sentences})


def _money(candidate) -> str | None:
    amount = candidate.fields.get("amount")
    return None if amount is None else f"{Decimal(amount):f} {candidate.fields.get('currency')}"


def _expected_money(value: str | None) -> str | None:
    if value is None:
        return None
    number, currency = str(value).split()
    return f"{Decimal(number):f} {currency}"


def _dates(candidate) -> list[str]:
    out = []
    for name in DATE_FIELDS:
        value = candidate.fields.get(name)
        if isinstance(value, dt.date):
            precision = candidate.fields.get(name.replace("_on", "_precision")) or "day"
            out.append({"day": value.isoformat(), "month": value.isoformat()[:7], "year": str(value.year)}[precision])
    return out


def _capacity(candidate) -> str | None:
    value = candidate.fields.get("capacity")
    return None if value is None else f"{Decimal(value).normalize():f} {candidate.fields.get('capacity_unit')}"


def _expected_capacity(value: str | None) -> str | None:
    if value is None:
        return None
    number, unit = str(value).split()
    return f"{Decimal(number).normalize():f} {unit}"


def score(result, truth: dict[str, Any], name: str = "") -> Score:
    """How well one ArticleResult matches its truth."""
    out = Score()
    facts = truth.get("facts") or []
    known_codes = {f"project:{f['known']}" for f in facts if f.get("known") and f["type"] == "project"}
    known_codes |= {f"agreement:{f['known']}" for f in facts if f.get("known") and f["type"] == "agreement"}
    named = {f"{m.entity.entity_type}:{m.entity.code}" for m in result.mentions}
    expected = set(truth.get("mentions") or [])
    out.mentions = Tally(right=len(named & (expected | known_codes)), proposed=len(named),
                         found=len(named & expected), expected=len(expected))
    for wrong in sorted(named - expected - known_codes):
        out.notes.append(f"{name}: mention not expected: {wrong}")
    for missing in sorted(expected - named):
        out.notes.append(f"{name}: mention missed: {missing}")
    taken: dict[int, list] = {}
    right = 0
    for candidate in result.candidates:
        hits = [n for n, f in enumerate(facts) if not f.get("known") and _fits(f, candidate)]
        also = any(_fits(f, candidate) for f in truth.get("also_right") or [])
        fresh = [n for n in hits if n not in taken]
        if fresh:
            taken[fresh[0]] = [candidate]
            right += 1
        elif hits:
            taken[hits[0]].append(candidate)
            out.notes.append(f"{name}: second candidate for fact {hits[0] + 1}: {candidate.title!r}")
        elif also:
            right += 1
        else:
            out.notes.append(f"{name}: wrong candidate: {candidate.section[:-1]} {candidate.title!r} "
                             f"(lines {[s.line for s in candidate.sentences]})")
    out.duplicates = sum(1 for cands in taken.values() if len(cands) > 1)
    recognised = {f"{c.known.entity_type}:{c.known.code}": c for c in result.recognised if c.known}
    recorded = {f"{kind}:{code}" for kind, code, _line in result.already_recorded}
    found = 0
    for n, fact in enumerate(facts):
        chosen = None
        if fact.get("known"):
            key = f"{fact['type']}:{fact['known']}"
            chosen = recognised.get(key)
            hit = chosen is not None or key in named or key in recorded
        else:
            chosen = taken[n][0] if n in taken else None
            hit = chosen is not None
        found += hit
        if not hit:
            out.notes.append(f"{name}: fact {n + 1} missed: {fact.get('what')}")
        for tally, want, got in (
                (out.amounts, _expected_money(fact.get("amount")), [_money(chosen)] if chosen else []),
                (out.dates, str(fact["date"]) if fact.get("date") else None, _dates(chosen) if chosen else []),
                (out.capacities, _expected_capacity(fact.get("capacity")), [_capacity(chosen)] if chosen else [])):
            got = [g for g in got if g]
            tally.expected += want is not None
            tally.proposed += len(got)
            tally.right += sum(1 for g in got if g == want)
            tally.found += want is not None and want in got
            if want is not None and want not in got:
                out.notes.append(f"{name}: fact {n + 1} ({fact.get('what')}): expected {want}, got {got or 'nothing'}")
            elif want is None and got:
                out.notes.append(f"{name}: fact {n + 1} ({fact.get('what')}): {got} not expected")
    out.candidates = Tally(right=right, proposed=len(result.candidates), found=found, expected=len(facts))
    if "events" in truth:
        _score_events(out, result.events, truth.get("events") or [], name)
    return out


def _event_day(event) -> str:
    return event.occurred_on.isoformat()[:{"year": 4, "month": 7}.get(event.precision, 10)]


def _score_events(out: Score, events: list, expected: list[dict[str, Any]], name: str) -> None:
    taken: set[int] = set()
    for event in events:
        hit = next((n for n, e in enumerate(expected) if n not in taken and e["kind"] == event.kind
                    and str(e["date"]) == _event_day(event)), None)
        if hit is None:
            out.events.proposed += 1
            out.notes.append(f"{name}: event not expected: {event.kind} {_event_day(event)} {event.title!r}")
            continue
        taken.add(hit)
        out.events.proposed += 1
        out.events.right += 1
        want = expected[hit]
        roles = {(want["host"], "host")} if want.get("host") else set()
        roles |= {(c, "visitor") for c in want.get("visitors") or []}
        roles |= {(c, "participant") for c in want.get("participants") or []}
        got = {(c.code, role) for c, role in event.roles}
        out.event_countries.add(Tally(right=len(got & roles), proposed=len(got), found=len(got & roles),
                                      expected=len(roles)))
        for wrong in sorted(got - roles):
            out.notes.append(f"{name}: event {event.kind} {_event_day(event)}: country not expected {wrong}")
        for missing in sorted(roles - got):
            out.notes.append(f"{name}: event {event.kind} {_event_day(event)}: country missed {missing}")
        signed = [set(fold(f"{code} {title}").replace("-", " ").split()) for code, title in event.agreements.items()]
        wanted = want.get("agreements") or []
        fits = [[n for n, words in enumerate(signed) if all(any(fold(w) in words for w in str(item).split("|"))
                                                            for item in words_wanted)] for words_wanted in wanted]
        matched = {n for f in fits for n in f}
        out.event_agreements.add(Tally(right=len(matched), proposed=len(signed), found=sum(1 for f in fits if f),
                                       expected=len(wanted)))
        if len(matched) < len(signed) or any(not f for f in fits):
            out.notes.append(f"{name}: event {event.kind} {_event_day(event)}: agreements {list(event.agreements)}, "
                             f"expected {wanted}")
    out.events.expected += len(expected)
    out.events.found += len(taken)
    for n, want in enumerate(expected):
        if n not in taken:
            out.notes.append(f"{name}: event missed: {want['kind']} {want['date']}")


def describe(total: Score) -> list[str]:
    t = total
    return [
        f"mentions:   precision {t.mentions.precision:.2f} recall {t.mentions.recall:.2f} "
        f"({t.mentions.proposed} found, {t.mentions.expected} expected)",
        f"candidates: precision {t.candidates.precision:.2f} of {t.candidates.proposed} distinct candidates; "
        f"{t.duplicates} facts with two candidates",
        f"key facts:  recall {t.candidates.recall:.2f} ({t.candidates.found} of {t.candidates.expected} proposed "
        "or recognised)",
        f"amounts:    precision {t.amounts.precision:.2f} recall {t.amounts.recall:.2f} "
        f"({t.amounts.found} of {t.amounts.expected})",
        f"dates:      precision {t.dates.precision:.2f} recall {t.dates.recall:.2f} "
        f"({t.dates.found} of {t.dates.expected})",
        f"capacities: precision {t.capacities.precision:.2f} recall {t.capacities.recall:.2f} "
        f"({t.capacities.found} of {t.capacities.expected})",
        f"events:     precision {t.events.precision:.2f} recall {t.events.recall:.2f} "
        f"({t.events.found} of {t.events.expected}; {t.events.proposed} proposed)",
        f"  roles:    precision {t.event_countries.precision:.2f} recall {t.event_countries.recall:.2f} "
        f"({t.event_countries.found} of {t.event_countries.expected} host/visitor/participant)",
        f"  signed:   precision {t.event_agreements.precision:.2f} recall {t.event_agreements.recall:.2f} "
        f"({t.event_agreements.found} of {t.event_agreements.expected} agreements signed at them)",
    ]
