"""The steps of `coopdb quickstart` (the README's main command), in order.

Each step is (name, function(engine) -> ImportReport). Modules that provide built-in data add their
step to STEPS; the command migrates the database, runs every step and prints a summary. Every step
must be idempotent: a second run reports 0 inserted and 0 updated.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from importers.core import ImportReport

Step = tuple[str, Callable[[Engine], ImportReport]]


def steps() -> list[Step]:
    """The built-in imports, in dependency order."""
    from importers.countries import import_countries

    return [("countries", import_countries)]


def run_all(engine: Engine) -> list[ImportReport]:
    return [fn(engine) for _name, fn in steps()]
