"""Mapping files: import someone else's spreadsheet into our flat layout without writing code.

    # theirs.yml
    entity: projects                 # optional; checked against the command
    columns:                         # their column: our field (columns not listed keep their name)
      Project ID: code
      Name: title
      Status: status
      Date signed: committed_on
    constants:                       # our field: value, for every row
      currency: USD
    lookups:                         # our field: {their value: our value}
      status: {Completed: completed, In progress: under_construction}
    split:                           # our multi-valued field: their separator (ours is |)
      sources: ";"
    dates:                           # our field: strptime format of their dates
      committed_on: "%d/%m/%Y"
    countries:                       # their columns naming countries, with the role they play
      Recipient: host                #   (projects: participants, agreements: parties)
      Funder: financier
    ignore: [Notes, Internal id]     # their columns to leave out without a warning

The result of a mapped row is a flat row of our layout (importers/tabular.py), validated like any other.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from db.errors import UserError
from importers import fields as f
from importers.documents import load_document
from importers.tabular import SEPARATOR, known_columns, split_items

_KEYS = ("entity", "columns", "constants", "lookups", "split", "dates", "countries", "ignore")
COUNTRY_FIELD = {"projects": "participants", "agreements": "parties"}


@dataclass
class Mapping:
    name: str
    entity: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    lookups: dict[str, dict[str, Any]] = field(default_factory=dict)
    split: dict[str, str] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)
    ignore: set[str] = field(default_factory=set)

    def check(self, entity: str) -> None:
        if self.entity and self.entity != entity:
            raise UserError(f"{self.name}: this mapping is for {self.entity}, not {entity}")
        known = known_columns(entity)
        targets = {*self.columns.values(), *self.constants, *self.lookups, *self.split, *self.dates}
        unknown = sorted(t for t in targets if t not in known)
        if unknown:
            raise UserError(f"{self.name}: {unknown[0]!r} is not a field of {entity} "
                            f"(expected one of {', '.join(sorted(known))})")
        if self.countries and entity not in COUNTRY_FIELD:
            raise UserError(f"{self.name}: countries: applies to projects and agreements only")

    def used_columns(self) -> set[str]:
        return set(self.columns) | set(self.countries) | self.ignore

    def apply(self, row: dict[str, Any], entity: str, problem) -> dict[str, Any]:
        """Their row into a flat row of our layout; `problem(field, value, expected)` for bad values."""
        out: dict[str, Any] = {}
        for column, value in row.items():
            if column in self.ignore or column in self.countries:
                continue
            out[self.columns.get(column, column)] = value
        for name, value in self.constants.items():
            if f.blank(out.get(name)):
                out[name] = value
        for name, table in self.lookups.items():
            value = out.get(name)
            if not f.blank(value):
                key = str(value).strip()
                out[name] = table.get(key, table.get(key.lower(), value))
        for name, separator in self.split.items():
            value = out.get(name)
            if isinstance(value, str):
                out[name] = SEPARATOR.join(split_items(value, separator))
        for name, fmt in self.dates.items():
            value = out.get(name)
            try:
                day, precision = f.date_in_format(value, fmt)
            except f.BadValue as exc:
                problem(name, value, exc.expected)
                out[name] = None
                continue
            out[name] = None if day is None else _iso(day, precision)
        if self.countries:
            target = COUNTRY_FIELD[entity]
            items = split_items(out.get(target))
            for column, role in self.countries.items():
                for country in split_items(row.get(column), self.split.get(target, SEPARATOR)):
                    items.append(f"{role}:{country}")
            out[target] = SEPARATOR.join(str(i) for i in items)
        return out


def _iso(day: dt.date, precision: str | None) -> str:
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


_DIRECTIVE = re.compile(r"%(.)")
_DATE_DIRECTIVES = frozenset("dmyYbBjaAU%WwuV")


def _check_date_format(file: str, name: str, fmt: str | None) -> None:
    """A strptime format of dates: its directives must be date directives, with a year in it."""
    used = _DIRECTIVE.findall(fmt or "")
    unknown = sorted({d for d in used if d not in _DATE_DIRECTIVES})
    if not fmt or unknown or not ({"Y", "y"} & set(used)):
        problem = f"%{unknown[0]} is not a date directive" if unknown else "it names no year (%Y or %y)"
        raise UserError(f"{file}: dates.{name}: {fmt!r} is not a date format ({problem}); use strftime codes "
                        "such as %d/%m/%Y")
    example = dt.date(2024, 7, 3).strftime(fmt)
    try:
        dt.datetime.strptime(example, fmt)
    except ValueError:
        raise UserError(f"{file}: dates.{name}: {fmt!r} is not a date format that reads its own dates "
                        f"({example!r}); use strftime codes such as %d/%m/%Y") from None


def load_mapping(path: Path | str) -> Mapping:
    path = Path(path)
    data = load_document(path, lines=False, what="YAML")  # every value as the text it was written as
    if not isinstance(data, dict):
        raise UserError(f"{path.name}: expected a mapping with keys such as {', '.join(_KEYS)}")
    unknown = [k for k in data if k not in _KEYS]
    if unknown:
        raise UserError(f"{path.name}: unknown key {unknown[0]!r} (expected {', '.join(_KEYS)})")
    for key in ("columns", "constants", "lookups", "split", "dates", "countries"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            raise UserError(f"{path.name}: {key} must be a mapping")
    lookups = {}
    for name, table in (data.get("lookups") or {}).items():
        if not isinstance(table, dict):
            raise UserError(f"{path.name}: lookups.{name} must map their values to ours")
        lookups[name] = {str(k).strip(): v for k, v in table.items()}
        lookups[name].update({str(k).strip().lower(): v for k, v in table.items()})
    for key in ("columns", "constants", "split", "dates", "countries"):
        for name, value in (data.get(key) or {}).items():
            if isinstance(value, dict | list):
                raise UserError(f"{path.name}: {key}.{name} must be a single value, not a list or a mapping")
    for name, separator in (data.get("split") or {}).items():
        if not separator:
            raise UserError(f"{path.name}: split.{name} is empty; give the separator their cells use, "
                            "such as ';'")
    for name, fmt in (data.get("dates") or {}).items():
        _check_date_format(path.name, name, fmt)
    return Mapping(
        name=path.name,
        entity=data.get("entity"),
        columns={str(k): str(v) for k, v in (data.get("columns") or {}).items()},
        constants=dict(data.get("constants") or {}),
        lookups=lookups,
        split={str(k): str(v) for k, v in (data.get("split") or {}).items()},
        dates={str(k): str(v) for k, v in (data.get("dates") or {}).items()},
        countries={str(k): str(v) for k, v in (data.get("countries") or {}).items()},
        ignore={str(c) for c in (data.get("ignore") or [])},
    )
