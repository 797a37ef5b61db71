"""Events read from an article: a sentence with an event cue and a date of its own.

    events = find_events(finder, sentences, mentions, candidates)

A cue (`event_cues` in importers/articles/lang_<code>.yml: "state visit", "kunjungan kenegaraan", "визит";
"summit", "KTT", "саммит"; "signing ceremony", "penandatanganan"; "inaugurated", "diresmikan", "открытие";
"groundbreaking", "peletakan batu pertama", "начало строительства"; ...) names the kind of happening. The
sentence's first date that is not the dateline's, not after a reporting verb, not a target year and not
after the publication date is when it happened. Beside it: the place after a location word ("in Astana",
"di Astana"; a country there is the event's country), the forum named in the sentence (a summit of the
SCO), the known project named or the project candidate of the sentence (an opening), the agreement
candidate of the sentence (a signing). Sentences giving the same kind on the same date are one event.
Titles are made up from these ("SCO summit in Astana") and every event needs a human check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from importers.articles.candidates import Candidate, CandidateFinder
from importers.articles.matching import Entity, Found
from importers.articles.names import is_cyrillic
from importers.articles.text import Sentence, name_tokens
from importers.writer import slug_code

_KIND_WORDS = {"signing": "signing", "opening": "opening", "visit": "visit", "summit": "summit",
               "meeting": "meeting", "construction_start": "start of construction",
               "construction_completion": "completion of construction", "other": "event"}


@dataclass
class EventCandidate:
    kind: str
    occurred_on: Any
    precision: str
    sentences: list[Sentence]
    cue: str
    place: str | None = None
    country: Entity | None = None
    countries: list[Entity] = field(default_factory=list)
    forum: Entity | None = None
    project: str | None = None  # code (known, or a project candidate of the same review file)
    project_title: str | None = None
    agreement: str | None = None
    agreement_title: str | None = None
    title: str = ""
    code: str = ""
    reasons: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[int]:
        return sorted({s.line for s in self.sentences})

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "kind": self.kind, "title": self.title,
                "occurred_on": self.occurred_on.isoformat(), "occurred_precision": self.precision,
                "place_name": self.place, "country": self.country.code if self.country else None,
                "forum": self.forum.code if self.forum else None, "project": self.project,
                "agreement": self.agreement, "lines": self.lines, "reasons": self.reasons}


def _cues(finder: CandidateFinder) -> list[tuple[tuple[str, ...], str, str]]:
    """(folded words, kind, cue as written) of the language's event cues, longest first."""
    out = [(name_tokens(e["cue"]), e["kind"], e["cue"]) for e in finder.data.get("event_cues", [])]
    return sorted(out, key=lambda c: -len(c[0]))


def _match(words: list[str], cue: tuple[str, ...], prefix: bool) -> int | None:
    n = len(cue)
    for i in range(len(words) - n + 1):
        if all((w.startswith(c) if prefix else w == c) for w, c in zip(words[i:i + n], cue, strict=True)):
            return i
    return None


def find_events(finder: CandidateFinder, sentences: list[Sentence], mentions: list[Found],
                candidates: list[Candidate]) -> list[EventCandidate]:
    cues = _cues(finder)
    if not cues:
        return []
    by_sentence: dict[int, list[Found]] = {}
    for m in mentions:
        by_sentence.setdefault(m.sentence.index, []).append(m)
    things: dict[int, list[Candidate]] = {}
    for c in candidates:
        for s in c.sentences:
            things.setdefault(s.index, []).append(c)
    locations = {w.casefold() for w in finder.location_words}
    destinations = {w.casefold() for d in (finder.data, finder.en) for w in d.get("destination_words", [])}
    out: dict[tuple[str, Any], EventCandidate] = {}
    for sentence in sentences:
        words = [t.folded for t in sentence.tokens]
        hit = None
        for cue, kind, written in cues:
            if cue[0] in words or is_cyrillic(cue[0]):
                pos = _match(words, cue, prefix=is_cyrillic(cue[0]))
                if pos is not None:
                    hit = (kind, written)
                    break
        if hit is None:
            continue
        kind, written = hit
        when = None
        for found, in_dateline, reported in finder.dates(sentence):
            if in_dateline or reported or found.on is None or found.target:
                continue
            if finder.published and found.on > finder.published:
                continue
            when = found
            break
        if when is None:
            continue
        here = by_sentence.get(sentence.index, [])
        key = (kind, when.on)
        event = out.get(key)
        if event is None:
            event = out[key] = EventCandidate(kind, when.on, when.precision or "day", [], written)
            event.reasons.append(f"cue {written!r} and the date {when.describe()} (line {sentence.line})")
        if sentence not in event.sentences:
            event.sentences.append(sentence)
        _place(event, sentence, here, locations, destinations)
        for entity in finder.countries_in(sentence, here):  # mentions and demonyms ("Chinese President")
            if entity not in event.countries:
                event.countries.append(entity)
        for m in here:
            entity = m.entity
            if entity.entity_type == "forum" and event.forum is None and entity.kind != "initiative":
                event.forum = entity
            elif entity.entity_type == "project" and event.project is None:
                event.project, event.project_title = entity.code, entity.name
            elif entity.entity_type == "agreement" and event.agreement is None:
                event.agreement, event.agreement_title = entity.code, entity.name
        for thing in things.get(sentence.index, []):
            code = thing.known.code if thing.known is not None else thing.code
            said = "known" if thing.known is not None else "proposed"
            if thing.section == "projects" and event.project is None:
                event.project, event.project_title = code, thing.title
                event.reasons.append(f"the project {said} from line {sentence.line}: {code}")
            elif thing.section == "agreements" and event.agreement is None and kind == "signing":
                event.agreement, event.agreement_title = code, thing.title
                event.reasons.append(f"the agreement {said} from line {sentence.line}: {code}")
    events = list(out.values())
    seen: set[str] = set()
    for event in events:
        event.title = _title(event)
        day = event.occurred_on.isoformat()[:{"year": 4, "month": 7}.get(event.precision, 10)]
        code = slug_code(f"{event.title} {day}", 110)
        while code in seen:
            code += "-2"
        seen.add(code)
        event.code = code
    return events


def _place(event: EventCandidate, sentence: Sentence, here: list[Found], locations: set[str],
           destinations: set[str]) -> None:
    """The capitalised words after a location word ("in Astana"); a country named there, or after a
    destination word ("a visit to Kazakhstan"), is the event's country."""
    tokens = sentence.tokens
    countries = {m.start: m for m in here if m.entity.entity_type == "country"}
    for i, token in enumerate(tokens[:-1]):
        if token.folded not in locations and token.folded not in destinations:
            continue
        nxt = tokens[i + 1]
        if not nxt.capitalised:
            continue
        country = countries.get(nxt.start)
        if country is not None:
            event.country = event.country or country.entity
            continue
        if token.folded not in locations or event.place is not None:
            continue
        words = [nxt.text]
        for later in tokens[i + 2:i + 4]:
            if not later.capitalised:
                break
            words.append(later.text)
        event.place = " ".join(words)
        event.reasons.append(f"place {event.place!r} (line {sentence.line})")


def _title(event: EventCandidate) -> str:
    what = _KIND_WORDS.get(event.kind, "event")
    where = f" in {event.place}" if event.place else (f" in {event.country.name}" if event.country else "")
    if event.kind == "summit" and event.forum is not None:
        return f"{event.forum.name} summit{where}"
    if event.kind in ("opening", "construction_start", "construction_completion") and event.project_title:
        return f"{what.capitalize()} of {event.project_title}"
    if event.kind == "signing" and event.agreement_title:
        return f"Signing of {event.agreement_title}"
    others = [c.name for c in event.countries if c != event.country][:3]
    if event.kind == "visit" and event.country is not None:
        at = f" ({event.place})" if event.place else ""
        return f"Visit of {' and '.join(others)} to {event.country.name}{at}" if others else \
            f"Visit to {event.country.name}{at}"
    names = "–".join(c.name for c in event.countries[:3])
    return f"{names} {what}{where}" if names else f"{what.capitalize()}{where}"
