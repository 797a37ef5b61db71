"""`coopdb mapping draft FILE --entity E`: a first mapping file written from the file itself."""

from __future__ import annotations

from pathlib import Path

import click

from coopdb.cli.common import err
from db.outfiles import OutFile
from importers.draft import draft_mapping
from importers.readers import FORMATS


@click.group("mapping")
def mapping_group() -> None:
    """Mapping files: import someone else's spreadsheet without code (docs/formats.md)."""


@mapping_group.command("draft")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--entity", "-e", required=True, type=click.Choice(["projects", "agreements"]),
              help="What each row of FILE describes.")
@click.option("--sheet", metavar="NAME", help="Sheet of an .xlsx workbook (default: the first).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="File format (default: from the extension).")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the mapping to this file (default: print it).")
@click.option("--force", is_flag=True, help="Replace --output when it exists (written under a temporary name, then "
              "renamed; a symbolic link there is replaced, never followed).")
def draft_cmd(file: Path, entity: str, sheet: str | None, fmt: str | None, output: Path | None,
              force: bool) -> None:
    """Write a starting mapping file for FILE from its first rows: the header row (under any title
    block), columns matched to our fields by name, date formats, amounts in millions, country columns
    and their code scheme (names, alpha-2, alpha-3, ISO numeric), organisation and source columns,
    with samples of every column as comments. Review it, then try it with
    `coopdb import ENTITY FILE --mapping M.yml --dry-run`, which shows the first rows as they would
    be imported."""
    target = OutFile(output, force=force) if output is not None else None  # checked before FILE is read
    try:
        text = draft_mapping(file, entity, sheet=sheet, format=fmt)
    except BaseException:
        if target is not None:
            target.discard()
        raise
    if target is None:
        click.echo(text, nl=False)
        return
    with target.open("w") as handle:
        handle.write(text)
    target.publish()
    err.print(f"wrote {output}", markup=False)
