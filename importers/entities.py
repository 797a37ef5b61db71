"""Each entity declared once: its table, natural key, the fields that statements carry (and which of them
travel together), its child collections, and the record layout files use for it (the fields a record
names, which are required, the references it makes by code or name, its lists and their flat-cell
spelling).

Everything else derives from these declarations: the typed records (importers/records.py), bundle
validation and converters (importers/bundle.py), the flat CSV/XLSX layout (importers/tabular.py), the JSON
Schemas (importers/schemas.py), the import commands and their help (coopdb/cli/files_cmd.py), the statement
writer (importers/statements.py), `coopdb explain` and the docs. A converter is derived from the model's
column (its type, length and vocabulary CHECK) unless the declaration names one.

A field group is a set of columns one source gives together: a date with its precision and "estimated"
flag, an amount with its currency and year. The source that wins the group's first column gives all of its
columns, so that a year-precision date is never paired with another source's day.

Adding an entity takes one declaration here, one model and one migration: `Writer.write` writes an entity
with no method of its own from its declaration (`Writer._write_declared`: its columns, its references resolved
through the model's foreign keys, its names), and the import command, bundle section and JSON Schema follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from sqlalchemy import Boolean, Date, Integer, Numeric, Table

import db.models  # noqa: F401  (every table in Base.metadata)
from db import vocab
from db.base import Base
from importers import fields as f
from importers.normalize import fold

T = Base.metadata.tables


@dataclass(frozen=True, eq=False)
class Collection:
    """Child rows of a record, listed by sources: a row exists while at least one source lists it.

    `key` are the child table's columns (after the parent column) that identify a row; `values` the other
    columns a source gives (the highest-ranked source listing the row decides them). `refs` names, for a
    key column holding an id, the table whose `code` shows it (for reports and `coopdb explain`).
    """

    name: str  # the field name in statements and in records: participants, names, ...
    table: str
    parent: str
    key: tuple[str, ...]
    values: tuple[str, ...] = ()
    refs: dict[str, str] = field(default_factory=dict)
    citation_type: str | None = None  # record_type of citations of these rows (deleted with the row)
    derived: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # computed columns (e.g. normalized)

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.key, *self.values)

    @property
    def t(self) -> Table:
        return T[self.table]


Converter = Callable[[Any], Any]


@dataclass(frozen=True)
class Flat:
    """How one flat (CSV/XLSX) cell spells the items of a list: `qualifier:item|qualifier:item`
    (`host:Kazakhstan|financier:China`), or plain items when there is no qualifier."""

    column: str  # the flat column
    qualifier: str | None  # the item key the part before `:` fills (role, lang, scheme, status); None: plain
    item: str  # the item key the rest fills (country, name, value, on, ...); "" for plain items
    allowed: tuple[str, ...] | None = None  # the qualifiers accepted (None: any)
    default: str | None = None  # the qualifier of an item written without one (None: one is required)


@dataclass(frozen=True, eq=False)
class ListField:
    """A list a record carries in files: how its items read (`kind`, importers/bundle.py parses each kind)
    and how a flat cell spells them."""

    name: str
    kind: str  # cites, names, codes, identifiers, participants, parties, links, status_events, texts, codes_of
    refs: tuple[str, ...] = ()  # participants, parties, links: the keys an item names a record by
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the roles allowed per ref key
    default_role: str | None = None  # the role of an item that names none
    flat: tuple[Flat, ...] = ()
    doc: str | None = None  # a description for the JSON Schema

    @property
    def all_roles(self) -> tuple[str, ...]:
        """Every role an item may take: in vocabulary order when all refs share one vocabulary, else sorted."""
        distinct = set(self.roles.values())
        if len(distinct) == 1:
            return next(iter(distinct))
        return tuple(sorted({r for roles in distinct for r in roles}))


CITES = ListField("cites", "cites")
NAMES = ListField("names", "names", flat=(Flat("names", "lang", "name", None, "en"),))
IDENTIFIERS = ListField("identifiers", "identifiers", flat=(Flat("identifiers", "scheme", "value"),))


@dataclass(frozen=True, eq=False)
class Entity:
    name: str  # record_type in statements and citations
    table: str
    key: tuple[str, ...]
    fields: tuple[str, ...]  # typed columns whose value statements decide
    groups: tuple[tuple[str, ...], ...] = ()  # columns given together; the first names the group
    collections: tuple[Collection, ...] = ()
    label: str = "code"  # what shows a record to a user (code, or the key columns)
    # The record layout of files (docs/formats.md): the section of a bundle and the `coopdb import` command
    section: str = ""
    help: str = ""  # what the import command reads, for its --help
    required: tuple[str, ...] = ()  # fields a new record must give
    references: dict[str, str] = field(default_factory=dict)  # field naming a record by code or name -> id column
    converters: dict[str, Converter] = field(default_factory=dict)  # where the column's own would not do
    input_defaults: dict[str, Any] = field(default_factory=dict)  # the value of a field a file leaves out
    lists: tuple[ListField, ...] = ()
    record_defaults: dict[str, Any] = field(default_factory=dict)  # a record's value when nothing gives one
    record_extras: tuple[tuple[str, Any, Any], ...] = ()  # (name, type, default) only importers set
    # A field no statement gives keeps the value stored (sources: rows written before their values were
    # statements, and the sources an import describes itself, keep theirs); else it takes the default.
    unstated_keeps_stored: bool = False

    @property
    def t(self) -> Table:
        return T[self.table]

    def group_of(self, column: str) -> tuple[str, ...]:
        return self._group_map.get(column, (column,))

    @cached_property
    def _group_map(self) -> dict[str, tuple[str, ...]]:
        return {column: group for group in self.groups for column in group}

    @cached_property
    def heads(self) -> tuple[str, ...]:
        """The first column of every group (a lone field is its own group), in field order."""
        return tuple(head for head, _columns in self.head_groups)

    @cached_property
    def head_groups(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(head, the group's columns that are fields) for every group, in field order."""
        seen, out = set(), []
        for column in self.fields:
            group = self.group_of(column)
            if group[0] not in seen:
                seen.add(group[0])
                out.append((group[0], tuple(c for c in group if c in self.fields)))
        return tuple(out)

    @cached_property
    def defaults(self) -> dict[str, Any]:
        """The value of each field no source states: the model's scalar default (False for flags), else None."""
        out = {}
        for column in self.fields:
            out[column] = _column_default(self.t.c[column])
        return out

    def collection(self, name: str) -> Collection:
        for c in self.collections:
            if c.name == name:
                return c
        raise KeyError(name)

    def default(self, column: str) -> Any:
        return self.defaults[column]

    # The record layout, derived from the declaration and the model

    @cached_property
    def input_columns(self) -> dict[str, str]:
        """Every scalar field of the record layout -> the column it fills, in layout order: the key, then the
        fields; a reference under its own name (`framework` fills framework_forum_id); a date's precision
        travels with the date (`signed_on` fills signed_precision too)."""
        by_column = {column: name for name, column in self.references.items()}
        out = {}
        for column in dict.fromkeys((*self.key, *self.fields)):
            if column.endswith("_precision") and column.replace("_precision", "_on") in self.t.c:
                continue
            out[by_column.get(column, column)] = column
        return out

    @cached_property
    def vocabularies(self) -> dict[str, tuple[str, ...]]:
        """Column -> its closed vocabulary, read off the model's named CHECKs (db.base.vocabulary_check)."""
        out = {}
        for constraint in self.t.constraints:
            column, values = getattr(constraint, "info", {}).get("vocabulary", (None, None))
            if column is not None:
                out[column] = tuple(values)
        return out

    @cached_property
    def choices(self) -> dict[str, tuple[str, ...]]:
        """Field -> the closed vocabulary it takes."""
        return {name: self.vocabularies[column] for name, column in self.input_columns.items()
                if column in self.vocabularies and name not in self.references}

    @cached_property
    def scalars(self) -> dict[str, Converter]:
        """Field -> its converter (a file's value into the typed value), in layout order."""
        out = {}
        for name, column in self.input_columns.items():
            out[name] = self.converters.get(name) or self._converter(name, self.t.c[column])
        return f.with_lengths(out, self.t)

    def _converter(self, name: str, column: Any) -> Converter:
        if name in self.references:
            return f.reference
        if name == "code":
            return f.code_of()
        if name in self.choices:
            allowed = self.choices[name]
            return lambda value: f.choice(value, allowed)
        kind = column.type
        if isinstance(kind, Date):
            return f.date_with_precision
        if isinstance(kind, Boolean):
            return f.boolean
        if isinstance(kind, Integer):
            return f.year if name.endswith("_year") else f.integer
        if isinstance(kind, Numeric):
            return f.numeric_of(column, minimum=_ZERO)
        return f.text

    @cached_property
    def own_columns(self) -> tuple[str, ...]:
        """The typed columns a record gives directly (not through a reference), in field order."""
        referenced = set(self.references.values())
        return tuple(c for c in self.fields if c not in referenced)

    @cached_property
    def list_names(self) -> tuple[str, ...]:
        return tuple(lf.name for lf in self.lists)

    def list_field(self, name: str) -> ListField:
        for lf in self.lists:
            if lf.name == name:
                return lf
        raise KeyError(name)

    @cached_property
    def reference_tables(self) -> dict[str, str]:
        """Field naming a record -> the table of that record (from the model's foreign key)."""
        return {name: next(iter(self.t.c[column].foreign_keys)).column.table.name
                for name, column in self.references.items()}

    @cached_property
    def key_fields(self) -> tuple[str, ...]:
        """The natural key as the record layout names it (memberships: forum, country, role, started_on)."""
        by_column = {column: name for name, column in self.references.items()}
        return tuple(by_column.get(column, column) for column in self.key)

    def record_key(self, record: Any) -> Any:
        """A record's natural key as compared within one input: codes in upper case, references by their
        folded spelling (one value for a one-column key, else a tuple)."""
        parts = []
        for name in self.key_fields:
            value = getattr(record, name)
            if name in self.references:
                value = fold(value)
            elif name == "code":
                value = value.upper()
            parts.append(value)
        return parts[0] if len(parts) == 1 else tuple(parts)

    def record_fields(self) -> list[tuple[str, Any, Any]]:
        """(name, type, default) of every attribute of the entity's record (importers/records.py)."""
        out: list[tuple[str, Any, Any]] = []
        for name, column in self.input_columns.items():
            col = self.t.c[column]
            kind = str if name in self.references else col.type.python_type
            if name in self.record_defaults:
                default = self.record_defaults[name]
            elif name in self.required and kind is str:
                default = ""
            else:
                default = _column_default(col)
            out.append((name, kind if default is not None else kind | None, default))
            precision = column.replace("_on", "_precision")
            if column.endswith("_on") and precision in self.t.c:
                default = self.record_defaults.get(precision, _column_default(self.t.c[precision]))
                out.append((precision, str if default is not None else str | None, default))
        return out


_ZERO = Decimal(0)


def _column_default(column: Any) -> Any:
    return column.default.arg if column.default is not None and column.default.is_scalar else None


def _names(table: str, parent: str) -> Collection:
    return Collection("names", table, parent, key=("lang", "name"), values=("kind", "note"),
                      derived=lambda row: {"normalized": fold(row["name"])})


def _dated(prefix: str) -> tuple[str, ...]:
    return (f"{prefix}_on", f"{prefix}_precision")


_COUNTRY_ROLES, _ORGANISATION_ROLES = vocab.PROJECT_COUNTRY_ROLES, vocab.PROJECT_ORGANISATION_ROLES

SOURCE = Entity(
    name="source", table="sources", key=("key",), unstated_keeps_stored=True,
    fields=("kind", "title", "publisher", "author", "url", "language", *_dated("published"),
            "published_estimated", "licence", "content_hash", "content", "notes", "priority"),
    groups=(_dated("published"),),
    section="sources", help="sources (articles, datasets, documents) that other records cite",
    required=("key", "kind"),
    converters={"key": f.reference,
                "content": lambda v: None if f.blank(v) else f.check_chars(str(v))},  # kept exactly: offsets, hashes
    record_defaults={"kind": "web_page", "priority": None},
)

FORUM = Entity(
    name="forum", table="forums", key=("code",),
    fields=("name", "kind", "acronym", *_dated("founded"), *_dated("dissolved"), "description", "website"),
    groups=(_dated("founded"), _dated("dissolved")),
    collections=(_names("forum_names", "forum_id"),),
    section="forums", help="forums (intergovernmental organisations, groupings, initiatives)",
    required=("code", "name", "kind"),
    lists=(NAMES, ListField("codes", "codes", flat=(Flat("codes", "scheme", "code"),)), IDENTIFIERS, CITES),
    record_defaults={"kind": "other"},
)

ORGANISATION = Entity(
    name="organisation", table="organisations", key=("code",),
    fields=("name", "acronym", "kind", "country_id"),
    collections=(_names("organisation_names", "organisation_id"),),
    section="organisations", help="organisations (banks, companies, agencies)",
    required=("code", "name"), references={"country": "country_id"},
    lists=(NAMES, IDENTIFIERS, CITES),
)

MEMBERSHIP = Entity(
    name="membership", table="memberships", key=("forum_id", "country_id", "role", "started_on"),
    fields=("started_precision", *_dated("ended"), "note"),
    groups=(_dated("ended"),),
    label="key",
    section="memberships", help="memberships of countries in forums",
    required=("forum", "country", "role", "started_on"),
    references={"forum": "forum_id", "country": "country_id"},
    input_defaults={"role": "member"},
    lists=(CITES,),
    record_defaults={"role": "member"},
    # resolve `country` as a code of this scheme (cow_ccode, ...): set by the data-set importers
    record_extras=(("country_code_scheme", str | None, None),),
)

PROJECT = Entity(
    name="project", table="projects", key=("code",),
    fields=(
        "title", "description", "sector", "sector_code", "status", "intent", "flow_type", "flow_class",
        "framework_forum_id",
        "committed_on", "committed_precision", "committed_estimated",
        "started_on", "started_precision", "started_estimated",
        "completed_on", "completed_precision", "completed_estimated",
        "amount", "currency", "amount_year", "amount_estimated",
        "amount_usd_nominal", "amount_usd_constant", "usd_base_year",
        "capacity", "capacity_unit", "location_name", "admin_area", "latitude", "longitude",
        "location_narrative", "is_regional", "recipient_region", "recommended_for_aggregates", "umbrella",
    ),
    groups=(
        (*_dated("committed"), "committed_estimated"),
        (*_dated("started"), "started_estimated"),
        (*_dated("completed"), "completed_estimated"),
        ("amount", "currency", "amount_year", "amount_estimated"),
        ("amount_usd_constant", "usd_base_year"),
        ("capacity", "capacity_unit"),
        ("latitude", "longitude"),
    ),
    collections=(
        Collection("participants", "project_countries", "project_id", key=("country_id", "role"),
                   refs={"country_id": "countries"}, citation_type="project_country"),
        Collection("organisations", "project_organisations", "project_id", key=("organisation_id", "role"),
                   refs={"organisation_id": "organisations"}, citation_type="project_organisation"),
        _names("project_names", "project_id"),
        Collection("status_events", "project_status_events", "project_id", key=("status",),
                   values=("reached_on", "reached_precision")),
        Collection("links", "project_links", "project_id", key=("related_project_id", "kind"),
                   refs={"related_project_id": "projects"}, citation_type="project_link"),
    ),
    section="projects", help="projects with their participants",
    required=("code", "title"), references={"framework": "framework_forum_id"},
    converters={"currency": f.currency,
                "latitude": f.coordinate_of(T["projects"].c.latitude, 90),
                "longitude": f.coordinate_of(T["projects"].c.longitude, 180)},
    lists=(
        ListField("participants", "participants", refs=("country", "organisation"),
                  roles={"country": _COUNTRY_ROLES, "organisation": _ORGANISATION_ROLES},
                  flat=(Flat("participants", "role", "country", _COUNTRY_ROLES),
                        Flat("organisations", "role", "organisation", _ORGANISATION_ROLES))),
        ListField("links", "links", refs=("project",), roles={"project": vocab.PROJECT_LINK_KINDS},
                  default_role="related",
                  flat=(Flat("links", "role", "project", vocab.PROJECT_LINK_KINDS, "related"),)),
        ListField("status_events", "status_events",
                  flat=(Flat("status_events", "status", "on", vocab.PROJECT_STATUSES),)),
        NAMES, IDENTIFIERS, CITES,
    ),
)

_PARTY_ROLES = vocab.AGREEMENT_PARTY_ROLES

AGREEMENT = Entity(
    name="agreement", table="agreements", key=("code",),
    fields=("title", "kind", "status", "description", "target", "forum_id",
            *_dated("signed"), *_dated("in_force"), *_dated("terminated"), "amount", "currency", "instrument_count"),
    groups=(_dated("signed"), _dated("in_force"), _dated("terminated"), ("amount", "currency")),
    collections=(
        Collection("parties", "agreement_parties", "agreement_id", key=("country_id", "role"),
                   refs={"country_id": "countries"}, citation_type="agreement_party"),
        Collection("forum_parties", "agreement_forums", "agreement_id", key=("forum_id", "role"),
                   refs={"forum_id": "forums"}),
        Collection("organisation_parties", "agreement_organisations", "agreement_id",
                   key=("organisation_id", "role"), refs={"organisation_id": "organisations"}),
        Collection("subjects", "agreement_subjects", "agreement_id", key=("subject",)),
        Collection("projects", "agreement_projects", "agreement_id", key=("project_id",),
                   refs={"project_id": "projects"}, citation_type="agreement_project"),
    ),
    section="agreements", help="agreements with their parties and covered projects",
    required=("code", "title", "kind"), references={"forum": "forum_id"},
    converters={"currency": f.currency,
                "instrument_count": f.whole(1, 100_000, "expected a number of agreements (1 or more)")},
    lists=(
        ListField("parties", "parties", refs=("country", "forum", "organisation"),
                  roles={"country": _PARTY_ROLES, "forum": _PARTY_ROLES, "organisation": _PARTY_ROLES},
                  default_role="party", flat=(Flat("parties", "role", "country", _PARTY_ROLES, "party"),)),
        ListField("subjects", "texts", flat=(Flat("subjects", None, ""),)),
        ListField("projects", "codes_of", flat=(Flat("projects", None, ""),),
                  doc="Codes of the projects the agreement covers."),
        IDENTIFIERS, CITES,
    ),
    record_defaults={"kind": "other"},
)

EVENT = Entity(
    name="event", table="events", key=("code",),
    fields=("kind", "title", *_dated("occurred"), "place_name", "country_id", "project_id", "agreement_id",
            "forum_id", "description"),
    groups=(_dated("occurred"),),
    section="events", help="events (visits, summits, signings, openings) with where and when they happened",
    required=("code", "kind", "title"),
    collections=(
        Collection("countries", "event_countries", "event_id", key=("country_id", "role"),
                   refs={"country_id": "countries"}),
        Collection("agreements", "event_agreements", "event_id", key=("agreement_id",),
                   refs={"agreement_id": "agreements"}),
    ),
    references={"country": "country_id", "project": "project_id", "agreement": "agreement_id",
                "forum": "forum_id"},
    lists=(
        # who took part (`country` stays the place): host, visitor or participant (the default)
        ListField("countries", "parties", refs=("country",), roles={"country": vocab.EVENT_COUNTRY_ROLES},
                  default_role="participant",
                  flat=(Flat("countries", "role", "country", vocab.EVENT_COUNTRY_ROLES, "participant"),)),
        ListField("agreements", "codes_of", flat=(Flat("agreements", None, ""),),
                  doc="Codes of the agreements signed or announced at the event."),
        IDENTIFIERS, CITES,
    ),
    record_defaults={"kind": "other"},
)

ENTITIES: dict[str, Entity] = {e.name: e for e in (FORUM, ORGANISATION, MEMBERSHIP, PROJECT, AGREEMENT, EVENT)}
BY_TABLE: dict[str, Entity] = {e.table: e for e in ENTITIES.values()}
# Every record layout of our files, in dependency order (the sections of a bundle, the import commands)
LAYOUTS: dict[str, Entity] = {e.section: e for e in (SOURCE, *ENTITIES.values())}

# An explicit statement that a field has no value (it wins like any other value and clears the field).
CLEAR = "<clear>"
