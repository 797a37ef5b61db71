"""Import runs and the rows they rejected."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow, vocabulary_check
from db.vocab import RUN_STATUSES


class ImportRun(Base):
    __tablename__ = "import_runs"
    __table_args__ = (
        vocabulary_check("status", RUN_STATUSES),
        {"comment": "One row per import: what was imported, from which file, with which options, "
                    "and what happened to the rows. Append-only: a run is never deleted and keeps its id (a "
                    "trigger refuses both), so the run ids that rows carry (created_run_id, updated_run_id, "
                    "last_seen_run_id) always name a run."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    importer: Mapped[str] = mapped_column(
        String(64), nullable=False, comment="Importer name: countries, projects, aiddata, cow-igo, ..."
    )
    file_name: Mapped[str | None] = mapped_column(String(1000), comment="Path of the input as given.")
    file_hash: Mapped[str | None] = mapped_column(String(80), comment="sha256 of the input file.")
    options: Mapped[dict | None] = mapped_column(JSON, comment="Options the import ran with.")
    status: Mapped[str] = mapped_column(
        String(16), nullable=False, default="running",
        comment="running, succeeded, failed (an error stopped it), rejected (bad rows, nothing "
        "written), interrupted (Ctrl-C, SIGTERM, or its process or connection died: nothing written) or dry_run.",
    )
    owner_host: Mapped[str | None] = mapped_column(
        String(255), comment="Host name of the process that ran the import (to tell a dead run from a live one)."
    )
    owner_pid: Mapped[int | None] = mapped_column(Integer, comment="Process id of that process on owner_host.")
    owner_backend_pid: Mapped[int | None] = mapped_column(
        Integer, comment="PostgreSQL: pid of the server backend holding the run's transaction."
    )
    started_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, comment="Start (UTC)."
    )
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), comment="End (UTC).")
    rows_read: Mapped[int] = mapped_column(Integer, nullable=False, default=0, comment="Input rows read.")
    rows_inserted: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, comment="Records inserted."
    )
    rows_updated: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, comment="Records that existed and had a value changed."
    )
    rows_unchanged: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, comment="Records that existed with the same values."
    )
    rows_rejected: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, comment="Input rows rejected (see import_rejects)."
    )
    message: Mapped[str | None] = mapped_column(Text, comment="Summary or the error that stopped the run.")


class ImportReject(Base):
    __tablename__ = "import_rejects"
    __table_args__ = {"comment": "Input rows an import rejected, with where and why."}

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id"), nullable=False, index=True)
    file_name: Mapped[str | None] = mapped_column(String(1000), comment="Input file.")
    line: Mapped[int | None] = mapped_column(Integer, comment="1-based line or row number in the input.")
    field: Mapped[str | None] = mapped_column(String(200), comment="Field that was wrong, where one was.")
    value: Mapped[str | None] = mapped_column(Text, comment="The offending value as read.")
    reason: Mapped[str] = mapped_column(Text, nullable=False, comment="What was expected.")
