"""`coopdb mapping draft FILE --entity E`: a first mapping file written from the file itself.

    text = draft_mapping(path, "agreements")      # YAML with comments, for a person to review

What it finds, from the first rows only (no database needed):
- the header row: the first row as wide as the table whose cells are all text, under any title block;
- our field for each column, by its name (exact, a known synonym, or a close spelling);
- numbered column groups (Party 1..Party N, c1..c91) as one wildcard;
- date formats from the values (one or several, tried in order), amounts "in millions";
- country columns from the values (names, alpha-2, alpha-3 or ISO numeric codes), organisation
  columns by name (agency, financier, investor), source columns from their URLs and "URL, type" cells;
- samples of every column as comments, and a code template when no column holds an id.
Columns it cannot place are listed under `ignore:` with their samples, to be reviewed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from db import vocab
from db.errors import UserError
from importers import fields as f
from importers.mapping import COUNTRY_FIELD
from importers.normalize import fold
from importers.readers import detect_encoding, detect_format, open_table

SAMPLE_ROWS = 200
HEAD_ROWS = 30
DATE_FORMATS = ("%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y",
                "%b %d, %Y", "%m-%Y", "%m/%Y", "%B %Y", "%b %Y", "%Y-%m-%d", "%Y-%m", "%Y")

# Our field <- names their columns often have (folded: lower case, punctuation as spaces)
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "projects": {
        "code": ("id", "code", "project id", "project code", "record id", "identifier", "no", "number"),
        "title": ("title", "name", "project", "project name", "project title"),
        "description": ("description", "details", "summary", "narrative", "project description"),
        "sector": ("sector", "sector name", "industry", "subsector"),
        "status": ("status", "stage", "project status"),
        "committed_on": ("commitment date", "date signed", "signed", "signing date", "date", "commitment year",
                         "year", "date of agreement"),
        "started_on": ("start date", "actual start date", "start", "construction start", "start actual",
                       "actual start"),
        "completed_on": ("completion date", "end date", "actual completion date", "completed", "end actual",
                         "actual end", "completion actual"),
        "amount": ("amount", "value", "quantity", "quantity in millions", "amount in millions", "loan amount",
                   "transaction amount", "amount original currency", "investment"),
        "currency": ("currency", "original currency"),
        "amount_usd_nominal": ("usd nominal", "amount usd nominal", "amount nominal usd"),
        "amount_usd_constant": ("usd constant", "amount constant usd", "usd defl", "amount usd defl"),
        "flow_type": ("flow type", "flow"),
        "location_name": ("location", "city", "place", "site"),
        "latitude": ("latitude", "lat"),
        "longitude": ("longitude", "lon", "lng", "long"),
        "capacity": ("capacity", "capacity mw"),
    },
    "agreements": {
        "code": ("id", "code", "no", "number", "treaty id", "agreement id", "record id"),
        "title": ("title", "short title", "name", "agreement", "treaty", "treaty name", "agreement name"),
        "description": ("full title", "description", "long title", "summary"),
        "kind": ("type", "kind", "type of agreement", "agreement type", "treaty type"),
        "status": ("status", "treaty status"),
        "signed_on": ("date of signature", "signature date", "signed", "date signed", "signature", "signing date",
                      "date"),
        "in_force_on": ("date of entry into force", "entry into force", "in force", "entry into force date",
                        "date in force"),
        "terminated_on": ("date of termination", "termination date", "terminated", "termination"),
    },
}
COUNTRY_ROLES = {
    "projects": (("host", ("host", "host country", "country", "location country")),
                 ("recipient", ("recipient", "recipient country", "recipient condensed", "beneficiary")),
                 ("financier", ("donor", "donor country", "lender country", "funder country")),
                 ("partner", ("partner", "partner country", "countries"))),
    "agreements": (("party", ("party", "parties", "country", "countries", "signatory", "signatories",
                              "contracting party", "partner")),),
}
ORGANISATION_ROLES = (
    ("funding_agency", ("funding agency", "funding agencies", "funder", "funding")),
    ("implementing_agency", ("implementing agency", "implementing agencies", "implementer")),
    ("receiving_agency", ("receiving agency", "receiving agencies", "recipient agency", "borrower")),
    ("accountable_agency", ("accountable agency",)),
    ("financier", ("financier", "investor", "lender", "creditor", "bank", "chinese entity", "investing entity")),
    ("builder", ("contractor", "builder", "constructor", "epc contractor")),
    ("operator", ("operator",)),
    ("partner", ("transaction party", "partner organisation", "counterpart")),
)
SOURCE_NAMES = ("source", "sources", "source url", "source urls", "url", "urls", "link", "links", "reference")
_NUMBERED = re.compile(r"^(.*?)[\s_#-]*(\d{1,3})$")
_URL = re.compile(r"^(https?://|www\.)\S+")
_MILLIONS = re.compile(r"\b(millions?|mn|mln|m)\b", re.I)
_BILLIONS = re.compile(r"\b(billions?|bn)\b", re.I)


def _key(name: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(name)).split())


# ---------------------------------------------------------------- reading the head of the file
def _head_rows(path: Path, kind: str, sheet: str | None) -> list[list[Any]]:
    """The first rows as lists of cells, without assuming where the header is."""
    if kind in ("csv", "tsv"):
        encoding, errors, _warning = detect_encoding(path)
        with open(path, encoding=encoding, errors=errors, newline="") as fh:
            lines = [fh.readline() for _ in range(HEAD_ROWS)]
        text = "".join(lines)
        delimiter = "\t" if kind == "tsv" else max((",", ";", "\t"), key=lambda d: max(
            (line.count(d) for line in lines if line), default=0))
        try:
            return [row for row in csv.reader(text.splitlines(), delimiter=delimiter)]
        except csv.Error as exc:
            raise UserError(f"{path.name}: cannot read the first lines as CSV ({exc})") from None
    if kind == "xlsx":
        from importers.workbooks import load_read_only

        book = load_read_only(path, data_only=True)
        ws = book[sheet] if sheet else book[book.sheetnames[0]]
        rows = [list(r) for _n, r in zip(range(HEAD_ROWS), ws.iter_rows(values_only=True), strict=False)]
        book.close()
        return rows
    return []


def find_header_row(rows: list[list[Any]]) -> int:
    """1-based: the first row as wide as the table (most non-blank cells) whose cells are all text and
    that a row of data follows."""
    def filled(row):
        return [c for c in row if not f.blank(c)]

    width = max((len(filled(r)) for r in rows), default=0)
    for i, row in enumerate(rows):
        cells = filled(row)
        if width and len(cells) >= max(2, 0.6 * width) and all(isinstance(c, str) and not _is_number(c)
                                                               for c in cells):
            following = rows[i + 1:i + 4]
            if any(len(filled(r)) >= 0.4 * len(cells) for r in following):
                return i + 1
    return 1


def _is_number(text: Any) -> bool:
    try:
        f.decimal(text)
        return True
    except f.BadValue:
        return False


# ---------------------------------------------------------------- looking at values
@cache
def _country_keys() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """(name keys, alpha-2, alpha-3, numeric) of the built-in reference: detection needs no database."""
    from importers.countries import build_reference
    from importers.resolve import name_key

    ref = build_reference()
    names = frozenset(name_key(n["name"]) for n in ref.names) | frozenset(
        name_key(c["name"]) for c in ref.countries)
    alpha2 = frozenset(c["alpha2"] for c in ref.countries if c["alpha2"])
    alpha3 = frozenset(c["alpha3"] for c in ref.countries if c["alpha3"]) | frozenset(
        c["code"] for c in ref.countries)
    numeric = frozenset(str(int(c["numeric"])) for c in ref.countries if c["numeric"])
    return names, alpha2, alpha3, numeric


def country_scheme(values: list[str]) -> str | None:
    """The scheme of a column of countries (names, alpha2, alpha3, numeric), or None when most values
    are not countries."""
    from importers.resolve import name_key

    names, alpha2, alpha3, numeric = _country_keys()
    values = [" ".join(str(v).split()) for v in values if not f.blank(v)]
    if not values:
        return None
    votes: Counter[str] = Counter()
    for v in values:
        if v.isdigit() and str(int(v)) in numeric:
            votes["numeric"] += 1
        elif len(v) == 2 and v.isupper() and v in alpha2:
            votes["alpha2"] += 1
        elif len(v) == 3 and v.isupper() and v in alpha3:
            votes["alpha3"] += 1
        elif name_key(v) in names or _variant_known(v, names):
            votes["names"] += 1
    if not votes or sum(votes.values()) < 0.6 * len(values):
        return None
    return votes.most_common(1)[0][0]


def _variant_known(text: str, names: frozenset[str]) -> bool:
    from importers.resolve import _variants, name_key

    return any(key in names for key, _how in _variants(text, name_key(text)))


def date_formats(values: list[Any]) -> list[str] | None:
    """The strptime formats that read the values, most used first; None when our own layout (2024-07-03,
    2024-07, 2024) already reads them all or when they are not dates."""
    texts = [str(v).strip() for v in values if not f.blank(v) and not isinstance(v, dt.date)]
    if not texts:
        return None
    ours = 0
    for t in texts:
        try:
            f.date_with_precision(t)
            ours += 1
        except f.BadValue:
            pass
    if ours == len(texts):
        return None
    reads = {fmt: {t for t in texts if _parses(t, fmt)} for fmt in DATE_FORMATS}
    chosen: list[str] = []
    left = set(texts)
    while left:
        fmt, got = max(reads.items(), key=lambda item: (len(item[1] & left), -DATE_FORMATS.index(item[0])))
        if not got & left:
            break
        chosen.append(fmt)
        left -= got
    if len(left) > 0.2 * len(texts) or not chosen:
        return None
    return chosen


def _parses(text: str, fmt: str) -> bool:
    try:
        dt.datetime.strptime(text, fmt)
        return True
    except ValueError:
        return False


# ---------------------------------------------------------------- the draft
class _Column:
    def __init__(self, name: str, values: list[Any]):
        self.name = name
        self.values = values
        self.filled = [v for v in values if not f.blank(v)]

    def samples(self, n: int = 3) -> str:
        seen = list(dict.fromkeys(" ".join(str(v).split()) for v in self.filled))[:n]
        shown = ", ".join(_short(s) for s in seen)
        return f"e.g. {shown}" if seen else "always blank in the first rows"


def _short(text: str, limit: int = 40) -> str:
    text = text if len(text) <= limit else text[:limit - 1] + "…"
    return json.dumps(text, ensure_ascii=not text.isprintable())  # YAML refuses control characters


def _q(text: str) -> str:
    """A YAML scalar: plain when safe, else double-quoted (JSON strings are YAML)."""
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9 _()./'-]*", text) and not text.endswith(" ") and text.lower() not in (
            "yes", "no", "true", "false", "null", "on", "off", "y", "n"):
        return text
    return json.dumps(text, ensure_ascii=not text.isprintable())


def _match(name: str, table: dict[str, tuple[str, ...]], taken: set[str]) -> str | None:
    key = re.sub(r" (19|20)\d\d$", "", _key(name))  # "usd defl 2014": the base year is not the name
    for field_name, names in table.items():
        if field_name not in taken and (key == field_name.replace("_", " ") or key in names):
            return field_name
    from rapidfuzz import fuzz, process

    choices = {f"{fld}|{n}": n for fld, names in table.items() if fld not in taken for n in names}
    best = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=88)
    return best[2].split("|")[0] if best else None


def _role(name: str, roles) -> str | None:
    key = _key(name)
    for role, names in roles:
        if key in names or any(key.startswith(n + " ") or key.endswith(" " + n) for n in names):
            return role
    return None


def draft_mapping(path: Path | str, entity: str, *, sheet: str | None = None, format: str | None = None) -> str:
    if entity not in ("projects", "agreements"):
        raise UserError(f"mapping draft writes mappings for projects or agreements (got {entity!r})")
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    kind = detect_format(path, format)
    header_row = find_header_row(_head_rows(path, kind, sheet))
    table = open_table(path, entity=entity, format=kind, sheet=sheet, header_row=header_row)
    rows = []
    for _line, row in table.rows():
        rows.append(row)
        if len(rows) >= SAMPLE_ROWS:
            break
    columns = [_Column(c, [r.get(c) for r in rows]) for c in table.columns]
    synonyms = SYNONYMS[entity]

    mapped: dict[str, str] = {}  # their column -> our field
    countries: dict[str, tuple[str, str]] = {}  # their column or pattern -> (role, scheme)
    organisations: dict[str, tuple[str, str | None, bool]] = {}
    sources: dict[str, tuple[str | None, dict[str, str]]] = {}
    dates: dict[str, list[str]] = {}
    transforms: dict[str, str] = {}
    ignore: dict[str, str] = {}
    taken: set[str] = set()
    notes: dict[str, str] = {}

    # numbered groups first: Party 1..Party N, c1..c91
    groups: dict[str, list[_Column]] = {}
    for col in columns:
        found = _NUMBERED.match(col.name)
        if found and found.group(1):
            groups.setdefault(found.group(1), []).append(col)
    grouped: set[str] = set()
    for prefix, members in groups.items():
        numbers = sorted(int(_NUMBERED.match(m.name).group(2)) for m in members)
        if len(members) < 2 or numbers[0] > 1:
            continue  # recipient_iso2 / recipient_iso3 are not a numbered list
        pattern = f"{prefix}*"
        values = [v for m in members for v in m.filled]
        scheme = country_scheme(values)
        grouped |= {m.name for m in members}
        sample = _Column(pattern, values)
        if scheme:
            role = _role(prefix, COUNTRY_ROLES[entity]) or COUNTRY_ROLES[entity][0][0]
            countries[pattern] = (role, scheme)
            notes[pattern] = f"{len(members)} columns; {sample.samples()}"
        else:
            ignore[pattern] = f"{len(members)} columns; {sample.samples()}"

    for col in columns:
        if col.name in grouped:
            continue
        key = _key(col.name)
        values = [str(v) for v in col.filled]
        if (values and sum(1 for v in values if _URL.match(v.strip())) >= 0.6 * len(values)) or (
                key in SOURCE_NAMES and values and any(_URL.match(v.strip()) for v in values)):
            separator = _separator(values)
            kinds = _source_kinds(values, separator)
            sources[col.name] = (separator, kinds)
            notes[col.name] = col.samples(2)
            continue
        scheme = country_scheme(values) if values else None
        role = _role(col.name, COUNTRY_ROLES[entity])
        if scheme and (role or not _match(col.name, synonyms, taken)):
            role = role or COUNTRY_ROLES[entity][0][0]
            same = next((c for c, (r, _s) in countries.items() if r == role), None)
            if same is not None:  # another spelling of the same countries (names, then codes)
                ignore[col.name] = f"countries again ({role}, like {same}); {col.samples()}"
                continue
            countries[col.name] = (role, scheme)
            notes[col.name] = col.samples()
            continue
        org_role = _role(col.name, ORGANISATION_ROLES) if entity == "projects" else None
        if org_role:
            separator = _separator(values)
            organisations[col.name] = (org_role, separator, _type_suffixed(values, separator))
            notes[col.name] = col.samples()
            continue
        target = _match(col.name, synonyms, taken)
        if target is None:
            ignore[col.name] = col.samples()
            continue
        taken.add(target)
        mapped[col.name] = target
        notes[col.name] = col.samples()
        if target.endswith("_on"):
            formats = date_formats(col.values)
            if formats:
                dates[target] = formats
        if target in ("title", "description", "name") and any(
                "\u00a0" in str(v) or "  " in str(v) or str(v) != str(v).strip() for v in col.filled):
            transforms[target] = "normalize_space"  # no-break or doubled spaces in the samples
        if target.startswith("amount") and target != "amount_year":
            if _BILLIONS.search(col.name):
                transforms[target] = "{scale: 1000000000}"
            elif _MILLIONS.search(col.name):
                transforms[target] = "{scale: 1000000}"
            elif any(re.search(r"\.\d{3,}$", str(v).strip()) for v in col.filled):
                transforms[target] = "{round: 2}"  # amounts keep 2 decimals

    # a date in separate Year and Month (and Day) columns: one template joins them
    parts = {_key(c.name): c.name for c in columns}
    year, month, day = parts.get("year"), parts.get("month"), parts.get("day")
    templates: dict[str, str] = {}
    if year and month:
        target = next((t for c, t in mapped.items() if c == year and t.endswith("_on")),
                      "signed_on" if entity == "agreements" else "committed_on")
        mapped.pop(year, None)
        notes.pop(year, None)
        joined = f"{{{year}}} {{{month}}}" + (f" {{{day}}}" if day else "")
        templates[target] = joined
        dates[target] = ["%Y %B %d", "%Y %m %d", "%Y %B", "%Y %m", "%Y"] if day else ["%Y %B", "%Y %b", "%Y %m", "%Y"]
        for name in (year, month, day):
            ignore.pop(name, None) if name else None
        taken.add(target)

    lines = [f"# Drafted by `coopdb mapping draft {path.name} --entity {entity}` from the file's first "
             f"{len(rows)} rows.",
             "# Review every line (docs/formats.md describes each key), then try it:",
             f"#   coopdb import {entity} {path.name} --mapping THIS.yml --dry-run",
             f"entity: {entity}"]
    if header_row != 1:
        lines.append(f"header_row: {header_row}  # the rows above are a title block")
    if kind in ("csv", "tsv") and detect_encoding(path)[0] == "cp1252":
        lines.append("encoding: cp1252  # not UTF-8: read as Windows-1252")
    id_column = next((c for c, t in mapped.items() if t == "code"), None)
    mapped.pop(id_column, None)
    if mapped:
        lines.append("columns:")
        lines += [f"  {_q(c)}: {t}  # {notes[c]}" for c, t in mapped.items()]
    # the code and the identifier: their id column, else the row number, under a scheme named after the file
    prefix = re.sub(r"[^A-Z0-9]+", "-", fold(path.stem).upper()).strip("-") or "ROW"
    scheme = prefix.lower()[:64]
    if id_column is not None:
        lines.append(f'code: "{prefix}-{{{id_column}}}"  # their id, with a prefix of this list\'s own')
        lines.append(f"identifiers: {{{scheme}: {_q(id_column)}}}  # finds the record again by their id; keeps "
                     "another list's same numbers apart (docs/provenance.md)")
    else:
        lines.append(f'code: "{prefix}-{{row}}"  # no id column: rows are numbered (keep the file in the same '
                     "order)")
        lines.append(f"identifiers: {{{scheme}: row}}  # the row number as this list's identifier")
    if templates:
        lines.append("templates:")
    lines += [f"  {t}: {json.dumps(v, ensure_ascii=False)}  # the date from separate columns"
              for t, v in templates.items()]
    if "title" not in taken and entity in ("projects", "agreements"):
        lines.append("# title: no column looks like one; add a templates: title: \"...\" or a columns: entry")
    if transforms:
        lines.append("transforms:")
        for t, step in transforms.items():
            why = ("no-break or doubled spaces in the values" if step == "normalize_space" else
                   "more decimals than an amount keeps (2)" if step.startswith("{round") else
                   f"the column is in {'billions' if '1000000000' in step else 'millions'}")
            lines.append(f"  {t}: [{step}]  # {why}")
    if dates:
        lines.append("dates:")
        lines += [f"  {t}: [{', '.join(json.dumps(x) for x in fmts)}]" for t, fmts in dates.items()]
    for field_name, allowed in (("status", _status_vocab(entity)), ("kind", _kind_vocab(entity))):
        column = next((c for c, t in mapped.items() if t == field_name), None)
        if column and allowed:
            seen = list(dict.fromkeys(" ".join(str(v).split()) for v in next(
                col for col in columns if col.name == column).filled))
            odd = [v for v in seen if fold(v).replace(" ", "_") not in allowed][:12]
            if odd:
                lines.append("lookups:") if not any(x.startswith("lookups:") for x in lines) else None
                lines.append(f"  {field_name}:  # their value: one of {', '.join(allowed)}")
                lines += [f"    {_q(v)}: {_guess(v, allowed)}" for v in odd]
    if countries:
        lines.append("countries:  # " + ("parties" if entity == "agreements" else "participants"))
        for c, (role, scheme) in countries.items():
            spec = f"{{role: {role}, scheme: {scheme}}}"
            lines.append(f"  {_q(c)}: {spec}  # {notes[c]}")
    if organisations:
        lines.append("organisations:")
        for c, (role, separator, typed) in organisations.items():
            options = [f"role: {role}"] + ([f"split: {json.dumps(separator)}"] if separator else []) + (
                ["strip_type: true"] if typed else [])
            spec = role if len(options) == 1 else "{" + ", ".join(options) + "}"
            lines.append(f"  {_q(c)}: {spec}  # {notes[c]}")
    if sources:
        lines.append("sources:")
        for c, (separator, kinds) in sources.items():
            lines.append(f"  {_q(c)}:  # {notes[c]}")
            if separator:
                lines.append(f"    split: {json.dumps(separator)}")
            if kinds:
                lines.append("    kinds: {" + ", ".join(f"{_q(k)}: {v}" for k, v in kinds.items()) + "}")
    if ignore:
        lines.append("ignore:  # not matched to a field: map the ones you need")
        lines += [f"  - {_q(c)}  # {s}" for c, s in ignore.items()]
    _check_yaml(lines)
    return "\n".join(lines) + "\n"


def _check_yaml(lines: list[str]) -> None:
    import yaml

    yaml.safe_load("\n".join(lines))  # a draft that is not valid YAML is a bug here, not the user's


def _separator(values: list[str]) -> str | None:
    for sep in ("|", ";"):
        if sum(1 for v in values if sep in v) >= max(1, 0.1 * len(values)):
            return sep
    return None


_KIND_WORDS = (("media", "news_article"), ("news", "news_article"), ("press", "news_article"),
               ("government", "official_document"), ("official", "official_document"), ("academic", "academic"),
               ("journal", "academic"), ("dataset", "dataset"), ("data", "dataset"))


def _source_kinds(values: list[str], separator: str | None) -> dict[str, str]:
    from importers.mapping import split_source_item

    kinds: dict[str, str] = {}
    for value in values:
        for item in value.split(separator) if separator else [value]:
            url, kind_text = split_source_item(item)
            if url and kind_text:
                kind_text = re.sub(r"\s*\(.*\)\s*$", "", kind_text)
                words = set(_key(kind_text).split())
                guess = next((k for w, k in _KIND_WORDS if w in words), "other")
                kinds.setdefault(kind_text, guess)
    return dict(list(kinds.items())[:12])


def _type_suffixed(values: list[str], separator: str | None) -> bool:
    """True when most items end with ', <Type>' from a few repeated types ('…, Government Agency')."""
    items = [i.strip() for v in values for i in (v.split(separator) if separator else [v]) if i.strip()]
    tails = [i.rsplit(", ", 1)[1] for i in items if ", " in i]
    if len(tails) < max(2, 0.6 * len(items)):
        return False
    common = Counter(tails).most_common(8)
    return sum(n for _t, n in common) >= 0.8 * len(tails) and len(set(tails)) <= max(8, len(tails) // 4)


def _status_vocab(entity: str) -> tuple[str, ...]:
    return vocab.PROJECT_STATUSES if entity == "projects" else vocab.AGREEMENT_STATUSES


def _kind_vocab(entity: str) -> tuple[str, ...] | None:
    return vocab.AGREEMENT_KINDS if entity == "agreements" else None


# Their words for our values that spelling alone does not reach (treaty lists, project databases)
VALUE_WORDS = {
    "bit": "treaty", "tip": "treaty", "fta": "treaty", "epa": "treaty", "dtt": "treaty", "treaty": "treaty",
    "mou": "memorandum", "memorandum of understanding": "memorandum", "loan": "loan_agreement",
    "in force": "in_force", "signed not in force": "signed", "terminated": "terminated",
    "pipeline commitment": "agreed", "pipeline pledge": "pledged", "implementation": "under_construction",
    "completion": "completed", "completed": "completed", "suspended": "suspended", "cancelled": "cancelled",
}


def _guess(value: str, allowed: tuple[str, ...]) -> str:
    from rapidfuzz import fuzz, process

    folded = _key(value)
    if VALUE_WORDS.get(folded) in allowed:
        return VALUE_WORDS[folded]
    for word in allowed:
        if word.replace("_", " ") in folded:
            return word
    best = process.extractOne(folded, allowed, scorer=fuzz.ratio, score_cutoff=80)
    return best[0] if best else "null  # ?"


__all__ = ["COUNTRY_FIELD", "country_scheme", "date_formats", "draft_mapping", "find_header_row"]
