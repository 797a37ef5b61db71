"""`coopdb docs ...`: documents generated from the schema."""

from __future__ import annotations

from pathlib import Path

import click

from coopdb.cli.common import err, out
from db import docs as db_docs

EXIT_STALE = 5


def _write_or_check(text: str, out_file: Path, check: bool) -> None:
    if check:
        current = out_file.read_text(encoding="utf-8") if out_file.exists() else None
        if current != text:
            err.print(f"{out_file} is out of date: run `coopdb docs` to regenerate it")
            raise click.exceptions.Exit(EXIT_STALE)
        out.print(f"{out_file} is up to date")
        return
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(text, encoding="utf-8")
    out.print(f"wrote {out_file}")


check_option = click.option("--check", is_flag=True,
                            help="Write nothing; exit 5 when a file differs from what would be written.")


def _unused_url_option(fn):
    """-d as on every other command, so that a script can pass it everywhere; these documents come from
    the models and the view catalog of this coopdb, so the database is not opened."""
    return click.option("--database-url", "-d", "database_url", metavar="URL", expose_value=False,
                        help="Accepted like on every command; not used: the documents come from the models "
                        "of this coopdb, not from a database.")(fn)


@click.group("docs")
def docs_group() -> None:
    """Generate documentation from the models and the BI view catalog."""


@docs_group.command("data-dictionary")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("docs/data-dictionary.md"), show_default=True, help="File to write.")
@check_option
@_unused_url_option
def data_dictionary(out_file: Path, check: bool) -> None:
    """Write the data dictionary: every table, BI view and column with its type and comment."""
    _write_or_check(db_docs.data_dictionary(), out_file, check)


@docs_group.command("er")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("docs/er.md"), show_default=True, help="File to write.")
@check_option
@_unused_url_option
def er(out_file: Path, check: bool) -> None:
    """Write the entity-relationship diagram (Mermaid) of the tables and their foreign keys."""
    _write_or_check(db_docs.er_diagram(), out_file, check)


@docs_group.command("schemas")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("docs/schemas"), show_default=True, help="Folder to write.")
@check_option
@_unused_url_option
def schemas(out_dir: Path, check: bool) -> None:
    """Write one JSON Schema per entity (sources, forums, organisations, memberships, projects, agreements)."""
    from importers.schemas import schema_files

    for name, text in schema_files().items():
        _write_or_check(text, out_dir / name, check)
