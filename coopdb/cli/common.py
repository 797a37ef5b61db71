"""Options and helpers shared by every command."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.console import Console
from sqlalchemy import Engine

from db.engine import URL_ENV, make_engine, resolve_url

# Piped output gets a wide fixed width, so tables are not squeezed into 80 columns.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, soft_wrap=True, width=None if sys.stderr.isatty() else 160)


def database_url_option(fn):
    """--database-url / -d, also read from $COOPDB_DATABASE_URL; on every command that opens a database."""
    return click.option(
        "--database-url",
        "-d",
        "database_url",
        envvar=URL_ENV,
        show_envvar=True,
        metavar="URL",
        help="SQLAlchemy URL of the database (sqlite:///file.sqlite or postgresql://user@host/db). "
        "Default: sqlite:///coopdb.sqlite in the current folder.",
    )(fn)


def json_option(fn):
    return click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(fn)


def engine_for(url: str | None, *, read_only: bool = False) -> Engine:
    return make_engine(resolve_url(url), read_only=read_only)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
