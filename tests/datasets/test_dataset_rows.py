"""The data-set importers read files with the same readers as `coopdb import`: encodings, delimiters,
short rows, bad rows with their file and line."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text

from db.errors import UserError
from importers.dataset_rows import read_header, read_rows
from importers.iigo import import_iigo
from tests.conftest import write_workbook

FIX = Path(__file__).resolve().parent / "fixtures"


def _rows(path: Path) -> list[tuple[int, int, dict]]:
    _header, rows = read_rows(path)
    return [(r.number, r.line, r.values) for r in rows]


def test_windows_1252_is_read_with_a_warning(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes("igoID,Title,Begin\nCAF,Conférence Afrique–Asie,1999\n".encode("cp1252"))
    header, rows = read_rows(path)
    assert header == ["igoID", "Title", "Begin"]
    assert [r.values["Title"] for r in rows] == ["Conférence Afrique–Asie"]
    assert any("Windows-1252" in w for w in rows.warnings)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig"])
def test_unicode_forms_excel_writes_are_read(tmp_path, encoding):
    path = tmp_path / "orgs.csv"
    path.write_bytes("igoID,Title\nÖK,Öko-Kooperation\n".encode(encoding))
    assert _rows(path) == [(2, 2, {"igoID": "ÖK", "Title": "Öko-Kooperation"})]


def test_rows_keep_their_spreadsheet_row_and_line(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text('igoID,Title,Begin\nA,"Two\nlines",1990\n\n,,\nB,Short\n', encoding="utf-8")
    assert _rows(path) == [
        (2, 2, {"igoID": "A", "Title": "Two\nlines", "Begin": "1990"}),
        # a blank line and a row of empty cells are skipped but counted; a short row is padded
        (5, 6, {"igoID": "B", "Title": "Short", "Begin": None}),
    ]


def test_a_semicolon_file_is_read(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text("igoID;Title\nBRICS;BRICS\n", encoding="utf-8")
    assert _rows(path) == [(2, 2, {"igoID": "BRICS", "Title": "BRICS"})]


def test_a_row_with_more_cells_than_the_header_names_its_line(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text("igoID,Title\nA,Alpha\nB,Beta,extra\n", encoding="utf-8")
    _header, rows = read_rows(path)
    with pytest.raises(UserError, match=r"orgs.csv:3: expected 2 cells like the header \(got 3\)"):
        list(rows)


def test_broken_quoting_names_its_line(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text('igoID,Title\nA,Alpha\nB,"Be"ta\n', encoding="utf-8")
    _header, rows = read_rows(path)
    with pytest.raises(UserError, match=r"orgs.csv:3: expected well-formed CSV"):
        list(rows)


def test_workbook_cells_become_the_text_of_a_csv_export(tmp_path):
    import datetime as dt

    path = tmp_path / "orgs.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["igoID", "Title", "Begin", "Joined", "Active"])
    sheet.append(["A", "Alpha ", 1990.0, dt.datetime(2001, 6, 15), True])
    sheet.append([None, None, None, None, None])
    sheet.append(["B", "Beta", 2001, None, False])
    book.save(path)
    assert read_header(path) == ["igoID", "Title", "Begin", "Joined", "Active"]
    assert _rows(path) == [
        (2, 2, {"igoID": "A", "Title": "Alpha", "Begin": "1990", "Joined": "2001-06-15", "Active": "True"}),
        (4, 4, {"igoID": "B", "Title": "Beta", "Begin": "2001", "Joined": None, "Active": "False"}),
    ]


def test_an_iigo_file_in_windows_1252_imports_with_the_warning_in_its_report(few_countries, tmp_path):
    path = tmp_path / "iigo_organizations.csv"
    path.write_bytes((FIX / "iigo_organizations.csv").read_text(encoding="utf-8")
                     .replace("Budapest Process", "Procès de Budapest").encode("cp1252"))
    report = import_iigo(few_countries, [path])
    assert any("Windows-1252" in w for w in report.warnings)
    with few_countries.connect() as conn:
        names = conn.execute(text("SELECT name FROM forums WHERE name LIKE 'Proc%'")).scalars().all()
    assert names == ["Procès de Budapest"]


# ---------------------------------------------------------------------------------------------- reading ahead
def _read(path: Path, read_ahead: bool) -> list[tuple[int, int, dict]]:
    _header, rows = read_rows(path, read_ahead=read_ahead)
    return [(r.number, r.line, r.values) for r in rows]


def test_rows_read_ahead_in_another_process_are_the_rows_read_in_this_one(tmp_path):
    import multiprocessing as mp

    book = write_workbook(tmp_path / "d.xlsx", [["id", "name", "year"], *([i, f"n{i}", 2000.0 + i] for i in range(700)),
                                           [None, None, None], [701, " spaced ", None]])
    csv_path = tmp_path / "d.csv"
    csv_path.write_text('id,name\n1,"two\nlines"\n\n2,b\n' + "".join(f"{i},x\n" for i in range(3, 600)),
                        encoding="utf-8")
    for path in (book, csv_path):
        _header, rows = read_rows(path, read_ahead=True)
        first = next(rows)
        assert [p.name for p in mp.active_children()] == [f"coopdb reader of {path.name}"]
        assert [(first.number, first.line, first.values)] + [(r.number, r.line, r.values) for r in rows] \
            == _read(path, read_ahead=False)
        assert mp.active_children() == []  # read to the end: the reader is gone
    assert _read(book, True)[-1] == (703, 703, {"id": "701", "name": "spaced", "year": None})


def test_workbooks_are_read_ahead_by_default_and_report_how_far_the_import_is(tmp_path):
    import multiprocessing as mp

    path = write_workbook(tmp_path / "d.xlsx", [["id"], *([i] for i in range(600))])
    _header, rows = read_rows(path)
    assert rows.position() == (0, 600)
    next(rows)
    assert mp.active_children() and rows.position() == (1, 600)  # the rows handed out, not the rows parsed
    assert len(list(rows)) == 599 and rows.position() == (600, 600)


def test_a_problem_met_reading_ahead_stops_at_the_same_row_with_the_same_message(tmp_path):
    path = write_workbook(tmp_path / "d.xlsx", [["id", "name"], *([i, "x"] for i in range(300)), [300, "#REF!"],
                                           [301, "y"]])
    messages = []
    for read_ahead in (False, True):
        _header, rows = read_rows(path, read_ahead=read_ahead)
        got = []
        with pytest.raises(UserError) as caught:
            for row in rows:
                got.append(row.values["id"])
        assert got == [str(i) for i in range(300)]
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "d.xlsx:302 [name]: expected a value, not the spreadsheet error #REF!" in messages[1]


def test_an_import_that_stops_reading_stops_its_reader(tmp_path):
    import gc
    import multiprocessing as mp

    path = write_workbook(tmp_path / "d.xlsx", [["id"], *([i] for i in range(5000))])
    _header, rows = read_rows(path, read_ahead=True)
    next(rows)
    assert mp.active_children()
    del rows
    gc.collect()
    assert mp.active_children() == []
