"""Our documented record layout: dicts (from YAML, JSON or mapped table rows) into typed records.

A bundle file holds sections, each a list of records, written in dependency order:

    sources:       [{key, kind, title, publisher, url, language, published_on, ...}]
    forums:        [{code, name, kind, acronym, founded_on, names: [...], codes: [...], cites: [...]}]
    organisations: [{code, name, acronym, kind, country, names, cites}]
    memberships:   [{forum, country, role, started_on, ended_on, note, cites}]
    projects:      [{code, title, ..., participants: [{country|organisation, role}], links, cites}]
    agreements:    [{code, title, kind, ..., parties: [{country|forum|organisation, role}], subjects, projects,
                     cites}]
    events:        [{code, kind, title, occurred_on, place_name, country, project, agreement, forum, description,
                     countries: [{country, role}], agreements: [CODE, ...], cites}]
    updates:       [{project|agreement|event: CODE, <the fields that change>, cites}]: what a source says about
                   records already in the database (a review file proposes them); the record must exist

The sections, their fields, converters, required fields, references and lists come from the declarations
in importers/entities.py; this module reads records in that layout. Dates are `2024-07-03`, `2024-07` or
`2024`; the precision is inferred unless `<name>_precision` is given. `cites` items are
`{source, locator, quote, field}` or just the source key. docs/formats.md describes every field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import fields as dataclass_fields
from typing import Any

from db import vocab
from db.models import Base, Project
from importers import fields as f
from importers.core import Problem, cut
from importers.documents import LINE_KEY
from importers.entities import CLEAR, LAYOUTS, ListField
from importers.records import RECORD_TYPES, Cite, Name, Participant

# The sections of a bundle in dependency order: every record layout of importers/entities.py, then
# `updates`, which holds records of the sections named in UPDATABLE for records that exist already
RECORD_SECTIONS = tuple(LAYOUTS)
SECTIONS = (*RECORD_SECTIONS, "updates")
UPDATABLE = {"project": "projects", "agreement": "agreements", "event": "events"}

Converter = Callable[[Any], Any]

# Derived from the declarations, per section: field -> converter, required fields, lists, defaults
SCALARS: dict[str, dict[str, Converter]] = {section: e.scalars for section, e in LAYOUTS.items()}
REQUIRED: dict[str, tuple[str, ...]] = {section: e.required for section, e in LAYOUTS.items()}
LISTS: dict[str, tuple[str, ...]] = {section: e.list_names for section, e in LAYOUTS.items()}
DEFAULTS: dict[str, dict[str, Any]] = {section: e.input_defaults for section, e in LAYOUTS.items()
                                        if e.input_defaults}
# Reference fields: the writer stores them as ids under another column name
_ID_COLUMNS: dict[str, dict[str, str]] = {section: e.references for section, e in LAYOUTS.items()}


# Per section, once: (field, converter, its precision field for dates or None)
_SCALAR_PLAN = {
    section: [(name, convert, name.replace("_on", "_precision") if name.endswith("_on") else None)
              for name, convert in converters.items()]
    for section, converters in SCALARS.items()
}
_ALLOWED = {section: frozenset(fl.name for fl in dataclass_fields(kind)) for section, kind in RECORD_TYPES.items()}


def known_fields(section: str) -> set[str]:
    names = set(SCALARS[section]) | set(LISTS[section])
    names |= {k.replace("_on", "_precision") for k in SCALARS[section] if k.endswith("_on")}
    return names


class _RowErrors:
    def __init__(self, file: str, line: int | None):
        self.file, self.line, self.problems = file, line, []

    def add(self, field: str | None, value: Any, expected: str) -> None:
        shown = value if not isinstance(value, dict | list) else None
        self.problems.append(Problem(self.file, self.line, field, shown, expected))


def _as_list(value: Any) -> list:
    if f.blank(value):
        return []
    return value if isinstance(value, list) else [value]


def _cites(raw: Any, err: _RowErrors) -> list[Cite]:
    out = []
    for item in _as_list(raw):
        if isinstance(item, str):
            out.append(Cite(f.reference(item) or ""))
        elif isinstance(item, dict) and f.text(item.get("source")):
            out.append(Cite(f.reference(item["source"]), f.text(item.get("locator")) or "",
                            f.text(item.get("quote")), f.text(item.get("field")) or ""))
        else:
            err.add("cites", item, "expected a source key, or {source, locator, quote, field}")
    return out


def _names(raw: Any, err: _RowErrors) -> list[Name]:
    out = []
    for item in _as_list(raw):
        if isinstance(item, str):
            out.append(Name(item.strip()))
        elif isinstance(item, dict) and f.text(item.get("name")):
            try:
                kind = f.choice(item.get("kind"), vocab.NAME_KINDS) or "common"
            except f.BadValue as exc:
                err.add("names.kind", item.get("kind"), exc.expected)
                continue
            out.append(Name(f.text(item["name"]), f.text(item.get("lang")) or "en", kind, f.text(item.get("note"))))
        else:
            err.add("names", item, "expected a name, or {name, lang, kind}")
    return out


def _pairs(raw: Any, err: _RowErrors, field: str, ref_keys: tuple[str, ...], default_role: str | None,
           roles: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """[(which ref key, ref, role)] from items like {country: China, role: financier} or 'China'."""
    out = []
    for item in _as_list(raw):
        if isinstance(item, str) and default_role:
            out.append((ref_keys[0], item.strip(), default_role))
            continue
        if not isinstance(item, dict):
            err.add(field, item, f"expected {{{' or '.join(ref_keys)}, role}}")
            continue
        which = None
        for k in ref_keys:
            if f.text(item.get(k)):
                which = k
                break
        if which is None:
            err.add(field, None, f"expected each item to name a {' or an '.join(ref_keys)}")
            continue
        try:
            role = f.choice(item.get("role"), roles) or default_role
        except f.BadValue as exc:
            err.add(f"{field}.role", item.get("role"), exc.expected)
            continue
        if role is None:
            err.add(f"{field}.role", None, f"expected a role: one of {', '.join(roles)}")
            continue
        out.append((which, f.text(item[which]), role))
    return out


def to_record(section: str, raw: dict[str, Any], file: str, line: int | None, *, update: bool = False,
              partial: bool = False) -> tuple[Any, list[Problem]]:
    """One dict of a section into its record; returns (record or None, problems). `update`: the record
    exists already (an item of `updates:`), so only its code is required. With `partial`, a dict with
    problems still gives a record of the values that converted (the others left at their defaults), whose
    references the writer can check (`Writer.check`) so that one run reports every problem of a row; such a
    record is never written."""
    err = _RowErrors(file, line)
    values: dict[str, Any] = {}
    defaults = DEFAULTS.get(section)
    if defaults or LINE_KEY in raw:
        data = {**(defaults or {}), **{k: v for k, v in raw.items() if k != LINE_KEY}}
    else:
        data = raw
    for name, convert, precision_name in _SCALAR_PLAN[section]:
        value = data.get(name)
        if value is None:  # absent: nothing to convert (the fast path for sparse rows)
            if precision_name:
                values[name] = None
                values[precision_name] = None
            continue
        if value == CLEAR and name not in REQUIRED[section]:  # "no value", stated on purpose
            values[name] = CLEAR
            if precision_name:
                values[precision_name] = None
            continue
        try:
            converted = convert(value)
        except f.BadValue as exc:
            err.add(name, value, exc.expected)
            continue
        if precision_name:
            day, precision = converted
            values[name] = day
            explicit = data.get(precision_name)
            if explicit is not None and day is not None:
                try:
                    precision = _explicit_precision(explicit, precision, value)
                except f.BadValue as exc:
                    err.add(precision_name, explicit, exc.expected)
            values[precision_name] = precision
        elif converted is not None:
            values[name] = converted
    for name in (("code",) if update else REQUIRED[section]):
        if values.get(name) is None and name not in err_fields(err):
            err.add(name, None, f"expected a value: {name} is required")
    for list_field in LAYOUTS[section].lists:
        try:
            values[list_field.name] = _read_list(list_field, data.get(list_field.name), err)
        except f.BadValue as exc:  # an item's field: too long, a list inside, a NUL character, ...
            err.add(list_field.name, None, exc.expected)
    if not err.problems:
        _check_items(values, err)
    if err.problems and not partial:
        return None, err.problems
    for name in LISTS[section]:  # a list with a bad item is not resolved as well: one problem is enough
        if name in values and any(p.field and p.field.split(".")[0] == name for p in err.problems):
            values[name] = []
    allowed = _ALLOWED[section]
    record = RECORD_TYPES[section](file=file, line=line, **{k: v for k, v in values.items() if k in allowed})
    return record, err.problems


def _read_list(lf: ListField, raw: Any, err: _RowErrors) -> list:
    """The items of one list of a record, read by the kind its declaration names."""
    name = lf.name
    if lf.kind == "cites":
        return _cites(raw, err)
    if lf.kind == "names":
        return _names(raw, err)
    if lf.kind == "codes":
        return [(f.text(i.get("scheme")), f.text(i.get("code"))) for i in _as_list(raw)
                if isinstance(i, dict) and f.text(i.get("scheme")) and f.text(i.get("code"))]
    if lf.kind == "identifiers":
        return _identifiers(raw, err)
    if lf.kind == "participants":
        out = []
        for which, ref, role in _pairs(raw, err, name, lf.refs, lf.default_role, lf.all_roles):
            if role not in lf.roles[which]:
                err.add(f"{name}.role", role, f"expected one of {', '.join(lf.roles[which])}")
            out.append(Participant(f.reference(ref) or ref, role, which == "organisation"))
        return out
    if lf.kind == "parties":  # a country by any spelling; a forum or an organisation as forum:CODE
        return [(ref if which == lf.refs[0] else f"{which}:{ref}", role)
                for which, ref, role in _pairs(raw, err, name, lf.refs, lf.default_role, lf.all_roles)]
    if lf.kind == "links":
        return [(_CODE(ref) or ref, role)
                for _which, ref, role in _pairs(raw, err, name, lf.refs, lf.default_role, lf.all_roles)]
    if lf.kind == "status_events":
        events = []
        for item in _as_list(raw):
            try:
                given = item.get("status") if isinstance(item, dict) else item
                status = f.choice(given, vocab.PROJECT_STATUSES)
                day, precision = f.date_with_precision(item.get("on") if isinstance(item, dict) else None)
            except f.BadValue as exc:
                err.add(name, item, exc.expected)
                continue
            events.append((status, day, precision))
        return events
    if lf.kind in ("texts", "codes_of"):
        convert = _CODE if lf.kind == "codes_of" else f.text
        return [c for x in _as_list(raw) if (c := convert(x))]
    raise ValueError(f"unknown kind of list {lf.kind!r} ({name})")


def _identifiers(raw: Any, err: _RowErrors) -> list[tuple[str, str]]:
    """`[{scheme: aiddata, value: 39556}]` (or the flat `aiddata:39556`) -> [("aiddata", "39556")]: schemes
    in lower case, values as written; one value per scheme."""
    out: dict[str, str] = {}
    for item in _as_list(raw):
        scheme = f.text(item.get("scheme")) if isinstance(item, dict) else None
        value = f.text(item.get("value")) if isinstance(item, dict) else None
        if not scheme or not value:
            err.add("identifiers", item, "expected items like aiddata:39556 (a scheme, then the value)")
            continue
        scheme = scheme.strip().lower()
        if scheme in out and out[scheme] != value:
            err.add("identifiers", value, f"one {scheme} identifier per record (also {out[scheme]!r})")
            continue
        out[scheme] = value
    return list(out.items())


_FINER = {"year": 0, "month": 1, "day": 2}


def _explicit_precision(explicit: Any, inferred: str | None, value: Any) -> str | None:
    """A precision given beside a date may be coarser than the date shows (2024-07-03 known to the
    year), never finer: '2024' does not know its day."""
    precision = f.choice(explicit, vocab.DATE_PRECISIONS)
    if precision and inferred and _FINER[precision] > _FINER[inferred]:
        raise f.BadValue(f"expected a precision no finer than the date ({value!s} gives the {inferred} only)")
    return precision


_CODE = f.code_of(Project.__table__.c.code.type.length)
_T = Base.metadata.tables


def _length(table: str, column: str) -> int:
    return _T[table].c[column].type.length


# What nested items are stored in, and how long each may be
_NAME, _LANG = _length("project_names", "name"), _length("project_names", "lang")
_NOTE = _length("project_names", "note")
_SOURCE_KEY, _LOCATOR, _CITED_FIELD = _length("sources", "key"), _length("citations", "locator"), \
    _length("citations", "field")
_SCHEME, _SCHEME_CODE = _length("forum_codes", "scheme"), _length("forum_codes", "code")
_ID_SCHEME, _ID_VALUE = _length("identifiers", "scheme"), _length("identifiers", "value")
_SUBJECT, _ORGANISATION = _length("agreement_subjects", "subject"), _length("organisations", "name")


def _check_items(values: dict[str, Any], err: _RowErrors) -> None:
    """The items of a record's lists against the columns that keep them."""
    checks: list[tuple[str, Any, int]] = []
    for n in values.get("names", ()):
        checks += [("names", n.name, _NAME), ("names.lang", n.lang, _LANG), ("names.note", n.note, _NOTE)]
    for c in values.get("cites", ()):
        checks += [("cites", c.source_key, _SOURCE_KEY), ("cites.locator", c.locator, _LOCATOR),
                   ("cites.field", c.field, _CITED_FIELD)]
    for scheme, code in values.get("codes", ()):
        checks += [("codes.scheme", scheme, _SCHEME), ("codes", code, _SCHEME_CODE)]
    for scheme, value in values.get("identifiers", ()):
        checks += [("identifiers.scheme", scheme, _ID_SCHEME), ("identifiers", value, _ID_VALUE)]
    checks += [("participants", p.ref, _ORGANISATION) for p in values.get("participants", ()) if p.is_organisation]
    checks += [("subjects", s, _SUBJECT) for s in values.get("subjects", ())]
    for field, value, length in checks:
        if value is not None and len(value) > length:
            err.add(field, value, f.too_long(length, len(value)))


def carried_fields(section: str, raw: dict[str, Any]) -> frozenset[str]:
    """The record fields a bundle record carries: the keys it names, a date's precision with the date,
    the resolved id column of a reference, organisations with participants."""
    names = {k for k in raw if k != LINE_KEY}
    carried = set(names)
    for name in names:
        if name.endswith("_on"):
            carried.add(name.replace("_on", "_precision"))
        if name in _ID_COLUMNS[section]:
            carried.add(_ID_COLUMNS[section][name])
    if "participants" in names:
        carried.add("organisations")
    return frozenset(carried)


def err_fields(err: _RowErrors) -> set[str]:
    return {p.field for p in err.problems if p.field}


def update_item(raw: dict[str, Any]) -> tuple[str, dict[str, Any]] | str:
    """An item of `updates:` as (the section of the record it changes, the record's dict with its `code`), or
    what is wrong with it."""
    named = [k for k in UPDATABLE if k in raw]
    if len(named) != 1:
        return f"expected exactly one of {', '.join(UPDATABLE)}: the code of the record to update"
    kind = named[0]
    data = {k: v for k, v in raw.items() if k != kind}
    if "code" in data:
        return f"expected the record's code under {kind!r} only (got a code too)"
    data["code"] = raw[kind]
    return UPDATABLE[kind], data


def unknown_fields(section: str, raw: dict[str, Any]) -> set[str]:
    return {k for k in raw if k != LINE_KEY} - known_fields(section)


def iter_sections(data: Any, file: str) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The sections of a parsed bundle in dependency order; raises on an unknown section."""
    from db.errors import UserError

    if not isinstance(data, dict):
        raise UserError(f"{file}: expected a mapping with sections such as {', '.join(SECTIONS)}")
    unknown = [k for k in data if k not in SECTIONS and k != LINE_KEY]
    if unknown:
        raise UserError(f"{file}: unknown section {cut(repr(unknown[0]))} (expected {', '.join(SECTIONS)})")
    for section in SECTIONS:
        items = data.get(section)
        if items is None:
            continue
        if not isinstance(items, list):
            raise UserError(f"{file}: section {section!r} must be a list of records")
        yield section, items
