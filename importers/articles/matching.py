"""Finding known countries, forums, organisations, projects and agreements in a text.

The index maps the first folded word of every known name to the names that start with it (longest
first), so a text of N words costs about N dictionary look-ups whatever the number of names. A name
matches when its words follow each other in the text separated only by name punctuation (space,
dash, bracket, quote), with:
- case folded, accents ignored; a name written with a capital needs a capital in the text;
- acronyms and other short upper-case names ("UN", "PBB", "ШОС") only in their written case;
- simple inflection of the last word: Indonesian -nya/-lah/-kah/-pun/-ku/-mu, English plural -s/-es
  (possessive 's is punctuation already), Russian case endings (Китая, Казахстаном) on every word;
- two-letter ISO codes of countries never matched (they are ordinary words in prose).
Overlapping matches: the longest wins ("mekanisme Tiongkok-Asia Tengah" over "Tiongkok").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from db.models import (
    Agreement,
    Country,
    CountryName,
    Forum,
    ForumName,
    Organisation,
    OrganisationName,
    Project,
    ProjectName,
)
from importers.articles.lang import language_data
from importers.articles.text import Sentence, Token, joined, name_tokens, tokenize

SUFFIXES = {
    "id": ("nya", "lah", "kah", "pun", "ku", "mu", "s", "es"),  # English names appear in Indonesian text
    "en": ("s", "es"),
    "ru": ("а", "у", "е", "ом", "ой", "ей", "ы", "и", "ю", "ем", "ам", "ами", "ах", "ях", "ям", "ов", "ев",
           "я", "ого", "ому", "ым", "ая", "ую", "ии", "ию", "ией"),
}
RU_STEM_ENDINGS = ("а", "я", "й", "и", "ь", "ия")
INFLECT_EVERY_WORD = {"ru"}
ACRONYM_KINDS = {"acronym", "abbreviation"}
TYPE_ORDER = ("project", "agreement", "forum", "organisation", "country")

# Capitalised words that may stand right before a country's name without making it the end of another name
# (words of official names and titles of states: "Federal Republic", "Islamic Republic", "United Kingdom")
OFFICIAL_NAME_WORDS = {"republic", "kingdom", "state", "states", "federation", "federal", "democratic", "islamic",
                       "people", "peoples", "united", "sultanate", "principality", "commonwealth", "union",
                       "socialist", "arab", "independent", "plurinational", "bolivarian", "great"}


@dataclass(frozen=True)
class Entry:
    words: tuple[str, ...]
    exact: tuple[str, ...] | None  # words as written, for names matched only in their written case
    capitalised: bool
    entity_type: str
    entity_id: int
    name: str


@dataclass(frozen=True)
class Entity:
    entity_type: str
    entity_id: int
    code: str
    name: str
    kind: str | None = None  # forum kind, for telling frameworks (initiatives) apart


@dataclass(frozen=True)
class Found:
    """One mention: a known entity named in a sentence."""

    entity: Entity
    sentence: Sentence
    first: int  # index of the first word in sentence.tokens
    last: int  # index of the last word
    matched_name: str

    @property
    def start(self) -> int:
        return self.sentence.tokens[self.first].start

    @property
    def end(self) -> int:
        return self.sentence.tokens[self.last].end


@dataclass(frozen=True)
class Ambiguous:
    sentence: Sentence
    first: int
    last: int
    text: str
    entities: tuple[Entity, ...]


def is_acronym(name: str, kind: str | None) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    return kind in ACRONYM_KINDS or len(letters) <= 3 or (
        bool(letters) and all(ch.isupper() for ch in letters) and len(letters) <= 6)


@dataclass
class NameIndex:
    by_first: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    entities: dict[tuple[str, int], Entity] = field(default_factory=dict)
    names: int = 0

    def add_entity(self, entity: Entity) -> None:
        self.entities[(entity.entity_type, entity.entity_id)] = entity

    def add(self, entity_type: str, entity_id: int, name: str | None, kind: str | None = None) -> None:
        if not name or not name.strip():
            return
        words = name_tokens(name)
        if not words or all(len(w) < 2 for w in words):
            return
        acronym = is_acronym(name, kind)
        exact = tuple(t.text for t in _raw_tokens(name)) if acronym else None
        capitalised = name.lstrip()[:1].isupper()
        self.by_first[words[0]].append(Entry(words, exact, capitalised, entity_type, entity_id, name))
        self.names += 1

    def finish(self) -> NameIndex:
        for key, entries in self.by_first.items():
            unique = {(e.words, e.exact, e.entity_type, e.entity_id): e for e in entries}
            self.by_first[key] = sorted(unique.values(), key=lambda e: -len(e.words))
        return self

    @classmethod
    def load(cls, conn: Connection) -> NameIndex:
        index = cls()
        alpha2 = set()
        for row in conn.execute(select(Country.id, Country.code, Country.name, Country.alpha2)):
            index.add_entity(Entity("country", row.id, row.code, row.name))
            index.add("country", row.id, row.name)
            if row.alpha2:
                alpha2.add(row.alpha2.upper())
        for row in conn.execute(select(CountryName.country_id, CountryName.name, CountryName.kind)):
            if row.name.strip().upper() in alpha2 and len(row.name.strip()) == 2:
                continue  # ISO alpha-2 codes are never matched in prose
            index.add("country", row.country_id, row.name, row.kind)
        for row in conn.execute(select(Forum.id, Forum.code, Forum.name, Forum.acronym, Forum.kind)):
            index.add_entity(Entity("forum", row.id, row.code, row.name, row.kind))
            index.add("forum", row.id, row.name)
            index.add("forum", row.id, row.acronym, "acronym")
            if row.code != row.acronym and row.code.isalpha() and row.code.isupper():
                index.add("forum", row.id, row.code, "acronym")
        for row in conn.execute(select(ForumName.forum_id, ForumName.name, ForumName.kind)):
            index.add("forum", row.forum_id, row.name, row.kind)
        for row in conn.execute(select(Organisation.id, Organisation.code, Organisation.name, Organisation.acronym)):
            index.add_entity(Entity("organisation", row.id, row.code, row.name))
            index.add("organisation", row.id, row.name)
            index.add("organisation", row.id, row.acronym, "acronym")
        for row in conn.execute(select(OrganisationName.organisation_id, OrganisationName.name,
                                       OrganisationName.kind)):
            index.add("organisation", row.organisation_id, row.name, row.kind)
        for row in conn.execute(select(Project.id, Project.code, Project.title)):
            index.add_entity(Entity("project", row.id, row.code, row.title))
            index.add("project", row.id, row.title)
        for row in conn.execute(select(ProjectName.project_id, ProjectName.name, ProjectName.kind)):
            index.add("project", row.project_id, row.name, row.kind)
        for row in conn.execute(select(Agreement.id, Agreement.code, Agreement.title)):
            index.add_entity(Entity("agreement", row.id, row.code, row.title))
            index.add("agreement", row.id, row.title)
        return index.finish()

    # ------------------------------------------------------------------ matching
    def _bases(self, word: str, lang: str) -> Iterable[str]:
        yield word
        for suffix in SUFFIXES.get(lang, ()):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                stem = word[: -len(suffix)]
                yield stem
                if lang == "ru":
                    for ending in RU_STEM_ENDINGS:
                        yield stem + ending

    def _word_ok(self, token: Token, word: str, inflect: bool, lang: str) -> bool:
        text = token.folded
        if text == word:
            return True
        if not inflect or len(word) < 4:
            return False
        for suffix in SUFFIXES.get(lang, ()):
            if text == word + suffix:
                return True
            if lang == "ru":
                for ending in RU_STEM_ENDINGS:
                    if word.endswith(ending) and text == word[: -len(ending)] + suffix:
                        return True
        return False

    def _inside_a_name(self, sentence: Sentence, first: int, last: int, hits, taken: set[int]) -> bool:
        """English: a one-word country name right after a capitalised word of no known name is the end of a
        person's or company's name ("Finance Minister Sinisa Mali", "Vale Indonesia", "Inner Mongolia"), not the
        country. Not in the first line (a title-case headline capitalises every word), nor after the words of
        an official name ("Republic", "Kingdom", ...) or a function word ("With China")."""
        if first != last or first == 0 or sentence.line == 1 or \
                any(self.entities[key].entity_type != "country" for key in hits):
            return False
        before, token = sentence.tokens[first - 1], sentence.tokens[first]
        gap = sentence.text[before.end - sentence.start:token.start - sentence.start]
        return gap == " " and before.capitalised and (first - 1) not in taken and \
            before.folded not in OFFICIAL_NAME_WORDS and before.folded not in language_data("en")["function_set"]

    def _match_at(self, sentence: Sentence, i: int, entry: Entry, lang: str) -> int | None:
        """Index of the last word when `entry` matches at word i, else None."""
        tokens = sentence.tokens
        n = len(entry.words)
        if i + n > len(tokens):
            return None
        if entry.capitalised and not tokens[i].capitalised and not tokens[i].text[:1].isdigit():
            return None
        for j, word in enumerate(entry.words):
            token = tokens[i + j]
            if j and not joined(sentence, tokens[i + j - 1], token):
                return None
            if entry.exact is not None:
                if token.text != entry.exact[j]:
                    return None
                continue
            inflect = lang in INFLECT_EVERY_WORD or j == n - 1
            if not self._word_ok(token, word, inflect, lang):
                return None
        return i + n - 1

    def find(self, sentences: Sequence[Sentence], lang: str) -> tuple[list[Found], list[Ambiguous]]:
        found: list[Found] = []
        ambiguous: list[Ambiguous] = []
        for sentence in sentences:
            spans: dict[tuple[int, int], dict[tuple[str, int], str]] = {}
            for i, token in enumerate(sentence.tokens):
                seen = set()
                for base in self._bases(token.folded, lang):
                    if base in seen:
                        continue
                    seen.add(base)
                    for entry in self.by_first.get(base, ()):
                        last = self._match_at(sentence, i, entry, lang)
                        if last is not None:
                            spans.setdefault((i, last), {}).setdefault((entry.entity_type, entry.entity_id),
                                                                       entry.name)
            taken: set[int] = set()
            for (first, last), hits in sorted(spans.items(), key=lambda kv: (kv[0][0] - kv[0][1], kv[0][0])):
                if any(k in taken for k in range(first, last + 1)):
                    continue
                taken.update(range(first, last + 1))
                if lang == "en" and self._inside_a_name(sentence, first, last, hits, taken):
                    continue
                if len(hits) == 1:
                    (key, name), = hits.items()
                    found.append(Found(self.entities[key], sentence, first, last, name))
                else:
                    entities = tuple(sorted((self.entities[k] for k in hits),
                                            key=lambda e: (TYPE_ORDER.index(e.entity_type), e.code)))
                    text = sentence.text[sentence.tokens[first].start - sentence.start:
                                         sentence.tokens[last].end - sentence.start]
                    ambiguous.append(Ambiguous(sentence, first, last, text, entities))
        found.sort(key=lambda f: f.start)
        return found, ambiguous


def _raw_tokens(name: str) -> list[Token]:
    return tokenize(name)
