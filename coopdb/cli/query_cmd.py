"""`coopdb status` and `coopdb sql`."""

from __future__ import annotations

import csv
import json
import math
import re
import sys
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from coopdb.cli.common import database_url_option, engine_for, json_option, out, print_json
from db import bi, migrate, readonly
from db import inspect as db_inspect
from db.engine import mask, resolve_url
from db.errors import UserError

RUN_COUNTS = ("rows_read", "rows_inserted", "rows_updated", "rows_unchanged", "rows_rejected")


def format_option(fn):
    """--format, --limit, --timeout and --as-admin: the options of a read-only query."""
    fn = click.option("--as-admin", is_flag=True,
                      help="Run even when the PostgreSQL user is a superuser or may run programs, read or write "
                      "server files or use dblink (which a read-only transaction does not stop). Without it such "
                      "a user is refused: connect as the BI reader (`coopdb bi grant-readonly`).")(fn)
    fn = click.option("--timeout", type=click.FloatRange(min=0), default=readonly.DEFAULT_TIMEOUT, show_default=True,
                      metavar="SECONDS", help="Stop the query when the database spends longer than this on it "
                      "(on each batch of rows it sends); 0 for no limit.")(fn)
    fn = click.option("--limit", type=click.IntRange(min=0), default=None,
                      help="Print at most this many rows (only these are fetched); a note on stderr says when "
                      "rows were left out.")(fn)
    return click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
                        show_default=True, help="Output format. csv and json stream the rows; table holds them "
                        "in memory to size its columns.")(fn)


def _json_value(value):
    """JSON's own types as they are; a decimal, a date or a non-finite float as text (JSON has no Infinity)."""
    if value is None or isinstance(value, bool | int | str) or (isinstance(value, float) and math.isfinite(value)):
        return value
    return str(value)


def print_rows(result: readonly.QueryRows, fmt: str) -> int:
    """Query rows as a table (with a count), CSV or JSON on stdout, streamed for CSV and JSON. Values are
    printed as plain text (never read as Rich markup). Returns the number of rows printed."""
    count = 0
    if fmt == "json":  # as json.dumps(rows, indent=2) would print them, one row at a time
        write = sys.stdout.write
        encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder: json.dumps(..., options) makes one a call
        keys = [encode(c) for c in result.columns]
        write("[")
        for row in result.rows:
            fields = ",\n".join(f"    {k}: {encode(_json_value(v))}" for k, v in zip(keys, row, strict=True))
            write(("\n  " if count == 0 else ",\n  ") + ("{\n" + fields + "\n  }" if fields else "{}"))
            count += 1
        write("\n]\n" if count else "]\n")
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        for row in result.rows:
            writer.writerow(row)
            count += 1
    else:
        table = Table()
        for column in result.columns:
            table.add_column(Text(column))
        for row in result.rows:
            table.add_row(*(Text("" if v is None else str(v)) for v in row))
            count += 1
        out.print(table)
        out.print(f"{count} row(s)")
    return count


def run_query(engine, query: str, fmt: str, limit: int | None, timeout: float, as_admin: bool,
              database_url: str | None = None) -> None:
    """Run a read-only query, print its rows, and say on stderr when --limit left rows out. A query naming
    a table of a database that has no coopdb schema at all says so (exit 4), not only that the table is
    missing."""
    try:
        with readonly.read_only_query(engine, query, limit=limit, timeout=timeout, as_admin=as_admin) as result:
            count = print_rows(result, fmt)
            if result.more:
                sys.stdout.flush()
                click.echo(f"note: only the first {count:,} row(s) are shown: the query has more (--limit {limit})",
                           err=True)
    except UserError as exc:
        if _MISSING_TABLE.search(str(exc)):
            migrate.require_schema(engine, mask(resolve_url(database_url)))
        raise


_MISSING_TABLE = re.compile(r"no such table|relation .* does not exist", re.I)


def print_status(info: db_inspect.Status) -> None:
    state = "up to date" if info.up_to_date else f"NOT at head {info.head}: run `coopdb db upgrade`"
    out.print(f"database: {info.database} ({info.dialect})")
    out.print(f"schema:   {info.revision or 'empty'} ({state})")
    if info.tables:
        table = Table("table", "rows", title="Rows per table", title_justify="left")
        for name, count in info.tables.items():
            table.add_row(name, f"{count:,}")
        out.print(table)
    elif info.up_to_date:
        out.print("tables:   none readable by this user (a BI login reads the bi views: `coopdb bi views`)")
    if info.runs:
        table = Table("run", "importer", "file", "status", "started (UTC)", "read", "ins", "upd", "same",
                      "rej", title="Last import runs", title_justify="left")
        for r in info.runs:
            table.add_row(str(r["id"]), r["importer"], Path(r["file_name"]).name if r["file_name"] else "",
                          r["status"],
                          str(r["started_at"])[:19], *(str(r[c]) for c in RUN_COUNTS))
        out.print(table)
    elif info.tables:
        out.print("no import runs yet")


@click.command()
@database_url_option
@click.option("--runs", default=5, show_default=True, help="How many recent import runs to show.")
@json_option
def status(database_url: str | None, runs: int, as_json: bool) -> None:
    """Show the database, its schema revision, rows per table and the last import runs."""
    info = db_inspect.status(engine_for(database_url), runs=runs)
    if as_json:
        print_json(info.as_dict())
    else:
        print_status(info)


@click.command()
@click.argument("query")
@database_url_option
@format_option
def sql(query: str, database_url: str | None, fmt: str, limit: int | None, timeout: float,
        as_admin: bool) -> None:
    """Run one read-only SQL QUERY and print the rows as a table, CSV or JSON.

    The query runs on a read-only connection (SQLite opened read-only with ATTACH, VACUUM, writes and
    writing PRAGMAs refused; PostgreSQL in a READ ONLY transaction, rolled back at the end), so INSERT,
    UPDATE, DELETE, DROP or CREATE are refused by the database itself. On PostgreSQL a superuser (or a
    user who may run programs or touch server files) is refused unless --as-admin: connect as the BI
    reader. Rows are streamed; see docs/security.md. The BI views are named as on PostgreSQL on every
    database (`bi.country_pairs`; SQLite's own name `bi_country_pairs` works too).

    Example: coopdb sql "SELECT code, name FROM countries WHERE subregion = 'Central Asia'"
    """
    engine = engine_for(database_url, read_only=True)
    run_query(engine, bi.for_dialect(query, engine.dialect.name), fmt, limit, timeout, as_admin, database_url)
