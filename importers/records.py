"""Typed records: what every importer hands to the writer, whatever file format it read.

A record carries its own location (`file`, `line`) so that any problem found while resolving or
writing it can be reported as `file:line [field]: expected ... (got ...)`. References to other records
are by natural code or by name (countries by any spelling the resolver knows); the writer turns them
into ids or rejects the record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


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
class SourceRecord(Located):
    key: str = ""
    kind: str = "web_page"
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    url: str | None = None
    language: str | None = None
    published_on: dt.date | None = None
    published_precision: str | None = None
    published_estimated: bool | None = None
    licence: str | None = None
    content_hash: str | None = None
    content: str | None = None
    notes: str | None = None
    priority: int | None = None  # precedence of its statements (None: keep the stored one, 0 for a new source)


@dataclass
class ForumRecord(Located):
    code: str = ""
    name: str = ""
    kind: str = "other"
    acronym: str | None = None
    founded_on: dt.date | None = None
    founded_precision: str | None = None
    dissolved_on: dt.date | None = None
    dissolved_precision: str | None = None
    description: str | None = None
    website: str | None = None
    names: list[Name] = field(default_factory=list)
    codes: list[tuple[str, str]] = field(default_factory=list)  # (scheme, code)
    cites: list[Cite] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (scheme, value)


@dataclass
class MembershipRecord(Located):
    forum: str = ""  # forum code or any of its names
    country: str = ""  # any spelling the country resolver knows
    role: str = "member"
    started_on: dt.date | None = None
    started_precision: str = "day"
    ended_on: dt.date | None = None
    ended_precision: str | None = None
    note: str | None = None
    cites: list[Cite] = field(default_factory=list)
    country_code_scheme: str | None = None  # resolve `country` as a code of this scheme (cow_ccode, ...)


@dataclass
class OrganisationRecord(Located):
    code: str = ""
    name: str = ""
    acronym: str | None = None
    kind: str | None = None
    country: str | None = None
    names: list[Name] = field(default_factory=list)
    cites: list[Cite] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (scheme, value)


@dataclass
class Participant:
    """A country (by any spelling) or an organisation (by code or name) and its role."""

    ref: str
    role: str
    is_organisation: bool = False
    create_name: bool = False  # organisations only: create it from the name when unknown


@dataclass
class ProjectRecord(Located):
    code: str = ""
    title: str = ""
    description: str | None = None
    sector: str | None = None
    sector_code: str | None = None
    status: str | None = None
    intent: str | None = None
    flow_type: str | None = None
    flow_class: str | None = None
    framework: str | None = None  # forum code or name
    committed_on: dt.date | None = None
    committed_precision: str | None = None
    committed_estimated: bool = False
    started_on: dt.date | None = None
    started_precision: str | None = None
    started_estimated: bool = False
    completed_on: dt.date | None = None
    completed_precision: str | None = None
    completed_estimated: bool = False
    amount: Decimal | None = None
    currency: str | None = None
    amount_year: int | None = None
    amount_usd_nominal: Decimal | None = None
    amount_usd_constant: Decimal | None = None
    usd_base_year: int | None = None
    amount_estimated: bool = False
    capacity: Decimal | None = None
    capacity_unit: str | None = None
    location_name: str | None = None
    admin_area: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    location_narrative: str | None = None
    is_regional: bool = False
    recipient_region: str | None = None
    recommended_for_aggregates: bool | None = None
    umbrella: bool | None = None
    participants: list[Participant] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (related project code, kind)
    status_events: list[tuple[str, dt.date | None, str | None]] = field(default_factory=list)
    names: list[Name] = field(default_factory=list)
    cites: list[Cite] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (scheme, value)


@dataclass
class AgreementRecord(Located):
    code: str = ""
    title: str = ""
    kind: str = "other"
    status: str | None = None
    description: str | None = None
    target: str | None = None
    signed_on: dt.date | None = None
    signed_precision: str | None = None
    in_force_on: dt.date | None = None
    in_force_precision: str | None = None
    terminated_on: dt.date | None = None
    terminated_precision: str | None = None
    forum: str | None = None  # forum code or name
    parties: list[tuple[str, str]] = field(default_factory=list)  # (country spelling, role)
    subjects: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)  # project codes
    cites: list[Cite] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (scheme, value)


@dataclass
class EventRecord(Located):
    code: str = ""
    kind: str = "other"
    title: str = ""
    occurred_on: dt.date | None = None
    occurred_precision: str | None = None
    place_name: str | None = None
    country: str | None = None  # where it happened: any spelling the country resolver knows
    project: str | None = None  # project code
    agreement: str | None = None  # agreement code
    forum: str | None = None  # forum code or name
    description: str | None = None
    countries: list[tuple[str, str]] = field(default_factory=list)  # (country spelling, host/visitor/participant)
    agreements: list[str] = field(default_factory=list)  # codes of the agreements signed at it
    cites: list[Cite] = field(default_factory=list)


PROJECT_COLUMNS = (
    "title", "description", "sector", "sector_code", "status", "intent", "flow_type", "flow_class",
    "committed_on", "committed_precision", "committed_estimated", "started_on", "started_precision",
    "started_estimated", "completed_on", "completed_precision", "completed_estimated", "amount", "currency",
    "amount_year", "amount_usd_nominal", "amount_usd_constant", "usd_base_year", "amount_estimated",
    "capacity", "capacity_unit", "location_name", "admin_area", "latitude", "longitude",
    "location_narrative", "is_regional", "recipient_region", "recommended_for_aggregates", "umbrella",
)
AGREEMENT_COLUMNS = (
    "title", "kind", "status", "description", "target", "signed_on", "signed_precision", "in_force_on",
    "in_force_precision", "terminated_on", "terminated_precision",
)
FORUM_COLUMNS = (
    "name", "kind", "acronym", "founded_on", "founded_precision", "dissolved_on", "dissolved_precision",
    "description", "website",
)
SOURCE_COLUMNS = (
    "kind", "title", "publisher", "author", "url", "language", "published_on", "published_precision",
    "published_estimated", "licence", "content_hash", "content", "notes", "priority",
)
