"""Proposing records the database does not know yet: projects named next to cue words, and
agreements or targets in sentences holding an agreement cue. One candidate per real thing: each keeps
its sentences, the names it was written under, the numbers and dates found beside it, the countries
of its sentences, a confidence and its reasons.

Projects. A cue from the language's data file (`project_cues`) next to a capitalised name:
- Indonesian and Russian put the cue first: "PLTB Zhanatas", "pelabuhan Kuantan"; Russian also puts an
  adjective before some cues ("Жанатасская ВЭС", "на Тургусунской ГЭС": `cue_last`);
- English puts it last ("Zhanatas wind farm", "Weda Bay nickel project": up to two lower-case words
  between) or first with "of" ("Port of Gwadar"); English cues also apply in other languages when
  written with a capital, as part of an English name ("Luban Workshop").
The name is the run of capitalised words (English "and", "of", "the", "for" allowed inside, but not
"and the"); a run stops at a headline word ("... Resmi Beroperasi", "... Selesai Tepat Waktu") and at a
bracket: a bracketed acronym ("Kereta Cepat Jakarta-Bandung (KCJB)") becomes another name of the thing.
A cue inside the run ("Proyek Kereta Cepat Jakarta-Bandung") gives way to the inner cue.

One thing, one candidate. Each name is reduced to its core: the stems of its words (importers/articles/
names.py) without country names, demonyms, cue words, function words and a leading "RI"; a name that is
only countries ("China-Kazakhstan Logistics Base in Lianyungang") takes the place after it. Candidates
of one family of cue (wind farm, high-speed railway, ...: `family` in the data file) whose cores are
equal or one holds the other are pooled, and so are the ones named by an acronym of another.

Facts without a name. A sentence that refers back ("the project", "proyek kereta cepat", "the dry port",
"pembangkit itu": `generic_references`) gives its amounts, sizes and dates to the one project of that
family or sector named so far in the article (or to the last named, when it was named in the sentence
before); when that is not clear, nothing is attached.

Agreements. One candidate per sentence that reports an act (a signing or commitment verb: menandatangani,
bersepakat, signed, agreed, подписали, договорились), with the count ("17 agreements") and the value
after a worth word ("worth $629 million", "senilai", "на сумму"); a headline and a lead with the same
count are one. A sentence that only names an agreement ("The deals cover energy") adds to the agreement
of the two sentences before it, when it names no country of its own. Named programmes ("Tahun Pariwisata
Kazakhstan", "Year of Kazakhstan Tourism") are titled by their name.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from importers.articles.dates import FoundDate, find_dates
from importers.articles.lang import language_data
from importers.articles.matching import Entity, Found
from importers.articles.names import adjective_stem, is_cyrillic, phrase_at, same_thing, stem, title_form
from importers.articles.numbers import Quantity, find_quantities
from importers.articles.text import Sentence, Token, joined, name_tokens, tokenize
from importers.normalize import fold
from importers.writer import slug_code

CONNECTORS = {"and", "of", "the", "for", "de", "la", "du"}
ACRONYM = re.compile(r"[A-ZА-Я0-9]{2,8}")
DATELINE = re.compile(r"^[A-ZА-ЯЁ][A-ZА-ЯЁ .'\-]{2,40}(?:,[^\n\-—–]{0,40})?\s*(?:--|—|–|-)\s")
LEADING_DROP = {"ri"}  # "RI" (Republik Indonesia) before a name is not part of it
# Words of a phase ("Patimban tahap II", "Phase 2", "вторая очередь"): the same thing for pooling and matching
PHASE_WORDS = {"tahap", "fase", "phase", "stage", "очередь", "очереди", "этап", "этапа"}
ROMAN = re.compile(r"^(?:i{1,3}|iv|v|vi{0,3})$")


@dataclass(eq=False)
class Candidate:
    section: str  # "projects" or "agreements"
    title: str
    sentences: list[Sentence]
    confidence: float
    reasons: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)  # bundle fields: sector, capacity, dates, ...
    names: list[tuple[str, str]] = field(default_factory=list)  # (name as written, lang)
    countries: list[Entity] = field(default_factory=list)
    framework: Entity | None = None
    code: str = ""
    core: frozenset[str] = frozenset()  # stems of the name's own words (for telling one thing from another)
    family: str | None = None  # the kind of thing its cue names ("wind farm"); None for "project"
    aliases: set[str] = field(default_factory=set)  # acronyms it is also written as
    known: Entity | None = None  # the known record it is (a mention, or matched by name)
    fuzzy: bool = False  # its core came through transliteration
    count: int | None = None  # agreements: how many ("17 agreements")
    act: bool = False  # agreements: a signing or commitment reported in its own sentence
    confirmed: bool = True  # False while only a title-case headline names it
    generic: bool = False  # agreements: titled by its parties and kind only, not by a name of its own
    said: str | None = None  # a recognised thing: its title as the article gave it (`title` is then the known one)
    _seen: set[int] = field(default_factory=set, repr=False)
    _written: set[str] = field(default_factory=set, repr=False)

    def add_sentence(self, sentence: Sentence) -> None:
        if sentence.index not in self._seen:
            self._seen.add(sentence.index)
            self.sentences.append(sentence)

    def add_name(self, name: str, lang: str) -> None:
        if name in self._written:
            return
        self._written.add(name)
        if fold(name) != fold(self.title) and fold(name) not in {fold(n) for n, _l in self.names}:
            self.names.append((name, lang))

    def reason(self, text: str) -> None:
        if text not in self.reasons and len(self.reasons) < 40:
            self.reasons.append(text)

    @property
    def lines(self) -> list[int]:
        return sorted({s.line for s in self.sentences})

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section, "code": self.code, "title": self.title, "confidence": self.confidence,
            "reasons": self.reasons, "fields": {k: str(v) if isinstance(v, Decimal | dt.date) else v
                                                for k, v in self.fields.items()},
            "names": [{"name": n, "lang": lang} for n, lang in self.names],
            "countries": [c.code for c in self.countries],
            "framework": self.framework.code if self.framework else None,
            "known": f"{self.known.entity_type}:{self.known.code}" if self.known else None,
            "quotes": [{"line": s.line, "sentence": s.index, "quote": s.text} for s in self.sentences],
        }


def group_by_sentence(mentions: list[Found]) -> dict[int, list[Found]]:
    """Mentions by sentence index, in one pass (each sentence then looks up its own)."""
    out: dict[int, list[Found]] = {}
    for m in mentions:
        out.setdefault(m.sentence.index, []).append(m)
    return out


def _span(sentence: Sentence, first: int, last: int) -> str:
    return sentence.text[sentence.tokens[first].start - sentence.start: sentence.tokens[last].end - sentence.start]


def _gap(sentence: Sentence, left: Token, right: Token) -> str:
    return sentence.text[left.end - sentence.start:right.start - sentence.start]


@functools.cache
def cue_index(code: str, section: str) -> dict[str, list[tuple[tuple[str, ...], dict[str, Any], int]]]:
    """First folded word -> [(cue words, entry, priority)], longest first: one look-up per word."""
    out: dict[str, list] = {}
    for priority, entry in enumerate(language_data(code)[section]):
        words = name_tokens(entry["cue"])
        out.setdefault(words[0], []).append((words, entry, priority))
    for entries in out.values():
        entries.sort(key=lambda e: -len(e[0]))
    return out


def _cue_at(sentence: Sentence, i: int, index, *, capital_only: bool = False):
    tokens = sentence.tokens
    for words, entry, priority in index.get(tokens[i].folded, ()):
        n = len(words)
        if i + n > len(tokens) or tuple(t.folded for t in tokens[i:i + n]) != words:
            continue
        if any(j and not joined(sentence, tokens[i + j - 1], tokens[i + j]) for j in range(n)):
            continue
        if entry.get("case") == "exact" and _span(sentence, i, i + n - 1) != entry["cue"]:
            continue
        if capital_only and not tokens[i].capitalised:
            continue
        return i + n - 1, entry, priority
    return None


def is_headline(sentences: list[Sentence]) -> bool:
    """The first line is a title-case headline: no final stop, and most of its longer words capitalised
    ("Smelter Nikel Rp 30 Triliun di Konawe Mulai Dibangun")."""
    if not sentences or sentences[0].line != 1 or sentences[0].text.rstrip()[-1:] in ".!?":
        return False
    if len(sentences) > 1 and sentences[1].line == 1:
        return False
    words = [t for t in sentences[0].tokens if t.text.isalpha() and len(t.text) > 3]
    return len(words) >= 3 and sum(t.capitalised for t in words) >= 0.6 * len(words)


def _is_name_word(token: Token) -> bool:
    return token.capitalised or (token.text[:1].isdigit() and len(token.text) < 5)


def family_of(entry: dict[str, Any]) -> str | None:
    if entry.get("family"):
        return entry["family"]
    rest = entry.get("title", "{name}").replace("{name}", "").strip()
    return rest or None


# Families that name one thing from two sides: a hydropower plant is its dam ("Memve'ele Dam" in a data set,
# "Memve'ele hydropower plant" in the news)
KINDRED_FAMILIES = (frozenset({"dam", "hydropower plant"}),)


def families_agree(a: str | None, b: str | None) -> bool:
    """Whether two cue families may name one thing: either unknown, equal, or kindred."""
    return a is None or b is None or a == b or any(a in k and b in k for k in KINDRED_FAMILIES)


class Things:
    """The projects of one article so far, indexed so that each look-up costs the same however long the
    text: by stem of their core, by acronym, by known id, and the ones named so far by family and sector."""

    def __init__(self) -> None:
        self.all: list[Candidate] = []
        self.by_stem: dict[str, list[Candidate]] = {}
        self.by_alias: dict[str, list[Candidate]] = {}
        self.known: dict[int, Candidate] = {}  # known project id -> its thing
        self.seen: dict[str, dict[int, Candidate]] = {}  # "*", "family:X", "sector:X", "known" -> things named
        self.last: list[Candidate] = []  # named in the last sentence that named any
        self.last_pos = -10

    def add(self, thing: Candidate) -> Candidate:
        self.all.append(thing)
        if thing.known is not None:
            self.known[thing.known.entity_id] = thing
        for word in thing.core:
            self.by_stem.setdefault(word, []).append(thing)
        return thing

    def grow(self, thing: Candidate, core: frozenset[str], family: str | None) -> None:
        for word in core - thing.core:
            self.by_stem.setdefault(word, []).append(thing)
        thing.core = thing.core | core
        thing.family = thing.family or family

    def alias(self, thing: Candidate, alias: str) -> None:
        if alias not in thing.aliases:
            thing.aliases.add(alias)
            self.by_alias.setdefault(alias, []).append(thing)
            self.by_stem.setdefault(stem(alias), []).append(thing)

    def same(self, core: frozenset[str], family: str | None, aliases) -> Candidate | None:
        """The thing already seen that this name is: the same acronym, or a core that is one with its own."""
        for alias in aliases:
            if self.by_alias.get(alias):
                return self.by_alias[alias][0]
        options = {id(t): t for word in core for t in self.by_stem.get(word, ())}
        for thing in options.values():
            if {a.lower() for a in thing.aliases} & core:
                return thing
            if family and thing.family and family != thing.family:  # one article: a dam and its plant are two
                continue
            if same_thing(core, thing.core):
                return thing
        return None

    def named(self, pos: int, things: list[Candidate]) -> None:
        if not things:
            return
        self.last = list({id(t): t for t in things}.values())
        self.last_pos = pos
        for thing in self.last:
            keys = ["*"]
            if thing.family:
                keys.append(f"family:{thing.family}")
            if thing.fields.get("sector"):
                keys.append(f"sector:{thing.fields['sector']}")
            if thing.known is not None and thing.family is None:
                keys.append("known")
            for key in keys:
                self.seen.setdefault(key, {})[id(thing)] = thing

    def fitting(self, kind: str | None) -> dict[int, Candidate]:
        if kind is None:
            return self.seen.get("*", {})
        return {**self.seen.get(f"family:{kind}", {}), **self.seen.get(f"sector:{kind}", {}),
                **self.seen.get("known", {})}


@dataclass
class Span:
    first: int  # first word of the whole phrase (cue included)
    last: int
    run: tuple[int, int]  # the name's words
    name: str
    phrase: str
    entry: dict[str, Any]
    capital: bool  # an English cue written with a capital: the phrase is the title
    aliases: list[str] = field(default_factory=list)
    title_name: str | None = None  # the name as it goes into an English title (Russian adjectives)
    longer: str | None = None  # the phrase written on to a second cue ("Kamchik tunnel rehabilitation project")
    reach: int | None = None  # the last word of that longer phrase

    @property
    def end(self) -> int:
        return self.last if self.reach is None else self.reach


class CandidateFinder:
    def __init__(self, lang: str, published: dt.date | None, source_name: str = "the article", *,
                 published_precision: str | None = "day", countries: dict[str, Entity] | None = None) -> None:
        self.lang = lang
        self.data = language_data(lang)
        self.en = language_data("en")
        self.published = published
        self.precision = published_precision or "day"
        self.function_words = self.data["function_set"] | self.en["function_set"]
        self.headline = {fold(w) for w in self.data.get("headline_words", [])} | (
            {fold(w) for w in self.en.get("headline_words", [])} if lang == "en" else set())
        self.own_cues = cue_index(lang, "project_cues")
        self.english_cues = cue_index("en", "project_cues")
        self.cue_last = {name_tokens(c) for c in self.data.get("cue_last", [])}
        self.cue_words = {w for d in (self.data, self.en) for e in d["project_cues"] for w in name_tokens(e["cue"])}
        self.countries = countries or {}  # country code -> entity, for demonyms
        self.demonyms = {fold(k): v for k, v in self.data.get("demonyms", {}).items()}
        self.demonyms.update({fold(k): v for k, v in self.en.get("demonyms", {}).items()})
        self.demonym_stems = {fold(k): v for k, v in self.data.get("demonym_stems", {}).items()}
        self.references = sorted(((name_tokens(k), v) for k, v in self.data.get("generic_references", {}).items()),
                                 key=lambda kv: -len(kv[0]))
        self.reporting = {fold(w) for w in self.data.get("reporting_words", [])}
        self._dates: dict[int, list] = {}
        self.weekdays = {w.casefold() for w in self.data.get("weekdays", {})}
        self.money_words = {fold(w).replace(" ", "") for d in (self.data, self.en)
                            for w in (*d["currency_words"], *d["scale_words"]) if w.isalpha()}
        self.subjects = [(f" {fold(k)} ", v) for k, v in self.data["subjects"].items()]
        self.targets = [(f" {fold(k)} ", v) for k, v in self.data["target_phrases"].items()]
        self.count_nouns = {fold(w) for w in self.data.get("count_nouns", [])}
        self.agreement_references = [name_tokens(w) for w in self.data.get("agreement_references", [])]
        self.work_words = {fold(w) for d in (self.data, self.en) for w in d.get("work_words", [])}
        self.number_words = {fold(k): v for k, v in self.data.get("number_words", {}).items()}
        self.clause = set(self.data.get("clause_words", []))
        self.location_words = set(self.data.get("location_words", [])) | set(self.en["location_words"])

    # ------------------------------------------------------------------ words
    def demonym(self, token: Token) -> str | None:
        """The country code a demonym stands for ("Kazakh", "китайская"), else None."""
        code = self.demonyms.get(token.folded)
        if code is None and self.demonym_stems and is_cyrillic(token.folded):
            code = next((c for s, c in self.demonym_stems.items() if token.folded.startswith(s)), None)
        return code

    def _stops_run(self, sentence: Sentence, j: int) -> bool:
        token = sentence.tokens[j]
        return (token.folded in self.headline and j > 0) or token.folded in self.money_words

    def _run_after(self, sentence: Sentence, i: int) -> tuple[tuple[int, int], list[str]] | None:
        """The run of capitalised words starting at word i (connectors inside), and acronyms in brackets
        right after it."""
        tokens = sentence.tokens
        if i >= len(tokens) or not tokens[i].capitalised or tokens[i].folded in self.headline:
            return None
        last, j, aliases, open_bracket = i, i + 1, [], False
        while j < len(tokens) and joined(sentence, tokens[j - 1], tokens[j]):
            gap = _gap(sentence, tokens[j - 1], tokens[j])
            if ")" in gap and not open_bracket:
                break
            if "(" in gap:
                if ACRONYM.fullmatch(tokens[j].text) and j + 1 <= len(tokens) and \
                        sentence.text[tokens[j].end - sentence.start:].startswith(")"):
                    aliases.append(tokens[j].text)
                    break
                open_bracket = True
            if ")" in gap:
                open_bracket = False
            if gap in ("'", "\u2019") and tokens[j].text.isalpha() and tokens[j].text.islower() and \
                    tokens[j].text != "s":
                last, j = j, j + 1  # "Xi'an": one word (not the possessive "China's")
                continue
            if tokens[j].folded == "and" and j + 1 < len(tokens) and tokens[j + 1].folded == "the":
                break  # "X and the Y": two names
            if self._stops_run(sentence, j):
                break
            if _is_name_word(tokens[j]):
                last = j
            elif tokens[j].folded not in CONNECTORS:
                break
            j += 1
        return (i, last), aliases

    def _run_before(self, sentence: Sentence, i: int) -> tuple[int, int] | None:
        """The run of capitalised words ending at word i, as (first, last); sentence-initial function words
        such as "Hingga" or "The" are left out, and so are headline words."""
        tokens = sentence.tokens
        if i < 0 or not _is_name_word(tokens[i]) or tokens[i].folded in self.headline:
            return None
        first = i
        j = i - 1
        closing = i + 1 < len(tokens) and ")" in _gap(sentence, tokens[i], tokens[i + 1])
        while j >= 0 and joined(sentence, tokens[j], tokens[j + 1]):
            gap = _gap(sentence, tokens[j], tokens[j + 1])
            if "(" in gap:
                if not closing:
                    break  # the run began inside brackets
                closing = False
            if ")" in gap:
                closing = True
            if tokens[j].folded == "the":
                break  # "Construction of the China-Laos railway": "the" comes before a name, not inside it
            if tokens[j].folded in self.headline:
                break
            if _is_name_word(tokens[j]):
                first = j
            elif tokens[j].folded not in CONNECTORS:
                break
            j -= 1
        while first <= i and (tokens[first].folded in self.function_words or tokens[first].folded in CONNECTORS):
            first += 1
        return (first, i) if first <= i else None

    # ------------------------------------------------------------------ project phrases
    def spans(self, sentence: Sentence) -> list[Span]:
        """Project phrases of a sentence, left to right, not overlapping. A phrase that takes in the one before
        it ("Kamchik tunnel" in "the Kamchik tunnel rehabilitation project") is that thing written longer: it
        becomes a name of the first (`longer`), which reaches to its end (`reach`)."""
        tokens = sentence.tokens
        out: list[Span] = []
        i = 0
        while i < len(tokens):
            hit = self._span_at(sentence, i)
            if hit:
                if out and hit.first <= out[-1].last:
                    out[-1].longer, out[-1].reach = hit.phrase, hit.last
                else:
                    out.append(hit)
                i = hit.last + 1
            else:
                i += 1
        return out

    def _span_at(self, sentence: Sentence, i: int) -> Span | None:
        tokens = sentence.tokens
        if self.lang != "en":
            cue = _cue_at(sentence, i, self.own_cues)
            if cue:
                cue_last, entry, _p = cue
                words = tuple(t.folded for t in tokens[i:cue_last + 1])
                if words in self.cue_last and i > 0:
                    span = self._adjective_before(sentence, i, cue_last, entry)
                    if span:
                        return span
                found = self._run_after(sentence, cue_last + 1)
                if not found:
                    return self._description(sentence, i, cue_last, entry)
                if found:
                    (first, last), aliases = found
                    inner = _cue_at(sentence, first, self.own_cues)
                    if inner and inner[0] < last:
                        nested = self._span_at(sentence, first)
                        if nested:
                            return nested
                    return Span(i, last, (first, last), _span(sentence, first, last),
                                _span(sentence, i, last), entry, False, aliases)
        cue = _cue_at(sentence, i, self.english_cues, capital_only=self.lang != "en")
        if not cue:
            return None
        cue_last, entry, _p = cue
        capital = tokens[i].capitalised
        if capital and cue_last + 2 < len(tokens) and tokens[cue_last + 1].folded == "of":
            found = self._run_after(sentence, cue_last + 2)
            if found:
                (first, last), aliases = found
                return Span(i, last, (first, last), _span(sentence, first, last), _span(sentence, i, last),
                            entry, True, aliases)
        end = i - 1
        modifiers = 0
        if self.lang == "en" and end > 0 and tokens[end].folded in PARTICIPLES and \
                "-" in _gap(sentence, tokens[end - 1], tokens[end]):
            return None  # "the Karachi-based project office", "a Chinese-built road": said of it, not its name
        while self.lang == "en" and modifiers < 2 and end >= 0 and not tokens[end].capitalised and \
                tokens[end].folded.isalpha() and tokens[end].folded not in self.function_words and \
                end > 0 and joined(sentence, tokens[end], tokens[end + 1]):
            end -= 1
            modifiers += 1
        run = self._run_before(sentence, end)
        if run is not None and modifiers and run[1] + 1 < len(tokens) and tokens[run[1] + 1].text == "s" and \
                _gap(sentence, tokens[run[1]], tokens[run[1] + 1]) in ("'", "\u2019"):
            return None  # "Hanoi's first metro line": said of a place, not a name
        if run is None and self.lang == "en" and family_of(entry) != "project":
            # "a new coal power plant in Thar": named by its place ("the project in Astana" refers back instead)
            place = self._location(sentence, cue_last)
            if place is not None:
                first = i - modifiers
                return Span(first, place[1][1], place[1], place[0], _span(sentence, first, place[1][1]), entry,
                            False, [])
        if run is None:  # (without the modifiers the word before the cue is one of them: no name either)
            return None
        name_last = end + modifiers
        aliases = []
        after = sentence.text[tokens[cue_last].end - sentence.start:]
        bracket = re.match(r"\s*\(([A-ZА-Я0-9]{2,8})\)", after)
        if bracket:
            aliases.append(bracket.group(1))
        return Span(run[0], cue_last, run, _span(sentence, run[0], name_last), _span(sentence, run[0], cue_last),
                    entry, capital, aliases)

    def _description(self, sentence: Sentence, i: int, cue_last: int, entry) -> Span | None:
        """"sebuah pusat obat-obatan tradisional Tiongkok": an unnamed new thing, described after an
        indefinite word (`indefinite_words`) by two or more words of its own; titled as written. Without the
        indefinite word, a description followed by its place ("pabrik baja tahan karat baru di Kawasan Industri
        Morowali") is one too, titled with the place."""
        tokens = sentence.tokens
        indefinite = set(self.data.get("indefinite_words", []))
        if entry.get("case") == "exact" or entry.get("title", "{name}") == "{name}":
            return None
        introduced = i > 0 and tokens[i - 1].folded in indefinite
        last, own = cue_last, 0
        for j in range(cue_last + 1, min(len(tokens), cue_last + 7)):
            if not joined(sentence, tokens[j - 1], tokens[j]) or "(" in _gap(sentence, tokens[j - 1], tokens[j]):
                break
            word = tokens[j].folded
            if word in self.function_words or word in self.headline or word in self.clause or word.isdigit():
                break
            last = j
            if not tokens[j].capitalised and not self.demonym(tokens[j]):
                own += 1
        if own < 2:
            return None
        phrase_last = last
        if not introduced:  # the place may follow a word that ended the description ("... karat baru di ...")
            place = self._location(sentence, last) or (self._location(sentence, last + 1)
                                                       if last + 1 < len(tokens) else None)
            if place is None:
                return None
            phrase_last = place[1][1]  # titled with its place
        return Span(i, last, (cue_last + 1, last), _span(sentence, cue_last + 1, last),
                    _span(sentence, i, phrase_last), entry, True, [])

    def _adjective_before(self, sentence: Sentence, i: int, cue_last: int, entry) -> Span | None:
        """Russian "Жанатасская ВЭС", "Казахстанско-китайский логистический терминал": the adjective(s)
        before the cue are the name."""
        tokens = sentence.tokens
        first = i - 1
        if not joined(sentence, tokens[first], tokens[i]):
            return None
        while first - 1 >= 0 and "-" in _gap(sentence, tokens[first - 1], tokens[first]):
            first -= 1
        if not tokens[first].capitalised or not all(adjective_stem(t.folded) for t in tokens[first:i]):
            return None
        title_name = "-".join(title_form(t.text) for t in tokens[first:i])
        return Span(first, cue_last, (first, i - 1), _span(sentence, first, i - 1), _span(sentence, first, cue_last),
                    entry, False, [], title_name)

    def _location(self, sentence: Sentence, after: int) -> tuple[str, tuple[int, int]] | None:
        tokens = sentence.tokens
        words = set(self.data.get("location_words", [])) | set(self.en["location_words"])
        if after + 2 < len(tokens) and tokens[after + 1].folded in words:
            found = self._run_after(sentence, after + 2)
            if found:
                (first, last), _aliases = found
                return _span(sentence, first, last), (first, last)
        return None

    def core(self, sentence: Sentence, first: int, last: int, mentioned: set[int]) -> frozenset[str]:
        """Stems of the name's own words: no countries (mentioned words, demonyms), cue or function words."""
        out = set()
        for k in range(first, last + 1):
            token = sentence.tokens[k]
            if k in mentioned or self.demonym(token) or token.folded in self.function_words or \
                    token.folded in CONNECTORS or token.folded in self.cue_words or token.folded in LEADING_DROP or \
                    token.folded in self.work_words:
                continue
            if token.text.isdigit() or token.folded in PHASE_WORDS or (
                    k > first and ROMAN.match(token.folded) and sentence.tokens[k - 1].folded in PHASE_WORDS):
                continue
            out.add(stem(token.text))
        return frozenset(out)

    # ------------------------------------------------------------------ projects
    def projects(self, sentences: list[Sentence], mentions: list[Found]) -> list[Candidate]:
        by_sentence = group_by_sentence(mentions)
        things = Things()
        headline = is_headline(sentences)
        for pos, sentence in enumerate(sentences):
            here = by_sentence.get(sentence.index, [])
            countries = self.countries_in(sentence, here)
            subjects: list[tuple[int, int, Candidate]] = []  # (start, end, thing) named in this sentence
            for m in here:
                if m.entity.entity_type == "project":
                    thing = things.known.get(m.entity.entity_id)
                    if thing is None:
                        thing = things.add(Candidate("projects", m.entity.name, [], 0.5, [], known=m.entity))
                    thing.add_sentence(sentence)
                    thing.reason(f"named as {m.matched_name!r} (line {sentence.line})")
                    subjects.append((m.start, m.end, thing))
            places: set[int] = set()  # things named as the place of something else: "... di Kawasan Industri X"
            for span in self.spans(sentence):
                known_before = len(things.all)
                thing = self._project(sentence, span, here, things)
                if thing is None:
                    continue
                if pos == 0 and headline and len(things.all) > known_before:
                    thing.confirmed = False  # every word has a capital in a headline: the body must name it too
                subjects.append((sentence.tokens[span.first].start, sentence.tokens[span.end].end, thing))
                if span.first and sentence.tokens[span.first - 1].folded in self.location_words:
                    places.add(id(thing))
            if not subjects:
                thing = self._alias_reference(sentence, things) or self._referred(sentence, pos, things)
                if thing is None:
                    continue
                subjects.append((sentence.start, sentence.start, thing))
            for _s, _e, thing in subjects:
                thing.add_sentence(sentence)
                for country in countries:
                    if country not in thing.countries:
                        thing.countries.append(country)
                        thing.confidence += 0.05
                if countries:
                    thing.reason(f"countries in the sentence (line {sentence.line}): "
                                 + ", ".join(c.name for c in countries))
                initiatives = [m.entity for m in here if m.entity.entity_type == "forum"
                               and m.entity.kind == "initiative"]
                if initiatives and thing.framework is None:
                    thing.framework = initiatives[0]
                    thing.reason(f"initiative named in the sentence: {initiatives[0].name}")
            if pos == 0 and headline:
                things.named(pos, [thing for _s, _e, thing in subjects])
                continue  # a headline's numbers and dates are the body's, said again (or a teaser)
            if pos > 0 or not headline:
                for start, end, thing in subjects:
                    if start != end:  # named in the body (a phrase that only refers back does not confirm)
                        thing.confirmed = True
            things.named(pos, [thing for _s, _e, thing in subjects])
            self._facts(sentence, subjects, places)
        return [t for t in things.all if t.confirmed]

    def _project(self, sentence: Sentence, span: Span, here: list[Found], things: Things) -> Candidate | None:
        tokens = sentence.tokens
        start, end = tokens[span.first].start, tokens[span.last].end
        overlapping = [m for m in here if m.entity.entity_type == "project" and m.start < end and start < m.end]
        if overlapping:  # a known project: a mention, not a candidate; its cue tells what kind of thing it is
            thing = things.known.get(overlapping[0].entity.entity_id)
            if thing is not None:
                thing.family = thing.family or family_of(span.entry)
                if span.entry.get("sector"):
                    thing.fields.setdefault("sector", span.entry["sector"])
            return None
        first, last = span.run
        run_words = range(first, last + 1)
        described = not tokens[span.first].capitalised and span.capital
        if not described and not any(tokens[k].capitalised and tokens[k].folded not in UNIT_WORDS
                                     for k in run_words):
            return None  # "a 50 MW project": a number, not a name
        while first < last and tokens[first].folded in LEADING_DROP:
            first += 1
        mentioned = {k for m in here for k in range(m.first, m.last + 1)}
        named = [m for m in here if m.first in run_words or m.last in run_words]
        location = self._location(sentence, span.end)
        core = self.core(sentence, first, last, mentioned)
        if not core and location:
            core = self.core(sentence, *location[1], mentioned)
        between = [] if core or described else countries_naming(span, named)
        if between:  # "the China-Laos railway", "газопровод Казахстан — Китай": a line named by its countries
            core = frozenset(stem(c.name) for c in between)
        elif not core:
            if not span.capital or named or described:
                return None  # "China railway", "Belt and Road Initiative project": only a country or forum
            core = frozenset(stem(t.text) for t in tokens[first:last + 1])
        if span.title_name:
            name = span.title_name
        elif between and is_cyrillic(span.name):  # in English: "China–Kyrgyzstan–Uzbekistan railway"
            name = "–".join(c.name for c in between)
        else:  # the name as written, without a leading "RI"
            offset = tokens[first].start - tokens[span.run[0]].start
            name = span.name[offset:]
        if span.capital:
            title = _span(sentence, first, span.last) if first != span.run[0] else span.phrase
        else:
            if is_cyrillic(name) and "{name} " in span.entry.get("title", "{name}"):  # English: "Beyneu gas pipeline"
                name = re.sub(r"\w+", lambda m: title_form(m.group()), name)
            title = span.entry.get("title", "{name}").format(name=name)
        family = family_of(span.entry)
        thing = things.same(core, family, span.aliases)
        if thing is None:
            thing = Candidate("projects", title, [], 0.5, [], core=core, family=family,
                              fuzzy=any(is_cyrillic(t.text) for t in tokens[first:last + 1]))
            if span.entry.get("sector"):
                thing.fields["sector"] = span.entry["sector"]
            things.add(thing)
        else:
            things.grow(thing, core, family)
            if thing.title.count(" ") < title.count(" ") and thing.known is None and not span.title_name:
                thing.add_name(thing.title, "en")
                thing.title = title
        if described:
            thing.reason(f"a description, not a name: {span.phrase!r} (line {sentence.line}); give it a title")
        else:
            thing.reason(f"cue {span.entry['cue']!r} next to the name {span.name!r} (line {sentence.line})")
        if span.entry.get("case") == "exact" or len(span.entry["cue"].split()) > 1 or span.capital:
            thing.confidence = max(thing.confidence, 0.7)
        if span.phrase != thing.title:
            thing.add_name(span.phrase, self.lang)
        if span.longer:
            thing.add_name(span.longer, self.lang)
        for alias in span.aliases:
            things.alias(thing, alias)
            thing.add_name(alias, self.lang)
        if location and "location_name" not in thing.fields:
            thing.fields["location_name"] = location[0]
            thing.reason(f"place {location[0]!r} after the name")
        return thing

    def _alias_reference(self, sentence: Sentence, things: Things) -> Candidate | None:
        """"KCJB juga ...": an acronym a candidate was written with refers to it."""
        hits = {id(t): t for token in sentence.tokens for t in things.by_alias.get(token.text, ())}
        return next(iter(hits.values())) if len(hits) == 1 else None

    def _referred(self, sentence: Sentence, pos: int, things: Things) -> Candidate | None:
        """The project a phrase such as "the project", "proyek kereta cepat", "the dry port" refers to: the
        only one of its family or sector named so far, or the one named in the sentence before."""
        folded = [t.folded for t in sentence.tokens]
        present = set(folded)
        for words, kind in self.references:
            n = len(words)
            if words[0] not in present or not any(tuple(folded[i:i + n]) == words for i in range(len(folded) - n + 1)):
                continue
            fitting = things.fitting(kind)
            said = " ".join(words)
            if len(fitting) == 1:
                (thing,) = fitting.values()
                thing.reason(f"line {sentence.line} refers to it as {said!r}")
                return thing
            last = [t for t in things.last if id(t) in fitting]
            if fitting and things.last_pos >= pos - 1 and len(things.last) == 1 and last:
                last[0].reason(f"line {sentence.line} refers to it as {said!r} (named in the sentence before)")
                return last[0]
            if fitting:
                return None  # several fit: not clear which
        return None

    def countries_in(self, sentence: Sentence, here: list[Found]) -> list[Entity]:
        out = [m.entity for m in here if m.entity.entity_type == "country"]
        for token in sentence.tokens:
            code = self.demonym(token)
            if code and code in self.countries:
                out.append(self.countries[code])
        return list(dict.fromkeys(out))

    # ------------------------------------------------------------------ numbers and dates
    def dates(self, sentence: Sentence) -> list[tuple[FoundDate, bool, bool]]:
        """(date, in the dateline, right after a reporting word) of a sentence (read once per sentence)."""
        if sentence.index in self._dates:
            return self._dates[sentence.index]
        dateline = DATELINE.match(sentence.text)
        out = []
        for found in find_dates(sentence.text, self.lang, self.published, self.precision):
            before = [t.folded for t in tokenize(sentence.text[max(0, found.start - 60):found.start])][-3:]
            reported = bool(self.reporting & set(before))
            head = sentence.text[:found.start].rstrip()
            last_word = re.search(r"(\w+)$", head)
            if last_word and last_word.group(1).casefold() in self.weekdays:  # "..., Selasa (14/5)"
                head = head[:last_word.start()].rstrip()
            if head.endswith(","):  # "..., kata Direktur Utama X, Selasa (14/5)": the clause before tells
                clause = head[:-1][head[:-1].rfind(",") + 1:]
                reported = reported or bool(self.reporting & {t.folded for t in tokenize(clause)})
            out.append((found, bool(dateline and found.start < dateline.end()), reported))
        if len(self._dates) > 10_000:
            self._dates.clear()
        self._dates[sentence.index] = out
        return out

    def _facts(self, sentence: Sentence, subjects: list[tuple[int, int, Candidate]], places: set[int]) -> None:
        """Amounts, sizes and dates of a sentence to the project named nearest before them (in the same
        clause), or after them when none is before. A date is a project's completion (completion words:
        diresmikan, opened, введена), start (start words: dibangun, construction, начато) or commitment
        (commitment words: signed, financed, dibiayai); a date beside none of them, in
        the future, a target year, in the dateline, after a reporting verb ("said on Tuesday"), or in a
        sentence where the project is only the place of something else ("... di Kawasan Industri X") is
        listed in the reasons, not proposed."""
        if not subjects:
            return
        tokens = sentence.tokens  # a word inside a name ("China Railway Construction Corporation") says nothing
        words = {t.folded for k, t in enumerate(tokens)
                 if not (k and t.capitalised and tokens[k - 1].capitalised and joined(sentence, tokens[k - 1], t))}
        completion = bool(set(self.data.get("completion_words", [])) & words)
        status = next((v for w, v in self.data.get("status_words", {}).items() if w in words), None)
        commitment = bool(set(self.data.get("commitment_words", [])) & words)
        start = bool(set(self.data.get("start_words", [])) & words)

        def clause_between(end: int, offset: int) -> bool:
            words = tokenize(sentence.text[end - sentence.start:offset - sentence.start])
            # "CATL dan Indonesia Battery Corporation": a clause word between two names joins them
            return any(t.folded in self.clause and not (0 < k < len(words) - 1 and words[k - 1].capitalised
                                                        and words[k + 1].capitalised)
                       for k, t in enumerate(words))

        def owner(offset: int) -> Candidate | None:
            before = sorted((end, n) for n, (start, end, _t) in enumerate(subjects)
                            if end <= offset and (start == end or not clause_between(end, offset)))
            while len(before) > 1 and id(subjects[before[-1][1]][2]) in places:
                before.pop()  # "pabrik ... di Kawasan Industri X, pada Senin": the plant's, not its place's
            if before:
                return subjects[before[-1][1]][2]
            after = [(start, n) for n, (start, _end, _t) in enumerate(subjects) if start > offset]
            return subjects[min(after)[1]][2] if after else None

        for q in find_quantities(sentence.text, self.lang):
            thing = owner(sentence.start + q.start)
            if thing is not None:
                self._quantity(thing, q, sentence)
        for found, in_dateline, reported in self.dates(sentence):
            if in_dateline or reported:
                continue  # when the news was told, not when the project did something
            thing = owner(sentence.start + found.start)
            if thing is None:
                continue
            if found.on is None:
                thing.reason(f"date {found.describe()}")
                continue
            if found.target or (self.published and found.on > self.published):
                thing.reason(f"planned: {found.describe()}")
                continue
            if id(thing) in places or not (completion or commitment or start):
                thing.reason(f"date {found.describe()} (line {sentence.line}): what happened then is not said")
                continue
            column = "completed_on" if completion else "started_on" if start else "committed_on"
            if column not in thing.fields:
                thing.fields[column] = found.on
                thing.fields[column.replace("_on", "_precision")] = found.precision
                thing.confidence += 0.05
                thing.reason(f"date {found.describe()} as {column}")
                if column == "completed_on" and status and "status" not in thing.fields:
                    thing.fields["status"] = status  # "diresmikan", "введен в эксплуатацию": in use since then
                    thing.reason(f"status {status} (line {sentence.line})")

    @staticmethod
    def _quantity(thing: Candidate, q: Quantity, sentence: Sentence) -> None:
        if q.is_size and thing.fields.get("sector") == "energy" and q.measure == "power" and \
                thing.fields.get("capacity_unit") not in (None, "MW", "GW", "kW"):
            thing.reason(f"capacity {thing.fields.pop('capacity')} {thing.fields.pop('capacity_unit')} replaced: "
                         "a power plant's size is its power")
        if q.is_size and "capacity" not in thing.fields:
            thing.fields["capacity"] = q.value
            thing.fields["capacity_unit"] = q.unit
            thing.reason(f"capacity {q.text!r} ({q.measure}, line {sentence.line})")
        elif q.measure in ("speed", "distance", "change"):
            thing.reason(f"{q.measure} {q.text!r} is not a size (line {sentence.line})")
        elif q.currency and "amount" not in thing.fields:
            thing.fields["amount"] = q.value
            thing.fields["currency"] = q.currency
            thing.reason(f"amount {q.text!r} (line {sentence.line})")

    # ------------------------------------------------------------------ agreements
    def _agreement_cue(self, sentence: Sentence):
        index = cue_index(self.lang, "agreement_cues")
        best = None
        for i in range(len(sentence.tokens)):
            hit = _cue_at(sentence, i, index)
            if hit and (best is None or hit[2] < best[3]):
                best = (i, *hit)
        return best

    def _count(self, sentence: Sentence) -> int | None:
        """How many agreements a sentence reports ("17 agreements", "five deals"); a number that is part of an
        amount ("a $1.2 billion deal", "kesepakatan senilai 2,5 miliar") counts nothing."""
        nouns, numbers = self.count_nouns, self.number_words
        tokens = sentence.tokens
        money: list[tuple[int, int]] | None = None
        for k, token in enumerate(tokens):
            if token.folded in nouns and k > 0:
                for back in (1, 2, 3):  # "17 agreements", "25 cooperation documents", "5 nota kesepahaman baru"
                    if k - back < 0:
                        break
                    prev = tokens[k - back].folded
                    if prev.isdigit() and 1 < int(prev) < 1000:
                        if money is None:
                            money = [(sentence.start + q.start, sentence.start + q.start + len(q.text))
                                     for q in find_quantities(sentence.text, self.lang) if q.currency]
                        at = tokens[k - back].start
                        if any(start <= at < end for start, end in money):
                            break
                        return int(prev)
                    if prev in numbers:
                        return numbers[prev]
                    if not prev.isalpha() or tokens[k - back].capitalised or prev in self.function_words:
                        break
        return None

    def _value(self, sentence: Sentence, *, counted: bool = False) -> Quantity | None:
        """The value of the agreement(s) a sentence reports: the amount after a worth word, else (unless the
        sentence counts several: "12 agreements, including a $2 billion deal") right before the word for it."""
        worth = [name_tokens(w) for w in self.data.get("worth_words", [])]
        folded = [t.folded for t in sentence.tokens]
        money = [q for q in find_quantities(sentence.text, self.lang) if q.currency]
        for words in worth:
            n = len(words)
            for i in range(len(folded) - n + 1):
                if tuple(folded[i:i + n]) == words:
                    after = sentence.tokens[i + n - 1].end - sentence.start
                    nearest = [q for q in money if 0 <= q.start - after <= 20
                               and not any(ch.isdigit() for ch in sentence.text[after:q.start])]
                    if nearest:
                        return nearest[0]
        for q in [] if counted else money:  # "a $1.2 billion deal": an amount right before the word for it
            after = re.match(r"[\s\-]*(\w+)(?:[\s\-]+(\w+))?", sentence.text[q.start + len(q.text):])
            if after and any(w and fold(w) in self.count_nouns for w in after.groups()):
                return q
        return None

    def agreements(self, sentences: list[Sentence], mentions: list[Found]) -> list[Candidate]:
        by_sentence = group_by_sentence(mentions)
        article_countries: Counter = Counter()
        for sentence in sentences:
            article_countries.update(self.countries_in(sentence, by_sentence.get(sentence.index, [])))
        continuation = set(self.data.get("continuation_words", []))
        signing_words = {fold(w) for w in self.data.get("signing_words", [])}
        found: list[Candidate] = []
        by_count: dict[int, list[Candidate]] = {}  # agreements by their count ("17 agreements")
        by_title: dict[str, Candidate] = {}  # agreements only named (no act), by title
        by_value: dict[tuple, Candidate] = {}  # agreements by value: a headline and its lead
        last_at = -10
        for pos, sentence in enumerate(sentences):
            hit = self._agreement_cue(sentence)
            if not hit:
                if found and self._refers_back(sentence):  # "Документ был подписан в Астане": no cue of its own
                    back = found[-1]
                    self._add_to(back, [sentence], [], "it refers back to the agreement reported before")
                    value = self._value(sentence)  # "The swap, worth 130 billion yuan, ..."
                    if value is not None and "amount" not in back.fields:
                        back.fields["amount"], back.fields["currency"] = value.value, value.currency
                        back.reason(f"value {value.text!r} (line {sentence.line})")
                    self._agreement_dates(back, [sentence])
                    last_at = pos
                continue
            i, _cue_last, entry, _priority = hit
            quoted = [sentence]
            if pos + 1 < len(sentences) and sentences[pos + 1].tokens and \
                    sentences[pos + 1].tokens[0].folded in continuation:
                quoted.append(sentences[pos + 1])
            countries: list[Entity] = []
            for s in quoted:
                countries += [c for c in self.countries_in(s, by_sentence.get(s.index, [])) if c not in countries]
            words = " ".join(" ".join(t.folded for t in s.tokens) for s in quoted)
            padded = f" {words} "
            subjects = list(dict.fromkeys(v for k, v in self.subjects if k in padded))
            target = next((v for k, v in self.targets if k in padded), None)
            act = bool(signing_words & {t.folded for t in sentence.tokens}) or (entry.get("status") in (
                "signed", "announced") and entry["kind"] != "memorandum")
            count = self._count(sentence)
            value = self._value(sentence, counted=count is not None)
            named = None
            if entry.get("named"):
                run = self._run_after(sentence, i)
                named = _span(sentence, *run[0]) if run else None
            # pooling: a sentence that only names an agreement adds to the one just before it
            previous = found[-1] if found else None
            if previous is not None and not act and count is None and value is None and named is None and \
                    not countries and pos - last_at <= 2:
                self._add_to(previous, quoted, subjects, "it goes on about the agreement of the sentence before")
                last_at = pos
                continue
            back = found[-1] if found and named is None and self._refers_back(sentence) else None
            if back is not None and count in (None, back.count) and set(countries) <= set(back.countries) and (
                    value is None or back.fields.get("amount") in (None, value.value)):
                # "The deal was signed in Astana by ...": the agreement reported before, not another one
                self._add_to(back, quoted, subjects, "it refers back to the agreement reported before")
                if value is not None and "amount" not in back.fields:
                    back.fields["amount"], back.fields["currency"] = value.value, value.currency
                if act and not back.act:
                    back.act = True
                    if entry.get("status"):
                        back.fields.setdefault("status", entry["status"])
                self._agreement_dates(back, quoted)
                last_at = pos
                continue
            same_count = next((c for c in by_count.get(count, ()) if count is not None and
                               (value is None or c.fields.get("amount") in (None, value.value))), None)
            if same_count is None and value is not None:
                twin = by_value.get((value.value, value.currency))
                if twin is not None and (count is None or twin.count in (None, count)):
                    same_count = twin
                    if twin.count is None and count is not None:
                        twin.count = count
                        twin.fields["count"] = count
                        by_count.setdefault(count, []).append(twin)
            if same_count is not None:
                self._add_to(same_count, quoted, subjects, f"the same {count} agreements")
                if value is not None and "amount" not in same_count.fields:
                    same_count.fields["amount"], same_count.fields["currency"] = value.value, value.currency
                self._agreement_dates(same_count, quoted)
                last_at = pos
                continue
            from_article = len(countries) < 2 and len(article_countries) > len(countries)
            if from_article:  # "Kedua negara ...", "program bilateral ... Tiongkok": the article's most named
                countries += [c for c, _n in article_countries.most_common(3) if c not in countries]
                countries = countries[:2]
            kind = "target" if target and entry["kind"] != "memorandum" else entry["kind"]
            title = self._agreement_title(kind, countries, subjects, target, count, value, named)
            if not act and count is None and named is None:
                twin = by_title.get(fold(title))
                if twin is not None:
                    self._add_to(twin, quoted, subjects, "the same agreement named again")
                    continue
            confidence = 0.4 + (0.2 if len(countries) >= 2 else 0) + (0.1 if subjects else 0) + \
                (0.1 if target else 0) + (0.1 if act else 0)
            candidate = Candidate("agreements", title, [], confidence,
                                  [f"cue {entry['cue']!r} in line {sentence.line}"])
            for s in quoted:
                candidate.add_sentence(s)
            candidate.count, candidate.act = count, act
            candidate.generic = named is None
            if from_article:
                candidate.reason("fewer than two countries in the sentence: parties completed with the article's "
                                 f"most named countries ({', '.join(c.name for c in countries)})")
            if len(quoted) > 1:
                candidate.reason(f"the sentence goes on in line {quoted[1].line}")
            candidate.fields["kind"] = kind
            candidate.countries = list(countries)
            if entry.get("status"):
                candidate.fields["status"] = entry["status"]
            if subjects:
                candidate.fields["subjects"] = subjects
            if count is not None:
                candidate.fields["count"] = count
                candidate.reason(f"{count} agreements")
            if value is not None:
                candidate.fields["amount"], candidate.fields["currency"] = value.value, value.currency
                candidate.reason(f"value {value.text!r}")
            if kind == "target":
                candidate.fields["target"] = self._target_text(target, subjects, quoted)
            self._agreement_dates(candidate, quoted)
            twin = found[0] if len(found) == 1 and pos <= 2 and found[0].lines == [1] and \
                sentences[0].line == 1 and sentences[0].text.rstrip()[-1:] not in ".!?" else None
            if twin is not None and twin.count in (None, count) and (
                    value is None or twin.fields.get("amount") in (None, value.value)):
                for s in twin.sentences:  # the headline says what its lead says: one agreement
                    candidate.add_sentence(s)
                for name, value_ in twin.fields.items():  # "sign $1.2 billion deal": what only the headline says
                    if name not in candidate.fields:
                        candidate.fields[name] = value_
                        if name == "amount":
                            candidate.reason(f"value {value_:,} {twin.fields.get('currency')} (line 1)")
                candidate.sentences.sort(key=lambda s: s.index)
                candidate.reason("line 1 (the headline) reports it too")
                found.clear()
            found.append(candidate)
            if count is not None:
                by_count.setdefault(count, []).append(candidate)
            if value is not None:
                by_value.setdefault((value.value, value.currency), candidate)
            if not act:
                by_title.setdefault(fold(title), candidate)
            last_at = pos
        return found

    def _refers_back(self, sentence: Sentence) -> bool:
        """The sentence names an agreement as one already reported: "the deal", "the agreement", "perjanjian
        tersebut", "это соглашение" (`agreement_references` of the language; Russian words by their beginnings)."""
        words = [t.folded for t in sentence.tokens]
        return any(phrase_at(words, phrase) is not None for phrase in self.agreement_references)

    def _add_to(self, candidate: Candidate, quoted: list[Sentence], subjects: list[str], why: str) -> None:
        for s in quoted:
            if s.index not in candidate._seen:
                candidate.reason(f"line {s.line}: {why}")
            candidate.add_sentence(s)
        if subjects:
            known = candidate.fields.setdefault("subjects", [])
            known += [s for s in subjects if s not in known]

    def _target_text(self, target: str | None, subjects: list[str], quoted: list[Sentence]) -> str:
        what = " ".join(x for x in (target, " and ".join(subjects)) if x) or "see the quote"
        for s in quoted:
            for found, _d, _r in self.dates(s):
                if found.target and found.on:
                    return f"{what} by {found.on.year}"
        return what

    def _agreement_dates(self, candidate: Candidate, quoted: list[Sentence]) -> None:
        column = self._date_column(candidate, {t.folded for s in quoted for t in s.tokens})
        if column in candidate.fields:
            return
        options = [d for s in quoted for d in self.dates(s) if not d[0].target]
        chosen = next((d for d in options if not d[1]), None) or next(iter(options), None)
        if chosen is None:
            return
        found = chosen[0]
        if found.on is None:
            candidate.reason(f"date {found.describe()}")
            return
        candidate.fields[column] = found.on
        candidate.fields[column.replace("_on", "_precision")] = found.precision
        candidate.confidence += 0.05
        candidate.reason(f"date {found.describe()} as {column}" + (" (the dateline)" if chosen[1] else ""))

    @staticmethod
    def _agreement_title(kind, countries, subjects, target, count, value, named) -> str:
        parties = "–".join(c.name for c in countries) or "Parties named in the article"
        if named:
            return named
        if kind == "target":
            what = " ".join(x for x in (target, " and ".join(subjects)) if x) or "see the quote"
            return f"{parties} target: {what}"
        label = {"memorandum": "memorandum of understanding", "programme": "cooperation programme",
                 "treaty": "treaty"}.get(kind, "agreement")
        if count:
            label = {"memorandum": "memoranda of understanding", "treaty": "treaties"}.get(kind, "agreements")
            label = f"{count} {label}"
        title = f"{parties} {label}" + (f" on {' and '.join(subjects)}" if subjects else "")
        if value is not None:
            title += f" worth {value.currency} {value.value:,}"
        return title

    def _date_column(self, candidate: Candidate, words: set[str]) -> str:
        signing = set(self.data.get("signing_words", [])) & words
        if candidate.fields.get("kind") == "programme" and not signing:
            return "in_force_on"
        return "signed_on"

    def find(self, sentences: list[Sentence], mentions: list[Found]) -> list[Candidate]:
        """The candidates of an article, each with a code of its own. An agreement titled only by its parties
        ("Uzbekistan–China agreement") is not named: its code takes its date (signed, else in force, else the
        article's), so that it is not taken for another agreement of the same parties; codes made the same
        within one article are numbered (-2, -3)."""
        out = self.projects(sentences, mentions) + self.agreements(sentences, mentions)
        taken: set[str] = set()
        for candidate in out:
            candidate.confidence = round(min(candidate.confidence, 0.95), 2)
            code = slug_code(candidate.title, 80)
            if candidate.generic:
                when = self._code_date(candidate)
                if when:
                    code = f"{slug_code(candidate.title, 69)}-{when}"
            unique, n = code, 1
            while unique in taken:
                n += 1
                unique = f"{code[:80 - len(str(n)) - 1]}-{n}"
            taken.add(unique)
            candidate.code = unique
        return out

    def _code_date(self, candidate: Candidate) -> str | None:
        for column in ("signed_on", "in_force_on"):
            on = candidate.fields.get(column)
            if on is not None:
                precision = candidate.fields.get(column.replace("_on", "_precision"), "day")
                return {"year": on.isoformat()[:4], "month": on.isoformat()[:7]}.get(precision, on.isoformat())
        return self.published.isoformat() if self.published else None


def countries_naming(span: Span, named: list[Found]) -> list[Entity]:
    """The countries a line is named by ("the China-Laos railway", "газопровод Казахстан — Китай"): two or more,
    and nothing else named in the name, for a cue of lines between places (`countries_name` in the data files);
    else none."""
    if not span.entry.get("countries_name") or any(m.entity.entity_type != "country" for m in named):
        return []
    countries = list({m.entity.code: m.entity for m in named}.values())
    return countries if len(countries) >= 2 else []


# The second half of "Karachi-based", "Chinese-built", "state-owned": a phrase describing a thing, not naming it
PARTICIPLES = {"based", "led", "owned", "funded", "built", "backed", "financed", "made", "run", "operated",
               "controlled", "sponsored", "supported", "constructed"}
UNIT_WORDS = {"mw", "gw", "kw", "km", "ha", "mwp", "мвт", "км"}
