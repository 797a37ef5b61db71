"""`coopdb import aiddata|cow-igo|iigo`: the public datasets our users already work with."""

from __future__ import annotations

from pathlib import Path

import click

from coopdb.cli.common import engine_for, err
from coopdb.cli.files_cmd import takeover_option
from coopdb.cli.reporting import import_options, progress_bar, run_and_report
from importers import aiddata as aiddata_importer
from importers import cow_igo as cow_igo_importer
from importers import iigo as iigo_importer

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_SUBSET = click.option("--subset", is_flag=True,
                       help="The file is an extract of a release: do not check its record count against the "
                       "published files.")


@click.command("aiddata")
@click.argument("file", type=_FILE)
@_SUBSET
@click.option("--sheet", metavar="NAME", help="The sheet of a workbook holding the data. Default: the first sheet "
              "whose header is that of a known layout (the 3.0 workbook has other sheets besides GCDF_3.0).")
@takeover_option
@import_options
def aiddata(file: Path, subset: bool, sheet: str | None, allow_takeover: bool, database_url: str | None,
            dry_run: bool, allow_rejects: bool, force: bool, as_json: bool, quiet: bool) -> None:
    """Import AidData's Global Chinese Development Finance dataset from its Excel workbook or a CSV
    export (layouts v1.0, v2.0 and v3.0, detected from the header), cited as the published release it is
    (the full releases, the military-intent and Huawei releases of 2.0: importers/sources/aiddata.yml). Each
    AidData id is one project, AIDDATA-<record id> with the identifier (aiddata, id), whichever release or
    companion file gives it; it cites its source URLs and the release (row and record id)."""
    layout = aiddata_importer.read_layout(file, sheet)
    if not (quiet or as_json):
        where = f", sheet {layout.sheet!r}" if len(layout.sheets) > 1 else ""
        err.print(f"{file.name}: {layout.label} layout{where}")
    engine = engine_for(database_url)
    with progress_bar(f"aiddata {layout.version}", quiet or as_json) as progress:
        run_and_report(lambda: aiddata_importer.import_aiddata(
            engine, file, subset=subset, dry_run=dry_run, allow_rejects=allow_rejects, progress=progress,
            allow_takeover=allow_takeover, force=force, sheet=sheet),
            as_json=as_json, quiet=quiet)


@click.command("cow-igo")
@click.argument("file", type=_FILE)
@click.option("--states", type=_FILE, help="The COW state list (cow_states2016.csv, or COW's states2016.csv) that "
              "maps the file's state columns to COW abbreviations. Default: cow_states*.csv or states*.csv beside "
              "FILE, else coopdb's own table of the columns.")
@_SUBSET
@import_options
def cow_igo(file: Path, states: Path | None, subset: bool, database_url: str | None, dry_run: bool,
            allow_rejects: bool, force: bool, as_json: bool, quiet: bool) -> None:
    """Import the Correlates of War IGO v3 IGO-year file: one forum per IGO (code scheme cow_igo) and one
    membership per run of consecutive years with the same status (full member, associate, observer)."""
    engine = engine_for(database_url)
    with progress_bar("cow-igo", quiet or as_json) as progress:
        run_and_report(lambda: cow_igo_importer.import_cow_igo(
            engine, file, states=states, subset=subset, dry_run=dry_run, allow_rejects=allow_rejects,
            progress=progress, force=force), as_json=as_json, quiet=quiet)


@click.command("iigo")
@click.argument("files", type=_FILE, nargs=-1, required=True)
@import_options
def iigo(files: tuple[Path, ...], database_url: str | None, dry_run: bool, allow_rejects: bool, force: bool,
         as_json: bool, quiet: bool) -> None:
    """Import the informal IGOs data (Vabulas & Snidal): the organisations file, the memberships file or both.
    Groupings such as BRICS, G20 and G7 become forums of kind informal_grouping (code scheme iigo)."""
    engine = engine_for(database_url)
    run_and_report(lambda: iigo_importer.import_iigo(engine, files, dry_run=dry_run, allow_rejects=allow_rejects,
                                                     force=force),
                   as_json=as_json, quiet=quiet)


def register(group: click.Group) -> None:
    for command in (aiddata, cow_igo, iigo):
        group.add_command(command)
