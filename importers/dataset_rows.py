"""Reading the public datasets: CSV or Excel rows, streamed, with their row and line numbers; the
per-source metadata files beside the importers; the dataset release as a source.

Rows come out as `Row(number, line, values)`: `number` is the spreadsheet row (the header is row 1,
whatever the format), `line` is where a user finds the row in the file (the first physical line of
the record in a CSV, which differs from the row when cells hold line breaks; the row in a workbook),
and `values` maps each header to a stripped string or None. A blank cell or one holding only spaces
is None. Workbook cells are turned into the text a CSV export of them holds (2014.0 -> '2014',
dates -> '2014-07-03', booleans -> 'True'), so a CSV export and its workbook import the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from db.errors import UserError
from db.yamldata import load_data
from importers.inputs import check_input
from importers.read_ahead import CAN_FORK, ReadAhead, worth_reading_ahead
from importers.readers import CsvTable, Table, XlsxTable
from importers.records import SourceRecord

SOURCES_DIR = Path(__file__).resolve().parent / "sources"
Sheet = str | Callable[[list[str]], bool] | None  # a sheet's name, or a test of its header (XlsxTable)


@dataclass(frozen=True)
class Row:
    number: int
    line: int
    values: dict[str, str | None]


@cache
def metadata(name: str) -> dict[str, Any]:
    """The metadata file `importers/sources/<name>.yml` (publisher, licence, lookups, counts)."""
    with open(SOURCES_DIR / f"{name}.yml", encoding="utf-8") as fh:
        return load_data(fh)


def release_source(meta: dict[str, Any], release: dict[str, Any]) -> SourceRecord:
    """A dataset release as a source: key, title, publisher, licence, citation, release date (which decides
    between releases: docs/provenance.md) and priority from the metadata."""
    from importers.fields import date_with_precision

    published_on, precision = date_with_precision(str(release["published_on"])) \
        if release.get("published_on") is not None else (None, None)
    return SourceRecord(key=release["key"], kind="dataset", title=release["title"],
                        publisher=meta["publisher"], author=release.get("author"), url=release.get("url"),
                        licence=meta["licence"], published_on=published_on, published_precision=precision,
                        notes=release.get("citation"), priority=release.get("priority", meta.get("priority")))


def cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        text = "True" if value else "False"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.strip()
    return text or None


def read_header(path: Path | str, *, sheet: Sheet = None) -> list[str]:
    """Only the header of a .csv or .xlsx file (the file is closed again)."""
    return list(header_table(path, sheet=sheet).columns)


def header_table(path: Path | str, *, sheet: Sheet = None) -> Table:
    """The table of a .csv or .xlsx file, closed once its header is read: its `columns`, and a workbook's
    `sheet` read and `sheet_names`."""
    table = _open(Path(path), sheet)
    table.close()
    return table


def read_rows(path: Path | str, *, read_ahead: bool | None = None, sheet: Sheet = None) -> tuple[list[str], Rows]:
    """The header and the data rows of a .csv or .xlsx file, streamed. `sheet` (workbooks): its name, or a test
    of a header choosing the first sheet that passes it (a read-me sheet before the data), else the first sheet.

    Read by the same readers as `coopdb import` (importers/readers.py): the encoding is detected (UTF-8,
    UTF-16 with or without a byte order mark, else Windows-1252, with a note in `rows.warnings`), the
    delimiter sniffed from the header; a row with fewer cells than the header has the missing ones empty.
    A row the readers cannot take (broken quoting, more cells than the header, an unreadable workbook
    cell) stops the import with its file and line.

    `read_ahead`: parse the file in a second process while this one validates and writes the rows read so
    far (importers/read_ahead.py); by default for workbooks, where the system can fork, unless
    COOPDB_READ_AHEAD=0.
    """
    path = Path(path)
    table = _open(path, sheet)
    if read_ahead is None:
        read_ahead = worth_reading_ahead(table.format)
    return list(table.columns), Rows(table, read_ahead=read_ahead and CAN_FORK)


class Rows:
    """The rows of one file, to be read once; `warnings` (e.g. the encoding) for the import's report, and
    how far they have been read (`position()`, in `unit`s: bytes of a CSV file, rows of a sheet;
    importers/progress.py). `read_ahead`: parsed in a second process (importers/read_ahead.py)."""

    def __init__(self, table: Table, *, read_ahead: bool = False) -> None:
        self.table = table
        self.warnings = list(table.warnings)
        self.unit = table.unit
        self._position = table.position()
        self._ahead = ReadAhead(table.name, self._read, lambda: self._position, release=table.close) \
            if read_ahead else None
        self._rows = iter(self._ahead) if self._ahead is not None else self._read()

    def position(self) -> tuple[int, int | None]:
        return self._ahead.position() if self._ahead is not None else self._position

    def __iter__(self) -> Rows:
        return self

    def __next__(self) -> Row:
        return next(self._rows)

    def _read(self) -> Iterator[Row]:
        table = self.table
        text_cells = isinstance(table, CsvTable)
        try:
            for line, values in table.rows():
                if table.problems:
                    break
                if text_cells:
                    texts = {column: value.strip() or None for column, value in values.items()}
                else:
                    texts = {column: cell_text(value) for column, value in values.items()}
                if any(texts.values()):
                    self._position = table.position()
                    yield Row(table.number, line, texts)
            self._position = table.position()
        finally:
            table.close()
        if table.problems:
            more = f" (and {len(table.problems) - 1} more)" if len(table.problems) > 1 else ""
            raise UserError(f"{table.problems[0]}{more}")


def _open(path: Path, sheet: Sheet = None) -> Table:
    path = check_input(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return XlsxTable(path, "xlsx", sheet)
    if isinstance(sheet, str):
        raise UserError(f"{path.name}: --sheet applies to .xlsx workbooks only")
    if suffix in (".csv", ".txt"):
        return CsvTable(path, "csv", pad_short=True)
    raise UserError(f"{path}: expected a .csv or .xlsx file (got '{suffix or 'no extension'}')")


class ForumCodes:
    """Choosing the coopdb code of a forum that a dataset knows by its own code (scheme, code).

    A forum that already carries (scheme, code) keeps its coopdb code, so re-imports find it again.
    A curated `same_as` table (their code -> our code, in the source's metadata file) names the bodies
    that are the same as a forum already in the database (the COW IGO `SCO` is our `SCO`): the dataset
    then adds its code, memberships and citations to that forum and leaves its name, kind and dates as
    they are (`keep_existing`). Otherwise the candidate is used, unless a forum with that code exists and
    does not carry a code of this scheme: then it is another body (the COW IGO ASEAN is not the informal
    ASEAN of 1967-1976), and the new forum gets `<PREFIX>-<candidate>` instead of overwriting it.
    """

    def __init__(self, conn, scheme: str, prefix: str, same_as: dict[str, str] | None = None) -> None:
        from sqlalchemy import select

        from db.models import Forum, ForumCode

        self.scheme, self.prefix = scheme, prefix
        rows = conn.execute(select(ForumCode.scheme, ForumCode.code, Forum.code)
                            .join(Forum, Forum.id == ForumCode.forum_id)).all()
        self.known = {theirs: ours for s, theirs, ours in rows if s == scheme}
        carrying = {ours.upper() for s, _theirs, ours in rows if s == scheme}
        self.taken = {c.upper() for (c,) in conn.execute(select(Forum.code))} - carrying
        self.same_as = {theirs: ours for theirs, ours in (same_as or {}).items() if ours}
        columns = [Forum.code, Forum.name, Forum.kind, Forum.acronym, Forum.founded_on, Forum.founded_precision,
                   Forum.dissolved_on, Forum.dissolved_precision, Forum.description, Forum.website]
        targets = list(self.same_as.values())
        self.existing = {r.code: r for r in conn.execute(select(*columns).where(Forum.code.in_(targets)))} \
            if targets else {}

    def code(self, theirs: str, candidate: str) -> str:
        if theirs in self.known:
            return self.known[theirs]
        if self.same_as.get(theirs) in self.existing:
            return self.same_as[theirs]
        if candidate.upper() in self.taken:
            return f"{self.prefix}-{candidate}"[:64]
        return candidate

    def keep_existing(self, record):
        """For a forum that is the same body as one already in the database: its values, our record's
        codes, names and citations (their name is kept as a name of kind 'dataset')."""
        from dataclasses import replace

        from importers.records import Name

        row = self.existing.get(record.code)
        if row is None:
            return record
        names = list(record.names)
        if record.name and record.name != row.name:
            names.append(Name(record.name, "en", "dataset", f"name in the {self.scheme} data set"))
        return replace(record, name=row.name, kind=row.kind, acronym=row.acronym, founded_on=row.founded_on,
                       founded_precision=row.founded_precision, dissolved_on=row.dissolved_on,
                       dissolved_precision=row.dissolved_precision, description=row.description,
                       website=row.website, names=names)
