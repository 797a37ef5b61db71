"""Every example query in queries/ runs unchanged on both databases and answers its question."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from db import bi
from tests.conftest import url_text

QUERIES = sorted((Path(__file__).resolve().parents[2] / "queries").glob("*.sql"))


def test_there_are_example_queries_with_a_header():
    assert len(QUERIES) >= 5
    for path in QUERIES:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("-- Question: "), path.name
        assert lines[1].startswith("-- Views:    bi."), path.name


def run(cli, db_url, name):
    result = cli("bi", "query", str(Path(QUERIES[0]).parent / name), "-f", "json", "--as-admin", "-d", url_text(db_url))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_query_returns_rows(cli, db_url, bi_engine, path):
    assert run(cli, db_url, path.name), path.name


def test_energy_projects_in_kazakhstan_with_china(cli, db_url, bi_engine):
    rows = run(cli, db_url, "energy_projects_in_kazakhstan_with_china.sql")
    assert [(r["year"], r["project_code"], r["china_role"]) for r in rows] == [
        (2018, "KZ-TURGUSUN-HPP", "builder"), (2019, "KZ-ZHANATAS-WIND", "financier")]


def test_forums_shared_by_china_and_kazakhstan(cli, db_url, bi_engine):
    rows = run(cli, db_url, "forums_shared_by_china_and_kazakhstan.sql")
    assert [(r["forum_code"], r["both_since_year"]) for r in rows] == [("SCO", 2001), ("BRI", 2013)]
    assert str(rows[0]["china_since"]) == "2001-06-15"


def test_projects_by_country_counts_a_project_once_per_country(cli, db_url, bi_engine):
    rows = run(cli, db_url, "projects_by_country_sector_year.sql")
    china_rail = [r for r in rows if r["country_alpha3"] == "CHN" and r["year"] == 2015]
    assert [(r["sector"], r["projects"], float(r["amount_usd_nominal"])) for r in china_rail] == [
        ("TRANSPORT AND STORAGE", 1, 7300000000.0)]


def test_sources_behind_a_project(cli, db_url, bi_engine):
    rows = run(cli, db_url, "sources_behind_a_project.sql")
    assert [(r["publisher"], r["locator"]) for r in rows] == [("AidData", "row 42"), ("Example News", "line 12")]


def test_bi_names_are_rewritten_only_for_known_views_on_sqlite():
    sql = "SELECT * FROM bi.country_pairs JOIN bi.projects_by_country ON 1=1 -- bi.unknown, xbi.country_pairs"
    assert bi.for_dialect(sql, "postgresql") == sql
    assert bi.for_dialect(sql, "sqlite") == (
        "SELECT * FROM bi_country_pairs JOIN bi_projects_by_country ON 1=1 -- bi.unknown, xbi.country_pairs")


def test_sql_names_the_bi_views_as_postgresql_does_on_every_database(cli, db_url, bi_engine):
    for name in ("bi.country_pairs", "bi.projects_by_country"):
        result = cli("sql", f"SELECT COUNT(*) AS n FROM {name}", "-f", "json", "--as-admin", "-d", url_text(db_url))
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)[0]["n"] > 0


def test_query_file_cannot_write(cli, db_url, bi_engine, tmp_path):
    path = tmp_path / "write.sql"
    path.write_text("DELETE FROM projects")
    result = cli("bi", "query", str(path), "--as-admin", "-d", url_text(db_url))
    assert result.exit_code == 3
    assert result.stderr.startswith("error: query refused by the database:")
