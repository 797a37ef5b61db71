"""Each entity whose values are statements, declared once: its table, natural key, the fields that
statements carry (and which of them travel together), and its child collections.

The statement writer (importers/statements.py), `coopdb explain`, the migration that turned the old rows
into statements and the docs read these declarations; nothing else spells out an entity's fields for the
statement layer. A field group is a set of columns one source gives together: a date with its precision
and "estimated" flag, an amount with its currency and year. The source that wins the group's first column
gives all of its columns, so that a year-precision date is never paired with another source's day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import Table

import db.models  # noqa: F401  (every table in Base.metadata)
from db.base import Base
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


@dataclass(frozen=True, eq=False)
class Entity:
    name: str  # record_type in statements and citations
    table: str
    key: tuple[str, ...]
    fields: tuple[str, ...]  # typed columns whose value statements decide
    groups: tuple[tuple[str, ...], ...] = ()  # columns given together; the first names the group
    collections: tuple[Collection, ...] = ()
    label: str = "code"  # what shows a record to a user (code, or the key columns)

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
            col = self.t.c[column]
            out[column] = col.default.arg if col.default is not None and col.default.is_scalar else None
        return out

    def collection(self, name: str) -> Collection:
        for c in self.collections:
            if c.name == name:
                return c
        raise KeyError(name)

    def default(self, column: str) -> Any:
        return self.defaults[column]


def _names(table: str, parent: str) -> Collection:
    return Collection("names", table, parent, key=("lang", "name"), values=("kind", "note"),
                      derived=lambda row: {"normalized": fold(row["name"])})


def _dated(prefix: str) -> tuple[str, ...]:
    return (f"{prefix}_on", f"{prefix}_precision")


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
)

AGREEMENT = Entity(
    name="agreement", table="agreements", key=("code",),
    fields=("title", "kind", "status", "description", "target", "forum_id",
            *_dated("signed"), *_dated("in_force"), *_dated("terminated")),
    groups=(_dated("signed"), _dated("in_force"), _dated("terminated")),
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
)

FORUM = Entity(
    name="forum", table="forums", key=("code",),
    fields=("name", "kind", "acronym", *_dated("founded"), *_dated("dissolved"), "description", "website"),
    groups=(_dated("founded"), _dated("dissolved")),
    collections=(_names("forum_names", "forum_id"),),
)

ORGANISATION = Entity(
    name="organisation", table="organisations", key=("code",),
    fields=("name", "acronym", "kind", "country_id"),
    collections=(_names("organisation_names", "organisation_id"),),
)

MEMBERSHIP = Entity(
    name="membership", table="memberships", key=("forum_id", "country_id", "role", "started_on"),
    fields=("started_precision", *_dated("ended"), "note"),
    groups=(_dated("ended"),),
    label="key",
)

EVENT = Entity(
    name="event", table="events", key=("code",),
    fields=("kind", "title", *_dated("occurred"), "place_name", "country_id", "project_id", "agreement_id",
            "forum_id", "description"),
    groups=(_dated("occurred"),),
    collections=(
        Collection("countries", "event_countries", "event_id", key=("country_id", "role"),
                   refs={"country_id": "countries"}),
        Collection("agreements", "event_agreements", "event_id", key=("agreement_id",),
                   refs={"agreement_id": "agreements"}),
    ),
)

ENTITIES: dict[str, Entity] = {e.name: e for e in (FORUM, ORGANISATION, MEMBERSHIP, PROJECT, AGREEMENT, EVENT)}
BY_TABLE: dict[str, Entity] = {e.table: e for e in ENTITIES.values()}

# An explicit statement that a field has no value (it wins like any other value and clears the field).
CLEAR = "<clear>"
