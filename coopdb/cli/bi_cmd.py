"""`coopdb bi ...`: the BI views, the read-only role for BI tools, and the example queries."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click
from rich.table import Table

from coopdb.cli.common import database_url_option, engine_for, err, out
from coopdb.cli.query_cmd import format_option, run_query
from db import bi
from db.engine import mask, resolve_url, sqlite_path, sqlite_read_only_uri
from db.errors import UserError

SQLITE_ADVICE = """\
SQLite has no users or roles: whoever can read the file can read everything in it, and whoever can
write it can change it. To give a BI tool read-only access to {path}:
  - give it a copy (`sqlite3 {path} ".backup coopdb-bi.sqlite"` makes a consistent one), or
  - make the file read-only for that tool's user (chmod a-w, or a read-only mount) and open it with
    the URI {uri} (Python, DBeaver, Superset) or `sqlite3 -readonly`.
The BI views are the bi_* views in that file: {views}.
For users and roles, move to PostgreSQL and run this command there (see docs/bi.md)."""


@click.group("bi")
def bi_group() -> None:
    """BI views, the read-only role for BI tools, and running the example queries."""


@bi_group.command("views")
@database_url_option
def views(database_url: str | None) -> None:
    """List the BI views with how SQL names them on this database and what each shows."""
    dialect = resolve_url(database_url).get_backend_name()  # names only: the database is not opened
    table = Table("view", "columns", "what it shows")
    for v in bi.catalog().values():
        table.add_row(bi.qualified_name(v.name, dialect), str(len(v.columns)), v.comment)
    out.print(table)


@bi_group.command("grant-readonly")
@click.argument("role")
@click.option("--login", metavar="USER", help="Also create (or update) this login user as a member of ROLE.")
@click.option("--password-env", metavar="VAR",
              help="Name of the environment variable holding the login user's password (never on the command line).")
@click.option("--timeout", type=click.IntRange(min=0), default=bi.DEFAULT_STATEMENT_TIMEOUT, show_default=True,
              metavar="SECONDS", help="statement_timeout of the login user (0 for none).")
@click.option("--temp-file-limit", type=click.IntRange(min=-1), default=bi.DEFAULT_TEMP_FILE_LIMIT,
              show_default=True, metavar="MB",
              help="temp_file_limit of the login user: megabytes of temporary files one session may write (-1 for "
                   "none). Only a superuser may set it.")
@database_url_option
def grant_readonly(role: str, login: str | None, password_env: str | None, timeout: int, temp_file_limit: int,
                   database_url: str | None) -> None:
    """Create the NOLOGIN role ROLE that can read the `bi` views and nothing else (PostgreSQL).

    ROLE gets USAGE on schema bi, SELECT on its views and default privileges for views created later.
    With --login USER, USER becomes a login user in ROLE (search_path bi, read-only transactions, a
    statement timeout, a cap on temporary files); its password is read from the environment variable
    named by --password-env.
    In this database it revokes from PUBLIC: TEMP, CREATE on schema public (both kept for the owner of
    coopdb's tables), the large-object functions that write and, where installed, the functions of
    dblink and adminpack. Run it as a superuser (or the owner of
    the database); see docs/security.md for what stays cluster-wide. Running it again changes nothing
    but the password and the timeout. On SQLite it explains how to share the file read-only instead.

    Example: BI_PW=... coopdb bi grant-readonly coopdb_bi --login metabase --password-env BI_PW
    """
    engine = engine_for(database_url, migrated=True)
    if engine.dialect.name == "sqlite":
        path = sqlite_path(engine.url)
        uri = sqlite_read_only_uri(path) if path else "file:PATH?mode=ro"
        names = ", ".join(bi.qualified_name(v, "sqlite") for v in bi.catalog())
        out.print(SQLITE_ADVICE.format(path=path or mask(engine.url), uri=uri, views=names), markup=False)
        return
    password = None
    if password_env:
        if login is None:
            raise UserError("--password-env needs --login USER")
        password = os.environ.get(password_env)
        if not password:
            raise UserError(f"environment variable {password_env} is not set or empty: put the password there")
    report = bi.grant_readonly(engine, role, login=login, password=password, statement_timeout=timeout,
                               temp_file_limit=temp_file_limit)
    out.print(f"role {report.role} {'created' if report.role_created else 'already existed'}: "
              f"SELECT on {len(report.views)} views in {report.database}.{bi.SCHEMA} "
              "and on views created there later")
    if report.login:
        state = "created" if report.login_created else "updated"
        note = ", password set" if report.password_set else ""
        out.print(f"login user {report.login} {state}{note}: member of {report.role}, search_path {bi.SCHEMA}, "
                  f"read-only transactions, statement_timeout {report.statement_timeout}s"
                  + (f", temp_file_limit {report.temp_file_limit} MB" if report.temp_file_limit is not None else ""))
    kept = f" (kept for {', '.join(report.kept_for)})" if report.kept_for else ""
    out.print(f"revoked from PUBLIC in {report.database}: TEMP and CREATE on schema public{kept}, "
              "EXECUTE on the large-object functions that write and on dblink's and adminpack's where installed")
    for allowed in report.still_allowed:
        err.print(f"warning: could not revoke {allowed}: run this command as a superuser or the database's owner")


@bi_group.command("refresh")
@database_url_option
def refresh(database_url: str | None) -> None:
    """Rebuild the table behind bi.country_pairs (country_pair_totals) from the record tables.

    Every import does this in its own transaction; run it after changing records by hand in SQL.
    """
    engine = engine_for(database_url, migrated=True)
    started = time.perf_counter()
    pairs = bi.refresh(engine)
    out.print(f"country_pairs: {pairs:,} pairs of countries rebuilt in {time.perf_counter() - started:.2f} s")


@bi_group.command("query")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@database_url_option
@format_option
def query(file: Path, database_url: str | None, fmt: str, limit: int | None, timeout: float,
          as_admin: bool) -> None:
    """Run the read-only SQL query in FILE (e.g. queries/*.sql), written against bi.<view>.

    On SQLite, bi.<view> names are read as bi_<view>, so the same file runs on both databases. It runs
    as `coopdb sql` does (read-only, one statement, --timeout, --as-admin on PostgreSQL).
    """
    engine = engine_for(database_url, read_only=True, migrated=True)
    text = bi.for_dialect(file.read_text(encoding="utf-8"), engine.dialect.name)
    run_query(engine, text, fmt, limit, timeout, as_admin, database_url)
