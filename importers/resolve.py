"""Turning names and codes that sources use into database ids.

`CountryResolver` is the one way importers resolve a country. It never guesses: a name resolves
only when it is a code or, after folding, exactly one known name or alias; a name shared by several
countries, or listed as ambiguous in importers/data/country_aliases.yml, is an ambiguity; anything
else is unknown, with fuzzy suggestions (rapidfuzz) that are never applied.

Rules, in order (see docs/countries.md):
1. `dataset=KEY`: the data set's own spellings (country_codes scheme KEY_name) win, because inside
   one data set a name can be unambiguous ("Korea" in COW is the Korea of 1887-1905).
2. An upper-case ASCII text that is a coopdb code, ISO alpha-2, alpha-3 or ISO 3166-3 four-letter code
   (SUHH, YUCS), the old alpha-2 of a former state (SU, YU, DD; CS is Czechoslovakia or Serbia and
   Montenegro: ambiguous), or one to three digits: an ISO 3166-1 numeric code ("4", "398").
   A column declared as one scheme (`resolve_as`) takes only that scheme: `names` takes no codes,
   `alpha2`/`alpha3`/`numeric`/`iso3166_3` only those codes.
3. The curated ambiguous names ("Congo", "Korea", "Guinea", "Sudan", "Macedonia", ...) and the
   known non-countries ("Africa, regional", "Georgia (US state)").
4. Names and aliases by their key (see `name_key`); with `lang`, names in that language (and
   language-neutral aliases) are preferred when the key is shared across languages.
5. A name, code or acronym of a known forum or bloc (EU, ASEAN) is not a country: it comes back
   unknown with `how="forum"` and the forum's code, so that parties can take it as a forum. An
   upper-case acronym of a forum that is also an alpha-2 code ("EC") is ambiguous unless the column
   is declared as codes.
Results are cached per (text, lang, dataset): a million-row import resolves each spelling once.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from db.errors import DatabaseError
from db.models import Country, CountryCode, CountryName, Forum, ForumName
from importers.normalize import fold

_PAREN = re.compile(r"^(.*?)\s*\((.*)\)\s*$")
_STOP = frozenset({"the", "of", "and"})
_ABBREV = {"rep": "republic", "dem": "democratic", "fed": "federal", "st": "saint", "ste": "sainte",
           "is": "islands", "isl": "islands", "federative": "federal", "pdr": "people s democratic republic"}
_CACHE_LIMIT = 200_000
SCHEMES = ("auto", "names", "codes", "alpha2", "alpha3", "numeric", "iso3166_3")
_NUMERIC = re.compile(r"^\d{1,3}$")


def name_key(text: str) -> str:
    """The matching key of a country name: fold, invert "X, Y" and "X (Y)", expand "Rep."/"Dem."/
    "St.", drop "the", "of", "and", "&".

    'Korea, Republic of', 'Republic of Korea' and 'the Republic of Korea' share one key;
    'Congo, Dem. Rep.' and 'Democratic Republic of the Congo' share another.
    """
    text = " ".join(text.split())
    match = _PAREN.match(text)
    if match and match.group(2):
        text = f"{match.group(1)}, {match.group(2)}"
    if text.count(",") == 1:
        head, tail = (part.strip() for part in text.split(","))
        text = f"{tail} {head}"
    words = fold(text.replace("&", " and ")).split()
    out: list[str] = []
    for word in words:
        if word in _STOP:
            continue
        out.extend(_ABBREV.get(word, word).split())
    return " ".join(out)


def _variants(text: str, key: str):
    """Other keys a spelling may stand for: an inversion without its comma ("Korea Republic of" is
    "Republic of Korea", "Congo Democratic Republic of the"), and the "(former)" / "Former ..." forms
    of a dissolved state ("USSR (former)", "Former Yugoslavia")."""
    words = text.replace(",", " ").split()
    lowered = [w.lower() for w in words]
    tail = 2 if lowered[-2:] == ["of", "the"] else 1 if lowered[-1:] == ["of"] else 0
    if tail and "," not in text and len(words) > tail + 1:
        for split in range(1, len(words) - tail):
            yield name_key(" ".join(words[split:] + words[:split])), "inverted"
    for prefix in ("former ", "ex "):
        if key.startswith(prefix):
            yield key.removeprefix(prefix), "former"


@dataclass(frozen=True)
class Resolution:
    text: str
    status: str  # "match", "ambiguous" or "unknown"
    country_id: int | None = None
    code: str | None = None
    name: str | None = None
    how: str | None = None  # e.g. "alpha3", "name:en", "alias:id", "cow_ccode", "dataset:cow", "not_a_country"
    candidates: tuple[tuple[str, str], ...] = ()  # (code, name) when ambiguous
    note: str | None = None  # why ambiguous, or what a known non-country is
    # How to compute the suggestions of an unknown name, called only when someone reads them: an importer
    # asks about many names that are not countries (agency names in AidData) and shows none of them.
    suggest_from: Callable[[], tuple[tuple[str, str], ...]] | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == "match"

    @functools.cached_property
    def suggestions(self) -> tuple[tuple[str, str], ...]:
        """(code, name) "did you mean" candidates of an unknown name, never applied; computed on first use."""
        return self.suggest_from() if self.suggest_from is not None else ()


@dataclass
class CountryResolver:
    countries: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (code, name)
    by_code: dict[str, tuple[int, str]] = field(default_factory=dict)  # CODE or SCHEME:CODE -> (id, how)
    # name key -> {country id: {lang: how}}
    by_name: dict[str, dict[int, dict[str, str]]] = field(default_factory=lambda: defaultdict(dict))
    ambiguous: dict[str, tuple[tuple[int, ...], str]] = field(default_factory=dict)  # key -> (ids, note)
    not_countries: dict[str, str] = field(default_factory=dict)  # key -> note
    exact: set[str] = field(default_factory=set)  # fold() of every stored name, as written
    ambiguous_codes: dict[str, tuple[int, ...]] = field(default_factory=dict)  # CS -> (CSHH, CSXX)
    forums: dict[str, tuple[str, str]] = field(default_factory=dict)  # name key or CODE -> (code, name)
    _cache: dict[tuple[str, str | None, str | None], Resolution] = field(default_factory=dict, repr=False)
    _choices: list[str] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, conn: Connection) -> CountryResolver:
        resolver = cls()
        code_ids: dict[str, int] = {}
        current: list[int] = []
        for row in conn.execute(
            select(Country.id, Country.code, Country.alpha2, Country.alpha3, Country.name, Country.kind)
        ):
            resolver.countries[row.id] = (row.code, row.name)
            if row.kind != "former":
                current.append(row.id)
            code_ids[row.code] = row.id
            for how, value in (("code", row.code), ("alpha2", row.alpha2), ("alpha3", row.alpha3)):
                if value:
                    resolver.by_code.setdefault(value.upper(), (row.id, how))
        for row in conn.execute(select(CountryName.country_id, CountryName.name, CountryName.kind,
                                       CountryName.lang, CountryName.normalized)):
            how = f"{'name' if row.kind in ('short', 'official', 'common') else row.kind}:{row.lang}"
            resolver._add_name(row.country_id, row.name, row.lang, how, row.normalized)
        for country_id in current:  # the short English name always names a current country
            resolver._add_name(country_id, resolver.countries[country_id][1], "en", "name:en")
        for row in conn.execute(select(Country.id, Country.numeric).order_by(Country.id)):
            if row.numeric:  # ISO 3166-1 rows come first: a current country keeps its number
                resolver.by_code.setdefault(f"NUMERIC:{int(row.numeric):03d}", (row.id, "numeric"))
        old_alpha2: dict[str, list[int]] = defaultdict(list)
        for row in conn.execute(select(CountryCode.country_id, CountryCode.scheme, CountryCode.code)):
            resolver.by_code.setdefault(f"{row.scheme}:{row.code}".upper(), (row.country_id, row.scheme))
            if row.scheme == "iso3166_3":
                resolver.by_code.setdefault(row.code.upper(), (row.country_id, "iso3166_3"))
                old_alpha2[row.code[:2].upper()].append(row.country_id)
        for code, ids in old_alpha2.items():  # SUHH -> SU: the alpha-2 the former state had
            if code in resolver.by_code:
                continue  # reassigned to a current country (AI, GE, SK, BQ)
            if len(ids) == 1:
                resolver.by_code[code] = (ids[0], "iso3166_3_alpha2")
            else:
                resolver.ambiguous_codes[code] = tuple(ids)
        resolver._load_curated(code_ids)
        resolver._load_forums(conn)
        return resolver

    @classmethod
    def load_required(cls, conn: Connection) -> CountryResolver:
        """`load`, or a DatabaseError (exit 4) saying what to run when the country reference is empty."""
        resolver = cls.load(conn)
        if not resolver.countries:
            raise DatabaseError("the database has no countries to resolve names against: run "
                                "`coopdb import countries` first (or `coopdb quickstart`)")
        return resolver

    def _load_forums(self, conn: Connection) -> None:
        names: dict[int, tuple[str, str]] = {}
        for row in conn.execute(select(Forum.id, Forum.code, Forum.name, Forum.acronym)):
            names[row.id] = (row.code, row.name)
            for text in (row.code, row.acronym):
                if text:
                    self.forums.setdefault(text.strip().upper(), (row.code, row.name))
            self.forums.setdefault(name_key(row.name), (row.code, row.name))
        for row in conn.execute(select(ForumName.forum_id, ForumName.name)):
            self.forums.setdefault(name_key(row.name), names[row.forum_id])

    def _add_name(self, country_id: int, name: str, lang: str, how: str, folded: str | None = None) -> None:
        """`folded`: fold(name) where the database keeps it (country_names.normalized)."""
        key = name_key(name)
        self.exact.add(folded or fold(name))
        if key:
            self.by_name[key].setdefault(country_id, {}).setdefault(lang, how)

    def _load_curated(self, code_ids: dict[str, int]) -> None:
        from importers.countries import aliases_data

        data = aliases_data()
        for entry in data["ambiguous"]:
            ids = tuple(code_ids[c] for c in entry["candidates"] if c in code_ids)
            self.ambiguous[name_key(entry["name"])] = (ids, entry["note"])
        for group in data["not_countries"]:
            for name in group["names"]:
                self.not_countries[name_key(name)] = group["note"]

    def _match(self, country_id: int, text: str, how: str) -> Resolution:
        code, name = self.countries[country_id]
        return Resolution(text, "match", country_id, code, name, how)

    def _candidates(self, ids) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self.countries[i] for i in ids))

    def resolve(self, text: str, lang: str | None = None, *, dataset: str | None = None) -> Resolution:
        """Resolve a country name or code; `lang` prefers names in that language, `dataset` tries
        that data set's own spellings first (cow, aiddata, iigo)."""
        cache_key = (text, lang, dataset)
        hit = self._cache.get(cache_key)
        if hit is None:
            hit = self._resolve(text, lang, dataset)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[cache_key] = hit
        return hit

    def resolve_as(self, text: str, scheme: str | None = None, lang: str | None = None, *,
                   dataset: str | None = None) -> Resolution:
        """Resolve `text` as a column declared to hold one scheme (see SCHEMES): `names` takes names
        only (so "EC" is not Ecuador), a code scheme takes only its codes."""
        if scheme in (None, "auto"):
            return self.resolve(text, lang, dataset=dataset)
        if scheme == "names":
            cache_key = (text, lang, f"{dataset}#names")
            hit = self._cache.get(cache_key)
            if hit is None:
                hit = self._cache[cache_key] = self._resolve(text, lang, dataset, codes=False)
            return hit
        if scheme not in SCHEMES:
            raise ValueError(f"unknown country code scheme {scheme!r}")
        cache_key = (text, scheme, "#code")
        hit = self._cache.get(cache_key)
        if hit is None:
            hit = self._cache[cache_key] = self._resolve_code(" ".join(str(text).split()).upper(), text, scheme)
        return hit

    def _resolve_code(self, code: str, text: str, scheme: str) -> Resolution:
        found, how = None, None
        if _NUMERIC.match(code) and scheme in ("numeric", "codes"):
            found = self.by_code.get(f"NUMERIC:{int(code):03d}")
        elif code.isascii() and code.isalpha() and scheme != "numeric":
            hit = self.by_code.get(code)
            wanted = {"alpha2": ("alpha2", "iso3166_3_alpha2"), "alpha3": ("alpha3", "code"),
                      "iso3166_3": ("iso3166_3",)}.get(scheme)
            if hit and (wanted is None or hit[1] in wanted):
                found = hit
            elif code in self.ambiguous_codes and scheme in ("alpha2", "codes"):
                return Resolution(text, "ambiguous", candidates=self._candidates(self.ambiguous_codes[code]),
                                  note="the old alpha-2 code of several former states")
        if found:
            how = found[1]
            return self._match(found[0], text, how)
        forum = self.forums.get(code)
        if forum:
            return Resolution(text, "unknown", code=forum[0], name=forum[1], how="forum",
                              note=f"not a country: forum {forum[0]}")
        return Resolution(text, "unknown")

    def _resolve(self, text: str, lang: str | None, dataset: str | None, codes: bool = True) -> Resolution:
        stripped = " ".join(text.split())
        if not stripped:
            return Resolution(text, "unknown")
        if dataset:
            found = self.by_code.get(f"{dataset}_name:{fold(stripped)}".upper())
            if found:
                return self._match(found[0], text, f"dataset:{dataset}")
        if codes and stripped.isascii() and (stripped.isupper() or _NUMERIC.match(stripped)):
            found = self._resolve_code(stripped, text, "codes")
            if found.ok and found.how in ("alpha2", "iso3166_3_alpha2") and stripped in self.forums:
                forum = self.forums[stripped]
                return Resolution(text, "ambiguous", candidates=((found.code, found.name),),
                                  note=f"the alpha-2 code of {found.name}, or forum {forum[0]} "
                                       f"({forum[1]}); declare the column's scheme")
            if found.ok or found.status == "ambiguous":
                return found
        forum = self.forums.get(stripped) if stripped.isascii() and stripped.isupper() else None
        if forum:  # an acronym in capitals: GUAM is the GUAM organisation, not the island
            return Resolution(text, "unknown", code=forum[0], name=forum[1], how="forum",
                              note=f"not a country: forum {forum[0]}")
        key = name_key(stripped)
        if key in self.ambiguous:
            ids, note = self.ambiguous[key]
            return Resolution(text, "ambiguous", candidates=self._candidates(ids), note=note)
        if key in self.not_countries:
            return Resolution(text, "unknown", how="not_a_country", note=self.not_countries[key])
        found_names = self.by_name.get(key)
        if not found_names and key in self.forums:
            code, name = self.forums[key]
            return Resolution(text, "unknown", code=code, name=name, how="forum", note=f"not a country: forum {code}")
        if found_names and stripped.count(",") == 1 and fold(stripped) not in self.exact:
            # "Montenegro, Serbia" is a list of two countries, not "Serbia and Montenegro" inverted.
            head, tail = (self.resolve(part.strip(), lang, dataset=dataset) for part in stripped.split(","))
            if tail.ok:
                ids = {i for i in found_names} | {r.country_id for r in (head, tail) if r.ok}
                return Resolution(text, "ambiguous", candidates=self._candidates(ids),
                                  note="looks like a list of countries; split it first")
        if found_names:
            if lang and len(found_names) > 1:
                preferred = {i: langs for i, langs in found_names.items() if lang in langs or "und" in langs}
                found_names = preferred or found_names
            if len(found_names) == 1:
                ((country_id, langs),) = found_names.items()
                how = langs.get(lang) if lang in langs else next(iter(langs.values()))
                return self._match(country_id, text, how)
            return Resolution(text, "ambiguous", candidates=self._candidates(found_names),
                              note="this name belongs to several countries")
        for variant, how in _variants(stripped, key):
            found_names = self.by_name.get(variant)
            if found_names and len(found_names) == 1 and variant not in self.ambiguous:
                return self._match(next(iter(found_names)), text, how)
        return Resolution(text, "unknown", suggest_from=functools.partial(self.suggest, stripped))

    def suggest(self, text: str, limit: int = 3) -> tuple[tuple[str, str], ...]:
        """'Did you mean' candidates by fuzzy similarity: for people to read, never applied."""
        from rapidfuzz import fuzz, process

        if self._choices is None:
            self._choices = list(self.by_name)
        key = name_key(text)
        if not key:
            return ()
        out: list[tuple[str, str]] = []
        for choice, _score, _index in process.extract(key, self._choices, scorer=fuzz.WRatio, limit=limit * 3,
                                                      score_cutoff=80):
            for country_id in self.by_name[choice]:
                candidate = self.countries[country_id]
                if candidate not in out:
                    out.append(candidate)
        return tuple(out[:limit])

    def resolve_code(self, scheme: str, code: str) -> Resolution:
        """A code of another scheme (cow_ccode, cow_abbrev, cow_igo_column, iso3166_3, ...); remembered, as a
        data set gives the same few hundred codes on every row."""
        cache_key = (code, scheme, "#other")
        found = self._cache.get(cache_key)
        if found is None:
            hit = self.by_code.get(f"{scheme}:{str(code).strip()}".upper())
            found = self._cache[cache_key] = self._match(hit[0], code, scheme) if hit else Resolution(code, "unknown")
        return found

    def resolve_list(self, text: str, sep: str = ",", *, lang: str | None = None,
                     dataset: str | None = None) -> list[Resolution]:
        """Split a multi-country cell whose names may themselves hold the separator
        ("Congo, Dem. Rep., Africa, regional, Kenya"): at each place the longest run of parts that
        is a known name (or known non-country) is taken, otherwise one part."""
        parts = [p.strip() for p in text.split(sep)]
        out: list[Resolution] = []
        i = 0
        while i < len(parts):
            if not parts[i]:
                i += 1
                continue
            taken = None
            # Join parts i..j-1 only while the later parts are qualifiers ("Dem. Rep.", "regional"),
            # never countries of their own ("Montenegro, Serbia" is two countries).
            stop = i + 1
            while stop < min(len(parts), i + 4):
                alone = self.resolve(parts[stop], lang, dataset=dataset)
                if alone.ok or alone.status == "ambiguous" or alone.how == "not_a_country":
                    break
                stop += 1
            for j in range(stop, i + 1, -1):
                joined = f"{sep} ".join(parts[i:j]) if sep == "," else sep.join(parts[i:j])
                res = self.resolve(joined, lang, dataset=dataset)
                if res.ok or res.how == "not_a_country":
                    taken = (res, j)
                    break
            if taken is None:
                taken = (self.resolve(parts[i], lang, dataset=dataset), i + 1)
            out.append(taken[0])
            i = taken[1]
        return out
