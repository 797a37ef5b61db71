"""Typed records: what every importer hands to the writer, whatever file format it read. The record of
each entity is made from its declaration in importers/entities.py.

A record carries its own location (`file`, `line`) so that any problem found while resolving or
writing it can be reported as `file:line [field]: expected ... (got ...)`. References to other records
are by natural code or by name (countries by any spelling the resolver knows); the writer turns them
into ids or rejects the record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, make_dataclass

from importers.entities import AGREEMENT, FORUM, LAYOUTS, PROJECT, SOURCE, Entity


@dataclass
class Cite:
    """Where a fact comes from: a source (by its natural key) and, optionally, where in it."""

    source_key: str
    locator: str = ""
    quote: str | None = None
    field: str = ""  # the column the source supports; "" for the whole record


@dataclass
class Name:
    name: str
    lang: str = "en"
    kind: str = "common"
    note: str | None = None


@dataclass
class Located:
    file: str = ""
    line: int | None = None
    # The fields this record carries (a JSON/YAML record names its own); None: those of the whole input
    present: frozenset[str] | None = field(default=None, compare=False, repr=False)


@dataclass
class Participant:
    """A country (by any spelling) or an organisation (by code or name) and its role."""

    ref: str
    role: str
    is_organisation: bool = False
    create_name: bool = False  # organisations only: create it from the name when unknown


# What an item of each kind of list becomes in a record (importers/bundle.py reads them)
_LIST_ITEMS = {
    "cites": list[Cite], "names": list[Name], "codes": list[tuple[str, str]],  # (scheme, code)
    "identifiers": list[tuple[str, str]],  # (scheme, value)
    "participants": list[Participant],
    "parties": list[tuple[str, str]],  # (country spelling, or forum:/organisation: and the code; role)
    "links": list[tuple[str, str]],  # (related project code, kind)
    "status_events": list[tuple[str, dt.date | None, str | None]],  # (status, date, precision)
    "texts": list[str], "codes_of": list[str],
}


def record_class(entity: Entity) -> type:
    """The record type of an entity, from its declaration: its scalar fields (a reference as the code or
    name it gives, a date with its precision), its lists and the attributes only importers set."""
    attributes = [(name, kind, field(default=default)) for name, kind, default in entity.record_fields()]
    attributes += [(lf.name, _LIST_ITEMS[lf.kind], field(default_factory=list)) for lf in entity.lists]
    attributes += [(name, kind, field(default=default)) for name, kind, default in entity.record_extras]
    cls = make_dataclass(f"{entity.name.capitalize()}Record", attributes, bases=(Located,))
    cls.__module__ = __name__
    cls.__doc__ = f"A {entity.name} as files give it (importers/entities.py declares its fields)."
    return cls


RECORD_TYPES: dict[str, type] = {section: record_class(entity) for section, entity in LAYOUTS.items()}
SourceRecord = RECORD_TYPES["sources"]
ForumRecord = RECORD_TYPES["forums"]
OrganisationRecord = RECORD_TYPES["organisations"]
MembershipRecord = RECORD_TYPES["memberships"]
ProjectRecord = RECORD_TYPES["projects"]
AgreementRecord = RECORD_TYPES["agreements"]
EventRecord = RECORD_TYPES["events"]

# The typed columns each record gives directly, for the writer
PROJECT_COLUMNS = PROJECT.own_columns
AGREEMENT_COLUMNS = AGREEMENT.own_columns
FORUM_COLUMNS = FORUM.own_columns
SOURCE_COLUMNS = SOURCE.own_columns
