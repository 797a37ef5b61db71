"""Export BI views to CSV, Parquet or Excel files, streaming rows in batches.

Types come from the view catalog (db/views/catalog.yml), so both databases give the same files:
- CSV: UTF-8, a header row, dates as 2024-07-03, numbers as written with their scale (1500000.00), booleans
  as true/false, NULL as an empty field.
- Parquet (the extra `coopdb[parquet]`, i.e. pyarrow): dates as date32, money, capacity and coordinates as
  decimal128(precision, scale), whole numbers as int64, booleans as bool, text as string.
- xlsx: one sheet named after the view; dates as Excel dates, numbers as numbers, text always as text
  (never a formula). Excel holds at most 1,048,575 data rows: a larger view is refused (use CSV or Parquet).

Files are written as db/outfiles.py does: an existing file is replaced only with `force`, a planted
symbolic link is never followed, each export writes under its own `<view>.<fmt>.<random>.partial`. In CSV
files, text that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return)
is prefixed with ' unless `raw_cells` (OWASP CSV injection); numbers stay numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from db import bi, migrate
from db.errors import UserError
from db.outfiles import OutFile, check_target, neutralise

FORMATS = ("csv", "parquet", "xlsx")
XLSX_MAX_ROWS = 1_048_575
BATCH_SIZE = 10_000


@dataclass
class ExportedFile:
    view: str
    path: Path
    rows: int


def arrow_schema(view: bi.View):
    import pyarrow as pa

    fields = []
    for column in view.columns:
        numeric = column.numeric
        if numeric:
            kind = pa.decimal128(*numeric)
        else:
            kind = {"text": pa.string(), "integer": pa.int64(), "date": pa.date32(), "boolean": pa.bool_()}[column.type]
        fields.append(pa.field(column.name, kind, metadata={"comment": column.comment}))
    return pa.schema(fields, metadata={"comment": view.comment})


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if hasattr(value, "isoformat") else value


def export_view(engine: Engine, name: str, fmt: str, out_dir: Path, batch_size: int = BATCH_SIZE,
                progress: Callable[[str, int], None] | None = None, *, force: bool = False,
                raw_cells: bool = False) -> ExportedFile:
    """Write one view to out_dir/<view>.<fmt> (replacing an existing file only with `force`). A failed
    export leaves no partial file behind. `progress` is called with the view's name and the rows fetched
    so far, after each batch (and with 0 first)."""
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    require_format(fmt)
    view = bi.view(name)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = OutFile(out_dir / f"{view.name}.{fmt}", force=force)
    batches = bi.iter_view(engine, view.name, batch_size=batch_size)
    if progress is not None:
        batches = _counted(batches, view.name, progress)
    try:
        with target.open("w" if fmt == "csv" else "wb") as handle:
            if fmt == "csv":
                rows = _write_csv(view, batches, handle, raw_cells)
            else:
                rows = {"parquet": _write_parquet, "xlsx": _write_xlsx}[fmt](view, batches, handle)
        path = target.publish()
    finally:
        target.discard()
    return ExportedFile(view.name, path, rows)


def _counted(batches, view: str, progress: Callable[[str, int], None]):
    rows = 0
    progress(view, rows)
    for batch in batches:
        yield batch
        rows += len(batch)
        progress(view, rows)


PARQUET_MISSING = ("Parquet export needs pyarrow, an optional part of coopdb (about 170 MB): install it with "
                   "`pip install 'coopdb[parquet]'` (or `pip install pyarrow`), or export as csv or xlsx")


def require_format(fmt: str) -> None:
    """Refuse a format whose library is not installed, before anything is read or written."""
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise UserError(PARQUET_MISSING) from None


def export_views(engine: Engine, names: Sequence[str], fmt: str, out_dir: Path,
                 batch_size: int = BATCH_SIZE, progress: Callable[[str, int], None] | None = None, *,
                 force: bool = False, raw_cells: bool = False) -> Iterator[ExportedFile]:
    """Check the names, the format, the files and the schema at once; then export each view in turn as the
    iterator is consumed, yielding each file once written (see `export_view` for `progress`)."""
    views = list(dict.fromkeys(bi.view(n).name for n in names))  # every name checked before anything is written
    require_format(fmt)
    if out_dir.exists() or out_dir.is_symlink():
        for v in views:  # and every file: an existing third file must not stop the export after two
            check_target(out_dir / f"{v}.{fmt}", force)
    migrate.require_head(engine)  # the views exist only from revision 0002 on
    return (export_view(engine, v, fmt, out_dir, batch_size, progress, force=force, raw_cells=raw_cells)
            for v in views)


def _write_csv(view: bi.View, batches, handle, raw_cells: bool = False) -> int:
    count = 0
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(view.column_names)
    cell = _csv_value if raw_cells else (lambda value: neutralise(_csv_value(value)))
    for batch in batches:
        writer.writerows([cell(v) for v in row] for row in batch)
        count += len(batch)
    return count


def _write_parquet(view: bi.View, batches, path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(view)
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        for batch in batches:
            columns = list(zip(*batch, strict=True))
            writer.write_table(pa.table([pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)],
                                        schema=schema))
            count += len(batch)
    return count


def _write_xlsx(view: bi.View, batches, path) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(view.name[:31])
    sheet.append(view.column_names)
    count = 0
    for batch in batches:
        count += len(batch)
        if count > XLSX_MAX_ROWS:
            raise UserError(f"view {view.name} has more than {XLSX_MAX_ROWS:,} rows, more than an Excel sheet "
                            "holds: export it as csv or parquet")
        for row in batch:
            sheet.append([_xlsx_text(sheet, v) if isinstance(v, str) else v for v in row])
    book.save(path)
    return count


def _xlsx_text(sheet, value: str):
    """Text as a text cell, never a formula or an error value (openpyxl makes a formula of any string starting
    with '=', and an error of '#N/A')."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    if not value.startswith("=") and value not in ERROR_CODES:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell
