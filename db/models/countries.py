"""Countries and other territorial entities, their names in many languages and their codes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Tracked, vocabulary_check
from db.models._names import NameRow
from db.vocab import COUNTRY_KINDS, NAME_KINDS


class Country(Tracked, Base):
    __tablename__ = "countries"
    __table_args__ = (
        vocabulary_check("kind", COUNTRY_KINDS),
        {"comment": "Countries, territories and former states (ISO 3166-1, ISO 3166-3 and a few "
                    "entities outside ISO such as Kosovo). One row per entity; a former state is its "
                    "own row, not its successor."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(
        String(8),
        nullable=False,
        unique=True,
        comment="Stable coopdb code: ISO 3166-1 alpha-3 where one exists (CHN, KAZ), the ISO 3166-3 "
        "code for former states (SUN, YUG), otherwise a documented private code (XKX for Kosovo).",
    )
    alpha2: Mapped[str | None] = mapped_column(
        String(2), unique=True, comment="ISO 3166-1 alpha-2 code (CN, KZ); Metabase region maps use it."
    )
    alpha3: Mapped[str | None] = mapped_column(
        String(3), unique=True, comment="ISO 3166-1 alpha-3 code (CHN, KAZ); Power BI maps use it."
    )
    numeric: Mapped[str | None] = mapped_column(
        String(3), comment="ISO 3166-1 numeric code as three digits ('398'), also the UN M49 country code."
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False, comment="Short English name.")
    official_name: Mapped[str | None] = mapped_column(String(300), comment="Official English name.")
    kind: Mapped[str] = mapped_column(
        String(16), nullable=False, default="sovereign",
        comment="sovereign, territory, former (dissolved or renamed state) or other.",
    )
    region_code: Mapped[str | None] = mapped_column(String(3), comment="UN M49 region code ('142' Asia).")
    region: Mapped[str | None] = mapped_column(String(100), comment="UN M49 region name in English.")
    subregion_code: Mapped[str | None] = mapped_column(
        String(3), comment="UN M49 sub-region code ('143' Central Asia)."
    )
    subregion: Mapped[str | None] = mapped_column(String(100), comment="UN M49 sub-region name in English.")
    intermediate_region_code: Mapped[str | None] = mapped_column(
        String(3), comment="UN M49 intermediate region code where one exists ('014' Eastern Africa)."
    )
    intermediate_region: Mapped[str | None] = mapped_column(
        String(100), comment="UN M49 intermediate region name in English."
    )
    latitude: Mapped[Decimal | None] = mapped_column(
        Numeric(9, 6), comment="Latitude of a representative point (centroid), WGS 84 decimal degrees."
    )
    longitude: Mapped[Decimal | None] = mapped_column(
        Numeric(9, 6), comment="Longitude of a representative point (centroid), WGS 84 decimal degrees."
    )
    valid_from: Mapped[dt.date | None] = mapped_column(
        Date, comment="First day the entity existed under this code, where known."
    )
    valid_to: Mapped[dt.date | None] = mapped_column(
        Date, comment="Last day the entity existed (former states: the ISO 3166-3 withdrawal date)."
    )

    names: Mapped[list[CountryName]] = relationship(back_populates="country")
    codes: Mapped[list[CountryCode]] = relationship(back_populates="country")


class CountryName(NameRow, Base):
    __tablename__ = "country_names"
    __table_args__ = (
        UniqueConstraint("country_id", "lang", "name"),
        vocabulary_check("kind", NAME_KINDS),
        {"comment": "Names and aliases of countries, one per language and spelling; the resolver "
                    "matches on `normalized`."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"), nullable=False, index=True)
    country: Mapped[Country] = relationship(back_populates="names")


class CountryCode(Tracked, Base):
    __tablename__ = "country_codes"
    __table_args__ = (
        UniqueConstraint("scheme", "code"),
        {"comment": "Codes of other schemes for a country: Correlates of War number and abbreviation, "
                    "FIPS 10-4, World Bank, IMF."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"), nullable=False, index=True)
    scheme: Mapped[str] = mapped_column(
        String(32), nullable=False,
        comment="Code scheme: cow_ccode, cow_abbrev, fips, worldbank, imf, ...",
    )
    code: Mapped[str] = mapped_column(String(32), nullable=False, comment="The code in that scheme.")
    country: Mapped[Country] = relationship(back_populates="codes")


class CountryPairTotal(Base):
    __tablename__ = "country_pair_totals"
    __table_args__ = (
        UniqueConstraint("country_id", "partner_id"),
        {"comment": "Derived, not imported: for each ordered pair of countries sharing projects, agreements "
                    "or forums, how many of each and the first and last year. Every import updates only the pairs "
                    "of countries it touched, or rebuilds it from the record tables when it is empty or most pairs "
                    "would change; `coopdb bi refresh` rebuilds it in full. bi.country_pairs reads it."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"), nullable=False)
    partner_id: Mapped[int] = mapped_column(ForeignKey("countries.id"), nullable=False, index=True)
    shared_projects: Mapped[int] = mapped_column(
        Integer, nullable=False, comment="Projects in which both countries take part (any role).")
    shared_agreements: Mapped[int] = mapped_column(
        Integer, nullable=False, comment="Agreements to which both countries are parties.")
    shared_forums: Mapped[int] = mapped_column(
        Integer, nullable=False, comment="Forums both countries belong or belonged to (any role, any time).")
    first_year: Mapped[int | None] = mapped_column(Integer, comment="Earliest year of a shared item.")
    last_year: Mapped[int | None] = mapped_column(Integer, comment="Latest year of a shared item.")
