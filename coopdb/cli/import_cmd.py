"""`coopdb import ...`: one subcommand per kind of source. Each module adds its own command here."""

from __future__ import annotations

import click


@click.group("import")
def import_group() -> None:
    """Import data into the database: the built-in references, our documented file formats and public
    datasets. Every import is one transaction and one row in import_runs (see `coopdb status`)."""
