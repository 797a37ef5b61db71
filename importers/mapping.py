"""Mapping files: import someone else's spreadsheet into our flat layout without writing code.

A mapping file is YAML, validated at load by the pydantic models below (a misspelt key or a value of
the wrong type is an error naming the file and the key). Every key is documented with an example in
docs/formats.md; in short:

    entity: agreements              # optional; checked against the command
    header_row: 6                   # line (sheet row) of the header; the title block above is skipped
    encoding: cp1252                # CSV encoding, when detection is not enough
    columns: {No.: code, Title: [title, description]}   # their column: our field (or several fields)
    code: "UNCTAD-IIA-{No.}"        # the code, from their columns ({row}: the data row's number)
    identifiers: {unctad-iia: No.}  # scheme: their column (or row): the record's identifier in that scheme
    templates: {title: "{Short title} ({Year})"}   # other fields built from their columns
    transforms: {amount: [{scale: 1000000}], title: [normalize_space]}
    lookups: {status: {Done: completed}, parties: {E.U.: EU}}
    dates: {signed_on: ["%d/%m/%Y", "%m-%Y"]}             # formats tried in order
    derive: {status: [{when: in_force_on, value: in_force}]}
    constants: {currency: USD, usd_base_year: {value: 2017, when: amount_usd_constant}}
    split: {sources: ";"}
    countries: {"Party *": party, Host: {role: host, scheme: alpha3, split: ","}}
    aliases: {Korea Rep: KOR}
    organisations: {Funder: {role: financier, split: ";"}}
    sources: {Source: {split: ";", kinds: {Government Source: official_document}}}
    ignore: ["c*", Notes]

The result of a mapped row is a flat row of our layout (importers/tabular.py), validated like any other;
the organisations and sources a row names are collected for the import to create.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from db import vocab
from db.errors import UserError
from importers import fields as f
from importers.documents import load_document
from importers.entities import LAYOUTS
from importers.records import SourceRecord
from importers.resolve import SCHEMES
from importers.tabular import SEPARATOR, known_columns, split_items


def _cells_of(item: str) -> dict[str, Any]:
    """Section -> its flat cell whose items name a record of this kind (a country, an organisation)."""
    return {section: cell for section, entity in LAYOUTS.items() for lf in entity.lists for cell in lf.flat
            if cell.item == item}


# The flat column (and list) a mapping's country and organisation columns fill, per section that has one
COUNTRY_CELL, ORGANISATION_CELL = _cells_of("country"), _cells_of("organisation")
COUNTRY_FIELD = {section: cell.column for section, cell in COUNTRY_CELL.items()}


def _and(names: Any) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
_FIELD_REF = re.compile(r"\{([^{}:]+)(?::([^{}]*))?\}")
_NUMBERED = re.compile(r"(?:^|\s|[;,|])\(?\d{1,3}[.)]\s+")
_SCHEME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
_SPACE = re.compile(r"[\s\u00a0\u2007\u202f\u200b\ufeff]+")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- transforms
NAMED_TRANSFORMS = ("strip", "normalize_space", "upper", "lower", "title", "fix_mojibake", "split_numbered",
                    "strip_numbering")


class Scale(_Strict):
    scale: Decimal = Field(description="multiply the number (USD millions: 1000000)")


class Round(_Strict):
    round: int = Field(ge=0, le=6, description="round the number to this many decimals (half away from zero)")


class Regex(_Strict):
    regex: str = Field(description="keep what the pattern matches (its first group when it has one)")

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression ({exc})") from None
        return value


class Remove(_Strict):
    remove: str = Field(description="delete what the pattern matches")

    _compiles = field_validator("remove")(Regex._compiles.__func__)


class Replace(_Strict):
    replace: dict[str, str]


class Split(_Strict):
    split: str = Field(description="their separator: the cell becomes a list")


_STEPS = {"scale": Scale, "round": Round, "regex": Regex, "remove": Remove, "replace": Replace, "split": Split}


def parse_transform(step: Any) -> Any:
    """One step of a `transforms` list: a name (strip, normalize_space, ...) or {scale|regex|remove|
    replace|split: ...}."""
    if isinstance(step, str):
        if step not in NAMED_TRANSFORMS:
            raise ValueError(f"unknown transform {step!r} (expected one of {', '.join(NAMED_TRANSFORMS)}, "
                             f"or {{{' | '.join(_STEPS)}: ...}})")
        return step
    if isinstance(step, dict) and len(step) == 1 and next(iter(step)) in _STEPS:
        return _STEPS[next(iter(step))].model_validate(step)
    shown = next(iter(step)) if isinstance(step, dict) and step else step
    raise ValueError(f"unknown transform {shown!r} (expected one of {', '.join(NAMED_TRANSFORMS)}, "
                     f"or one of {', '.join(f'{{{k}: ...}}' for k in _STEPS)})")


_MOJIBAKE = re.compile(r"[\u00c2-\u00f4][^\x00-\x7f]{1,3}")


def fix_mojibake(text: str) -> str:
    """'CÃ´te dâ€™Ivoire' -> "Côte d’Ivoire": UTF-8 bytes once read as Windows-1252, undone sequence by
    sequence where they round-trip (the rest of the text is left as it is)."""
    def one(match: re.Match) -> str:
        chunk = match.group(0)
        for end in range(len(chunk), 1, -1):
            try:
                return chunk[:end].encode("cp1252").decode("utf-8") + chunk[end:]
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
        return chunk

    return _MOJIBAKE.sub(one, text)


def split_numbered(text: str) -> list[str]:
    """'1. China 2. Kazakhstan' or '1) China; 2) Kazakhstan' -> ['China', 'Kazakhstan']."""
    parts = _NUMBERED.split(text)
    return [p.strip(" ;,|\t") for p in parts if p.strip(" ;,|\t")]


def normalize_space(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def apply_transform(step: Any, value: Any) -> Any:
    if f.blank(value):
        return value
    if isinstance(value, list):
        if isinstance(step, Split) or step == "split_numbered":
            return [item for v in value for item in _as_items(apply_transform(step, v))]
        return [apply_transform(step, v) for v in value]
    if isinstance(step, Scale):
        number = f.decimal(value)
        return None if number is None else format((number * step.scale).normalize(), "f")
    if isinstance(step, Round):
        number = f.decimal(value)
        if number is None:
            return None
        return format(number.quantize(Decimal(1).scaleb(-step.round), rounding=ROUND_HALF_UP), "f")
    text = value if isinstance(value, str) else f.text(value)
    if isinstance(step, Regex):
        found = re.search(step.regex, text)
        if found is None:
            return None
        return found.group(1) if found.re.groups else found.group(0)
    if isinstance(step, Remove):
        return re.sub(step.remove, "", text).strip()
    if isinstance(step, Replace):
        for old, new in step.replace.items():
            text = text.replace(old, new)
        return text
    if isinstance(step, Split):
        return [part.strip() for part in text.split(step.split) if part.strip()]
    if step == "strip":
        return text.strip()
    if step == "normalize_space":
        return normalize_space(text)
    if step == "upper":
        return text.upper()
    if step == "lower":
        return text.lower()
    if step == "title":
        return text.title()
    if step == "fix_mojibake":
        return fix_mojibake(text)
    if step == "split_numbered":
        return split_numbered(text)
    if step == "strip_numbering":
        return re.sub(r"^\(?\d{1,3}[.)]\s+", "", text.strip())
    raise AssertionError(step)


def _as_items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# ---------------------------------------------------------------- sections
class Conditional(_Strict):
    value: Any
    when: str = Field(description="our field that must have a value for the constant to apply")


class Rule(_Strict):
    when: str = Field(description="our field (or their column) that must have a value")
    matches: str | None = Field(None, description="a pattern its value must match")
    value: Any


class CountryColumn(_Strict):
    role: str
    scheme: Literal[SCHEMES] = "auto"  # type: ignore[valid-type]
    split: str | None = None
    numbered: bool = False


class OrganisationColumn(_Strict):
    role: str
    split: str | None = None
    numbered: bool = False
    strip_type: bool = Field(False, description="'Export-Import Bank of China, Government Agency': drop the "
                                                "type after the last comma")


class SourceColumn(_Strict):
    split: str | None = None
    kind: Literal[vocab.SOURCE_KINDS] = "web_page"  # type: ignore[valid-type]
    kinds: dict[str, Literal[vocab.SOURCE_KINDS]] = Field(default_factory=dict)  # type: ignore[valid-type]
    title: str | None = Field(None, description="a template for the source's title, e.g. '{Donor} report'")


def _role_of(value: Any) -> Any:
    return {"role": value} if isinstance(value, str) else value


class MappingModel(_Strict):
    entity: Literal[tuple(LAYOUTS)] | None = None  # type: ignore[valid-type]
    header_row: int = Field(1, ge=1)
    skip_rows: int = Field(0, ge=0, description="rows above the header (header_row = skip_rows + 1)")
    encoding: str | None = None
    dataset: str | None = None
    columns: dict[str, str | list[str]] = Field(default_factory=dict)
    templates: dict[str, str] = Field(default_factory=dict)
    transforms: dict[str, list[Any]] = Field(default_factory=dict)
    constants: dict[str, Conditional | Any] = Field(default_factory=dict)
    lookups: dict[str, dict[str, Any]] = Field(default_factory=dict)
    split: dict[str, str] = Field(default_factory=dict)
    dates: dict[str, str | list[str]] = Field(default_factory=dict)
    derive: dict[str, list[Rule]] = Field(default_factory=dict)
    countries: dict[str, CountryColumn] = Field(default_factory=dict)
    aliases: dict[str, str] = Field(default_factory=dict)
    organisations: dict[str, OrganisationColumn] = Field(default_factory=dict)
    sources: dict[str, SourceColumn] = Field(default_factory=dict)
    ignore: list[str] = Field(default_factory=list)
    code: str | None = Field(None, description='a template for the code: "UNCTAD-IIA-{id}", "TRACKER-{row}"')
    identifiers: dict[str, str] = Field(default_factory=dict)  # scheme -> their column, `row`, or a template

    @field_validator("identifiers", mode="before")
    @classmethod
    def _schemes(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for scheme, column in value.items():
            scheme = str(scheme).strip().lower()
            if not _SCHEME.fullmatch(scheme):
                raise ValueError(f"{scheme!r} is not an identifier scheme (expected a short name such as aiddata "
                                 "or unctad-iia: letters, digits, '-', '_' or '.')")
            if not isinstance(column, str) or not column.strip():
                raise ValueError(f"{scheme}: expected their column (or row, or a template like '{{Year}}-{{No}}')")
            out[scheme] = column
        return out

    @field_validator("countries", "organisations", mode="before")
    @classmethod
    def _roles(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): _role_of(v) for k, v in value.items()}
        return value

    @field_validator("sources", mode="before")
    @classmethod
    def _source_columns(cls, value: Any) -> Any:
        if isinstance(value, list):
            return {str(k): {} for k in value}
        if isinstance(value, dict):
            return {str(k): v or {} for k, v in value.items()}
        return value

    @field_validator("columns", "lookups", "aliases", "templates", mode="before")
    @classmethod
    def _string_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items()}
        return value

    @field_validator("transforms", mode="before")
    @classmethod
    def _steps(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for name, steps in value.items():
            steps = steps if isinstance(steps, list) else [steps]
            for i, step in enumerate(steps):
                try:
                    parse_transform(step)
                except (ValueError, ValidationError) as exc:
                    detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
                    raise ValueError(f"{name}[{i}]: {detail}") from None
            out[str(name)] = [parse_transform(step) for step in steps]
        return out

    @field_validator("dates")
    @classmethod
    def _formats(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for name, formats in value.items():
            for fmt in [formats] if isinstance(formats, str) else formats:
                _check_date_format(name, fmt)
        return value

    @field_validator("split")
    @classmethod
    def _separators(cls, value: dict[str, str]) -> dict[str, str]:
        for name, separator in value.items():
            if not separator:
                raise ValueError(f"{name} is empty; give the separator their cells use, such as ';'")
        return value

    @field_validator("constants", mode="before")
    @classmethod
    def _constants(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        for name, constant in value.items():
            if isinstance(constant, list) or (isinstance(constant, dict) and not (
                    set(constant) <= {"value", "when"} and "value" in constant and "when" in constant)):
                raise ValueError(f"{name} must be a single value, not a list or a mapping (or {{value: ..., "
                                 "when: field}})" if isinstance(constant, dict) else
                                 f"{name} must be a single value, not a list or a mapping")
        return value

    @model_validator(mode="after")
    def _one_code(self) -> MappingModel:
        if self.code is not None and "code" in self.templates:
            raise ValueError("code is given twice (code: and templates.code); keep one")
        return self

    @model_validator(mode="after")
    def _header(self) -> MappingModel:
        if self.skip_rows and self.header_row not in (1, self.skip_rows + 1):
            raise ValueError(f"header_row {self.header_row} and skip_rows {self.skip_rows} disagree "
                             "(give one of them)")
        return self


_DIRECTIVE = re.compile(r"%(.)")
_DATE_DIRECTIVES = frozenset("dmyYbBjaAU%WwuV")


def _check_date_format(name: str, fmt: str | None) -> None:
    """A strptime format of dates: its directives must be date directives, with a year in it (a month-
    only format such as %m-%Y is fine)."""
    used = _DIRECTIVE.findall(fmt or "")
    unknown = sorted({d for d in used if d not in _DATE_DIRECTIVES})
    if not fmt or unknown or not ({"Y", "y"} & set(used)):
        problem = f"%{unknown[0]} is not a date directive" if unknown else "it names no year (%Y or %y)"
        raise ValueError(f"{name}: {fmt!r} is not a date format ({problem}); use strftime codes such as "
                         "%d/%m/%Y")
    example = dt.date(2024, 7, 3).strftime(fmt)
    try:
        dt.datetime.strptime(example, fmt)
    except ValueError:
        raise ValueError(f"{name}: {fmt!r} is not a date format that reads its own dates ({example!r}); use "
                         "strftime codes such as %d/%m/%Y") from None


def _shown_loc(loc: tuple[Any, ...]) -> str:
    out = []
    for part in loc:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif part in ("str", "list[str]", "int", "dict[str,str]", "bool") or "[" in str(part) \
                or str(part) in (*NAMED_TRANSFORMS, "Scale", "Regex", "Remove", "Replace", "Split", "Conditional",
                                 "literal['strip','normalize_space','upper','lower','title','fix_mojibake',"
                                 "'split_numbered','strip_numbering']"):
            continue
        else:
            out.append(("." if out else "") + str(part))
    return "".join(out)


def _explain(error: ValidationError, name: str) -> str:
    first = error.errors()[0]
    loc = tuple(first["loc"])
    key = _shown_loc(loc)
    if first["type"] == "extra_forbidden":
        parent = _shown_loc(loc[:-1])
        model = MappingModel
        allowed = list(model.model_fields)
        if parent:
            section = str(loc[0])
            allowed = {"countries": list(CountryColumn.model_fields),
                       "organisations": list(OrganisationColumn.model_fields),
                       "sources": list(SourceColumn.model_fields),
                       "derive": list(Rule.model_fields),
                       "constants": list(Conditional.model_fields)}.get(section, [])
        hint = ""
        if allowed:
            from rapidfuzz import process
            best = process.extractOne(str(loc[-1]), allowed, score_cutoff=70)
            hint = f"; did you mean {best[0]!r}?" if best else ""
            hint += f" (expected one of {', '.join(allowed)})"
        return f"{name}: unknown key {key!r}{hint}"
    if first["type"].startswith("literal_error") or first["type"] == "union_tag_invalid":
        return f"{name}: {key}: {first['msg']} (got {first.get('input')!r})"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "value_error":
        # our validators name the entry first: "amount[0]: unknown transform" under transforms
        return f"{name}: {key}.{message}" if key else f"{name}: {message}"
    shown = first.get("input")
    got = f" (got {shown!r})" if not isinstance(shown, dict) else ""
    return f"{name}: {key or 'the file'}: {message}{got}"


# ---------------------------------------------------------------- the mapping
class Mapping:
    """A loaded mapping file: `apply` turns one of their rows into one flat row of ours."""

    def __init__(self, model: MappingModel, name: str = "mapping"):
        self.name = name
        self.model = model
        self.entity = model.entity
        self.header_row = model.skip_rows + 1 if model.skip_rows else model.header_row
        self.columns: dict[str, list[str]] = {k: [v] if isinstance(v, str) else list(v)
                                              for k, v in model.columns.items()}
        self.transforms = model.transforms
        self.dates = {k: [v] if isinstance(v, str) else list(v) for k, v in model.dates.items()}
        self.lookups = {name: {**{str(k).strip(): v for k, v in table.items()},
                               **{str(k).strip().lower(): v for k, v in table.items()}}
                        for name, table in model.lookups.items()}
        self.aliases = {normalize_space(k).lower(): v for k, v in model.aliases.items()}
        self.constants = model.constants
        self.split = model.split
        self.countries = model.countries
        self.ignore = set(model.ignore)
        self.dataset = model.dataset
        self.templates = {**model.templates, **({"code": model.code} if model.code is not None else {})}
        self.identifiers = model.identifiers
        self._header: list[str] | None = None
        self._resolved: dict[str, list[str]] = {}

    # the columns of one file
    def bind(self, header: list[str]) -> list[str]:
        """Match the mapping to the file's header; returns warnings (mapped columns the file lacks,
        with a case-insensitive "did you mean")."""
        self._header = header
        warnings = []
        folded = {c.casefold(): c for c in header}
        for column in [*self.columns, *self.countries, *self.model.organisations, *self.model.sources]:
            if _is_pattern(column):
                continue
            if column not in header:
                guess = folded.get(column.casefold()) or _close(column, header)
                hint = f"; did you mean {guess!r}?" if guess else ""
                warnings.append(f"{self.name}: column {column!r} is not in the file's header{hint}")
        for column in self.identifiers.values():
            if not _FIELD_REF.search(column) and column not in header and column not in ("row", "line"):
                guess = folded.get(column.casefold()) or _close(column, header)
                hint = f"; did you mean {guess!r}?" if guess else ""
                warnings.append(f"{self.name}: identifier column {column!r} is not in the file's header{hint}")
        for template in [*self.templates.values(), *(c for c in self.identifiers.values() if _FIELD_REF.search(c))]:
            for ref, _spec in _FIELD_REF.findall(template):
                if ref not in header and ref not in ("row", "line") and ref not in self._targets():
                    guess = folded.get(ref.casefold()) or _close(ref, header)
                    hint = f"; did you mean {guess!r}?" if guess else ""
                    warnings.append(f"{self.name}: template field {{{ref}}} is not a column of the file{hint}")
        return warnings

    def _targets(self) -> set[str]:
        return {t for targets in self.columns.values() for t in targets}

    def matching(self, spec: str) -> list[str]:
        """Their columns that a key (a name, or a pattern like "Party *" or "c*") stands for."""
        if spec not in self._resolved:
            header = self._header or []
            if spec in header or not _is_pattern(spec):
                self._resolved[spec] = [spec]
            else:
                self._resolved[spec] = _natural_sorted(c for c in header if fnmatch.fnmatchcase(c, spec))
        return self._resolved[spec]

    def used_columns(self) -> set[str]:
        used = set(self.columns)
        for spec in [*self.countries, *self.model.organisations, *self.model.sources, *self.ignore]:
            used |= set(self.matching(spec))
        for template in self.templates.values():
            used |= {ref for ref, _spec in _FIELD_REF.findall(template)}
        for column in self.identifiers.values():
            used |= {ref for ref, _spec in _FIELD_REF.findall(column)} or {column}
        for rules in self.model.derive.values():
            used |= {rule.when for rule in rules}
        return used

    def _special(self) -> set[str]:
        special = set()
        for spec in [*self.ignore, *self.countries, *self.model.organisations, *self.model.sources]:
            special |= set(self.matching(spec))
        return special

    def check(self, entity: str) -> None:
        if self.entity and self.entity != entity:
            raise UserError(f"{self.name}: this mapping is for {self.entity}, not {entity}")
        known = known_columns(entity)
        targets = {*self._targets(), *self.templates, *self.constants, *self.lookups, *self.split,
                   *self.dates, *self.transforms, *self.model.derive}
        unknown = sorted(t for t in targets if t not in known)
        if unknown:
            raise UserError(f"{self.name}: {unknown[0]!r} is not a field of {entity} "
                            f"(expected one of {', '.join(sorted(known))})")
        if self.countries and entity not in COUNTRY_CELL:
            raise UserError(f"{self.name}: countries: applies to {_and(COUNTRY_CELL)} only")
        if self.model.organisations and entity not in ORGANISATION_CELL:
            raise UserError(f"{self.name}: organisations: applies to {_and(ORGANISATION_CELL)} only "
                            "(agreements take organisations as parties through countries:)")
        roles = COUNTRY_CELL[entity].allowed if entity in COUNTRY_CELL else ()
        for column, spec in self.countries.items():
            if spec.role not in roles:
                raise UserError(f"{self.name}: countries.{column}.role: {spec.role!r} is not a role of {entity} "
                                f"(expected one of {', '.join(roles)})")
        org_roles = ORGANISATION_CELL[entity].allowed if entity in ORGANISATION_CELL else ()
        for column, spec in self.model.organisations.items():
            if spec.role not in org_roles:
                raise UserError(f"{self.name}: organisations.{column}.role: {spec.role!r} is not a role "
                                f"(expected one of {', '.join(org_roles)})")
        with_identifiers = [s for s, e in LAYOUTS.items() if "identifiers" in e.list_names]
        if self.identifiers and entity not in with_identifiers:
            raise UserError(f"{self.name}: identifiers: applies to {_and(with_identifiers)}")
        if self.model.sources and "cites" not in LAYOUTS[entity].list_names:
            raise UserError(f"{self.name}: sources: applies to the entities that cite sources")

    # one row
    def apply(self, row: dict[str, Any], entity: str, problem, number: int | None = None,
              line: int | None = None, new_sources: list[SourceRecord] | None = None) -> dict[str, Any]:
        """Their row into a flat row of our layout; `problem(field, value, expected)` for bad values;
        `number` is the row's position among the data rows (1 for the first), `line` its line."""
        out: dict[str, Any] = {}
        special = self._special()
        for column, value in row.items():
            if column in special:
                continue
            targets = self.columns.get(column)
            if targets is None:
                out[column] = value
                continue
            for target in targets:
                if f.blank(out.get(target)):
                    out[target] = value
        for name, template in self.templates.items():
            out[name] = render(template, row, out, number, line)
        if self.identifiers:
            items = split_items(out.get("identifiers"))
            for scheme, column in self.identifiers.items():
                value = render(column if _FIELD_REF.search(column) else f"{{{column}}}", row, out, number, line)
                if value is not None:
                    items.append(f"{scheme}:{value}")
            out["identifiers"] = SEPARATOR.join(items)
        for name, steps in self.transforms.items():
            value = out.get(name)
            for step in steps:
                try:
                    value = apply_transform(step, value)
                except f.BadValue as exc:
                    problem(name, value, exc.expected)
                    value = None
                    break
            out[name] = SEPARATOR.join(str(v) for v in value) if isinstance(value, list) else value
        for name, table in self.lookups.items():
            if name in COUNTRY_FIELD.values():
                continue  # applies to each country item below
            value = out.get(name)
            if not f.blank(value):
                key = str(value).strip()
                out[name] = table.get(key, table.get(key.lower(), value))
        for name, formats in self.dates.items():
            value = out.get(name)
            try:
                day, precision = date_in_formats(value, formats)
            except f.BadValue as exc:
                problem(name, value, exc.expected)
                out[name] = None
                continue
            out[name] = None if day is None else _iso(day, precision)
        for name, rules in self.model.derive.items():
            if not f.blank(out.get(name)):
                continue
            for rule in rules:
                seen = out.get(rule.when, row.get(rule.when))
                if f.blank(seen) or (rule.matches and not re.search(rule.matches, str(seen))):
                    continue
                out[name] = rule.value
                break
        for name, constant in self.constants.items():
            if isinstance(constant, Conditional):
                if f.blank(out.get(name)) and not f.blank(out.get(constant.when)):
                    out[name] = constant.value
            elif f.blank(out.get(name)):
                out[name] = constant
        for name, separator in self.split.items():
            value = out.get(name)
            if isinstance(value, str) and name != COUNTRY_FIELD.get(entity):
                out[name] = SEPARATOR.join(split_items(value, separator))
        if self.countries:
            self._countries(row, out, entity)
        if self.model.organisations:
            items = split_items(out.get("organisations"))
            for spec, column in self.model.organisations.items():
                for name in self.matching(spec):
                    for org in self._cell_items(row.get(name), column.split, column.numbered):
                        if column.strip_type and ", " in org:
                            org = org.rsplit(", ", 1)[0].strip(" ,")
                        if org:
                            items.append(f"{column.role}:{org}")
            out["organisations"] = SEPARATOR.join(str(i) for i in dict.fromkeys(items))
        if self.model.sources:
            keys = split_items(out.get("sources"))
            for spec, column in self.model.sources.items():
                for name in self.matching(spec):
                    for item in self._cell_items(row.get(name), column.split, False):
                        source = source_from_cell(item, column, row, out, number, line)
                        if source is None:
                            problem(name, item, "a URL or a source key, optionally followed by ', type'")
                            continue
                        keys.append(source.key)
                        if new_sources is not None:
                            new_sources.append(source)
            out["sources"] = SEPARATOR.join(dict.fromkeys(keys))
        return out

    def _cell_items(self, value: Any, separator: str | None, numbered: bool) -> list[str]:
        if f.blank(value):
            return []
        if isinstance(value, list):
            items = [normalize_space(str(v)) for v in value if not f.blank(v)]
        else:
            text = normalize_space(f.text(value) or "")
            items = split_numbered(text) if numbered else [text]
            if separator:
                items = [part.strip() for item in items for part in item.split(separator)]
        return [i for i in items if i]

    def _countries(self, row: dict[str, Any], out: dict[str, Any], entity: str) -> None:
        target = COUNTRY_FIELD[entity]
        table = self.lookups.get(target, {})
        items = split_items(out.get(target), self.split.get(target, SEPARATOR))
        for spec, column in self.countries.items():
            for name in self.matching(spec):
                separator = column.split or self.split.get(target)
                for country in self._cell_items(row.get(name), separator, column.numbered):
                    country = table.get(country, table.get(country.lower(), country))
                    if f.blank(country):
                        continue  # looked up to nothing: not a party
                    country = str(country)
                    alias = self.aliases.get(country.lower())
                    if alias is not None:
                        items.append(f"{column.role}:{alias}")
                    elif column.scheme != "auto" and ":" not in country:
                        items.append(f"{column.role}:{column.scheme}:{country}")
                    else:
                        items.append(f"{column.role}:{country}")
        out[target] = SEPARATOR.join(str(i) for i in dict.fromkeys(items))


def render(template: str, row: dict[str, Any], out: dict[str, Any], number: int | None, line: int | None) -> str | None:
    """Fill `{Column}` (their column, else our field), `{row}` (the data row's number, 1 for the first)
    and `{line}`; `{Month:02}` pads a number. Blank values leave their separators out at the ends; a
    template whose every field is blank gives nothing."""
    filled = []

    def one(match: re.Match) -> str:
        ref, spec = match.group(1), match.group(2)
        if ref == "row":
            value: Any = number
        elif ref == "line":
            value = line
        else:
            value = row.get(ref) if ref in row else out.get(ref)
        text = f.text(value) if not isinstance(value, int) else value
        if text is None or text == "":
            return ""
        filled.append(ref)
        if spec:
            try:
                number_value = f.integer(text) if not isinstance(text, int) else text
                return format(number_value, spec)
            except (f.BadValue, ValueError):
                return str(text)
        return str(text)

    result = _FIELD_REF.sub(one, template)
    if not filled and _FIELD_REF.search(template):
        return None
    return result.strip(" -/,;|_") or None


_URL = re.compile(r"^(https?://\S+?|www\.\S+?)[,;]?(?:\s+|$)(.*)$")


_KEYED = re.compile(r"^(\S+?)(?:,\s+(.*))?$")


def split_source_item(item: str) -> tuple[str | None, str]:
    """'http://x.org/a?q=a,b, Government Source (Donor/Recipient)' -> (the URL, the type text)."""
    found = _URL.match(item.strip())
    if not found:
        return None, ""
    return found.group(1).rstrip(",;"), found.group(2).strip(" ,;")


def source_from_cell(item: str, column: SourceColumn, row: dict[str, Any], out: dict[str, Any],
                     number: int | None, line: int | None) -> SourceRecord | None:
    """'http://x.org/a, Government Source (Donor/Recipient)' -> a source keyed by the URL, its kind
    from the type (`kinds`, matched with or without the bracketed part), the type kept in its notes."""
    item = item.strip()
    found = _URL.match(item)
    if found:
        url, kind_text = found.group(1).rstrip(",;"), found.group(2).strip(" ,;")
        key = url
    else:  # a key, or a URL without its scheme, then ", type"
        found = _KEYED.match(item)
        if found is None:
            return None
        url, key, kind_text = None, found.group(1).rstrip(",;"), (found.group(2) or "").strip(" ,;")
    kind = column.kind
    if kind_text:
        bare = re.sub(r"\s*\(.*\)\s*$", "", kind_text).strip()
        for candidate in (kind_text, bare):
            for name, value in column.kinds.items():
                if name.casefold() == candidate.casefold():
                    kind = value
    title = render(column.title, row, out, number, line) if column.title else None
    key = f.reference(key)  # the one spelling the citing rows' `sources` are read in (importers/fields.py)
    if not key:
        return None
    return SourceRecord(key=key, kind=kind, url=url, title=title, notes=kind_text or None)


def date_in_formats(value: Any, formats: list[str]) -> tuple[dt.date | None, str | None]:
    """The first of `formats` that reads the value; '06-2000' next to '20/04/2005' takes two formats."""
    if f.blank(value) or isinstance(value, dt.date):
        return f.date_in_format(value, formats[0])
    for fmt in formats:
        try:
            return f.date_in_format(value, fmt)
        except f.BadValue:
            continue
    if len(formats) == 1:
        return f.date_in_format(value, formats[0])
    examples = ", ".join(dt.date(2024, 7, 3).strftime(fmt) for fmt in formats)
    raise f.BadValue(f"expected a date in one of the formats {', '.join(formats)} (like {examples})")


def _iso(day: dt.date, precision: str | None) -> str:
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _is_pattern(spec: str) -> bool:
    return any(ch in spec for ch in "*?[")


def _natural_sorted(names) -> list[str]:
    return sorted(names, key=lambda s: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)])


def _close(name: str, header: list[str]) -> str | None:
    from rapidfuzz import fuzz, process

    best = process.extractOne(name.casefold(), {c: c.casefold() for c in header}, scorer=fuzz.WRatio,
                              score_cutoff=85)
    return best[2] if best else None


def load_mapping(path: Path | str) -> Mapping:
    path = Path(path)
    data = load_document(path, lines=False, what="YAML")  # every value as the text it was written as
    if not isinstance(data, dict):
        raise UserError(f"{path.name}: expected a mapping with keys such as "
                        f"{', '.join(MappingModel.model_fields)}")
    try:
        model = MappingModel.model_validate({str(k): v for k, v in data.items()})
    except ValidationError as exc:
        raise UserError(_explain(exc, path.name)) from None
    return Mapping(model, path.name)
