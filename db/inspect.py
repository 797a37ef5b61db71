"""What is in a database: revision, row counts and recent import runs (read-only queries: db/readonly.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, inspect, select, text

from db import migrate
from db import runs as runs_lib
from db.engine import mask
from db.models import Base, ImportRun

RUN_COLUMNS = (
    "id", "importer", "file_name", "status", "started_at", "finished_at",
    "rows_read", "rows_inserted", "rows_updated", "rows_unchanged", "rows_rejected",
)


@dataclass
class Status:
    database: str
    dialect: str
    revision: str | None
    head: str
    tables: dict[str, int] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "dialect": self.dialect,
            "revision": self.revision,
            "head": self.head,
            "up_to_date": self.up_to_date,
            "tables": self.tables,
            "runs": [{k: iso_utc(v) if k.endswith("_at") else v for k, v in run.items()} for run in self.runs],
        }


def iso_utc(value: Any) -> str | None:
    """A timestamp as ISO 8601 in UTC with its zone, the same on both backends ('2026-11-27T23:41:32+00:00'):
    PostgreSQL returns it in the session's zone, SQLite as the naive UTC text it stored."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="seconds")


def _readable_tables(engine: Engine) -> set[str]:
    """The coopdb tables this user can see and read: on PostgreSQL a BI login reads none (it reads the views)."""
    present = set(inspect(engine).get_table_names())
    if engine.dialect.name != "postgresql" or not present:
        return present
    with engine.connect() as conn:
        return {name for name in present
                if conn.execute(text("SELECT has_table_privilege(CAST(:t AS regclass), 'SELECT')"),
                                {"t": name}).scalar()}


def status(engine: Engine, runs: int = 5) -> Status:
    result = Status(
        database=mask(engine.url),
        dialect=engine.dialect.name,
        revision=migrate.current_revision(engine),
        head=migrate.head_revision(),
    )
    present = _readable_tables(engine)
    dead: list[int] = []
    if result.up_to_date and ImportRun.__tablename__ in present:  # owners are recorded from revision 0005 on
        dead = runs_lib.mark_interrupted(engine, wait=False)
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in present:
                result.tables[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
        if ImportRun.__tablename__ in present and runs > 0:
            cols = [ImportRun.__table__.c[c] for c in RUN_COLUMNS]
            query = select(*cols).order_by(ImportRun.id.desc()).limit(runs)
            result.runs = [dict(r) for r in conn.execute(query).mappings()]
            for run in result.runs:  # dead, though a read-only database could not be marked
                if run["id"] in dead and run["status"] == "running":
                    run["status"] = "interrupted"
    result.tables = dict(sorted(result.tables.items()))
    return result
