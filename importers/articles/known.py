"""Recognising a known project in a candidate: the same thing under another name.

Every title and name of every project is read like a sentence by the same cue rules as the article
("Zhanatas wind farm" -> core {zhanata}, family "wind farm"; "China-Kazakhstan (Lianyungang) Logistics
Cooperation Base" -> core {lianyungang}, family "logistics base"). A candidate is that project when
- their families agree (or one of them has none: "proyek X"; a dam and a hydropower plant are kindred), and
- their cores are one (equal, or one holds the other: "Turgusun" / "Turgusun-1"), or, for a name that
  came through transliteration ("Ляньюньгане" -> "lyanyungan"), every word of the smaller core has a
  near word in the other (rapidfuzz ratio >= 80): a score alone never decides.
When several projects fit, the one whose name is closest as written (rapidfuzz token_set_ratio) wins.
Only the projects sharing a word stem with the candidate are read (an inverted index built once per
import from the name index), so a database of many projects costs one pass over their names.
"""

from __future__ import annotations

from dataclasses import dataclass

from importers.articles.candidates import Candidate, CandidateFinder, countries_naming, families_agree, family_of
from importers.articles.matching import Entity, NameIndex
from importers.articles.names import close, is_cyrillic, same_thing, score, stem
from importers.articles.text import name_tokens, split_sentences


@dataclass(frozen=True)
class NameCore:
    name: str
    core: frozenset[str]
    family: str | None


class KnownProjects:
    def __init__(self, index: NameIndex, countries: dict[str, Entity]) -> None:
        self.index = index
        self.finders = {lang: CandidateFinder(lang, None, countries=countries) for lang in ("en", "id", "ru")}
        self._names: dict[int, list[str]] | None = None
        self._by_stem: dict[str, set[int]] | None = None
        self._cores: dict[str, NameCore] = {}

    def _build(self) -> None:
        names: dict[int, list[str]] = {}
        for entries in self.index.by_first.values():
            for entry in entries:
                if entry.entity_type == "project":
                    names.setdefault(entry.entity_id, []).append(entry.name)
        by_stem: dict[str, set[int]] = {}
        for project_id, project_names in names.items():
            for name in project_names:
                for word in name_tokens(name):
                    by_stem.setdefault(stem(word), set()).add(project_id)
        self._names, self._by_stem = names, by_stem

    def name_core(self, name: str) -> NameCore:
        if name in self._cores:
            return self._cores[name]
        sentences = split_sentences(name)
        result = NameCore(name, frozenset(), None)
        if sentences:
            sentence = sentences[0]
            langs = ("ru",) if is_cyrillic(name) else ("en", "id")
            mentions, _amb = self.index.find([sentence], langs[0])
            mentioned = {k for m in mentions if m.entity.entity_type == "country" for k in range(m.first, m.last + 1)}
            for lang in langs:
                finder = self.finders[lang]
                span = next(iter(finder.spans(sentence)), None)
                if span is None:
                    continue
                core = finder.core(sentence, *span.run, mentioned)
                if not core:
                    location = finder._location(sentence, span.last)
                    if location:
                        core = finder.core(sentence, *location[1], mentioned)
                if not core:  # "China-Laos Railway": a line named by its countries, as a candidate would be
                    run = range(span.run[0], span.run[1] + 1)
                    named = [m for m in mentions if m.first in run or m.last in run]
                    core = frozenset(stem(c.name) for c in countries_naming(span, named))
                result = NameCore(name, core, family_of(span.entry))
                break
            else:
                finder = self.finders[langs[0]]
                result = NameCore(name, finder.core(sentence, 0, len(sentence.tokens) - 1, mentioned), None)
        self._cores[name] = result
        return result

    def match(self, candidate: Candidate) -> tuple[Entity, str] | None:
        """The known project a project candidate is, with the name that matched; None when none fits."""
        if candidate.section != "projects" or not candidate.core:
            return None
        if self._names is None:
            self._build()
        assert self._names is not None and self._by_stem is not None
        ids: set[int] = set()
        for word in candidate.core:
            ids |= self._by_stem.get(word, set())
        if candidate.fuzzy:
            for word in candidate.core:
                for known_stem, owners in self._by_stem.items():
                    if close(word, known_stem):
                        ids |= owners
        best: tuple[bool, float, Entity, str] | None = None
        written = [candidate.title, *(n for n, _l in candidate.names)]
        for project_id in ids:
            for name in self._names.get(project_id, []):
                known = self.name_core(name)
                if not families_agree(candidate.family, known.family):
                    continue
                if not same_thing(candidate.core, known.core, fuzzy=candidate.fuzzy):
                    continue
                # a name of the same family before a kindred one ("Jatigede hydropower plant" is the known plant
                # when there is one, else the known "Jatigede Dam")
                agree = candidate.family is None or known.family is None or candidate.family == known.family
                rank = (agree, max(score(w, name) for w in written))
                if best is None or rank > best[:2]:
                    best = (*rank, self.index.entities[("project", project_id)], name)
        return (best[2], best[3]) if best else None
