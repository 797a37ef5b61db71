"""Hostile files and settings: what is not a file, encodings, workbooks, mapping files, URLs, a full disk.

Every input is generated here (a zip bomb too, into tmp_path); the database cases run on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, select

from db.errors import UserError
from importers.core import ImportRejected
from importers.files import import_file
from importers.workbooks import MAX_XLSX_RATIO
from tests.conftest import url_text, write_workbook
from tests.pipeline.conftest import T, data_counts

NOT_A_FILE = "not a file; save the data to a file and import that"


def _titles(engine) -> list[tuple[str, str]]:
    p = T["projects"]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(p.c.code, p.c.title).order_by(p.c.code))]


# -- what is not a file


def test_fifo_is_named_as_a_pipe(world, tmp_path):
    path = tmp_path / "p.csv"
    os.mkfifo(path)
    with pytest.raises(UserError) as caught:
        import_file(world, "projects", path)
    assert str(caught.value) == f"{path}: a named pipe (FIFO), {NOT_A_FILE}"


def test_device_is_named_as_a_device(world):
    with pytest.raises(UserError) as caught:
        import_file(world, "projects", "/dev/zero", format="csv")
    assert str(caught.value) == f"/dev/zero: a character device, {NOT_A_FILE}"


def test_folder_and_dangling_link(world, tmp_path):
    with pytest.raises(UserError) as caught:
        import_file(world, "projects", tmp_path, format="csv")
    assert str(caught.value) == f"{tmp_path}: a folder, {NOT_A_FILE}"
    link = tmp_path / "gone.csv"
    link.symlink_to(tmp_path / "missing.csv")
    with pytest.raises(UserError) as caught:
        import_file(world, "projects", link)
    assert str(caught.value) == f"{link}: a symbolic link to a file that does not exist"


def test_cli_fifo_exit_3(world, tmp_path, cli, db_url):
    path = tmp_path / "p.yaml"
    os.mkfifo(path)
    result = cli("import", "bundle", path, "-d", url_text(db_url))
    assert (result.exit_code, result.stderr) == (3, f"error: {path}: a named pipe (FIFO), {NOT_A_FILE}\n")


# -- encodings


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_detected(world, tmp_path, encoding):
    path = tmp_path / "p.csv"
    path.write_bytes("code,title\nU-1,Алматы — Қорғас\nU-2,Zhanatas\n".encode(encoding))
    report = import_file(world, "projects", path)
    assert report.inserted == 2
    assert _titles(world) == [("U-1", "Алматы — Қорғас"), ("U-2", "Zhanatas")]


# -- workbooks


def test_formula_without_saved_result_names_sheet_and_cell(world, tmp_path):
    path = write_workbook(tmp_path / "p.xlsx", [["code", "title", "amount"], ["F-1", "T", 5], ["F-2", "T", "=B2*2"]])
    before = data_counts(world)
    with pytest.raises(ImportRejected) as caught:
        import_file(world, "projects", path)
    assert [str(p) for p in caught.value.report.problems] == [
        "p.xlsx:3 [amount]: expected a value, not a formula without a saved result (=B2*2); open and save the "
        "file in a spreadsheet program to compute it (sheet 'Sheet', cell C3)"]
    assert data_counts(world) == before


def test_spreadsheet_error_value_is_refused(world, tmp_path):
    path = write_workbook(tmp_path / "p.xlsx", [["code", "title"], ["E-1", "#N/A"]])
    with pytest.raises(ImportRejected) as caught:
        import_file(world, "projects", path)
    assert [str(p) for p in caught.value.report.problems] == [
        "p.xlsx:2 [title]: expected a value, not the spreadsheet error #N/A (sheet 'Sheet', cell B2)"]


def test_duplicated_header_in_awrite_workbook(world, tmp_path):
    path = write_workbook(tmp_path / "p.xlsx", [["code", "title", "title"], ["D-1", "A", "B"]])
    with pytest.raises(UserError) as caught:
        import_file(world, "projects", path)
    assert str(caught.value) == "p.xlsx:1: column 'title' appears twice in the header"


def _rewrite(path: Path, part: str, change) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_text_cell_without_a_type_is_a_located_error(world, tmp_path):
    path = write_workbook(tmp_path / "p.xlsx", [["code", "title"], ["T-1", "placeholder"]])
    _rewrite(path, "xl/worksheets/sheet1.xml",
             lambda xml: re.sub(rb'<c r="B2"[^>]*>.*?</c>', b'<c r="B2"><v>abc</v></c>', xml))
    with pytest.raises(UserError) as caught:
        import_file(world, "projects", path)
    assert str(caught.value) == (
        "p.xlsx:2: sheet 'Sheet' has a cell that cannot be read (ValueError: invalid literal for int() with base "
        "10: 'abc'); check that row's cell types, or open and save the file in a spreadsheet program")


def test_zip_bomb_is_refused_before_reading(world, tmp_path):
    path = write_workbook(tmp_path / "p.xlsx", [["code", "title"], ["Z-1", "T"]])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("xl/media/padding.bin", "w", force_zip64=True) as part:
        block = b"\0" * (1 << 20)
        for _ in range(150):
            part.write(block)
    with zipfile.ZipFile(path) as archive:
        packed = archive.getinfo("xl/media/padding.bin").compress_size
    with pytest.raises(UserError) as caught:
        import_file(world, "projects", path)
    assert str(caught.value) == (
        f"p.xlsx: the part xl/media/padding.bin would expand from {packed:,} to {150 << 20:,} bytes, more than "
        f"{MAX_XLSX_RATIO} times (a zip bomb?); save the sheet as CSV to import it")


# -- mapping files


MAPPINGS = {
    "empty separator": ("split:\n  participants: ''\n",
                        "m.yml: split.participants is empty; give the separator their cells use, such as ';'"),
    "unknown directive": ("dates:\n  committed_on: '%Q'\n",
                          "m.yml: dates.committed_on: '%Q' is not a date format (%Q is not a date directive); "
                          "use strftime codes such as %d/%m/%Y"),
    "no year": ("dates:\n  committed_on: '%d/%m'\n",
                "m.yml: dates.committed_on: '%d/%m' is not a date format (it names no year (%Y or %y)); use "
                "strftime codes such as %d/%m/%Y"),
    "list as a constant": ("constants:\n  currency: [USD]\n",
                           "m.yml: constants.currency must be a single value, not a list or a mapping"),
    "duplicate key": ("columns:\n  Name: title\n  Name: code\n",
                      "m.yml:3: the key 'Name' appears twice in one mapping (first on line 2)"),
}


@pytest.mark.parametrize("case", MAPPINGS)
def test_bad_mapping_is_one_error(world, tmp_path, case):
    text, message = MAPPINGS[case]
    (tmp_path / "m.yml").write_text(text, encoding="utf-8")
    data = tmp_path / "p.csv"
    data.write_text("code,Name\nM-1,A\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        import_file(world, "projects", data, mapping=tmp_path / "m.yml")
    assert str(caught.value) == message


def test_mapping_lookups_keep_their_text(world, tmp_path):
    (tmp_path / "m.yml").write_text("lookups:\n  status: {yes: completed, NO: cancelled, 012: agreed}\n",
                                    encoding="utf-8")
    data = tmp_path / "p.csv"
    data.write_text("code,title,status\nM-1,A,yes\nM-2,B,NO\nM-3,C,012\n", encoding="utf-8")
    import_file(world, "projects", data, mapping=tmp_path / "m.yml")
    p = T["projects"]
    with world.connect() as conn:
        assert conn.execute(select(p.c.status).order_by(p.c.code)).scalars().all() == [
            "completed", "cancelled", "agreed"]


# -- database URLs


def test_non_numeric_port_is_a_usage_error(cli):
    result = cli("status", "-d", "postgresql://analyst:s3cr3t@localhost:abc/coopdb")
    assert (result.exit_code, result.stderr) == (
        3, "error: not a database URL: the port must be a number from 1 to 65535 (got 'abc')\n")


# -- a full disk


@pytest.fixture
def full_sqlite_disk(backend, db_url):
    """SQLite connections that may not grow the file: SQLITE_FULL, as on a full disk."""
    if backend != "sqlite":
        pytest.skip("the disk of the PostgreSQL server cannot be filled from a test")

    def limit(dbapi_connection, _record):
        if type(dbapi_connection).__module__ == "sqlite3":
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(Engine, "connect", limit)
    yield
    event.remove(Engine, "connect", limit)


def test_full_database_disk_is_exit_6_and_nothing_written(world, tmp_path, cli, db_url, full_sqlite_disk):
    path = tmp_path / "p.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("code,title,description\n")
        for number in range(3000):
            fh.write(f"F-{number},Project {number},{'words ' * 40}\n")
    before = data_counts(world)
    result = cli("import", "projects", path, "-d", url_text(db_url))
    assert result.exit_code == 6
    assert result.stderr.splitlines()[-1] == (
        "error: the database's disk is full (database or disk is full); free some space and run again "
        "(a failed import wrote nothing)")
    assert data_counts(world) == before


def test_full_disk_under_stdout_is_exit_6(db_url, backend):
    if backend != "sqlite":
        pytest.skip("one backend is enough: the disk is this machine's")
    with open("/dev/full", "w") as full:
        result = subprocess.run([str(Path(sys.executable).with_name("coopdb")), "status", "-d", url_text(db_url)],
                                stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (
        6, "error: no space left on the disk; free some space and run again (a failed import wrote nothing)\n")
