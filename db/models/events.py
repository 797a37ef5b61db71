"""Events: dated happenings that news reports (signings, openings, visits, summits, construction)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Tracked, vocabulary_check
from db.vocab import DATE_PRECISIONS, EVENT_COUNTRY_ROLES, EVENT_KINDS


class Event(Tracked, Base):
    __tablename__ = "events"
    __table_args__ = (
        vocabulary_check("kind", EVENT_KINDS),
        vocabulary_check("occurred_precision", DATE_PRECISIONS),
        {"comment": "Dated happenings reported by news and documents: signings, openings and commissionings, "
                    "state and ministerial visits, summits, start and completion of construction. Each value "
                    "keeps its source as a statement, like projects and agreements."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(
        String(120), nullable=False, unique=True,
        comment="Stable coopdb code of the event (e.g. KAZ-CHN-STATE-VISIT-2024-07-03).",
    )
    kind: Mapped[str] = mapped_column(
        String(24), nullable=False,
        comment="signing, opening (opening or commissioning), visit, summit, meeting, construction_start, "
                "construction_completion or other.",
    )
    title: Mapped[str] = mapped_column(String(500), nullable=False, comment="What happened, in English.")
    occurred_on: Mapped[dt.date | None] = mapped_column(
        Date, comment="When it happened; read with occurred_precision (a month-precision date is the 1st)."
    )
    occurred_precision: Mapped[str | None] = mapped_column(String(8), comment="day, month or year.")
    place_name: Mapped[str | None] = mapped_column(String(200), comment="City or site where it happened, as written.")
    country_id: Mapped[int | None] = mapped_column(
        ForeignKey("countries.id"), index=True,
        comment="Country where it happened (the place), where known; who took part is in event_countries.",
    )
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id"), index=True, comment="The project it concerns (opened, started, completed), if any."
    )
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreements.id"), index=True, comment="The agreement signed or announced at it, if any."
    )
    forum_id: Mapped[int | None] = mapped_column(
        ForeignKey("forums.id"), index=True, comment="The forum whose summit or meeting it is, if any."
    )
    description: Mapped[str | None] = mapped_column(Text, comment="What the source says about it.")


class EventCountry(Tracked, Base):
    __tablename__ = "event_countries"
    __table_args__ = (
        UniqueConstraint("event_id", "country_id", "role"),
        vocabulary_check("role", EVENT_COUNTRY_ROLES),
        {"comment": "Countries taking part in an event and how: host, visitor (the guest of a visit) or "
                    "participant."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), nullable=False, index=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(
        String(16), nullable=False,
        comment="host (receives the event), visitor (the guest of a visit) or participant (any other party).",
    )


class EventAgreement(Tracked, Base):
    __tablename__ = "event_agreements"
    __table_args__ = (
        UniqueConstraint("event_id", "agreement_id"),
        {"comment": "Agreements signed or announced at an event (every one; events.agreement_id names one)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), nullable=False, index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), nullable=False, index=True)
