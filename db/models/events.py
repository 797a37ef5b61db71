"""Events: dated happenings that news reports (signings, openings, visits, summits, construction)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Tracked, vocabulary_check
from db.vocab import DATE_PRECISIONS, EVENT_KINDS


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
        ForeignKey("countries.id"), index=True, comment="Country where it happened, where known."
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
