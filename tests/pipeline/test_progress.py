"""Progress of an import: the reader reports a total and advances to it (the model the CLI's bar draws)."""

from __future__ import annotations

import openpyxl

from importers.dataset_rows import read_rows
from importers.files import import_file
from importers.progress import Position, Ticker


def test_ticker_reports_every_n_rows_and_the_end():
    done = iter([(10, 100), (50, 100), (90, 100)])
    seen: list[Position] = []
    ticker = Ticker(seen.append, lambda: next(done), "bytes", every=2)
    for rows in range(1, 6):
        ticker.tick(rows)
    ticker.end(5)
    assert seen == [Position(2, 10, 100, "bytes"), Position(4, 50, 100, "bytes"), Position(5, 100, 100, "bytes")]
    assert [p.fraction for p in seen] == [0.1, 0.5, 1.0]
    assert Position(3, 7, None, "rows").fraction is None


def _positions(world, path, **options) -> list[Position]:
    seen: list[Position] = []
    import_file(world, "projects", path, progress=seen.append, **options)
    return seen


def _advances(seen: list[Position]) -> None:
    assert len(seen) >= 3
    assert [p.done for p in seen] == sorted(p.done for p in seen)
    assert [p.rows for p in seen] == sorted(p.rows for p in seen)
    assert seen[0].done < seen[-1].done == seen[-1].total


def test_a_csv_import_reports_bytes_of_the_file(world, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("code,title,participants\n" + "".join(f"P-{i},Project {i},host:Kazakhstan\n"
                                                          for i in range(1, 1201)))
    seen = _positions(world, path, batch_size=300)
    assert {(p.unit, p.total) for p in seen} == {("bytes", path.stat().st_size)}
    _advances(seen)
    assert seen[-1].rows == 1200
    assert 0 < seen[0].fraction < 1


def test_an_xlsx_import_reports_a_row_total(world, tmp_path):
    path = tmp_path / "p.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["code", "title"])
    for i in range(1, 1201):
        book.active.append([f"P-{i}", f"Project {i}"])
    book.save(path)
    seen = _positions(world, path)
    assert {(p.unit, p.total) for p in seen} == {("rows", 1200)}
    _advances(seen)
    assert seen[0] == Position(500, 500, 1200, "rows")
    assert seen[-1] == Position(1200, 1200, 1200, "rows")


def test_a_json_import_reports_its_records(world, tmp_path):
    path = tmp_path / "p.json"
    path.write_text("[" + ",".join(f'{{"code": "P-{i}", "title": "T"}}' for i in range(1, 1001)) + "]")
    seen = _positions(world, path)
    assert seen[-1] == Position(1000, 1000, 1000, "rows")


def test_dataset_rows_know_their_total(tmp_path):
    path = tmp_path / "d.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["id", "name"])
    for i in range(7):
        book.active.append([i, "x"])
    book.save(path)
    _header, rows = read_rows(path)
    assert rows.unit == "rows" and rows.position() == (0, 7)
    next(rows)
    assert rows.position() == (1, 7)
    assert len(list(rows)) == 6
    csv_path = tmp_path / "d.csv"
    csv_path.write_text("id,name\n" + "1,x\n" * 5)
    _header, rows = read_rows(csv_path)
    list(rows)
    assert rows.unit == "bytes" and rows.position() == (csv_path.stat().st_size, csv_path.stat().st_size)


def test_a_workbook_saved_without_a_dimension_is_read_once(tmp_path, monkeypatch):
    """openpyxl's write-only mode (and other scripts) save no <dimension>: openpyxl itself would parse the whole
    sheet to look for one before the rows are read. The rows are the same, the total unknown, and finding
    that out reads only the start of the sheet."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    from importers.workbooks import load_read_only

    plain, script = tmp_path / "plain.xlsx", tmp_path / "script.xlsx"
    book = openpyxl.Workbook()
    streamed = openpyxl.Workbook(write_only=True)
    sheet = streamed.create_sheet("data")
    for row in [["id", "name"], *([i, f"name {i} " + "x" * 40] for i in range(3000))]:
        book.active.append(row)
        sheet.append(row)
    book.save(plain)
    streamed.save(script)
    read: list[int] = []
    opened = ReadOnlyWorksheet._get_source

    def counting(self):
        source = opened(self)
        original = source.read

        def read_counted(size=-1):
            data = original(size)
            read[-1] += len(data)
            return data

        source.read = read_counted
        read.append(0)
        return source

    monkeypatch.setattr(ReadOnlyWorksheet, "_get_source", counting)
    loaded = load_read_only(script, data_only=True)
    sheet_bytes = loaded._archive.getinfo(loaded.active._worksheet_path).file_size
    assert loaded.active.max_row is None  # no dimension: the row count is unknown, not guessed
    assert read == [read[0]] and read[0] < sheet_bytes / 4  # one look at the start of the sheet, not all of it
    loaded.close()
    monkeypatch.undo()
    header_a, rows_a = read_rows(plain, read_ahead=False)
    header_b, rows_b = read_rows(script, read_ahead=False)
    assert header_a == header_b == ["id", "name"]
    assert rows_b.position() == (0, None) and rows_a.position() == (0, 3000)
    assert [r.values for r in rows_a] == [r.values for r in rows_b]
    assert load_read_only(plain, data_only=True).active.max_row == 3001
