"""`coopdb quickstart`: the README's main command."""

from __future__ import annotations

import click

from coopdb.cli.common import database_url_option, engine_for, json_option, out, print_json
from coopdb.cli.query_cmd import print_status
from db import inspect as db_inspect
from db import migrate
from db.engine import mask


@click.command()
@database_url_option
@json_option
def quickstart(database_url: str | None, as_json: bool) -> None:
    """Build a ready-to-query database: migrate it to the latest schema, then print its status.

    Running it again changes nothing.
    """
    engine = engine_for(database_url)
    before, after = migrate.upgrade(engine)
    info = db_inspect.status(engine)
    if as_json:
        print_json({"migrated_from": before, "migrated_to": after, **info.as_dict()})
        return
    if before != after:
        out.print(f"migrated {mask(engine.url)}: {before or 'empty'} -> {after}")
    print_status(info)
