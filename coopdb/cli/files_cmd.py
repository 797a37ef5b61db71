"""`coopdb import sources|forums|organisations|memberships|projects|agreements|events FILE` (one command per
record layout that importers/entities.py declares) and `coopdb import bundle FILE`: our documented file
formats (docs/formats.md)."""

from __future__ import annotations

from pathlib import Path

import click

from coopdb.cli.common import engine_for
from coopdb.cli.import_cmd import import_group
from coopdb.cli.reporting import import_options, progress_bar, run_and_report
from importers.entities import LAYOUTS
from importers.files import import_file
from importers.readers import FORMATS
from importers.yaml_bundle import import_bundle

# One command per record layout of importers/entities.py, with the help its declaration gives
_HELP = {section: entity.help for section, entity in LAYOUTS.items()}


def _make_command(entity: str) -> click.Command:
    @click.command(entity, help=f"Import {_HELP[entity]} from FILE (csv, tsv, json, jsonl, yaml or xlsx) in "
                   "the layout of docs/formats.md, or in any layout through --mapping. All or nothing unless "
                   "--allow-rejects; exit 3 when rows are rejected.")
    @click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
    @click.option("--format", "fmt", type=click.Choice(FORMATS), help="File format (default: from the extension).")
    @click.option("--sheet", metavar="NAME", help="Sheet of an .xlsx workbook (default: the first).")
    @click.option("--mapping", "-m", metavar="YAML", type=click.Path(path_type=Path, dir_okay=False),
                  help="Mapping file (docs/formats.md): header row, columns, templates, transforms, lookups, date "
                  "formats, country/organisation/source columns. With --dry-run: shows the first rows as they "
                  "would be imported. `coopdb mapping draft FILE` writes a first one.")
    @source_options
    @import_options
    def command(file: Path, fmt: str | None, sheet: str | None, mapping: Path | None, database_url: str | None,
                dry_run: bool, allow_rejects: bool, force: bool, as_json: bool, quiet: bool, priority: int | None,
                source_date: str | None, allow_takeover: bool, replace_participants: bool = False,
                dataset: str | None = None) -> None:
        engine = engine_for(database_url)
        with progress_bar(f"{entity} {file.name}", quiet or as_json) as progress:
            def call():
                return import_file(engine, entity, file, format=fmt, sheet=sheet, mapping=mapping,
                                   dry_run=dry_run, allow_rejects=allow_rejects, progress=progress,
                                   replace_participants=replace_participants, dataset=dataset,
                                   priority=priority, source_date=source_date, allow_takeover=allow_takeover,
                                   force=force)

            run_and_report(call, as_json=as_json, quiet=quiet)

    if entity in ("projects", "agreements"):
        command = click.option(
            "--dataset", metavar="KEY",
            help="Resolve country names with this data set's own spellings first (cow, aiddata, iigo).")(command)
    if entity == "projects":
        command = click.option(
            "--replace-participants", is_flag=True,
            help="The participants a record lists replace those that any source lists for its project: one it "
                 "no longer lists is deleted with its citations (a blank cell removes them all). Default: a "
                 "participant stays while another source still lists it.")(command)
    return command


def source_options(fn):
    fn = takeover_option(fn)
    fn = click.option("--source-date", metavar="DATE",
                      help="The file's own date (2024, 2024-07 or 2024-07-03), e.g. its release date: among sources "
                      "of equal priority the later date wins (default: the day it is first imported).")(fn)
    return click.option("--priority", type=int, metavar="N",
                        help="Priority of the file as a source: its values win over those of sources with a lower "
                        "priority, whatever their dates (default 0; docs/provenance.md).")(fn)


def takeover_option(fn):
    return click.option("--allow-takeover", is_flag=True,
                        help="Let a record whose code is that of a record another source identifies under another "
                        "scheme (a treaty list's 1 and another list's 1) update it and become one record with it. "
                        "Default: such a row is rejected naming both (docs/provenance.md).")(fn)


@click.command("bundle")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@source_options
@import_options
def bundle(file: Path, database_url: str | None, dry_run: bool, allow_rejects: bool, force: bool, as_json: bool,
           quiet: bool, priority: int | None, source_date: str | None, allow_takeover: bool) -> None:
    """Import a YAML or JSON bundle FILE with several sections (sources, forums, organisations,
    memberships, projects, agreements, events, updates), each a list of records in the layout of docs/formats.md.
    A record states only the fields it names: the others keep their values."""
    engine = engine_for(database_url)
    run_and_report(lambda: import_bundle(engine, file, dry_run=dry_run, allow_rejects=allow_rejects,
                                         priority=priority, source_date=source_date,
                                         allow_takeover=allow_takeover, force=force),
                   as_json=as_json, quiet=quiet)


def register() -> None:
    for entity in _HELP:
        import_group.add_command(_make_command(entity))
    import_group.add_command(bundle)
