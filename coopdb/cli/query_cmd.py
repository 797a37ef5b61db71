"""`coopdb status` and `coopdb sql`."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click
from rich.table import Table

from coopdb.cli.common import database_url_option, engine_for, json_option, out, print_json
from db import inspect as db_inspect

RUN_COUNTS = ("rows_read", "rows_inserted", "rows_updated", "rows_unchanged", "rows_rejected")


def format_option(fn):
    fn = click.option("--limit", type=int, default=None, help="Print at most this many rows.")(fn)
    return click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
                        show_default=True, help="Output format.")(fn)


def print_rows(result: db_inspect.QueryResult, fmt: str) -> None:
    """Query rows as a table (with a count), CSV or JSON on stdout."""
    if fmt == "json":
        print_json([dict(zip(result.columns, row, strict=True)) for row in result.rows])
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    else:
        table = Table(*result.columns)
        for row in result.rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        out.print(table)
        out.print(f"{len(result.rows)} row(s)")


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
def sql(query: str, database_url: str | None, fmt: str, limit: int | None) -> None:
    """Run one read-only SQL QUERY and print the rows as a table, CSV or JSON.

    The query runs on a read-only connection (SQLite opened read-only, PostgreSQL in a READ ONLY
    transaction), so INSERT, UPDATE, DELETE or DROP are refused by the database itself.

    Example: coopdb sql "SELECT code, name FROM countries WHERE subregion = 'Central Asia'"
    """
    result = db_inspect.read_only_query(engine_for(database_url, read_only=True), query, limit)
    print_rows(result, fmt)
