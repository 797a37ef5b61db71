"""`coopdb export`: views to CSV, Parquet and xlsx with the same rows and typed columns. Both backends."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from db import bi
from tests.conftest import url_text


@pytest.mark.parametrize("view", list(bi.catalog()))
def test_export_round_trips_csv_and_parquet(cli, db_url, bi_engine, tmp_path, view):
    expected = bi.read_view(bi_engine, view)
    for fmt in ("csv", "parquet"):
        # a batch size of 2 makes every view span several batches
        result = cli("export", view, "--format", fmt, "--out", tmp_path, "--batch-size", "2", "-d", url_text(db_url))
        assert result.exit_code == 0, result.stderr
        assert f"{view}: {len(expected):,} rows" in result.stdout
    with (tmp_path / f"{view}.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == bi.view(view).column_names
    assert len(rows) - 1 == len(expected)
    table = pq.read_table(tmp_path / f"{view}.parquet")
    assert table.num_rows == len(expected)
    assert table.column_names == bi.view(view).column_names
    assert sorted(map(repr, table.to_pylist())) == sorted(map(repr, expected))


def test_parquet_column_types(cli, db_url, bi_engine, tmp_path):
    result = cli("export", "projects_by_country", "-f", "parquet", "--out", tmp_path, "-d", url_text(db_url))
    assert result.exit_code == 0, result.stderr
    schema = pq.read_schema(tmp_path / "projects_by_country.parquet")
    assert schema.field("committed_on").type == pa.date32()
    assert schema.field("amount").type == pa.decimal128(20, 2)
    assert schema.field("latitude").type == pa.decimal128(9, 6)
    assert schema.field("year").type == pa.int64()
    assert schema.field("country_alpha2").type == pa.string()
    assert schema.field("amount").metadata[b"comment"].startswith(b"Amount in the original currency")
    rows = pq.read_table(tmp_path / "projects_by_country.parquet").to_pylist()
    wind = next(r for r in rows if r["project_code"] == "KZ-ZHANATAS-WIND")
    assert wind["committed_on"] == dt.date(2019, 1, 1)
    assert wind["amount"] == Decimal("1550000000.00")
    spans = tmp_path / "spans"
    assert cli("export", "membership_spans", "-f", "parquet", "--out", spans, "-d", url_text(db_url)).exit_code == 0
    assert pq.read_schema(spans / "membership_spans.parquet").field("is_current").type == pa.bool_()


def test_csv_values(cli, db_url, bi_engine, tmp_path):
    assert cli("export", "membership_spans", "--out", tmp_path, "-d", url_text(db_url)).exit_code == 0
    with (tmp_path / "membership_spans.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    applicant = next(r for r in rows if r["role"] == "applicant")
    assert (applicant["started_on"], applicant["ended_on"], applicant["is_current"], applicant["ended_year"]) == (
        "2024-10-24", "2025-01-05", "false", "2025")
    member = next(r for r in rows if r["role"] == "member")
    assert (member["ended_on"], member["is_current"]) == ("", "true")


def test_export_all_to_xlsx(cli, db_url, bi_engine, tmp_path):
    out = tmp_path / "out"
    result = cli("export", "--all", "--format", "xlsx", "--out", out, "-d", url_text(db_url))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{v}.xlsx" for v in bi.catalog())
    sheet = load_workbook(out / "agreements_with_parties.xlsx", read_only=True)["agreements_with_parties"]
    rows = list(sheet.values)
    assert list(rows[0]) == bi.view("agreements_with_parties").column_names
    assert len(rows) - 1 == 7
    charter = next(r for r in rows if r[1] == "SCO-CHARTER")
    assert charter[6] == dt.datetime(2002, 6, 7)  # Excel keeps dates as date-times


def test_export_errors(cli, db_url, tmp_path):
    out = tmp_path / "out"
    result = cli("export", "membership_spans", "no_such_view", "--out", out, "-d", url_text(db_url))
    assert result.exit_code == 3
    assert result.stderr.startswith(
        "error: no BI view 'no_such_view' (expected one of: countries, projects, projects_by_country,")
    assert not out.exists() or list(out.iterdir()) == []
    result = cli("export", "--out", out, "-d", url_text(db_url))
    assert result.exit_code == 3
    assert "name the views to export or give --all" in result.stderr


def test_export_from_a_database_without_the_views(cli, empty_url, tmp_path):
    from db import migrate
    from db.engine import make_engine

    engine = make_engine(empty_url)
    migrate.upgrade(engine, "f177de1484d9")
    engine.dispose()
    result = cli("export", "--all", "--out", tmp_path / "out", "-d", url_text(empty_url))
    assert result.exit_code == 4
    assert "run `coopdb db upgrade`" in result.stderr


def test_export_reports_progress_per_view(bi_engine, tmp_path):
    """The callback the CLI's progress line draws: each view from 0 rows to all of them, batch by batch."""
    from db import export as db_export

    seen: list[tuple[str, int]] = []
    views = ["projects_by_country", "membership_spans"]
    files = list(db_export.export_views(bi_engine, views, "csv", tmp_path, batch_size=2, progress=lambda v, n:
                                        seen.append((v, n))))
    for done in files:
        counts = [n for v, n in seen if v == done.view]
        assert counts[0] == 0 and counts[-1] == done.rows > 2
        assert counts == sorted(counts) and len(counts) > 2
    assert [v for v, _n in seen] == sorted((v for v, _n in seen), key=views.index)  # one view after the other
