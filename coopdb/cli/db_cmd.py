"""`coopdb db ...`: schema migrations."""

from __future__ import annotations

import click

from coopdb.cli.common import database_url_option, engine_for, err, json_option, out, print_json
from db import migrate
from db.engine import mask

EXIT_CHECK_FAILED = 5


@click.group("db")
def db_group() -> None:
    """Create and migrate the database schema (Alembic)."""


@db_group.command()
@click.argument("revision", default="head")
@database_url_option
def upgrade(revision: str, database_url: str | None) -> None:
    """Migrate the database up to REVISION (default: head, the latest). Creates a SQLite file if needed."""
    engine = engine_for(database_url, create=True)
    before, after = migrate.upgrade(engine, revision)
    if before == after:
        out.print(f"{mask(engine.url)} is already at {after}")
    else:
        out.print(f"{mask(engine.url)}: {before or 'empty'} -> {after}")


@db_group.command()
@click.argument("revision")
@database_url_option
def downgrade(revision: str, database_url: str | None) -> None:
    """Migrate the database down to REVISION (-1 for one step, base to remove every table)."""
    engine = engine_for(database_url)
    before, after = migrate.downgrade(engine, revision)
    out.print(f"{mask(engine.url)}: {before or 'empty'} -> {after or 'base'}")


@db_group.command()
@database_url_option
@json_option
def current(database_url: str | None, as_json: bool) -> None:
    """Print the database's schema revision and the latest one this coopdb knows."""
    engine = engine_for(database_url)
    rev, head = migrate.current_revision(engine), migrate.head_revision()
    if as_json:
        print_json({"database": mask(engine.url), "revision": rev, "head": head, "up_to_date": rev == head})
        return
    note = "up to date" if rev == head else f"behind: head is {head}"
    out.print(f"{mask(engine.url)}: {rev or 'empty (no revision)'} ({note})")


@db_group.command()
@database_url_option
@json_option
def check(database_url: str | None, as_json: bool) -> None:
    """Compare the migrated database with the models; exit 5 if they differ (a migration is missing)."""
    engine = engine_for(database_url)
    result = migrate.check(engine)
    if as_json:
        print_json({"ok": result.ok, "revision": result.revision, "head": result.head,
                    "differences": result.differences})
    elif result.ok:
        out.print(f"ok: {mask(engine.url)} at {result.head} matches the models")
    else:
        if result.revision != result.head:
            err.print(f"database is at {result.revision or 'no revision'}, head is {result.head}")
        for line in result.differences:
            err.print(f"model differs from migrations: {line}")
    if not result.ok:
        raise click.exceptions.Exit(EXIT_CHECK_FAILED)
