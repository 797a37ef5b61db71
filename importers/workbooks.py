"""Opening .xlsx workbooks safely, and reading their cells as the values a user sees.

An .xlsx file is a zip of XML parts. Before openpyxl reads one, `check_workbook` refuses a file
whose parts would expand past MAX_XLSX_BYTES in all, or any part larger than a megabyte that expands
more than MAX_XLSX_RATIO times (a "zip bomb": a few megabytes that inflate to gigabytes of XML).
Real workbooks expand 3 to 10 times (AidData's 17 MB release: 6.8 times at most).

`load_read_only` opens a workbook with openpyxl in read-only mode without openpyxl's second pass over a
sheet saved without a `<dimension>` element (files written by scripts, e.g. openpyxl's own write-only
mode): openpyxl looks for the element until the *end* of the sheet's data, parsing the whole sheet once
before the rows are read (a quarter of the time of reading a 20,000-row, 126-column sheet). Here the
search stops at the start of the data; the rows are then read once, and the row count is unknown.

`SheetRows` reads one sheet's rows with openpyxl and adds what openpyxl leaves silent:
- a formula whose result was never saved (files written by scripts rather than by a spreadsheet
  program) would read as an empty cell: it is a problem naming the sheet and cell instead;
- a spreadsheet error value (#N/A, #DIV/0!, ...) is a problem, not the text '#N/A';
- a cell openpyxl cannot read (a number cell holding text, a string index that points nowhere) is
  an error naming the sheet and row, not a traceback.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from db.errors import UserError

MAX_XLSX_BYTES = 1024**3  # 1 GiB of XML in all
MAX_XLSX_RATIO = 100
_RATIO_FROM = 1024**2  # parts smaller than this may compress as well as they like
ERROR_VALUES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def check_workbook(path: Path) -> None:
    """UserError unless `path` is a zip whose parts expand within the limits."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UserError(f"{path.name}: not an Excel .xlsx workbook ({exc})") from None
    total = 0
    for part in parts:
        total += part.file_size
        if part.file_size > _RATIO_FROM and part.file_size > MAX_XLSX_RATIO * max(part.compress_size, 1):
            raise UserError(f"{path.name}: the part {part.filename} would expand from {part.compress_size:,} to "
                            f"{part.file_size:,} bytes, more than {MAX_XLSX_RATIO} times (a zip bomb?); "
                            "save the sheet as CSV to import it")
    if total > MAX_XLSX_BYTES:
        raise UserError(f"{path.name}: the workbook would expand to {total:,} bytes of XML, more than "
                        f"{MAX_XLSX_BYTES:,}; save the sheet as CSV to import it")


def load_read_only(path: Path, *, data_only: bool) -> Any:
    """openpyxl.load_workbook(path, read_only=True, data_only=...), its sheets sized without a second pass."""
    import openpyxl
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    if ReadOnlyWorksheet._get_size is not _get_size:
        ReadOnlyWorksheet._get_size = _get_size
    return openpyxl.load_workbook(path, read_only=True, data_only=data_only)


def _get_size(self: Any) -> None:
    """ReadOnlyWorksheet._get_size (openpyxl 3.1) that stops at the start of `<sheetData>`: the dimension,
    when a sheet has one, comes before it (ECMA-376 Part 1, 18.3.1.99 worksheet: its children in order)."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension

    with self._get_source() as src:
        for event, element in iterparse(src, events=("start", "end")):
            if event == "start" and element.tag == DATA_TAG:
                return
            if event == "end" and element.tag == DIMENSION_TAG:
                dimensions = SheetDimension.from_tree(element).boundaries
                if dimensions is not None:
                    self._min_column, self._min_row, self._max_column, self._max_row = dimensions
                return


def has_formulas(path: Path, part: str) -> bool:
    """Whether the sheet's XML holds any formula (streamed; most data exports hold none)."""
    tail = b""
    with zipfile.ZipFile(path) as archive, archive.open(part) as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            if _FORMULA_TAG.search(tail + block):
                return True
            tail = block[-16:]
    return False


class SheetRows:
    """The rows of one sheet as value tuples, with `problems(row_number, cells)` for the cells that
    hold an unsaved formula or an error value: [(column index, cell reference, what was found)]."""

    def __init__(self, path: Path, book: Any, sheet: Any) -> None:
        self.path = path
        self.name = path.name
        self.sheet = sheet
        self._formulas: Iterator[tuple[Any, ...]] | None = None
        part = getattr(sheet, "_worksheet_path", None)
        if part and has_formulas(path, part):
            formulas_book = load_read_only(path, data_only=False)
            self._formulas = formulas_book[sheet.title].iter_rows(values_only=True)

    def __iter__(self) -> Iterator[tuple[int, tuple[Any, ...], tuple[Any, ...] | None]]:
        """(row number, values, formulas or None) for every row."""
        values = self.sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                row = next(values)
                formulas = next(self._formulas, None) if self._formulas is not None else None
            except StopIteration:
                return
            except (ValueError, TypeError, IndexError, KeyError, OverflowError) as exc:
                raise UserError(f"{self.name}:{number + 1}: sheet {self.sheet.title!r} has a cell that cannot be "
                                f"read ({type(exc).__name__}: {exc}); check that row's cell types, or open and "
                                "save the file in a spreadsheet program") from None
            number += 1
            yield number, row, formulas

    def problems(self, number: int, row: tuple[Any, ...], formulas: tuple[Any, ...] | None,
                 width: int) -> list[tuple[int, str, str]]:
        found = []
        for index, value in enumerate(row[:width]):
            if value is None and formulas is not None and index < len(formulas):
                formula = formulas[index]
                if isinstance(formula, str) and formula.startswith("="):
                    found.append((index, _cell(index, number), f"a value, not a formula without a saved result "
                                  f"({formula[:80]}); open and save the file in a spreadsheet program to "
                                  "compute it"))
            elif type(value) is str and value in ERROR_VALUES:
                found.append((index, _cell(index, number), f"a value, not the spreadsheet error {value}"))
        return found


def _cell(index: int, number: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(index + 1)}{number}"
