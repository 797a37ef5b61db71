"""Turning names and codes that sources use into database ids.

`CountryResolver` is the one way importers resolve a country. It never guesses: a name resolves
only when it is a code or exactly (after folding) one known name or alias; a name shared by several
countries is an ambiguity; anything else is unknown, with suggestions that are never applied.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from db.models import Country, CountryCode, CountryName
from importers.normalize import fold


@dataclass(frozen=True)
class Resolution:
    text: str
    status: str  # "match", "ambiguous" or "unknown"
    country_id: int | None = None
    code: str | None = None
    name: str | None = None
    how: str | None = None  # e.g. "alpha3", "name:en", "alias:id", "cow_ccode"
    candidates: tuple[tuple[str, str], ...] = ()  # (code, name) when ambiguous
    suggestions: tuple[tuple[str, str], ...] = ()  # (code, name) "did you mean", never applied

    @property
    def ok(self) -> bool:
        return self.status == "match"


@dataclass
class CountryResolver:
    countries: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (code, name)
    by_code: dict[str, tuple[int, str]] = field(default_factory=dict)  # CODE -> (id, how)
    by_name: dict[str, dict[int, str]] = field(default_factory=lambda: defaultdict(dict))  # folded -> {id: how}

    @classmethod
    def load(cls, conn: Connection) -> CountryResolver:
        resolver = cls()
        for row in conn.execute(select(Country.id, Country.code, Country.alpha2, Country.alpha3, Country.name)):
            resolver.countries[row.id] = (row.code, row.name)
            for how, value in (("code", row.code), ("alpha2", row.alpha2), ("alpha3", row.alpha3)):
                if value:
                    resolver.by_code.setdefault(value.upper(), (row.id, how))
            resolver.by_name[fold(row.name)].setdefault(row.id, "name:en")
        for row in conn.execute(select(CountryName.country_id, CountryName.normalized, CountryName.kind,
                                       CountryName.lang)):
            how = f"{'name' if row.kind in ('short', 'official', 'common') else 'alias'}:{row.lang}"
            resolver.by_name[row.normalized].setdefault(row.country_id, how)
        for row in conn.execute(select(CountryCode.country_id, CountryCode.scheme, CountryCode.code)):
            resolver.by_code.setdefault(f"{row.scheme}:{row.code}".upper(), (row.country_id, row.scheme))
        return resolver

    def _match(self, country_id: int, text: str, how: str) -> Resolution:
        code, name = self.countries[country_id]
        return Resolution(text, "match", country_id, code, name, how)

    def resolve(self, text: str, lang: str | None = None) -> Resolution:
        stripped = text.strip()
        if not stripped:
            return Resolution(text, "unknown")
        hit = self.by_code.get(stripped.upper()) if stripped.isascii() and stripped.isupper() else None
        if hit:
            return self._match(hit[0], text, hit[1])
        found = self.by_name.get(fold(stripped), {})
        if len(found) == 1:
            (country_id, how), = found.items()
            return self._match(country_id, text, how)
        if len(found) > 1:
            candidates = tuple(sorted(self.countries[i] for i in found))
            return Resolution(text, "ambiguous", candidates=candidates)
        return Resolution(text, "unknown")

    def resolve_code(self, scheme: str, code: str) -> Resolution:
        """A code of another scheme (cow_ccode, cow_abbrev, fips, ...)."""
        hit = self.by_code.get(f"{scheme}:{code}".upper())
        return self._match(hit[0], code, scheme) if hit else Resolution(code, "unknown")
