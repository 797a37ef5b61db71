"""Export BI views to CSV, Parquet or Excel files, streaming rows in batches.

Types come from the view catalog (db/views/catalog.yml), so both databases give the same files:
- CSV: UTF-8, a header row, dates as 2024-07-03, numbers as written with their scale (1500000.00), booleans
  as true/false, NULL as an empty field.
- Parquet (the extra `coopdb[parquet]`, i.e. pyarrow): dates as date32, money, capacity and coordinates as
  decimal128(precision, scale), whole numbers as int64, booleans as bool, text as string.
- xlsx: one sheet named after the view; dates as Excel dates, numbers as numbers. Excel holds at most
  1,048,575 data rows: a larger view is refused (use CSV or Parquet).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from db import bi, migrate
from db.errors import UserError

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
                progress: Callable[[str, int], None] | None = None) -> ExportedFile:
    """Write one view to out_dir/<view>.<fmt>. A failed export leaves no partial file behind. `progress`
    is called with the view's name and the rows fetched so far, after each batch (and with 0 first)."""
    if fmt not in FORMATS:
        raise UserError(f"unknown export format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    require_format(fmt)
    view = bi.view(name)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{view.name}.{fmt}"
    partial = path.with_name(path.name + ".partial")
    batches = bi.iter_view(engine, view.name, batch_size=batch_size)
    if progress is not None:
        batches = _counted(batches, view.name, progress)
    try:
        rows = {"csv": _write_csv, "parquet": _write_parquet, "xlsx": _write_xlsx}[fmt](view, batches, partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
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
                 batch_size: int = BATCH_SIZE, progress: Callable[[str, int], None] | None = None
                 ) -> Iterator[ExportedFile]:
    """Check the names, the format and the schema at once; then export each view in turn as the iterator is
    consumed, yielding each file once written (see `export_view` for `progress`)."""
    views = [bi.view(n).name for n in names]  # every name checked before anything is written
    require_format(fmt)
    migrate.require_head(engine)  # the views exist only from revision 0002 on
    return (export_view(engine, v, fmt, out_dir, batch_size, progress) for v in views)


def _write_csv(view: bi.View, batches, path: Path) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(view.column_names)
        for batch in batches:
            writer.writerows([_csv_value(v) for v in row] for row in batch)
            count += len(batch)
    return count


def _write_parquet(view: bi.View, batches, path: Path) -> int:
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


def _write_xlsx(view: bi.View, batches, path: Path) -> int:
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
            sheet.append(list(row))
    book.save(path)
    return count
