"""Totals you can sum: allocated amounts that add up to each project, one row per project, the country and
date dimensions, country_pairs from its table, exact decimals on SQLite. Both backends."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, text

from db import bi
from db.models import Base
from tests.conftest import url_text

T = Base.metadata.tables
QUERIES = Path(__file__).resolve().parents[2] / "queries"
RECIPIENTS = ["AGO", "BEN", "CMR", "DJI", "ETH", "GAB", "GHA", "KEN", "MLI", "NER", "NGA", "RWA", "SEN", "TGO",
              "UGA", "ZMB"]


def add_credit_lines(engine) -> None:
    """A 10 bn credit line with 16 recipients (the 2012 peak of the issue), 100.00 among 3 and 0.05 among 3,
    an umbrella agreement, a project AidData does not recommend for totals, and the Soviet Union."""
    with engine.begin() as conn:
        def add(table, **values):
            return conn.execute(insert(T[table]).values(values).returning(T[table].c.id)).scalar_one()

        ids = {c: add("countries", code=c, alpha2=c[:2], alpha3=c, name=c, kind="sovereign") for c in RECIPIENTS}
        ids["CHN"] = conn.execute(text("SELECT id FROM countries WHERE code = 'CHN'")).scalar_one()
        ids["RUS"] = add("countries", code="RUS", alpha2="RU", alpha3="RUS", name="Russia", kind="sovereign",
                         region="Europe", subregion="Eastern Europe", latitude=Decimal("61.5"),
                         longitude=Decimal("105.3"))
        ids["SUN"] = add("countries", code="SUN", name="Soviet Union", kind="former", valid_to=dt.date(1991, 12, 26))
        add("country_codes", country_id=ids["RUS"], scheme="successor_of", code="SUN")

        def project(code, amount, recipients, role="recipient", **flags):
            pid = add("projects", code=code, title=code, committed_on=dt.date(2012, 1, 1), committed_precision="year",
                      amount=amount, currency="USD", amount_usd_nominal=amount, **flags)
            add("project_countries", project_id=pid, country_id=ids["CHN"], role="financier")
            for c in recipients:
                add("project_countries", project_id=pid, country_id=ids[c], role=role)

        project("LINE-10BN", Decimal("10000000000.00"), RECIPIENTS, recommended_for_aggregates=True,
                umbrella=False)
        project("THIRDS", Decimal("100.00"), RECIPIENTS[:3], recommended_for_aggregates=True)
        project("NICKEL", Decimal("0.05"), RECIPIENTS[3:6])
        project("UMBRELLA", Decimal("5000000000.00"), RECIPIENTS[:2], recommended_for_aggregates=False,
                umbrella=True)
        project("PARTNERS", Decimal("10.01"), RECIPIENTS[:1], role="partner")
        project("NOT-RECOMMENDED", Decimal("700000000.00"), RECIPIENTS[:1], recommended_for_aggregates=False,
                umbrella=False)
        add("memberships", forum_id=conn.execute(text("SELECT id FROM forums WHERE code = 'SCO'")).scalar_one(),
            country_id=ids["SUN"], role="member", started_on=dt.date(1980, 1, 1), started_precision="year")
        bi.refresh_country_pairs(conn)


def test_allocated_amounts_add_up_to_each_project_exactly(bi_engine):
    add_credit_lines(bi_engine)
    rows = bi.read_view(bi_engine, "projects_by_country", order_by=["project_code", "country_code", "role"])
    by_project: dict[str, list] = {}
    for r in rows:
        by_project.setdefault(r["project_code"], []).append(r)
    for code, project_rows in by_project.items():
        amount = project_rows[0]["amount"]
        if amount is not None:
            assert sum(r["amount_allocated"] for r in project_rows) == amount, code
            assert sum(r["amount_usd_nominal_allocated"] for r in project_rows) == project_rows[0]["amount_usd_nominal"]
    line = by_project["LINE-10BN"]
    assert [r["amount_allocated"] for r in line if r["role"] == "recipient"] == [Decimal("625000000.00")] * 16
    assert [(r["country_code"], r["amount_allocated"], r["is_allocated"]) for r in line if r["role"] == "financier"] \
        == [("CHN", Decimal("0.00"), False)]
    assert {r["recipient_count"] for r in line} == {16}
    # cut to the cent, the last recipient (by country code) takes the remainder
    assert [r["amount_allocated"] for r in by_project["THIRDS"] if r["is_allocated"]] == [
        Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert [r["amount_allocated"] for r in by_project["NICKEL"] if r["is_allocated"]] == [
        Decimal("0.01"), Decimal("0.01"), Decimal("0.03")]
    # a project without recipient or host rows shares among all its rows
    assert [(r["country_code"], r["amount_allocated"], r["is_allocated"]) for r in by_project["PARTNERS"]] == [
        ("AGO", Decimal("5.00"), True), ("CHN", Decimal("5.01"), True)]
    assert {r["amount_allocated"] for r in by_project["KZ-LUBAN-WORKSHOP"]} == {None}  # no amount


def test_yearly_totals_count_each_project_once(cli, db_url, bi_engine):
    add_credit_lines(bi_engine)
    result = cli("bi", "query", QUERIES / "yearly_totals.sql", "-f", "json", "--as-admin", "-d", url_text(db_url))
    assert result.exit_code == 0, result.stderr
    rows = {r["year"]: r for r in json.loads(result.stdout)}
    # 2012: the credit line once (not 16 times), 100.00, 0.05 and 10.01; the umbrella and the not-recommended out
    assert (rows[2012]["projects"], Decimal(str(rows[2012]["total_usd_nominal"]))) == (4, Decimal("10000000110.06"))
    assert Decimal(str(rows[2015]["total_usd_nominal"])) == Decimal("7300000000.00")
    # the per-country view gives the same total with the allocated column
    sql = ("SELECT SUM(amount_usd_nominal_allocated) AS total FROM bi.projects_by_country "
           "WHERE year = 2012 AND project_code IN ('LINE-10BN', 'THIRDS', 'NICKEL')")
    path = db_url.database if backend_is_sqlite(db_url) else None
    result = cli("sql", bi.for_dialect(sql, "sqlite" if path else "postgresql"), "-f", "csv", "--as-admin", "-d",
                 url_text(db_url))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == "10000000100.05"


def backend_is_sqlite(url) -> bool:
    return url.get_backend_name() == "sqlite"


def test_projects_view_has_one_row_per_project_with_flags_and_recipient_count(bi_engine):
    add_credit_lines(bi_engine)
    rows = {r["project_code"]: r for r in bi.read_view(bi_engine, "projects")}
    assert len(rows) == 11
    line = rows["LINE-10BN"]
    assert (line["recipient_count"], line["country_count"], line["recommended_for_aggregates"],
            line["is_umbrella"], line["year"]) == (16, 17, True, False, 2012)
    assert (rows["UMBRELLA"]["is_umbrella"], rows["NICKEL"]["is_umbrella"]) == (True, None)
    assert rows["KZ-ZHANATAS-WIND"]["recipient_count"] == 1
    assert rows["KZ-ZHANATAS-WIND"]["committed_estimated"] is False


def test_countries_dimension_maps_a_former_state_to_its_successor(bi_engine):
    add_credit_lines(bi_engine)
    rows = {r["country_code"]: r for r in bi.read_view(bi_engine, "countries")}
    sun = rows["SUN"]
    assert (sun["alpha3"], sun["map_alpha2"], sun["map_alpha3"], sun["map_is_successor"], sun["is_former"],
            sun["successor_code"], sun["region"], sun["latitude"]) == (
        None, "RU", "RUS", True, True, "RUS", "Europe", Decimal("61.500000"))
    kaz = rows["KAZ"]
    assert (kaz["map_alpha3"], kaz["map_is_successor"], kaz["numeric_code"], kaz["subregion"]) == (
        "KAZ", False, "398", "Central Asia")
    spans = bi.read_view(bi_engine, "membership_spans")
    assert [(r["country_alpha3"], r["country_map_alpha3"]) for r in spans if r["country_code"] == "SUN"] == [
        (None, "RUS")]


def test_dates_dimension(bi_engine):
    with bi_engine.connect() as conn:
        name = bi.qualified_name("dates", bi_engine.dialect.name)
        assert conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one() == 91_676
    (day,) = [r for r in bi.read_view(bi_engine, "dates") if r["date"] == dt.date(2024, 7, 3)]
    assert day == {"date": dt.date(2024, 7, 3), "year": 2024, "quarter": 3, "month": 7, "month_name": "July",
                   "year_month": "2024-07", "day_of_month": 3, "day_of_week": 3, "decade": 2020}


def test_country_pairs_come_from_the_table_and_bi_refresh_rebuilds_it(cli, db_url, bi_engine):
    add_credit_lines(bi_engine)
    pairs = bi.read_view(bi_engine, "country_pairs")
    sun = [(r["partner_code"], r["shared_forums"], r["first_year"]) for r in pairs if r["country_code"] == "SUN"]
    assert sorted(sun) == [("CHN", 1, 2001), ("KAZ", 1, 2001)]
    with bi_engine.begin() as conn:
        conn.execute(text("DELETE FROM country_pair_totals"))
    left = bi.read_view(bi_engine, "country_pairs")  # events are counted in the view, not in the table
    assert sorted((r["country_code"], r["partner_code"], r["shared_events"]) for r in left) == [
        ("CHN", "KAZ", 1), ("IDN", "KAZ", 1), ("KAZ", "CHN", 1), ("KAZ", "IDN", 1)]
    assert all(r["shared_projects"] == r["shared_agreements"] == r["shared_forums"] == 0 for r in left)
    result = cli("bi", "refresh", "-d", url_text(db_url))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"country_pairs: {len(pairs)} pairs of countries rebuilt in ")
    assert bi.read_view(bi_engine, "country_pairs") == pairs


def test_sql_sums_are_exact_decimals(cli, db_url, bi_engine):
    with bi_engine.begin() as conn:
        for i in range(10):
            conn.execute(insert(T["projects"]).values(code=f"CENTS-{i}", title="cents", amount=Decimal("0.10")))
        conn.execute(insert(T["projects"]).values(code="BIG", title="big", amount=Decimal("3450854288.15")))
    sql = "SELECT SUM(amount) AS total, AVG(amount) AS mean FROM projects WHERE code LIKE 'CENTS-%' OR code = 'BIG'"
    result = cli("sql", sql, "-f", "csv", "--as-admin", "-d", url_text(db_url))
    assert result.exit_code == 0, result.stderr
    total, mean = result.stdout.splitlines()[1].split(",")
    assert Decimal(total) == Decimal("3450854289.15")
    assert total in ("3450854289.15", "3450854289.1500000000")  # SQLite, PostgreSQL (sum of numeric(20,2))
    assert Decimal(mean).quantize(Decimal("0.01")) == Decimal("313714026.29")
