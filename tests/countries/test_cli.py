"""`coopdb countries resolve|list`: output, exact error text, exit codes."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def url(countries_sqlite) -> str:
    return countries_sqlite


def test_resolve_prints_code_name_and_how(cli, url):
    run = cli("countries", "resolve", "Tiongkok", "Korea, Rep.", "USSR", "-d", url)
    assert run.exit_code == 0, run.stderr
    assert run.stdout == ("Tiongkok: CHN China (name:id)\n"
                          "Korea, Rep.: KOR South Korea (name:en)\n"
                          "USSR: SUN Soviet Union (former:en)\n")


def test_unknown_name_exits_3_with_suggestions(cli, url):
    run = cli("countries", "resolve", "Kazakstn", "-d", url)
    assert run.exit_code == 3
    assert run.stderr == "Kazakstn: unknown country; did you mean: KAZ Kazakhstan\n"


def test_ambiguous_name_exits_3_with_candidates(cli, url):
    run = cli("countries", "resolve", "Sudan", "-d", url)
    assert run.exit_code == 3
    assert run.stderr == ("Sudan: ambiguous, one of: SDN Sudan, SSD South Sudan (Sudan, or Sudan before the "
                          "2011 independence of South Sudan (which then included it))\n")


def test_not_a_country_exits_3(cli, url):
    run = cli("countries", "resolve", "Georgia, USA", "-d", url)
    assert run.exit_code == 3
    assert run.stderr == "Georgia, USA: not a country: Georgia the US state, not the country Georgia (GEO)\n"


def test_resolve_json_lang_and_dataset(cli, url):
    run = cli("countries", "resolve", "Конго", "--lang", "kk", "--json", "-d", url)
    assert run.exit_code == 0
    assert json.loads(run.stdout)[0]["code"] == "COD"
    run = cli("countries", "resolve", "korea", "--dataset", "cow", "--json", "-d", url)
    assert (json.loads(run.stdout)[0]["code"], run.exit_code) == ("XKOR", 0)


def test_resolve_on_an_empty_database(cli, db_url):
    from tests.conftest import url_text

    run = cli("countries", "resolve", "China", "-d", url_text(db_url))
    assert run.exit_code == 4
    assert run.stderr == ("error: the database has no countries to resolve names against: run "
                          "`coopdb import countries` first (or `coopdb quickstart`)\n")


def test_list_by_region_in_a_language(cli, url):
    run = cli("countries", "list", "--region", "Central Asia", "--lang", "id", "--json", "-d", url)
    assert run.exit_code == 0
    rows = json.loads(run.stdout)
    assert [(r["code"], r["name_id"]) for r in rows] == [
        ("KAZ", "Kazakhstan"), ("KGZ", "Kirgizstan"), ("TJK", "Tajikistan"), ("TKM", "Turkmenistan"),
        ("UZB", "Uzbekistan")]


def test_list_unknown_region_is_a_user_error(cli, url):
    run = cli("countries", "list", "--region", "Atlantis", "-d", url)
    assert run.exit_code == 3
    assert run.stderr == ("error: no countries in region 'Atlantis': give a UN M49 region, sub-region or "
                          "intermediate region by name or code, e.g. Asia, 'Central Asia' or 143\n")


def test_list_former(cli, url):
    run = cli("countries", "list", "--kind", "former", "--json", "-d", url)
    codes = {r["code"] for r in json.loads(run.stdout)}
    assert {"SUN", "YUG", "CSK", "DDR", "XAUH", "XBAV", "XGFR"} <= codes and "RUS" not in codes
