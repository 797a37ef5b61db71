"""Identity across sources: the external identifiers of records, and records merged into others."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Tracked, utcnow, vocabulary_check
from db.vocab import IDENTIFIER_RECORD_TYPES


class Identifier(Tracked, Base):
    __tablename__ = "identifiers"
    __table_args__ = (
        UniqueConstraint("record_type", "scheme", "value"),
        Index(None, "record_type", "record_id"),
        vocabulary_check("record_type", IDENTIFIER_RECORD_TYPES),
        {"comment": "External identifiers of records: an AidData project id, a treaty list's number, a "
                    "tracker's row, a Wikidata QID. One record per (scheme, value): an import finds its record "
                    "by identifier first, then by code (docs/provenance.md)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(
        String(24), nullable=False, comment="Kind of the record: project, agreement, event, forum or organisation."
    )
    record_id: Mapped[int] = mapped_column(
        Integer, nullable=False, comment="id of the record in the table named by record_type."
    )
    scheme: Mapped[str] = mapped_column(
        String(64), nullable=False,
        comment="Whose identifier: aiddata, wikidata, or a name a mapping file gives its list (unctad-iia).",
    )
    value: Mapped[str] = mapped_column(
        String(200), nullable=False, comment="The identifier as the scheme writes it (39556, Q42, 17)."
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id"), index=True,
        comment="The source that first gave the identifier (NULL: backfilled or given by hand).",
    )


class SameAs(Base):
    __tablename__ = "same_as"
    __table_args__ = (
        UniqueConstraint("record_type", "code"),
        vocabulary_check("record_type", IDENTIFIER_RECORD_TYPES),
        {"comment": "Records merged into another (`coopdb merge KEEP OTHER`): an import of the merged code lands "
                    "on the kept record; `coopdb unmerge` restores it from `detail`."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(
        String(24), nullable=False, comment="Kind of the records: project, agreement, event, forum or organisation."
    )
    record_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True, comment="id of the kept record.")
    code: Mapped[str] = mapped_column(String(120), nullable=False, comment="Code of the record merged into it.")
    merged_id: Mapped[int] = mapped_column(
        Integer, nullable=False, comment="id the merged record had (unmerge gives it back)."
    )
    detail: Mapped[str] = mapped_column(
        Text, nullable=False,
        comment="JSON: what the merge moved (statements, citations, identifiers, mentions, references) and the "
        "merged record's row, so that unmerge can undo it.",
    )
    merged_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, comment="When the records were merged (UTC)."
    )
    run_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("import_runs.id"), comment="The run of `coopdb merge` that merged them."
    )
