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

Who took part, with a role (`countries`): the host is the country of the place (named after a location or
destination word, or the country of a capital: people_places.yml), else the country named before a host word
("hosted", "menerima", "принял"); the other countries of the event's sentences (mentions, demonyms, leaders'
names) are visitors at a visit and participants at anything else. A leader of one country at an event in
another on a known day is a visit of that country ("Xi and Tokayev opened ... in Astana": China visits
Kazakhstan), proposed when the article reports none. Agreements signed there (`agreements`): those proposed
or recognised from the event's sentences (a signing, visit or summit; a meeting when a signing word is there),
and those of a sentence that says they were signed "during the visit" ("selama kunjungan", "в ходе визита")
for the visit or summit it follows; analyse() adds known agreements signed on a visit's day by its countries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from db.yamldata import load_data
from importers.articles.candidates import Candidate, CandidateFinder
from importers.articles.dates import FoundDate
from importers.articles.matching import Entity, Found
from importers.articles.names import is_cyrillic, phrase_at, same_word
from importers.articles.text import Sentence, Token, name_tokens
from importers.normalize import fold
from importers.writer import slug_code

HERE = Path(__file__).resolve().parent

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
    host: Entity | None = None  # the country that receives it (from a host word when the place gives none)
    leaders: list[Entity] = field(default_factory=list)  # countries whose leaders are named in its sentences
    agreements: dict[str, str] = field(default_factory=dict)  # code -> title of the agreements signed there

    @property
    def lines(self) -> list[int]:
        return sorted({s.line for s in self.sentences})

    @property
    def roles(self) -> list[tuple[Entity, str]]:
        """(country, host/visitor/participant): the host first, then the others in the order named."""
        host = self.country or self.host
        out = [(host, "host")] if host is not None else []
        other = "visitor" if self.kind == "visit" and host is not None else "participant"
        out += [(c, other) for c in self.countries if c != host]
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "kind": self.kind, "title": self.title,
                "occurred_on": self.occurred_on.isoformat(), "occurred_precision": self.precision,
                "place_name": self.place, "country": self.country.code if self.country else None,
                "forum": self.forum.code if self.forum else None, "project": self.project,
                "agreement": self.agreement, "lines": self.lines, "reasons": self.reasons,
                "countries": [{"country": c.code, "role": role} for c, role in self.roles],
                "agreements": list(self.agreements)}


@cache
def _people_places() -> tuple[tuple[tuple[tuple[str, ...], str], ...], dict[str, str]]:
    """(leader name as folded words, country code), longest first; folded city name -> country code."""
    with open(HERE / "people_places.yml", encoding="utf-8") as fh:
        data = load_data(fh)
    leaders = sorted(((name_tokens(n), code) for code, names in data["leaders"].items() for n in names),
                     key=lambda x: -len(x[0]))
    cities = {fold(n): code for code, names in data["capitals"].items() for n in names}
    return tuple(leaders), cities


def _leaders(tokens: list[Token], countries: dict[str, Entity]) -> list[tuple[int, Entity]]:
    """(token index, country) of each leader named (capitalised) in a sentence."""
    words = [t.folded for t in tokens]
    out, taken = [], set()
    for name, code in _people_places()[0]:
        if code not in countries:
            continue
        for i in range(len(words) - len(name) + 1):
            if i in taken or not tokens[i].capitalised:
                continue
            if all(same_word(w, p) for w, p in zip(words[i:i + len(name)], name, strict=True)):
                out.append((i, countries[code]))
                taken.update(range(i, i + len(name)))
    return sorted(out, key=lambda x: x[0])


def city_country(place: str | None, countries: dict[str, Entity]) -> Entity | None:
    """The country of a capital or known city that a place starts with ("Astana International University")."""
    if not place:
        return None
    cities = _people_places()[1]
    words = place.split()
    for n in (2, 1):
        code = cities.get(fold(" ".join(words[:n])))
        if code is None and words and is_cyrillic(words[0]):  # "в Астане": an inflected city
            code = next((c for city, c in cities.items() if is_cyrillic(city) and len(city) > 3
                         and fold(words[0]).startswith(city[:-1])), None)
        if code in countries:
            return countries[code]
    return None


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
    host_words = [name_tokens(w) for w in finder.data.get("host_words", [])]
    during = [name_tokens(w) for d in (finder.data, finder.en) for w in d.get("during_phrases", [])]
    signing_words = {fold(w) for w in finder.data.get("signing_words", [])}
    stops = {fold(w) for d in (finder.data, finder.en) for key in ("weekdays", "months") for w in d.get(key, {})}
    out: dict[tuple[str, Any], EventCandidate] = {}
    later: list[Sentence] = []  # sentences saying what was signed "during the visit"
    for sentence in sentences:
        words = [t.folded for t in sentence.tokens]
        if any(phrase_at(words, phrase) is not None for phrase in during) and any(
                t.section == "agreements" for t in things.get(sentence.index, [])):
            later.append(sentence)
        hit = None
        for cue, kind, written in cues:
            if cue[0] in words or is_cyrillic(cue[0]):
                pos = _match(words, cue, prefix=is_cyrillic(cue[0]))
                if pos is not None:
                    hit = (kind, written, pos)
                    break
        if hit is None:
            continue
        kind, written, pos = hit
        when = None
        cue_at = sentence.tokens[pos].start
        for found, in_dateline, reported in finder.dates(sentence):
            # a meeting's date may follow a reporting word: "said at the joint press conference on Wednesday"
            reported = reported and not (kind == "meeting" and cue_at < sentence.start + found.start)
            if in_dateline or reported or found.on is None or found.target:
                continue
            if finder.published and found.on > finder.published:
                continue
            when = found
            break
        signed_here: list[Candidate] = []  # the agreements whose day of signing dates the event
        if when is None and (kind == "signing" or (kind in ("visit", "summit") and signing_words & set(words))):
            signed_here = [t for t in things.get(sentence.index, []) if t.section == "agreements"]
            if kind == "signing" and not signed_here:  # "Penandatanganan dilakukan oleh ...": the one just reported
                signed_here = [t for t in things.get(sentence.index - 1, []) if t.section == "agreements"]
            when = _signing_date(signed_here)  # "The deal was signed during a visit ..."
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
        _place(event, sentence, here, locations, destinations, stops, finder.countries)
        if event.country is None and (city := city_country(event.place, finder.countries)) is not None:
            event.country = city
            event.reasons.append(f"{event.place!r} is in {city.name}")
        leaders = _leaders(sentence.tokens, finder.countries)
        for entity in [*finder.countries_in(sentence, here), *(c for _i, c in leaders)]:
            if entity not in event.countries:  # mentions, demonyms ("Chinese President") and leaders ("Xi")
                event.countries.append(entity)
        for _i, entity in leaders:
            if entity not in event.leaders:
                event.leaders.append(entity)
        _host(event, sentence, here, leaders, host_words, finder)
        for m in here:
            entity = m.entity
            if entity.entity_type == "forum" and event.forum is None and entity.kind != "initiative":
                event.forum = entity
            elif entity.entity_type == "project" and event.project is None:
                event.project, event.project_title = entity.code, entity.name
            elif entity.entity_type == "agreement" and event.agreement is None:
                event.agreement, event.agreement_title = entity.code, entity.name
        signs = kind in ("signing", "visit", "summit") or bool(signing_words & set(words))
        for thing in [*things.get(sentence.index, []), *(t for t in signed_here
                                                        if t not in things.get(sentence.index, []))]:
            code = thing.known.code if thing.known is not None else thing.code
            said = "known" if thing.known is not None else "proposed"
            if thing.section == "projects" and event.project is None:
                # titled as the article calls it ("Opening of Memve'ele hydropower plant"), not by a data set's
                # long title of the known project ("China loans 243 billion FCFA to construct ...")
                event.project, event.project_title = code, thing.said or thing.title
                event.reasons.append(f"the project {said} from line {sentence.line}: {code}")
            elif thing.section == "agreements" and signs and code not in event.agreements:
                event.agreements[code] = thing.title
                event.reasons.append(f"the agreement {said} from line {sentence.line}: {code}")
                if kind == "signing" and event.agreement is None:
                    event.agreement, event.agreement_title = code, thing.title
    events = list(out.values())
    _dateline_host(events, sentences, finder.countries)
    events += _visits_of_leaders(events)
    for sentence in later:
        _signed_during(events, sentence, things.get(sentence.index, []))
    _signed_that_day(events)
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


def _host(event: EventCandidate, sentence: Sentence, here: list[Found], leaders: list[tuple[int, Entity]],
          host_words: list[tuple[str, ...]], finder: CandidateFinder) -> None:
    """A country (or its leader) named before a host word receives the event: "Tokayev received Xi"."""
    if event.host is not None or not host_words:
        return
    words = [t.folded for t in sentence.tokens]
    at = min((p for w in host_words if (p := phrase_at(words, w, prefix=False)) is not None), default=None)
    if at is None:
        return
    starts = {t.start: i for i, t in enumerate(sentence.tokens)}
    before = [(starts.get(m.start, 10**6), m.entity) for m in here if m.entity.entity_type == "country"]
    before += [(i, finder.countries[code]) for i, t in enumerate(sentence.tokens)
               if (code := finder.demonym(t)) and code in finder.countries]
    before += leaders
    named = [entity for i, entity in sorted(before, key=lambda x: x[0]) if i < at]
    if named:
        event.host = named[-1]
        event.reasons.append(f"{named[-1].name} hosts it ({sentence.tokens[at].text!r}, line {sentence.line})")


_DATELINE_CITY = re.compile(r"^([A-ZА-ЯЁ][A-ZА-ЯЁ'\-]{3,}(?: [A-ZА-ЯЁ][A-ZА-ЯЁ'\-]+)?)\s*(?:,|--|—|–|-)")


def _dateline_host(events: list[EventCandidate], sentences: list[Sentence], countries: dict[str, Entity]) -> None:
    """A visit with no host, reported from a city of one of its countries ("ASTANA, July 4 -"), is a visit
    to that country."""
    city = None
    for sentence in sentences[:3]:
        match = _DATELINE_CITY.match(sentence.text)
        if match and (city := city_country(match[1].title(), countries)) is not None:
            break
    if city is None:
        return
    for event in events:
        if event.kind == "visit" and event.country is None and event.host is None and city in event.countries:
            event.host = city
            event.reasons.append(f"reported from {city.name} (the dateline): the host")


def _visits_of_leaders(events: list[EventCandidate]) -> list[EventCandidate]:
    """A leader of one country at a dated event in another country: that country's visit there on that day
    (added to the article's visit of that day, else proposed)."""
    visits = {(e.occurred_on, e.precision): e for e in events if e.kind == "visit"}
    new: list[EventCandidate] = []
    for event in events:
        host = event.country or event.host
        if event.kind == "visit" or host is None or event.precision != "day":
            continue
        guests = [c for c in event.leaders if c != host]
        if not guests:
            continue
        visit = visits.get((event.occurred_on, event.precision))
        if visit is None:
            place = event.place if event.place and city_country(event.place, {host.code: host}) else None
            if place:
                place = place.split()[0]
            visit = visits[(event.occurred_on, event.precision)] = EventCandidate(
                "visit", event.occurred_on, event.precision, list(event.sentences), event.cue, place=place,
                country=host)
            new.append(visit)
        elif visit.country is None and visit.host is None:
            visit.host = host
        for guest in guests:
            if guest not in visit.countries:
                visit.countries.append(guest)
        lines = ", ".join(str(n) for n in event.lines)
        visit.reasons.append(f"the leader of {' and '.join(g.name for g in guests)} at the {event.kind} in "
                             f"{host.name} on {event.occurred_on.isoformat()} (line {lines}): a visit")
    return new


def _signed_that_day(events: list[EventCandidate]) -> None:
    """What was signed at talks or a signing ceremony on the day of a visit, in the host country, was signed
    during the visit too."""
    for visit in events:
        host = visit.country or visit.host
        if visit.kind != "visit" or visit.precision != "day" or host is None:
            continue
        for other in events:
            if other.kind in ("meeting", "signing") and other.occurred_on == visit.occurred_on \
                    and other.precision == "day" and (other.country or other.host) in (None, host):
                for code, title in other.agreements.items():
                    if code not in visit.agreements:
                        visit.agreements[code] = title
                        visit.reasons.append(f"the agreement signed at the {other.kind} that day (line "
                                             f"{', '.join(str(n) for n in other.lines)}): {code}")


def _signing_date(things: list[Candidate]) -> FoundDate | None:
    """The day the one agreement of a sentence without a date of its own was signed ("The deal was signed
    during a visit by ..."; the article dated the deal in another sentence): the day of the event there."""
    days = {(t.fields["signed_on"], t.code) for t in things if t.section == "agreements"
            and t.fields.get("signed_on") is not None and t.fields.get("signed_precision") == "day"}
    if len({on for on, _code in days}) != 1:
        return None
    on, code = next(iter(days))
    return FoundDate(f"the day {code} was signed", 0, 0, on, "day", "signed_that_day")


def _signed_during(events: list[EventCandidate], sentence: Sentence, things: list[Candidate]) -> None:
    """The agreements of a sentence saying they were signed "during the visit": the visit (else summit) the
    sentence follows, else the article's first."""
    hosts = [e for e in events if e.kind == "visit"] or [e for e in events if e.kind == "summit"]
    if not hosts:
        return
    before = [e for e in hosts if min(s.index for s in e.sentences) <= sentence.index]
    event = max(before, key=lambda e: min(s.index for s in e.sentences)) if before else hosts[0]
    for thing in things:
        if thing.section != "agreements":
            continue
        code = thing.known.code if thing.known is not None else thing.code
        if code not in event.agreements:
            event.agreements[code] = thing.title
            event.reasons.append(f"the agreement signed there (line {sentence.line}): {code}")
        if sentence not in event.sentences:
            event.sentences.append(sentence)


def _place(event: EventCandidate, sentence: Sentence, here: list[Found], locations: set[str],
           destinations: set[str], stops: set[str], countries: dict[str, Entity]) -> None:
    """The capitalised words after a location word ("in Astana"); a country named there, or after a
    destination word ("a visit to Kazakhstan"), is the event's country, and so is the country of a capital
    after a destination word ("a visit to Beijing")."""
    tokens = sentence.tokens
    named = {m.start: m for m in here if m.entity.entity_type == "country"}
    for i, token in enumerate(tokens[:-1]):
        if token.folded not in locations and token.folded not in destinations:
            continue
        nxt = tokens[i + 1]
        if not nxt.capitalised:
            continue
        country = named.get(nxt.start)
        if country is not None:
            event.country = event.country or country.entity
            continue
        if token.folded not in locations:  # "a visit ... to Beijing": the country of the city it goes to
            city = city_country(nxt.text, countries)
            if city is not None and event.country is None:
                event.country = city
                event.reasons.append(f"{nxt.text!r} (line {sentence.line}) is in {city.name}")
            continue
        if event.place is not None:
            continue
        end, taken = nxt, 1
        for later in tokens[i + 2:i + 6]:
            gap = sentence.text[end.end - sentence.start:later.start - sentence.start]
            if gap in ("'", "\u2019") and later.text.isalpha() and later.text.islower() and later.text != "s":
                end = later  # "in Xi'an": one word
                continue
            if taken == 3 or gap != " " or not later.capitalised or later.folded in stops:
                break  # "di Beijing, Sabtu (9/11)": a weekday
            end, taken = later, taken + 1
        event.place = sentence.text[nxt.start - sentence.start:end.end - sentence.start]
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
    host = event.country or event.host
    others = [c.name for c in event.countries if c != host][:3]
    if event.kind == "visit" and host is not None:
        at = f" ({event.place})" if event.place else ""
        return f"Visit of {' and '.join(others)} to {host.name}{at}" if others else \
            f"Visit to {host.name}{at}"
    names = "–".join(c.name for c in event.countries[:3])
    return f"{names} {what}{where}" if names else f"{what.capitalize()}{where}"
