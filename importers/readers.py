"""Reading table-shaped files as a stream of rows, each with its line number.

    table = open_table(path, format=None, sheet=None)   # format from the extension when None
    table.columns                                       # header names, as written
    for line, row in table.rows(): ...                  # row: {column: value}; line: 1-based
    table.bytes_read, table.warnings, table.problems    # progress, notes, bad rows (e.g. quoting)

Formats: csv and tsv (encoding detected: UTF-8, UTF-8 with BOM, UTF-16 with BOM as Excel writes
"Unicode text", otherwise Windows-1252 with a warning; delimiter sniffed from the header line),
json (a list of objects, or an object whose key names the entity), jsonl (one object per line),
yaml (like json) and xlsx (`sheet` names the sheet; default the first). Rows stream: memory does
not grow with the file, except for json and yaml which are read whole.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from db.errors import UserError
from importers.core import Problem
from importers.inputs import check_input
from importers.workbooks import SheetRows, check_workbook, load_read_only

FORMATS = ("csv", "tsv", "json", "jsonl", "yaml", "xlsx")
_EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "csv", ".json": "json",
               ".jsonl": "jsonl", ".ndjson": "jsonl", ".yaml": "yaml", ".yml": "yaml", ".xlsx": "xlsx",
               ".xlsm": "xlsx"}
_DELIMITERS = (",", ";", "\t")
MAX_HEADER_CHARS = 1 << 20  # a CSV header line (a file without line breaks is not a table)
MAX_LINE_CHARS = 64 << 20  # a JSON Lines record


def detect_format(path: Path, format: str | None) -> str:
    if format:
        if format not in FORMATS:
            raise UserError(f"unknown format {format!r} (expected one of {', '.join(FORMATS)})")
        return format
    found = _EXTENSIONS.get(path.suffix.lower())
    if found is None:
        raise UserError(f"{path.name}: cannot tell the format from the extension {path.suffix!r}; "
                        f"give --format ({', '.join(FORMATS)})")
    return found


def _stray_cp1252(exc: UnicodeDecodeError) -> tuple[str, int]:
    """Codec error handler: a byte that is not UTF-8 inside a UTF-8 file, read as Windows-1252."""
    bad = exc.object[exc.start:exc.start + 1]
    return bad.decode("cp1252", errors="replace"), exc.start + 1


codecs.register_error("coopdb-stray-cp1252", _stray_cp1252)


def detect_encoding(path: Path) -> tuple[str, str, str | None]:
    """(encoding, codec errors mode, warning or None). Reads the whole file once in blocks when it has
    no BOM. A UTF-8 file with a few stray Windows-1252 bytes (one mis-encoded name pasted in) is read
    as UTF-8 with those bytes repaired, and a warning naming the first line."""
    with open(path, "rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig", "strict", None
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", "strict", None
        fh.seek(0)
        without_bom = _utf16_without_bom(fh.read(4096))
        if without_bom:
            return without_bom, "strict", None
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for block in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8", "strict", None
        except UnicodeDecodeError:
            pass
        fh.seek(0)
        stray, multibyte, first_line = 0, 0, None
        for number, raw in enumerate(fh, start=1):
            if raw.isascii():
                continue
            text = raw.decode("utf-8", errors="replace")
            bad = text.count("\ufffd")
            stray += bad
            multibyte += sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
            if bad and first_line is None:
                first_line = number
        if multibyte and stray <= multibyte:
            return "utf-8", "coopdb-stray-cp1252", (
                f"{path.name}: UTF-8 with {stray} stray byte(s) in another encoding (first on line "
                f"{first_line}), read as Windows-1252; check that line")
    try:
        with open(path, encoding="cp1252") as fh:
            for _block in iter(lambda: fh.read(1 << 20), ""):
                pass
    except UnicodeDecodeError:
        raise UserError(f"{path.name}: not text in UTF-8, UTF-16 or Windows-1252; save it as UTF-8") from None
    return "cp1252", "strict", (f"{path.name}: not UTF-8, read as Windows-1252; check accented names "
                                "(save as UTF-8 to silence this)")


def check_header(name: str, columns: list[str], line: int = 1) -> None:
    """Every column named, and each name once (a second column of the same name would be dropped)."""
    blank = [i + 1 for i, c in enumerate(columns) if not c]
    if blank:
        hint = " (is the header on another line? a mapping file can say header_row: N)" if line == 1 else ""
        raise UserError(f"{name}:{line}: column {blank[0]} has no name in the header{hint}")
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            raise UserError(f"{name}:{line}: column {column!r} appears twice in the header")
        seen.add(column)


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the start of a file looks like UTF-16 text without its byte order
    mark (ASCII letters alternating with zero bytes), else None."""
    head = head[: len(head) // 2 * 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    zeros_even, zeros_odd = even.count(0), odd.count(0)
    half = len(head) // 2
    if zeros_odd > 0.6 * half and zeros_even < 0.05 * half:
        return "utf-16-le"
    if zeros_even > 0.6 * half and zeros_odd < 0.05 * half:
        return "utf-16-be"
    return None


class Table:
    """A readable table: `columns`, then `rows()` once."""

    def __init__(self, path: Path, format: str):
        self.path = path
        self.name = path.name
        self.format = format
        self.columns: list[str] = []
        self.bytes_read = 0
        self.total_bytes = path.stat().st_size
        self.warnings: list[str] = []
        self.problems: list[Problem] = []
        self.truncated = False  # a problem stopped the reading before the end of the file
        self.number = 1  # the spreadsheet row of the row last yielded (the header is row 1 of a CSV)

    # What progress is measured in (importers/progress.py): the bytes of a text file read so far
    unit = "bytes"

    def position(self) -> tuple[int, int | None]:
        """(done, total) in `unit`s, for progress."""
        return self.bytes_read, self.total_bytes

    def rows(self) -> Iterator[tuple[int | None, dict[str, Any]]]:
        raise NotImplementedError

    def close(self) -> None:
        """Let go of the file when the rows are not read to the end."""


class CsvTable(Table):
    def __init__(self, path: Path, format: str, header_row: int = 1, encoding: str | None = None,
                 *, pad_short: bool = False):
        """`pad_short`: a row with fewer cells than the header has the missing ones empty (as some tools
        write a row whose last cells are empty); otherwise it is a problem of that row."""
        super().__init__(path, format)
        self.header_row = header_row
        self.pad_short = pad_short
        self.number = header_row
        if encoding:
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise UserError(f"{self.name}: unknown encoding {encoding!r} (e.g. utf-8, cp1252, latin-1)") from None
            self.encoding, self.errors = encoding, "strict"
        else:
            self.encoding, self.errors, warning = detect_encoding(path)
            if warning:
                self.warnings.append(warning)
        try:
            with open(path, encoding=self.encoding, errors=self.errors, newline="") as fh:
                for _skipped in range(header_row - 1):
                    fh.readline(MAX_HEADER_CHARS + 1)
                header_line = fh.readline(MAX_HEADER_CHARS + 1)
        except UnicodeDecodeError as exc:
            raise UserError(f"{self.name}: not text in {self.encoding} ({exc.reason}); check the encoding") from None
        if len(header_line) > MAX_HEADER_CHARS:
            raise UserError(f"{self.name}:{header_row}: the header line is longer than {MAX_HEADER_CHARS:,} "
                            "characters (expected a line naming the columns; is this a CSV file?)")
        if not header_line.strip():
            where = "the file is empty" if header_row == 1 else f"line {header_row} (header_row) is blank"
            raise UserError(f"{self.name}: {where} (expected a header line naming the columns)")
        if format == "tsv":
            self.delimiter = "\t"
        else:
            self.delimiter = max(_DELIMITERS, key=lambda d: header_line.count(d))
        try:
            self.columns = [c.strip() for c in next(csv.reader([header_line.rstrip("\r\n")],
                                                                delimiter=self.delimiter, strict=True))]
        except csv.Error as exc:
            raise UserError(f"{self.name}:{header_row}: malformed CSV header ({exc})") from None
        check_header(self.name, self.columns, header_row)

    def rows(self) -> Iterator[tuple[int | None, dict[str, Any]]]:
        columns = self.columns
        width = len(columns)
        with open(self.path, encoding=self.encoding, errors=self.errors, newline="") as fh:
            for _skipped in range(self.header_row - 1):
                fh.readline()
            reader = csv.reader(fh, delimiter=self.delimiter, strict=True)
            try:
                next(reader)
            except (StopIteration, csv.Error):
                return
            offset = self.header_row - 1
            previous = reader.line_num
            count = 0
            while True:
                start = previous + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except UnicodeDecodeError as exc:
                    self.problems.append(Problem(
                        self.name, start + offset, None, None,
                        f"expected text in {self.encoding} ({exc.reason}); check the encoding"))
                    self.truncated = True
                    break
                except csv.Error as exc:
                    self.problems.append(Problem(self.name, start + offset, None, None,
                                                 f"expected well-formed CSV: {exc}; check the quotes on this line"))
                    self.truncated = True
                    break  # the reader cannot resynchronise after broken quoting
                previous = reader.line_num
                start += offset
                self.number += 1
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                if len(cells) != width:
                    if len(cells) > width and not any(c.strip() for c in cells[width:]):
                        cells = cells[:width]
                    elif len(cells) < width and self.pad_short:
                        cells = cells + [""] * (width - len(cells))
                    else:
                        self.problems.append(Problem(self.name, start, None, None,
                                                     f"expected {width} cells like the header (got {len(cells)})"))
                        continue
                count += 1
                if count % 256 == 0 and self.errors == "strict":
                    self.bytes_read = fh.buffer.tell()  # ahead by the reader's buffer at most
                yield start, dict(zip(columns, cells, strict=False))
            self.bytes_read = self.total_bytes


class XlsxTable(Table):
    """`sheet`: a sheet's name, or a test of a header (`fits(columns) -> bool`) choosing the first sheet whose
    header passes it (a data set's workbook with a read-me or definitions sheet before its data), else the
    first sheet; None: the first sheet."""

    def __init__(self, path: Path, format: str, sheet: str | Callable[[list[str]], bool] | None,
                 header_row: int = 1):
        super().__init__(path, format)
        check_workbook(path)
        try:
            self.book = load_read_only(path, data_only=True)  # imports openpyxl: CSV users do not pay for it
        except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
            raise UserError(f"{self.name}: not an Excel .xlsx workbook ({type(exc).__name__})") from None
        names = self.sheet_names = self.book.sheetnames
        if callable(sheet):
            sheet = next((n for n in names if sheet(self._header_of(n, header_row))), None)
        if sheet is not None and sheet not in names:
            raise UserError(f"{self.name}: no sheet named {sheet!r} (sheets: {', '.join(names)})")
        self.sheet = self.book[sheet or names[0]]
        self._rows = SheetRows(path, self.book, self.sheet)
        self._iter = iter(self._rows)
        for _skipped in range(header_row - 1):
            next(self._iter, None)
        _number, header, _formulas = next(self._iter, (None, None, None))
        if header is None or not any(c is not None and str(c).strip() for c in header):
            raise UserError(f"{self.name}: sheet {self.sheet.title!r} is empty (expected a header row naming "
                            "the columns)")
        while header and header[-1] is None:
            header = header[:-1]
        self.columns = ["" if c is None else " ".join(str(c).split()) for c in header]
        check_header(self.name, self.columns, header_row)
        self.header_row = header_row
        # Rows below the header, from the sheet's dimension (None when the sheet was saved without one)
        max_row = self.sheet.max_row
        self.total_rows = max(0, max_row - header_row) if isinstance(max_row, int) else None
        self.rows_done = 0

    unit = "rows"

    def _header_of(self, name: str, header_row: int) -> list[str]:
        """The header row of a sheet as this table would read it (only the start of the sheet is parsed)."""
        try:
            row = next(self.book[name].iter_rows(min_row=header_row, max_row=header_row, values_only=True), ())
        except Exception:  # a chart sheet or a damaged one: not the data's
            return []
        return ["" if c is None else " ".join(str(c).split()) for c in row]

    def position(self) -> tuple[int, int | None]:
        return self.rows_done, self.total_rows

    def rows(self) -> Iterator[tuple[int | None, dict[str, Any]]]:
        width = len(self.columns)
        for number, values, formulas in self._iter:
            self.rows_done = number - self.header_row
            cells = list(values[:width])
            found = self._rows.problems(number, values, formulas, width)
            if found:
                for index, ref, expected in found:
                    self.problems.append(Problem(self.name, number, self.columns[index], None,
                                                 f"expected {expected} (sheet {self.sheet.title!r}, cell {ref})"))
                continue
            if not any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
                continue
            cells = [c.date() if isinstance(c, dt.datetime) and c.time() == dt.time() else c for c in cells]
            self.number = number
            yield number, dict(zip(self.columns, cells, strict=False))
        self.book.close()
        self.bytes_read = self.total_bytes

    def close(self) -> None:
        self.book.close()


class JsonLinesTable(Table):
    def __init__(self, path: Path, format: str):
        super().__init__(path, format)
        if path.stat().st_size == 0 or not path.read_bytes()[:4096].strip():
            raise UserError(f"{self.name}: the file is empty (expected one JSON object per line)")

    def rows(self) -> Iterator[tuple[int | None, dict[str, Any]]]:
        seen: dict[str, None] = {}
        with open(self.path, encoding="utf-8-sig") as fh:
            for number, line in enumerate(iter(lambda: fh.readline(MAX_LINE_CHARS + 1), ""), start=1):
                if len(line) > MAX_LINE_CHARS:
                    while line and not line.endswith("\n"):  # the rest of that line, without keeping it
                        line = fh.readline(1 << 20)
                    self.problems.append(Problem(self.name, number, None, None,
                                                 f"expected a line of at most {MAX_LINE_CHARS:,} characters"))
                    continue
                if not line.strip():
                    continue
                try:
                    item = json.loads(line, object_pairs_hook=_unique_keys, parse_int=str, parse_float=str,
                                      parse_constant=str)
                except json.JSONDecodeError as exc:
                    self.problems.append(Problem(self.name, number, None, None, f"expected a JSON object ({exc.msg})"))
                    continue
                except _DuplicateKey as exc:
                    self.problems.append(Problem(self.name, number, None, None,
                                                 f"expected each key once in an object (got {exc.key!r} twice)"))
                    continue
                except RecursionError:
                    self.problems.append(Problem(self.name, number, None, None,
                                                 "expected a JSON object nested at most a few levels deep"))
                    continue
                if not isinstance(item, dict):
                    self.problems.append(Problem(self.name, number, None, None, "expected a JSON object {...}"))
                    continue
                for key in item:
                    seen.setdefault(key)
                self.columns = list(seen)
                if number % 256 == 0:
                    self.bytes_read = fh.buffer.tell() if hasattr(fh, "buffer") else 0
                yield number, item
        self.bytes_read = self.total_bytes


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


class DocumentTable(Table):
    """JSON or YAML read whole: a list of objects, or {entity: [objects]}."""

    def __init__(self, path: Path, format: str, entity: str):
        super().__init__(path, format)
        from importers.bundle import LINE_KEY
        from importers.yaml_bundle import read_bundle

        data = read_bundle(path)
        if isinstance(data, dict) and entity in data:
            data = data[entity]
        if not isinstance(data, list):
            raise UserError(f"{self.name}: expected a list of {entity} records, or a mapping with the key "
                            f"{entity!r}")
        self._items = data
        self._line_key = LINE_KEY
        self.items_done = 0
        seen: dict[str, None] = {}
        for item in data:
            if isinstance(item, dict):
                for key in item:
                    if key != LINE_KEY:
                        seen.setdefault(key)
        self.columns = list(seen)

    unit = "rows"  # the file is read whole before the first record: progress is in its records

    def position(self) -> tuple[int, int | None]:
        return self.items_done, len(self._items)

    def rows(self) -> Iterator[tuple[int | None, dict[str, Any]]]:
        for item in self._items:
            self.items_done += 1
            if not isinstance(item, dict):
                self.problems.append(Problem(self.name, None, None, item, "expected a mapping of fields"))
                continue
            line = item.pop(self._line_key, None)
            yield line, item
        self.bytes_read = self.total_bytes


def open_table(path: Path | str, *, entity: str, format: str | None = None, sheet: str | None = None,
               header_row: int = 1, encoding: str | None = None) -> Table:
    """`header_row`: the line (sheet row) of the header, rows above it skipped (CSV, TSV and XLSX);
    `encoding`: the CSV encoding instead of the detected one."""
    path = check_input(path)
    kind = detect_format(path, format)
    if sheet is not None and kind != "xlsx":
        raise UserError(f"{path.name}: --sheet applies to .xlsx workbooks only")
    if header_row != 1 and kind not in ("csv", "tsv", "xlsx"):
        raise UserError(f"{path.name}: header_row applies to CSV, TSV and XLSX files only")
    if kind in ("csv", "tsv"):
        return CsvTable(path, kind, header_row, encoding)
    if kind == "xlsx":
        return XlsxTable(path, kind, sheet, header_row)
    if kind == "jsonl":
        return JsonLinesTable(path, kind)
    return DocumentTable(path, kind, entity)
