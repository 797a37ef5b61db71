"""What is in a database: revision, row counts, recent import runs, and read-only queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from db import exact, migrate
from db import runs as runs_lib
from db.engine import mask
from db.errors import UserError
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


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple]


def read_only_query(engine: Engine, sql: str, limit: int | None = None) -> QueryResult:
    """Run `sql` on a read-only connection (engine made with read_only=True). Writes fail there."""
    if engine.dialect.name == "postgresql":
        return _read_only_query_pg(engine, sql, limit)
    try:
        with engine.connect() as conn:
            cursor = conn.execute(text(sql))
            if not cursor.returns_rows:
                conn.rollback()
                return QueryResult([], [])
            columns = list(cursor.keys())
            rows = [tuple(exact.exact_value(v) for v in r)
                    for r in (cursor.fetchmany(limit) if limit else cursor.fetchall())]
            conn.rollback()
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise UserError(f"query refused by the database: {first}") from None
    return QueryResult(columns, rows)


def _read_only_query_pg(engine: Engine, sql: str, limit: int | None) -> QueryResult:
    # A prepared statement holds exactly one command, so "SET TRANSACTION READ WRITE; INSERT ..."
    # is refused before anything runs; the transaction itself is READ ONLY (see make_engine).
    raw = engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()
        cursor.execute(sql, prepare=True)
        if cursor.description is None:
            return QueryResult([], [])
        columns = [d.name for d in cursor.description]
        rows = [tuple(r) for r in (cursor.fetchmany(limit) if limit else cursor.fetchall())]
        return QueryResult(columns, rows)
    except Exception as exc:
        if type(exc).__module__.startswith("psycopg"):
            first = str(exc).strip().splitlines()[0]
            raise UserError(f"query refused by the database: {first}") from None
        raise
    finally:
        raw.rollback()
        raw.close()
