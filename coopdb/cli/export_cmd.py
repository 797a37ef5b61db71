"""`coopdb export`: BI views to CSV, Parquet or Excel files."""

from __future__ import annotations

from pathlib import Path

import click

from coopdb.cli.common import database_url_option, engine_for, out
from coopdb.cli.reporting import view_progress
from db import bi
from db import export as db_export
from db.errors import UserError


@click.command("export")
@click.argument("views", nargs=-1)
@click.option("--all", "all_views", is_flag=True, help="Export every BI view.")
@click.option("--format", "-f", "fmt", type=click.Choice(db_export.FORMATS), default="csv", show_default=True,
              help="File format: csv, parquet (typed columns) or xlsx.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write <view>.<format> files into (created if missing).")
@click.option("--batch-size", type=click.IntRange(min=1), default=db_export.BATCH_SIZE, show_default=True,
              help="Rows fetched and written per batch.")
@click.option("--force", is_flag=True, help="Replace files that already exist (default: refuse, naming them).")
@click.option("--raw-cells", is_flag=True,
              help="CSV: keep text starting with = + - @ as it is (default: prefixed with ' so that spreadsheets "
              "do not run it as a formula).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@database_url_option
def export(views: tuple[str, ...], all_views: bool, fmt: str, out_dir: Path, batch_size: int, force: bool,
           raw_cells: bool, quiet: bool, database_url: str | None) -> None:
    """Export BI VIEWS (e.g. projects_by_country) or --all to files, for BI tools that cannot connect.

    Rows are streamed in batches. Parquet keeps the types: dates as date32, amounts, capacities and
    coordinates as decimal128, counts and years as int64. An existing file is replaced only with
    --force. Text a spreadsheet would run as a formula is neutralised: prefixed with ' in CSV (unless
    --raw-cells), always stored as text in xlsx. See docs/bi.md and docs/security.md.

    While a view is exported, a progress line on stderr (when it is a terminal) counts its rows and the time
    spent. Each file written is named on stdout.

    Example: coopdb export --all --format parquet --out exports/
    """
    if all_views == bool(views):
        raise UserError("name the views to export or give --all (not both); views: " + ", ".join(bi.catalog()))
    names = list(bi.catalog()) if all_views else list(views)
    engine = engine_for(database_url, read_only=True, migrated=True)
    with view_progress(quiet) as progress:
        files = db_export.export_views(engine, names, fmt, out_dir, batch_size, progress, force=force,
                                       raw_cells=raw_cells)
        for done in files:
            out.print(f"{done.view}: {done.rows:,} rows -> {done.path}")
