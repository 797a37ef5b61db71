"""Projects, the organisations that take part in them, and how projects relate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Tracked, vocabulary_check
from db.models._names import NameRow
from db.vocab import (
    DATE_PRECISIONS,
    NAME_KINDS,
    ORGANISATION_KINDS,
    PROJECT_COUNTRY_ROLES,
    PROJECT_LINK_KINDS,
    PROJECT_ORGANISATION_ROLES,
    PROJECT_STATUSES,
)

MONEY = Numeric(20, 2)
DEGREES = Numeric(9, 6)


class Organisation(Tracked, Base):
    __tablename__ = "organisations"
    __table_args__ = (
        vocabulary_check("kind", ORGANISATION_KINDS),
        {"comment": "Named organisations that take part in projects: banks, ministries, companies, "
                    "universities."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(
        String(120), nullable=False, unique=True,
        comment="Stable coopdb code of the organisation (e.g. CHINA-EXIM-BANK).",
    )
    name: Mapped[str] = mapped_column(String(300), nullable=False, comment="English name.")
    acronym: Mapped[str | None] = mapped_column(String(32), comment="Acronym, where one is used.")
    kind: Mapped[str | None] = mapped_column(
        String(32),
        comment="government_agency, state_owned_enterprise, private_company, bank, university, ngo, "
        "multilateral or other.",
    )
    country_id: Mapped[int | None] = mapped_column(
        ForeignKey("countries.id"), index=True, comment="Country the organisation belongs to, where known."
    )


class OrganisationName(NameRow, Base):
    __tablename__ = "organisation_names"
    __table_args__ = (
        UniqueConstraint("organisation_id", "lang", "name"),
        vocabulary_check("kind", NAME_KINDS),
        {"comment": "Names and aliases of organisations in many languages."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), nullable=False, index=True
    )


class Project(Tracked, Base):
    __tablename__ = "projects"
    __table_args__ = (
        vocabulary_check("status", PROJECT_STATUSES),
        vocabulary_check("committed_precision", DATE_PRECISIONS),
        vocabulary_check("started_precision", DATE_PRECISIONS),
        vocabulary_check("completed_precision", DATE_PRECISIONS),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("amount_usd_nominal >= 0", name="amount_usd_nominal_not_negative"),
        CheckConstraint("amount_usd_constant >= 0", name="amount_usd_constant_not_negative"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        {"comment": "Projects: infrastructure, finance, education and cultural undertakings with "
                    "their money, dates, capacity and location."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(
        String(120), nullable=False, unique=True,
        comment="Stable coopdb code (e.g. KZ-ZHANATAS-WIND, AIDDATA-12345 for AidData record 12345).",
    )
    title: Mapped[str] = mapped_column(String(500), nullable=False, comment="Title in English.")
    description: Mapped[str | None] = mapped_column(Text, comment="Longer description.")
    sector: Mapped[str | None] = mapped_column(
        String(200), comment="Sector name (OECD CRS sector name where the source gives one, e.g. ENERGY)."
    )
    sector_code: Mapped[str | None] = mapped_column(
        String(16), comment="OECD CRS sector code where known (e.g. 230)."
    )
    status: Mapped[str | None] = mapped_column(
        String(24),
        comment="Latest known status: pledged, agreed, under_construction, completed, operational, "
        "suspended or cancelled. History in project_status_events.",
    )
    intent: Mapped[str | None] = mapped_column(
        String(64), comment="Intent of the finance as the source codes it (development, commercial, ...)."
    )
    flow_type: Mapped[str | None] = mapped_column(
        String(100), comment="Flow type as the source names it (loan, grant, export credit, ...)."
    )
    flow_class: Mapped[str | None] = mapped_column(
        String(64), comment="Flow class (ODA-like, OOF-like, vague official finance, ...)."
    )
    framework_forum_id: Mapped[int | None] = mapped_column(
        ForeignKey("forums.id"), index=True,
        comment="Forum or initiative the project is carried out under (e.g. the Belt and Road Initiative).",
    )
    committed_on: Mapped[dt.date | None] = mapped_column(
        Date, comment="Commitment or signing date; read with committed_precision."
    )
    committed_precision: Mapped[str | None] = mapped_column(String(8), comment="day, month or year.")
    committed_estimated: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, comment="True when the source marks committed_on as estimated."
    )
    started_on: Mapped[dt.date | None] = mapped_column(
        Date, comment="Start of implementation or construction; read with started_precision."
    )
    started_precision: Mapped[str | None] = mapped_column(String(8), comment="day, month or year.")
    started_estimated: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, comment="True when started_on is an estimate."
    )
    completed_on: Mapped[dt.date | None] = mapped_column(
        Date, comment="Completion or commissioning date; read with completed_precision."
    )
    completed_precision: Mapped[str | None] = mapped_column(String(8), comment="day, month or year.")
    completed_estimated: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, comment="True when completed_on is an estimate."
    )
    amount: Mapped[Decimal | None] = mapped_column(
        MONEY, comment="Amount in the original currency (see currency and amount_year)."
    )
    currency: Mapped[str | None] = mapped_column(String(3), comment="ISO 4217 code of amount (CNY, USD).")
    amount_year: Mapped[int | None] = mapped_column(Integer, comment="Year the amount refers to.")
    amount_usd_nominal: Mapped[Decimal | None] = mapped_column(
        MONEY, comment="Amount in US dollars of the year of the amount (nominal), as the source gives it."
    )
    amount_usd_constant: Mapped[Decimal | None] = mapped_column(
        MONEY, comment="Amount in constant US dollars of usd_base_year, as the source gives it."
    )
    usd_base_year: Mapped[int | None] = mapped_column(
        Integer, comment="Base year of amount_usd_constant (e.g. 2014 for AidData v1.0)."
    )
    amount_estimated: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, comment="True when the source marks the amount as estimated."
    )
    capacity: Mapped[Decimal | None] = mapped_column(
        Numeric(20, 3), comment="Physical capacity or size, read with capacity_unit (100 MW, 8445 km)."
    )
    capacity_unit: Mapped[str | None] = mapped_column(
        String(16), comment="Unit of capacity: MW, GW, km, t/year, ..."
    )
    location_name: Mapped[str | None] = mapped_column(String(300), comment="Place name.")
    admin_area: Mapped[str | None] = mapped_column(String(200), comment="Administrative area (region, province).")
    latitude: Mapped[Decimal | None] = mapped_column(DEGREES, comment="WGS 84 latitude in decimal degrees.")
    longitude: Mapped[Decimal | None] = mapped_column(DEGREES, comment="WGS 84 longitude in decimal degrees.")
    location_narrative: Mapped[str | None] = mapped_column(
        Text, comment="Where the project is, in the source's words."
    )
    is_regional: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False,
        comment="True for a regional project whose recipient is a region, not a country "
        "(see recipient_region).",
    )
    recipient_region: Mapped[str | None] = mapped_column(
        String(200), comment="Recipient region as the source names it (e.g. 'Africa, regional')."
    )
    recommended_for_aggregates: Mapped[bool | None] = mapped_column(
        Boolean,
        comment="The data set recommends counting this project in sums and totals (AidData's 'Recommended For "
        "Aggregates'); NULL when the source does not say.",
    )
    umbrella: Mapped[bool | None] = mapped_column(
        Boolean,
        comment="An umbrella agreement whose money is also counted in the projects under it (AidData's "
        "'Umbrella'): leave it out of sums; NULL when the source does not say.",
    )

    countries: Mapped[list[ProjectCountry]] = relationship(back_populates="project")


class ProjectName(NameRow, Base):
    __tablename__ = "project_names"
    __table_args__ = (
        UniqueConstraint("project_id", "lang", "name"),
        vocabulary_check("kind", NAME_KINDS),
        {"comment": "Other names of projects in many languages ('PLTB Zhanatas')."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)


class ProjectStatusEvent(Tracked, Base):
    __tablename__ = "project_status_events"
    __table_args__ = (
        UniqueConstraint("project_id", "status"),
        vocabulary_check("status", PROJECT_STATUSES),
        vocabulary_check("reached_precision", DATE_PRECISIONS),
        {"comment": "When a project reached each status: its status over time."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(24), nullable=False, comment="The status reached.")
    reached_on: Mapped[dt.date | None] = mapped_column(
        Date, comment="When it was reached; read with reached_precision."
    )
    reached_precision: Mapped[str | None] = mapped_column(String(8), comment="day, month or year.")


class ProjectCountry(Tracked, Base):
    __tablename__ = "project_countries"
    __table_args__ = (
        UniqueConstraint("project_id", "country_id", "role"),
        vocabulary_check("role", PROJECT_COUNTRY_ROLES),
        {"comment": "Countries taking part in a project and their role (host, recipient, financier, "
                    "builder, operator, partner)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(
        String(16), nullable=False, comment="host, recipient, financier, builder, operator or partner."
    )
    project: Mapped[Project] = relationship(back_populates="countries")


class ProjectOrganisation(Tracked, Base):
    __tablename__ = "project_organisations"
    __table_args__ = (
        UniqueConstraint("project_id", "organisation_id", "role"),
        vocabulary_check("role", PROJECT_ORGANISATION_ROLES),
        {"comment": "Named organisations taking part in a project and their role."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(
        String(24), nullable=False,
        comment="financier, cofinancier, builder, operator, partner, implementing_agency, "
        "receiving_agency, funding_agency, accountable_agency, guarantor or insurer.",
    )


class ProjectLink(Tracked, Base):
    __tablename__ = "project_links"
    __table_args__ = (
        UniqueConstraint("project_id", "related_project_id", "kind"),
        vocabulary_check("kind", PROJECT_LINK_KINDS),
        CheckConstraint("project_id <> related_project_id", name="not_self"),
        {"comment": "Links between projects: related_project_id is the parent, umbrella, linked, "
                    "earlier phase or related project of project_id."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    related_project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(
        String(16), nullable=False, comment="parent, umbrella, linked, phase or related."
    )
