"""`coopdb quickstart`: the README's main command."""

from __future__ import annotations

import click
from rich.table import Table

from coopdb.cli.common import database_url_option, engine_for, json_option, out, print_json
from coopdb.cli.query_cmd import print_status
from db import engine as db_engine
from db import inspect as db_inspect
from db import migrate, questions
from db.engine import mask
from importers import quickstart as builtin

EXAMPLE_QUESTION = "forums both China and Kazakhstan belong to, with the year each joined"


@click.command()
@database_url_option
@click.option("--create-database", is_flag=True,
              help="PostgreSQL: create the database first if the server does not have it (the user needs the "
              "CREATEDB privilege). A SQLite file is always created when missing.")
@json_option
def quickstart(database_url: str | None, create_database: bool, as_json: bool) -> None:
    """Build a ready-to-query database: migrate it to the latest schema, load the built-in reference
    data, then print a summary. Running it again changes nothing.

    On PostgreSQL the database must exist (`createdb coopdb`), or give --create-database."""
    engine = engine_for(database_url, create=True)
    created = create_database and db_engine.create_database(engine.url)
    before, after = migrate.upgrade(engine)
    reports = builtin.run_all(engine)
    info = db_inspect.status(engine)
    shared = questions.forums_shared(engine, "CHN", "KAZ")
    if as_json:
        print_json({"created_database": created, "migrated_from": before, "migrated_to": after,
                    "imports": [r.as_dict() for r in reports], **info.as_dict(),
                    "example": {"question": EXAMPLE_QUESTION,
                                "rows": [{"forum": s.forum, "name": s.name, "china_joined": s.first.year,
                                          "china_role": s.first.role, "kazakhstan_joined": s.second.year,
                                          "kazakhstan_role": s.second.role} for s in shared]}})
        return
    if created:
        out.print(f"created the database {engine.url.database}")
    if before != after:
        out.print(f"migrated {mask(engine.url)}: {before or 'empty'} -> {after}")
    if reports:
        table = Table("import", "read", "inserted", "updated", "unchanged", "seconds",
                      title="Built-in imports", title_justify="left")
        for r in reports:
            table.add_row(r.importer, str(r.read), str(r.inserted), str(r.updated), str(r.unchanged),
                          f"{r.seconds:.1f}")
        out.print(table)
    print_status(info)
    if shared:
        example = Table("forum", "China joined", "Kazakhstan joined",
                        title=f"Example: {EXAMPLE_QUESTION}", title_justify="left")
        for s in shared:
            example.add_row(s.forum, _joined(s.first), _joined(s.second))
        out.print(example)
        out.print("(the SQL behind it: db/questions.py; ask your own with `coopdb sql`)")


def _joined(joined: questions.Joined) -> str:
    return f"{joined.year} ({joined.role.replace('_', ' ')})"
