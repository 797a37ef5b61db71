"""Forums (organisations, groupings, initiatives, mechanisms) and who belongs to them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Tracked, vocabulary_check
from db.models._names import NameRow
from db.vocab import DATE_PRECISIONS, FORUM_KINDS, MEMBERSHIP_ROLES, NAME_KINDS


class Forum(Tracked, Base):
    __tablename__ = "forums"
    __table_args__ = (
        vocabulary_check("kind", FORUM_KINDS),
        vocabulary_check("founded_precision", DATE_PRECISIONS),
        vocabulary_check("dissolved_precision", DATE_PRECISIONS),
        {"comment": "Intergovernmental organisations, informal groupings, initiatives and dialogue "
                    "or summit mechanisms (the UN, SCO, BRICS, the Belt and Road Initiative, ...)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(
        String(64), nullable=False, unique=True,
        comment="Stable coopdb code of the forum, usually its English acronym (SCO, BRI, UN).",
    )
    name: Mapped[str] = mapped_column(String(300), nullable=False, comment="English name.")
    acronym: Mapped[str | None] = mapped_column(String(32), comment="English acronym.")
    kind: Mapped[str] = mapped_column(
        String(32), nullable=False,
        comment="intergovernmental_organisation, informal_grouping, initiative, summit_mechanism, "
        "dialogue_mechanism or other.",
    )
    founded_on: Mapped[dt.date | None] = mapped_column(
        Date, comment="Founding date; read with founded_precision (a year is stored as 1 January)."
    )
    founded_precision: Mapped[str | None] = mapped_column(
        String(8), comment="How much of founded_on is known: day, month or year."
    )
    dissolved_on: Mapped[dt.date | None] = mapped_column(
        Date, comment="Dissolution date, NULL while the forum exists; read with dissolved_precision."
    )
    dissolved_precision: Mapped[str | None] = mapped_column(
        String(8), comment="How much of dissolved_on is known: day, month or year."
    )
    description: Mapped[str | None] = mapped_column(Text, comment="Short description in English.")
    website: Mapped[str | None] = mapped_column(String(500), comment="Official website.")

    names: Mapped[list[ForumName]] = relationship(back_populates="forum")
    memberships: Mapped[list[Membership]] = relationship(back_populates="forum")


class ForumName(NameRow, Base):
    __tablename__ = "forum_names"
    __table_args__ = (
        UniqueConstraint("forum_id", "lang", "name"),
        vocabulary_check("kind", NAME_KINDS),
        {"comment": "Names and acronyms of forums in many languages (PBB, ООН, 联合国 for the UN)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id"), nullable=False, index=True)
    forum: Mapped[Forum] = relationship(back_populates="names")


class ForumCode(Tracked, Base):
    __tablename__ = "forum_codes"
    __table_args__ = (
        UniqueConstraint("scheme", "code"),
        {"comment": "Codes of forums in other data sets, e.g. the Correlates of War IGO abbreviation."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id"), nullable=False, index=True)
    scheme: Mapped[str] = mapped_column(
        String(32), nullable=False, comment="Code scheme: cow_igo, iigo, ..."
    )
    code: Mapped[str] = mapped_column(String(64), nullable=False, comment="The code in that scheme.")


class Membership(Tracked, Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("forum_id", "country_id", "role", "started_on"),
        vocabulary_check("role", MEMBERSHIP_ROLES),
        vocabulary_check("started_precision", DATE_PRECISIONS),
        vocabulary_check("ended_precision", DATE_PRECISIONS),
        {"comment": "A country's span in one role in one forum. A country that left and rejoined, or "
                    "moved from observer to member, has one row per span."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id"), nullable=False, index=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(
        String(20), nullable=False,
        comment="member, founding_member, observer, dialogue_partner, partner_country, applicant or "
        "associate.",
    )
    started_on: Mapped[dt.date] = mapped_column(
        Date, nullable=False,
        comment="First day in this role; read with started_precision (a year is stored as 1 January).",
    )
    started_precision: Mapped[str] = mapped_column(
        String(8), nullable=False, default="day", comment="How much of started_on is known: day, month or year."
    )
    ended_on: Mapped[dt.date | None] = mapped_column(
        Date, comment="Last day in this role, NULL while it lasts; read with ended_precision."
    )
    ended_precision: Mapped[str | None] = mapped_column(
        String(8), comment="How much of ended_on is known: day, month or year."
    )
    note: Mapped[str | None] = mapped_column(Text, comment="Free-text remark on the membership.")

    forum: Mapped[Forum] = relationship(back_populates="memberships")
