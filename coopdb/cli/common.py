"""Options and helpers shared by every command."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.console import Console
from sqlalchemy import Engine

from db.engine import URL_ENV, make_engine, mask, resolve_url, sqlite_path
from db.errors import DatabaseError
from db.migrate import require_head

# Piped output gets a wide fixed width, so tables are not squeezed into 80 columns.
# No emoji codes: a value such as the source key `doc:a:` must print as written, not as a picture.
out = Console(highlight=False, soft_wrap=True, emoji=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False, width=None if sys.stderr.isatty() else 160)


GROUP_URL = "coopdb.database_url"  # ctx.meta key: the -d given before the subcommand (`coopdb -d URL status`)
URL_HELP = ("Database: a SQLAlchemy URL (sqlite:///file.sqlite, postgresql://user@host/db) or the path of a "
            f"SQLite file. Also read from ${URL_ENV}. Default: sqlite:///coopdb.sqlite in the current folder.")


def _url_from_group(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """The subcommand's -d wins; else the group's -d; else (later, in resolve_url) $COOPDB_DATABASE_URL."""
    return value if value is not None else ctx.meta.get(GROUP_URL)


def database_url_option(fn):
    """--database-url / -d on every command that opens a database, and on the `coopdb` group itself."""
    return click.option(
        "--database-url",
        "-d",
        "database_url",
        metavar="URL",
        callback=_url_from_group,
        help=URL_HELP,
    )(fn)


def json_option(fn):
    return click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(fn)


def engine_for(url: str | None, *, read_only: bool = False, create: bool = False,
               migrated: bool = False) -> Engine:
    """The engine of the database the user named. A SQLite file must exist unless `create` (only
    `db upgrade` and `quickstart` create one: a typo must not leave an empty file behind). With
    `migrated`, the schema must be at the revision this coopdb needs (else exit 4 saying how to fix it)."""
    resolved = resolve_url(url)
    path = sqlite_path(resolved)
    if path is not None and not create and not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise DatabaseError(f"no SQLite database at {path}: the file {what} (check the path; "
                            "`coopdb db upgrade` or `coopdb quickstart` creates a new database)")
    engine = make_engine(resolved, read_only=read_only)
    if migrated:
        require_head(engine, mask(resolved))
    return engine


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
