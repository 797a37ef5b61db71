"""The built-in country reference: `coopdb import countries`.

Sources, all offline and shipped with the installed libraries or with this package:
- pycountry: ISO 3166-1 codes and names, ISO 3166-3 former countries with their withdrawal dates;
- Babel (CLDR): country names in the languages of LANGUAGES;
- hdx-python-country (use_live=False): UN M49 region, sub-region and intermediate region,
  centroids, independence, and names in the six UN languages;
- importers/data/historical_states.yml: entities outside ISO (Kosovo, COW historical states) with
  private codes, and names of ISO 3166-3 rows;
- importers/data/cow_states.csv: Correlates of War state numbers, abbreviations and IGO columns;
- importers/data/country_aliases.yml: curated spellings (see docs/countries.md).

The reference is built once per process (it is static) and written with `db.upsert.upsert`, so a
second import reports 0 inserted and 0 updated.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any

import pycountry
import yaml
from babel import Locale
from sqlalchemy import Engine

from db.models import Country, CountryCode, CountryName
from db.upsert import upsert
from db.vocab import NAME_KINDS
from importers.core import ImportReport, import_run
from importers.normalize import fold

# CLDR locales whose country names are loaded (BCP 47 tags, stored in country_names.lang).
LANGUAGES = ("en", "id", "ms", "ru", "kk", "zh", "ar", "fr", "es", "de", "pt", "tr", "ja", "ko", "fa",
             "uz", "hi")
# hdx-python-country name columns: the six UN languages.
_HDX_LANGS = {"English": "en", "French": "fr", "Spanish": "es", "Russian": "ru", "Chinese": "zh",
              "Arabic": "ar"}
_NAME_MAX = 300


def _data_text(name: str) -> str:
    return resources.files("importers").joinpath("data", name).read_text(encoding="utf-8")


@functools.cache
def aliases_data() -> dict[str, Any]:
    """The curated alias file (importers/data/country_aliases.yml), parsed once."""
    return yaml.safe_load(_data_text("country_aliases.yml"))


@functools.cache
def historical_data() -> dict[str, Any]:
    return yaml.safe_load(_data_text("historical_states.yml"))


@functools.cache
def cow_states() -> list[dict[str, str]]:
    """COW state system codes: ccode, abbrev, igo_column, country (the coopdb code)."""
    return list(csv.DictReader(_data_text("cow_states.csv").splitlines()))


@dataclass
class Reference:
    countries: list[dict[str, Any]] = field(default_factory=list)
    names: list[dict[str, Any]] = field(default_factory=list)  # with "code" instead of country_id
    codes: list[dict[str, Any]] = field(default_factory=list)  # with "country" instead of country_id

    @property
    def languages(self) -> list[str]:
        return sorted({n["lang"] for n in self.names})


def _date(value: Any, *, end: bool = False) -> dt.date | None:
    """ISO dates as given; a bare year (ISO 3166-3 gives some) becomes its last day when `end`."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if len(text) == 4:
        return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
    return dt.date.fromisoformat(text)


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value)).quantize(Decimal("0.000001"))


def _hdx_rows() -> dict[str, dict[str, Any]]:
    from hdx.location.country import Country as HdxCountry

    HdxCountry.countriesdata(use_live=False)
    return {iso3: HdxCountry.get_country_info_from_iso3(iso3) or {} for iso3 in HdxCountry._countriesdata["countries"]}


def _region_fields(info: dict[str, Any]) -> dict[str, Any]:
    return {
        "region_code": info.get("Region Code") or None,
        "region": info.get("Region Name") or None,
        "subregion_code": info.get("Sub-region Code") or None,
        "subregion": info.get("Sub-region Name") or None,
        "intermediate_region_code": info.get("Intermediate Region Code") or None,
        "intermediate_region": info.get("Intermediate Region Name") or None,
    }


def _display_name(cldr: str | None, info: dict[str, Any], iso: Any) -> str:
    """CLDR's English name, unless it carries a qualifier ('Congo - Kinshasa', 'Myanmar (Burma)')."""
    if cldr and " - " not in cldr and "(" not in cldr:
        return cldr
    return info.get("Preferred Term") or getattr(iso, "common_name", None) or iso.name


class _Names:
    """Collects names, first spelling wins per (country, lang, name)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add(self, code: str, lang: str, name: str | None, kind: str, note: str | None = None) -> None:
        if not name:
            return
        name = " ".join(str(name).split())
        if not name or len(name) > _NAME_MAX or not fold(name):
            return
        assert kind in NAME_KINDS, kind
        self.rows.setdefault((code, lang, name), {"code": code, "lang": lang, "name": name, "kind": kind,
                                                  "normalized": fold(name), "note": note})


@functools.cache
def build_reference() -> Reference:
    """Every country, name and code of the built-in reference (static; built once per process)."""
    ref = Reference()
    names = _Names()
    hdx = _hdx_rows()
    locales = {lang: Locale.parse(lang).territories for lang in LANGUAGES}

    def cldr_names(code: str, alpha2: str) -> None:
        for lang, territories in locales.items():
            names.add(code, lang, territories.get(alpha2), "short", "CLDR")

    # ISO 3166-1
    for c in pycountry.countries:
        info = hdx.get(c.alpha_3, {})
        official = getattr(c, "official_name", None) or (info.get("English Formal") or "").removeprefix("the ")
        ref.countries.append({
            "code": c.alpha_3, "alpha2": c.alpha_2, "alpha3": c.alpha_3, "numeric": c.numeric,
            "name": _display_name(locales["en"].get(c.alpha_2), info, c),
            "official_name": official or None,
            "kind": "territory" if info.get("Independent") == "N" else "sovereign",
            **_region_fields(info),
            "latitude": _decimal(info.get("Latitude")), "longitude": _decimal(info.get("Longitude")),
            "valid_from": None, "valid_to": None,
        })
        names.add(c.alpha_3, "en", c.name, "short", "ISO 3166-1")
        names.add(c.alpha_3, "en", official, "official", "ISO 3166-1")
        names.add(c.alpha_3, "en", getattr(c, "common_name", None), "common", "ISO 3166-1")
        cldr_names(c.alpha_3, c.alpha_2)
        for column, lang in _HDX_LANGS.items():
            names.add(c.alpha_3, lang, info.get(f"{column} Short"), "short", "UN M49 / UNTERM")
            names.add(c.alpha_3, lang, info.get(f"M49 {column}"), "short", "UN M49")
        for column in ("Preferred Term", "ISO Alt Term", "DGACM Alt Term", "HPC Tools Alt Term", "RW Short Name"):
            names.add(c.alpha_3, "en", info.get(column), "alias", "UN OCHA country list")

    taken = {c.alpha_3 for c in pycountry.countries}
    hist = historical_data()

    # ISO 3166-3 former countries: their own rows.
    renamed: dict[str, str] = {}
    for h in pycountry.historic_countries:
        code = h.alpha_3 if h.alpha_3 not in taken else h.alpha_4
        extra = hist["iso3166_3"].get(h.alpha_3, {})
        taken.add(code)
        ref.countries.append({
            "code": code, "alpha2": None, "alpha3": None, "numeric": getattr(h, "numeric", None),
            # A renamed state's bare former name belongs to its continuation: this row keeps ISO's name.
            "name": h.name if extra.get("renamed_to") else extra.get("name") or h.name,
            "official_name": h.name, "kind": "former",
            **_region_fields({}), "latitude": None, "longitude": None,
            "valid_from": None, "valid_to": _date(getattr(h, "withdrawal_date", None), end=True),
        })
        if extra.get("renamed_to"):
            if h.name != extra["name"]:
                names.add(code, "en", h.name, "official", "ISO 3166-3")
            renamed[extra["name"]] = extra["renamed_to"]
        else:
            names.add(code, "en", h.name, "official", "ISO 3166-3")
            names.add(code, "en", extra.get("name"), "short", "ISO 3166-3")
        for lang, spellings in (extra.get("names") or {}).items():
            for spelling in spellings:
                names.add(code, lang, spelling, "former" if lang == "en" else "short", "historical name")
        ref.codes.append({"country": code, "scheme": "iso3166_3", "code": h.alpha_4})

    # Entities outside ISO (Kosovo) and historical states with private codes.
    by_code = {row["code"]: row for row in ref.countries}
    for p in hist["private"]:
        like = by_code[p["like"]]
        row = {
            "code": p["code"], "alpha2": p.get("alpha2"), "alpha3": p.get("alpha3"), "numeric": None,
            "name": p["name"], "official_name": p.get("official"), "kind": p["kind"],
            **{k: like[k] for k in ("region_code", "region", "subregion_code", "subregion")},
            "intermediate_region_code": None, "intermediate_region": None,
            "latitude": _decimal(p.get("latitude")), "longitude": _decimal(p.get("longitude")),
            "valid_from": _date(p.get("valid_from")), "valid_to": _date(p.get("valid_to"), end=True),
        }
        ref.countries.append(row)
        by_code[row["code"]] = row
        names.add(p["code"], "en", p["name"], "short", "coopdb historical states")
        names.add(p["code"], "en", p.get("official"), "official", "coopdb historical states")
        if p.get("alpha2"):
            cldr_names(p["code"], p["alpha2"])
        for lang, spellings in (p.get("names") or {}).items():
            for spelling in spellings:
                names.add(p["code"], lang, spelling, "common", "coopdb historical states")

    # Curated aliases.
    for former, successor in renamed.items():
        names.add(successor, "en", former, "former", "former name of the same state (ISO 3166-3 rename)")
    for group in aliases_data()["aliases"]:
        for code, spellings in group["names"].items():
            if code not in by_code:
                raise ValueError(f"country_aliases.yml: unknown country code {code!r}")
            for spelling in spellings:
                names.add(code, group["lang"], spelling, group["kind"], group["note"])

    # Codes of other schemes.
    for s in cow_states():
        ref.codes.append({"country": s["country"], "scheme": "cow_ccode", "code": s["ccode"]})
        ref.codes.append({"country": s["country"], "scheme": "cow_abbrev", "code": s["abbrev"]})
        ref.codes.append({"country": s["country"], "scheme": "cow_igo_column", "code": s["igo_column"]})
    for dataset, spellings in aliases_data()["datasets"].items():
        seen: set[str] = set()
        for spelling, code in spellings.items():
            key = fold(spelling)
            if key not in seen:
                seen.add(key)
                ref.codes.append({"country": code, "scheme": f"{dataset}_name", "code": key})
    for c in ref.codes:
        if c["country"] not in by_code:
            raise ValueError(f"country code {c['country']!r} in scheme {c['scheme']} is not in the reference")

    ref.names = list(names.rows.values())
    return ref


def import_countries(engine: Engine, *, dry_run: bool = False) -> ImportReport:
    """Load the built-in country reference (idempotent): countries, names and codes."""
    options = {"languages": list(LANGUAGES)}
    with import_run(engine, "countries", options=options, dry_run=dry_run) as run:
        ref = build_reference()  # inside the run: its seconds are the whole step's
        run.report.read = len(ref.countries) + len(ref.names) + len(ref.codes)
        result = upsert(run.conn, Country.__table__, ref.countries, ["code"], run_id=run.run_id, dry_run=dry_run)
        run.report.add(result, "countries")
        ids = {key[0]: row_id for key, row_id in result.ids.items()}
        # In a dry run new countries have no id yet: stand-ins that match no existing row.
        missing = (code for code in (r["code"] for r in ref.countries) if code not in ids)
        for n, code in enumerate(missing, start=1):
            ids[code] = -n
        name_rows = [{"country_id": ids[n["code"]], **{k: v for k, v in n.items() if k != "code"}}
                     for n in ref.names]
        result = upsert(run.conn, CountryName.__table__, name_rows, ["country_id", "lang", "name"],
                        run_id=run.run_id, dry_run=dry_run)
        run.report.add(result, "country_names")
        code_rows = [{"country_id": ids[c["country"]], "scheme": c["scheme"], "code": c["code"]} for c in ref.codes]
        result = upsert(run.conn, CountryCode.__table__, code_rows, ["scheme", "code"],
                        run_id=run.run_id, dry_run=dry_run)
        run.report.add(result, "country_codes")
    return run.report


def list_countries(engine: Engine, *, region: str | None = None, lang: str | None = None,
                   kind: str | None = None) -> list[dict[str, Any]]:
    """Countries as dicts, ordered by code; `region` matches a UN M49 region, sub-region or
    intermediate region by name (case-insensitive) or code; `lang` adds `name_<lang>`."""
    from sqlalchemy import func, or_, select

    t = Country.__table__
    query = select(t.c.id, t.c.code, t.c.alpha2, t.c.alpha3, t.c.numeric, t.c.name, t.c.official_name, t.c.kind,
                   t.c.region, t.c.subregion, t.c.intermediate_region, t.c.valid_to).order_by(t.c.code)
    if kind:
        query = query.where(t.c.kind == kind)
    if region:
        wanted = region.strip().lower()
        query = query.where(or_(*(func.lower(col) == wanted for col in (
            t.c.region, t.c.subregion, t.c.intermediate_region, t.c.region_code, t.c.subregion_code,
            t.c.intermediate_region_code))))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
        if lang:
            local: dict[int, str] = {}
            names = select(CountryName.country_id, CountryName.name, CountryName.kind).where(
                CountryName.lang == lang).order_by(CountryName.id)
            rank = {"short": 0, "common": 1, "official": 2}
            best: dict[int, int] = {}
            for r in conn.execute(names):
                score = rank.get(r.kind, 3)
                if r.country_id not in best or score < best[r.country_id]:
                    best[r.country_id], local[r.country_id] = score, r.name
            for row in rows:
                row[f"name_{lang}"] = local.get(row["id"])
    if region and not rows:
        from db.errors import UserError

        raise UserError(f"no countries in region {region!r}: give a UN M49 region, sub-region or intermediate "
                        "region by name or code, e.g. Asia, 'Central Asia' or 143")
    for row in rows:
        row.pop("id")
    return rows
