"""Proposing records the database does not know yet: projects named next to cue words, and
agreements or targets in sentences holding an agreement cue. Each candidate keeps its sentence, the
numbers and dates found beside it, the countries of the sentence, a confidence and its reasons.

Projects. A cue from the language's data file (`project_cues`) next to a capitalised name:
- Indonesian and Russian put the cue first: "PLTB Zhanatas", "pelabuhan Kuantan";
- English puts it last ("Zhanatas wind farm") or first with "of" ("Port of Gwadar"); English cues
  also apply in other languages when written with a capital, as part of an English name
  ("Luban Workshop", "Western China-Western Europe Highway").
The name is the run of capitalised words (English "and", "of", "the", "for" allowed inside) next
to the cue. A candidate that overlaps a mention of a known project is not proposed: it is known.
Agreements. The sentence of an `agreement_cues` word (and the next sentence when it goes on with a
word such as "Untuk"/"to"); parties are the countries named there, subjects and target phrases
("dua kali lipat" = double) come from the data file.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from importers.articles.dates import find_dates
from importers.articles.lang import cue_tokens, language_data
from importers.articles.matching import Entity, Found
from importers.articles.numbers import UNITS, Quantity, find_quantities
from importers.articles.text import Sentence, Token, joined, name_tokens, tokenize
from importers.normalize import fold
from importers.writer import slug_code

CONNECTORS = {"and", "of", "the", "for", "de", "la", "du"}


@dataclass
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

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section, "code": self.code, "title": self.title, "confidence": self.confidence,
            "reasons": self.reasons, "fields": {k: str(v) if isinstance(v, Decimal | dt.date) else v
                                                for k, v in self.fields.items()},
            "names": [{"name": n, "lang": lang} for n, lang in self.names],
            "countries": [c.code for c in self.countries],
            "framework": self.framework.code if self.framework else None,
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


def _cue_at(sentence: Sentence, i: int, cues, *, capital_only: bool = False):
    tokens = sentence.tokens
    for words, entry in cues:
        n = len(words)
        if i + n > len(tokens) or tuple(t.folded for t in tokens[i:i + n]) != words:
            continue
        if any(j and not joined(sentence, tokens[i + j - 1], tokens[i + j]) for j in range(n)):
            continue
        if entry.get("case") == "exact" and _span(sentence, i, i + n - 1) != entry["cue"]:
            continue
        if capital_only and not tokens[i].capitalised:
            continue
        return i + n - 1, entry
    return None


def _is_name_word(token: Token) -> bool:
    return token.capitalised or (token.text[:1].isdigit() and len(token.text) < 5)


def _run_after(sentence: Sentence, i: int) -> tuple[int, int] | None:
    """The run of capitalised words starting at word i (connectors inside), as (first, last)."""
    tokens = sentence.tokens
    if i >= len(tokens) or not tokens[i].capitalised:
        return None
    last = i
    j = i + 1
    while j < len(tokens) and joined(sentence, tokens[j - 1], tokens[j]):
        if _is_name_word(tokens[j]):
            last = j
        elif tokens[j].folded not in CONNECTORS:
            break
        j += 1
    return i, last


def _run_before(sentence: Sentence, i: int, function_words: frozenset[str]) -> tuple[int, int] | None:
    """The run of capitalised words ending at word i, as (first, last); sentence-initial function words
    such as "Hingga" or "The" are left out."""
    tokens = sentence.tokens
    if i < 0 or not _is_name_word(tokens[i]):
        return None
    first = i
    j = i - 1
    while j >= 0 and joined(sentence, tokens[j], tokens[j + 1]):
        if _is_name_word(tokens[j]):
            first = j
        elif tokens[j].folded not in CONNECTORS:
            break
        j -= 1
    while first <= i and (tokens[first].folded in function_words or tokens[first].folded in CONNECTORS):
        first += 1
    return (first, i) if first <= i else None


class CandidateFinder:
    def __init__(self, lang: str, published: dt.date | None, source_name: str = "the article") -> None:
        self.lang = lang
        self.data = language_data(lang)
        self.en = language_data("en")
        self.published = published
        self.function_words = self.data["function_set"] | self.en["function_set"]

    # ------------------------------------------------------------------ projects
    def _project_spans(self, sentence: Sentence):
        """(first, last word of the whole phrase, name text, written phrase, cue entry, cue is capitalised)."""
        own = cue_tokens(self.lang, "project_cues")
        english = cue_tokens("en", "project_cues")
        tokens = sentence.tokens
        i = 0
        while i < len(tokens):
            hit = None
            if self.lang != "en":
                cue = _cue_at(sentence, i, own)
                if cue:
                    cue_last, entry = cue
                    run = _run_after(sentence, cue_last + 1)
                    if run:
                        hit = (i, run[1], _span(sentence, *run), _span(sentence, i, run[1]), entry, False, run)
            if hit is None:
                cue = _cue_at(sentence, i, english, capital_only=self.lang != "en")
                if cue:
                    cue_last, entry = cue
                    capital = tokens[i].capitalised
                    if capital and cue_last + 2 < len(tokens) and tokens[cue_last + 1].folded == "of":
                        run = _run_after(sentence, cue_last + 2)
                        if run:
                            hit = (i, run[1], _span(sentence, *run), _span(sentence, i, run[1]), entry, True, run)
                    if hit is None:
                        run = _run_before(sentence, i - 1, self.function_words)
                        if run:
                            hit = (run[0], cue_last, _span(sentence, *run), _span(sentence, run[0], cue_last),
                                   entry, capital, run)
            if hit:
                yield hit
                i = hit[1] + 1
            else:
                i += 1

    def _location(self, sentence: Sentence, after: int) -> str | None:
        tokens = sentence.tokens
        words = set(self.data.get("location_words", [])) | set(self.en["location_words"])
        if after + 2 < len(tokens) and tokens[after + 1].folded in words:
            run = _run_after(sentence, after + 2)
            if run:
                return _span(sentence, *run)
        return None

    def projects(self, sentences: list[Sentence], mentions: list[Found]) -> list[Candidate]:
        by_title: dict[str, Candidate] = {}
        by_sentence = group_by_sentence(mentions)
        for sentence in sentences:
            here = by_sentence.get(sentence.index, [])
            countries = list(dict.fromkeys(m.entity for m in here if m.entity.entity_type == "country"))
            for first, last, name, phrase, entry, capital, run in self._project_spans(sentence):
                start = sentence.tokens[first].start
                end = sentence.tokens[last].end
                if any(m.entity.entity_type == "project" and m.start < end and start < m.end for m in here):
                    continue  # a known project: a mention, not a candidate
                run_words = range(run[0], run[1] + 1)
                if not any(sentence.tokens[k].capitalised and sentence.tokens[k].folded not in UNITS
                           for k in run_words):
                    continue  # "a 50 MW project": a number, not a name
                named = [m for m in here if m.first in run_words or m.last in run_words]
                if not capital and named and all(
                        any(m.first <= k <= m.last for m in named) for k in run_words):
                    continue  # "China railway": the name is only a country or forum
                title = phrase if capital else entry.get("title", "{name}").format(name=name)
                confidence, reasons = 0.5, [f"cue {entry['cue']!r} next to the name {name!r}"]
                if entry.get("case") == "exact" or len(entry["cue"].split()) > 1 or capital:
                    confidence += 0.2
                    reasons.append("specific cue")
                candidate = by_title.get(fold(title))
                if candidate is None:
                    candidate = Candidate("projects", title, [], confidence, reasons)
                    if entry.get("sector"):
                        candidate.fields["sector"] = entry["sector"]
                    by_title[fold(title)] = candidate
                if sentence not in candidate.sentences:
                    candidate.sentences.append(sentence)
                if phrase != title:
                    written = (phrase, self.lang)
                    if written not in candidate.names:
                        candidate.names.append(written)
                location = self._location(sentence, last)
                if location and "location_name" not in candidate.fields:
                    candidate.fields["location_name"] = location
                    candidate.reasons.append(f"place {location!r} after the name")
                self._enrich(candidate, sentence, here, countries, after=end)
        return list(by_title.values())

    def _enrich(self, candidate: Candidate, sentence: Sentence, here: list[Found], countries: list[Entity],
                after: int | None = None):
        for country in countries:
            if country not in candidate.countries:
                candidate.countries.append(country)
                candidate.confidence += 0.05
        if countries:
            candidate.reasons.append(f"countries in the sentence (line {sentence.line}): "
                                     + ", ".join(c.name for c in countries))
        initiatives = [m.entity for m in here if m.entity.entity_type == "forum" and m.entity.kind == "initiative"]
        if initiatives and candidate.framework is None and candidate.section == "projects":
            candidate.framework = initiatives[0]
            candidate.reasons.append(f"initiative named in the sentence: {initiatives[0].name}")
        lowered = {t.folded for t in sentence.tokens}
        clause = set(self.data.get("clause_words", []))
        for found in find_dates(sentence.text, self.lang, self.published):
            between = sentence.text[after - sentence.start:found.start] if after is not None else ""
            if after is not None and found.start > after - sentence.start and \
                    clause & {t.folded for t in tokenize(between)}:
                continue  # the date belongs to another clause: "... Workshop dan meluncurkan X pada 2025"
            if found.on is None:
                candidate.reasons.append(f"date {found.describe()}")
                continue
            column = self._date_column(candidate, lowered)
            if column not in candidate.fields:
                candidate.fields[column] = found.on
                candidate.fields[column.replace("_on", "_precision")] = found.precision
                candidate.confidence += 0.05
                candidate.reasons.append(f"date {found.describe()} as {column}")
        if candidate.section == "projects":
            for q in find_quantities(sentence.text, self.lang):
                if after is not None and q.start > after - sentence.start and \
                        clause & {t.folded for t in tokenize(sentence.text[after - sentence.start:q.start])}:
                    continue
                self._quantity(candidate, q)

    def _date_column(self, candidate: Candidate, words: set[str]) -> str:
        completion = set(self.data.get("completion_words", [])) & words
        signing = set(self.data.get("signing_words", [])) & words
        if candidate.section == "projects":
            return "completed_on" if completion else "committed_on"
        if candidate.fields.get("kind") == "programme" and not signing:
            return "in_force_on"
        return "signed_on"

    @staticmethod
    def _quantity(candidate: Candidate, q: Quantity) -> None:
        if q.unit and "capacity" not in candidate.fields:
            candidate.fields["capacity"] = q.value
            candidate.fields["capacity_unit"] = q.unit
            candidate.reasons.append(f"capacity {q.text!r}")
        elif q.currency and "amount" not in candidate.fields:
            candidate.fields["amount"] = q.value
            candidate.fields["currency"] = q.currency
            candidate.reasons.append(f"amount {q.text!r}")

    # ------------------------------------------------------------------ agreements
    def agreements(self, sentences: list[Sentence], mentions: list[Found]) -> list[Candidate]:
        cues = [(name_tokens(e["cue"]), e) for e in self.data["agreement_cues"]]  # in priority order
        article_countries = Counter(m.entity for m in mentions if m.entity.entity_type == "country")
        continuation = set(self.data.get("continuation_words", []))
        by_sentence = group_by_sentence(mentions)
        found: dict[str, Candidate] = {}
        for pos, sentence in enumerate(sentences):
            hit = next((h for cue in cues for i in range(len(sentence.tokens))
                        if (h := _cue_at(sentence, i, [cue]))), None)
            if not hit:
                continue
            _last, entry = hit
            quoted = [sentence]
            if pos + 1 < len(sentences) and sentences[pos + 1].tokens and \
                    sentences[pos + 1].tokens[0].folded in continuation:
                quoted.append(sentences[pos + 1])
            here = [m for s in quoted for m in by_sentence.get(s.index, ())]
            countries = list(dict.fromkeys(m.entity for m in here if m.entity.entity_type == "country"))
            from_article = not countries and bool(article_countries)
            if from_article:  # "Kedua negara ...": the article's most named countries
                countries = [c for c, _n in article_countries.most_common(2)]
            words = " ".join(" ".join(t.folded for t in s.tokens) for s in quoted)
            padded = f" {words} "
            subjects = list(dict.fromkeys(v for k, v in self.data["subjects"].items() if f" {fold(k)} " in padded))
            target = next((v for k, v in self.data["target_phrases"].items() if f" {fold(k)} " in padded), None)
            parties = "–".join(c.name for c in countries) or "Parties named in the article"
            kind = entry["kind"]
            if kind == "target":
                what = " ".join(x for x in (target, " and ".join(subjects)) if x) or "see the quote"
                title = f"{parties} target: {what}"
            else:
                label = {"memorandum": "memorandum of understanding", "programme": "cooperation programme",
                         "treaty": "treaty"}.get(kind, "agreement")
                title = f"{parties} {label}" + (f" on {' and '.join(subjects)}" if subjects else "")
            confidence = 0.4 + (0.2 if len(countries) >= 2 else 0) + (0.1 if subjects else 0) + (0.1 if target else 0)
            reasons = [f"cue {entry['cue']!r} in line {sentence.line}"]
            if from_article:
                reasons.append("no country in the sentence: parties are the article's most named countries "
                               f"({', '.join(c.name for c in countries)})")
            if len(quoted) > 1:
                reasons.append(f"the sentence goes on in line {quoted[1].line}")
            candidate = found.get(fold(title))
            if candidate is not None:
                continue
            candidate = Candidate("agreements", title, quoted, confidence, reasons)
            candidate.fields["kind"] = kind
            candidate.countries = list(countries)
            if entry.get("status"):
                candidate.fields["status"] = entry["status"]
            if subjects:
                candidate.fields["subjects"] = subjects
            if kind == "target":
                candidate.fields["target"] = what
            for s in quoted:
                self._enrich(candidate, s, [m for m in here if m.sentence.index == s.index],
                             [m.entity for m in here if m.sentence.index == s.index
                              and m.entity.entity_type == "country"])
            found[fold(title)] = candidate
        return list(found.values())

    def find(self, sentences: list[Sentence], mentions: list[Found]) -> list[Candidate]:
        out = self.projects(sentences, mentions) + self.agreements(sentences, mentions)
        for candidate in out:
            candidate.confidence = round(min(candidate.confidence, 0.95), 2)
            candidate.reasons = list(dict.fromkeys(candidate.reasons))
            candidate.code = slug_code(candidate.title, 80)
        return out
