"""Running someone's SQL read-only, for `coopdb sql` and `coopdb bi query` (docs/security.md).

    with read_only_query(engine, "SELECT ...", limit=100, timeout=30) as result:
        result.columns          # the column names
        for row in result.rows: # streamed in batches of FETCH rows, never the whole result at once
            ...
        result.more             # after the rows: True when the query had rows past `limit`

The engine comes from make_engine(url, read_only=True), which already refuses writes on each backend:
SQLite opens the file read-only and its authorizer (db.engine.sqlite_read_only_authorizer) denies
ATTACH, VACUUM, every write and DDL, writing PRAGMAs and load_extension; PostgreSQL runs every
transaction READ ONLY. Here:

- one statement only (sqlite3 refuses a second one; psycopg sends the statement through the extended
  protocol, which holds one command);
- PostgreSQL: a role that can escape a read-only transaction (a superuser, a member of
  pg_execute_server_program, pg_read_server_files or pg_write_server_files, anyone who may call the
  server-file functions or dblink) is refused unless `as_admin`;
- a timeout on both backends: PostgreSQL's statement_timeout set in the transaction, a progress handler
  on SQLite. It bounds the time the database spends producing each batch of rows (the first one
  included); the time the caller takes to print them does not count;
- the rows are streamed (a PostgreSQL server-side cursor, SQLite's own stepping) and at most
  `limit` + 1 rows are ever fetched;
- the transaction is rolled back at the end, whatever the statement did.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from db.errors import UserError
from db.exact import exact_value

DEFAULT_TIMEOUT = 30.0
FETCH = 2000  # rows per round trip

# Predefined roles whose members can run programs or read and write files as the server's user
DANGEROUS_ROLES = ("pg_execute_server_program", "pg_read_server_files", "pg_write_server_files")
# Functions that read or write server files, or open a second connection that commits on its own
DANGEROUS_FUNCTIONS = ("pg_read_file", "pg_read_binary_file", "pg_ls_dir", "pg_stat_file", "lo_import",
                       "lo_export", "pg_file_write", "pg_file_rename", "pg_file_unlink", "dblink", "dblink_exec",
                       "dblink_connect", "dblink_connect_u", "dblink_send_query")

_PRIVILEGES = """
SELECT current_user,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
       ARRAY(SELECT r FROM unnest(%(roles)s::text[]) AS r
             WHERE to_regrole(r) IS NOT NULL AND pg_has_role(current_user, r, 'MEMBER') ORDER BY r),
       ARRAY(SELECT DISTINCT p.proname::text FROM pg_proc AS p
             WHERE p.proname = ANY(%(functions)s::text[])
               AND has_function_privilege(current_user, p.oid, 'EXECUTE') ORDER BY 1)
"""


@dataclass
class QueryRows:
    columns: list[str]
    rows: Iterator[tuple]
    more: bool = False  # known once `rows` is exhausted


def timeout_error(timeout: float) -> UserError:
    return UserError(f"the query ran longer than the timeout of {timeout:g} s and was stopped "
                     "(give --timeout SECONDS for a longer one, 0 for none)")


def refused(detail: str) -> UserError:
    return UserError(f"query refused by the database: {detail}")


@contextmanager
def read_only_query(engine: Engine, sql: str, *, limit: int | None = None, timeout: float | None = DEFAULT_TIMEOUT,
                    as_admin: bool = False) -> Iterator[QueryRows]:
    """Run one statement `sql` on a read-only engine and stream its rows (see the module's docstring).

    `limit`: at most this many rows (None: all); `timeout` in seconds (None or 0: none); `as_admin`: run
    even as a PostgreSQL role that can escape a read-only transaction."""
    if limit is not None and limit < 0:
        raise UserError(f"--limit must be 0 or more (got {limit})")
    timeout = timeout or None
    if timeout is not None and (timeout < 0 or not math.isfinite(timeout)):
        raise UserError(f"--timeout must be a number of seconds, 0 for none (got {timeout:g})")
    run = _query_pg if engine.dialect.name == "postgresql" else _query_sqlite
    with run(engine, sql, limit, timeout, as_admin) as result:
        yield result


def _limited(batches: Callable[[int], list[tuple]], limit: int | None, result: QueryRows) -> Iterator[tuple]:
    """Rows from `batches(n)` (a fetchmany), stopping at `limit`; sets result.more when a row was left out."""
    sent = 0
    while True:
        want = FETCH if limit is None else min(FETCH, limit - sent + 1)
        batch = batches(want)
        if limit is not None and sent + len(batch) > limit:
            yield from batch[:limit - sent]
            result.more = True
            return
        yield from batch
        sent += len(batch)
        if len(batch) < want:
            return


# --- SQLite ----------------------------------------------------------------------------------------------


@contextmanager
def _query_sqlite(engine: Engine, sql: str, limit: int | None, timeout: float | None,
                  _as_admin: bool) -> Iterator[QueryRows]:
    deadline = [math.inf]

    def arm() -> None:
        deadline[0] = math.inf if timeout is None else time.monotonic() + timeout

    def translate(exc: sqlite3.Error) -> UserError:
        if isinstance(exc, sqlite3.OperationalError) and str(exc) == "interrupted" and timeout is not None:
            return timeout_error(timeout)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if first in ("not authorized", "authorization denied"):
            first += (" (a read-only query may only read: ATTACH, VACUUM, writes, schema changes, writing "
                      "PRAGMAs and load_extension are refused)")
        return refused(first)

    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline[0]), 1000)
        cursor = raw.cursor()
        try:
            arm()
            try:
                cursor.execute(sql)
            except (sqlite3.Error, sqlite3.Warning) as exc:  # Warning ("one statement at a time") on older Pythons
                raise translate(exc) if isinstance(exc, sqlite3.Error) else refused(str(exc)) from None
            columns = [d[0] for d in cursor.description or ()]
            result = QueryRows(columns, iter(()))

            def batches(n: int) -> list[tuple]:
                arm()
                try:  # floats as the decimals they were stored as (db/exact.py)
                    return [tuple(exact_value(v) for v in row) for row in cursor.fetchmany(n)]
                except sqlite3.Error as exc:
                    raise translate(exc) from None

            if cursor.description is not None:
                result.rows = _limited(batches, limit, result)
            yield result
        finally:
            cursor.close()
            raw.set_progress_handler(None, 0)
            raw.rollback()


# --- PostgreSQL ------------------------------------------------------------------------------------------


def escape_privileges(cursor) -> tuple[str, list[str]]:
    """The current PostgreSQL user and what lets it escape a read-only transaction (empty: nothing)."""
    user, superuser, roles, functions = cursor.execute(
        _PRIVILEGES, {"roles": list(DANGEROUS_ROLES), "functions": list(DANGEROUS_FUNCTIONS)}).fetchone()
    if superuser:  # a superuser holds every role and privilege: that one reason says it all
        return user, ["it is a superuser (it can run programs and read and write files on the server)"]
    found = []
    if roles:
        found.append("it is a member of " + ", ".join(roles))
    if functions:
        found.append("it may call " + ", ".join(functions))
    return user, found


def refuse_admin(user: str, reasons: list[str]) -> UserError:
    return UserError(
        f"refusing to run the query as {user}: {'; '.join(reasons)}, which a read-only transaction does not "
        "stop. Connect as the BI reader instead (`coopdb bi grant-readonly ROLE --login USER --password-env VAR` "
        "creates it; then -d postgresql://USER@HOST/DATABASE), or give --as-admin to run it anyway")


@contextmanager
def _query_pg(engine: Engine, sql: str, limit: int | None, timeout: float | None,
              as_admin: bool) -> Iterator[QueryRows]:
    import psycopg
    from psycopg import errors

    raw = engine.raw_connection()
    conn = raw.driver_connection

    def settings() -> None:
        # SET LOCAL: for this (READ ONLY) transaction only; the statement itself cannot change it in time
        milliseconds = 0 if timeout is None else max(1, round(timeout * 1000))
        conn.execute("SELECT set_config('statement_timeout', %s, true)", (f"{milliseconds}ms",))

    def translate(exc: Exception) -> UserError:
        if isinstance(exc, errors.QueryCanceled) and timeout is not None and "timeout" in str(exc):
            return timeout_error(timeout)
        text = str(exc).strip()
        return refused(text.splitlines()[0] if text else type(exc).__name__)

    try:
        try:
            if not as_admin:
                user, reasons = escape_privileges(conn.cursor())
                if reasons:
                    raise refuse_admin(user, reasons)
            settings()
            cursor = conn.cursor(name="coopdb_query")
            try:
                cursor.execute(sql)  # DECLARE ... CURSOR FOR <sql>: one statement, rows fetched on demand
                fetch = cursor.fetchmany
                description = cursor.description
            except (errors.SyntaxError, errors.FeatureNotSupported):
                # Not a query a cursor can hold (EXPLAIN, SHOW, a data-modifying WITH) or a typo: run it as it
                # is, one prepared statement, to get its own rows or its own error
                conn.rollback()
                settings()
                cursor = conn.cursor()
                cursor.execute(sql, prepare=True)
                fetch = cursor.fetchmany
                description = cursor.description
        except psycopg.Error as exc:
            raise translate(exc) from None
        result = QueryRows([d.name for d in description or ()], iter(()))

        def batches(n: int) -> list[tuple[Any, ...]]:
            try:
                return fetch(n)
            except psycopg.Error as exc:
                raise translate(exc) from None

        if description is not None:
            result.rows = _limited(batches, limit, result)
        yield result
    finally:
        try:
            raw.rollback()
        finally:
            raw.close()
