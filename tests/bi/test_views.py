"""The BI views: pinned columns, expected rows on the test dataset, comments. Both backends."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import inspect, text

from db import bi, migrate

# The public interface. Changing a name here is deliberate: a migration and a line in CHANGELOG.md.
PINNED = {
    "countries": [
        "country_id", "country_code", "country_name", "official_name", "kind", "alpha2", "alpha3", "numeric_code",
        "region_code", "region", "subregion_code", "subregion", "intermediate_region_code", "intermediate_region",
        "latitude", "longitude", "valid_from", "valid_to", "is_former", "successor_code", "successor_name",
        "map_alpha2", "map_alpha3", "map_is_successor",
    ],
    "projects": [
        "project_id", "project_code", "project_title", "sector", "sector_code", "status", "intent", "flow_type",
        "flow_class", "year", "committed_on", "committed_precision", "committed_estimated", "started_on",
        "started_precision", "started_estimated", "completed_on", "completed_precision", "completed_estimated",
        "amount", "currency", "amount_year", "amount_estimated", "amount_usd_nominal", "amount_usd_constant",
        "usd_base_year", "capacity", "capacity_unit", "location_name", "admin_area", "latitude", "longitude",
        "is_regional", "recipient_region", "recommended_for_aggregates", "is_umbrella", "recipient_count",
        "country_count", "framework_forum_code", "framework_forum_name", "sector_group",
    ],
    "projects_by_country": [
        "project_id", "project_code", "project_title", "sector", "sector_code", "status", "year", "committed_on",
        "committed_precision", "started_on", "completed_on", "amount", "currency", "amount_year",
        "amount_usd_nominal", "amount_usd_constant", "usd_base_year", "capacity", "capacity_unit",
        "location_name", "admin_area", "latitude", "longitude", "country_code", "country_name", "country_alpha2",
        "country_alpha3", "region", "subregion", "role", "framework_forum_code", "framework_forum_name",
        "intent", "flow_type", "flow_class", "committed_estimated", "started_estimated", "completed_estimated",
        "amount_estimated", "is_regional", "recommended_for_aggregates", "is_umbrella", "recipient_count",
        "is_allocated", "amount_allocated", "amount_usd_nominal_allocated", "amount_usd_constant_allocated",
        "country_map_alpha2", "country_map_alpha3", "country_latitude", "country_longitude", "sector_group",
    ],
    "membership_spans": [
        "membership_id", "forum_code", "forum_name", "forum_acronym", "forum_kind", "country_code", "country_name",
        "country_alpha2", "country_alpha3", "role", "started_on", "started_precision", "started_year", "ended_on",
        "ended_precision", "ended_year", "is_current", "country_map_alpha2", "country_map_alpha3",
    ],
    "agreements_with_parties": [
        "agreement_id", "agreement_code", "agreement_title", "kind", "status", "target", "signed_on",
        "signed_precision", "signed_year", "in_force_on", "in_force_precision", "terminated_on",
        "terminated_precision", "forum_code", "forum_name", "country_code", "country_name", "country_alpha2",
        "country_alpha3", "party_role", "party_count", "amount", "currency", "instrument_count",
    ],
    "country_pairs": [
        "country_code", "country_name", "country_alpha2", "country_alpha3", "partner_code", "partner_name",
        "partner_alpha2", "partner_alpha3", "shared_projects", "shared_agreements", "shared_forums", "shared_events",
        "first_year", "last_year",
    ],
    "fact_sources": [
        "citation_id", "record_type", "record_id", "record_code", "record_title", "field", "source_key",
        "source_kind", "source_title", "publisher", "source_url", "language", "published_on",
        "published_precision", "locator", "quote",
    ],
    "entity_mentions": [
        "source_key", "source_title", "publisher", "source_url", "language", "published_on", "entity_type",
        "entity_id", "entity_code", "entity_name", "mention_count", "first_sentence", "first_matched_text",
    ],
    "field_values": [
        "statement_id", "record_type", "record_id", "record_code", "record_title", "field", "value", "is_list",
        "clears", "source_key", "source_kind", "source_title", "published_on", "priority", "locator",
        "first_seen_on", "last_seen_on",
    ],
    "conflicts": [
        "record_type", "record_id", "record_code", "record_title", "field", "distinct_values", "sources",
        "stated_values",
    ],
    "dates": [
        "date", "year", "quarter", "month", "month_name", "year_month", "day_of_month", "day_of_week", "decade",
    ],
    "events": [
        "event_id", "event_code", "kind", "title", "occurred_on", "occurred_precision", "occurred_year", "place_name",
        "country_code", "country_name", "country_alpha2", "country_alpha3", "project_code", "project_title",
        "agreement_code", "agreement_title", "forum_code", "forum_name", "description", "source_count",
    ],
    "event_countries": [
        "event_id", "event_code", "kind", "title", "occurred_on", "occurred_precision", "occurred_year", "role",
        "country_code", "country_name", "country_alpha2", "country_alpha3",
    ],
    "event_agreements": [
        "event_id", "event_code", "kind", "title", "occurred_on", "occurred_precision", "occurred_year",
        "agreement_code", "agreement_title", "agreement_kind", "signed_on", "signed_precision",
    ],
    "identifiers": [
        "identifier_id", "record_type", "record_id", "record_code", "record_title", "scheme", "value",
        "source_key", "first_seen_run_id",
    ],
}


def test_catalog_matches_the_pinned_columns():
    assert {name: v.column_names for name, v in bi.catalog().items()} == PINNED


@pytest.mark.parametrize("view", list(PINNED))
def test_view_has_the_pinned_columns_in_the_database(engine, backend, view):
    with engine.connect() as conn:
        result = conn.exec_driver_sql(f"SELECT * FROM {bi.qualified_name(view, backend)} WHERE 1 = 0")
        assert list(result.keys()) == PINNED[view]


def test_every_view_and_column_has_a_comment_in_the_catalog():
    for v in bi.catalog().values():
        assert len(v.comment) > 20, v.name
        for c in v.columns:
            assert len(c.comment) > 5, f"{v.name}.{c.name}"


def test_every_view_column_has_its_comment_in_the_postgresql_catalog(engine, backend):
    if backend != "postgresql":
        pytest.skip("SQLite keeps no comments; the catalog is checked above and printed in docs/data-dictionary.md")
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT c.relname, a.attname, col_description(c.oid, a.attnum), obj_description(c.oid, 'pg_class') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "WHERE n.nspname = 'bi' AND c.relkind = 'v'"
        )).all()
    found = {(r[0], r[1]): (r[2], r[3]) for r in rows}
    expected = {(v.name, c.name): (c.comment, v.comment) for v in bi.catalog().values() for c in v.columns}
    assert found == expected


def test_sqlite_views_keep_date_and_numeric_types(engine, backend):
    if backend != "sqlite":
        pytest.skip("PostgreSQL types are checked through the rows")
    columns = {c["name"]: str(c["type"]) for c in inspect(engine).get_columns("bi_projects_by_country")}
    assert columns["committed_on"] == "DATE"
    assert columns["amount"] == "NUMERIC(20, 2)"


def test_downgrade_drops_the_views_and_upgrade_brings_them_back(engine, backend):
    migrate.downgrade(engine, "f177de1484d9")
    insp = inspect(engine)
    if backend == "postgresql":
        assert "bi" not in insp.get_schema_names()
    else:
        assert not [v for v in insp.get_view_names() if v.startswith("bi_")]
    migrate.upgrade(engine)
    assert set(inspect(engine).get_view_names(schema="bi" if backend == "postgresql" else None)) >= {
        bi.qualified_name(v, backend).split(".")[-1] for v in bi.catalog()}
    assert migrate.check(engine).ok


def _pick(rows, *columns):
    return [tuple(r[c] for c in columns) for r in rows]


def test_projects_by_country(bi_engine):
    rows = bi.read_view(bi_engine, "projects_by_country", order_by=["project_code", "country_code", "role"])
    assert _pick(rows, "project_code", "country_alpha2", "country_alpha3", "role", "year") == [
        ("CN-KZ-LIANYUNGANG", "CN", "CHN", "host", 2014),
        ("CN-KZ-LIANYUNGANG", "KZ", "KAZ", "partner", 2014),
        ("ID-JAKARTA-BANDUNG-HSR", "CN", "CHN", "builder", 2015),
        ("ID-JAKARTA-BANDUNG-HSR", "CN", "CHN", "financier", 2015),
        ("ID-JAKARTA-BANDUNG-HSR", "ID", "IDN", "host", 2015),
        ("KZ-LUBAN-WORKSHOP", "CN", "CHN", "partner", None),
        ("KZ-LUBAN-WORKSHOP", "KZ", "KAZ", "host", None),
        ("KZ-TURGUSUN-HPP", "CN", "CHN", "builder", 2018),
        ("KZ-TURGUSUN-HPP", "KZ", "KAZ", "host", 2018),
        ("KZ-ZHANATAS-WIND", "CN", "CHN", "financier", 2019),
        ("KZ-ZHANATAS-WIND", "KZ", "KAZ", "host", 2019),
    ]
    wind = next(r for r in rows if r["project_code"] == "KZ-ZHANATAS-WIND" and r["role"] == "host")
    assert wind == {
        "project_id": wind["project_id"], "project_code": "KZ-ZHANATAS-WIND", "project_title": "Zhanatas wind farm",
        "sector": "ENERGY", "sector_code": None, "status": "operational", "year": 2019,
        "committed_on": dt.date(2019, 1, 1), "committed_precision": "year", "started_on": None,
        "completed_on": None, "amount": Decimal("1550000000.00"), "currency": "CNY", "amount_year": 2019,
        "amount_usd_nominal": Decimal("224500000.00"), "amount_usd_constant": None, "usd_base_year": None,
        "capacity": Decimal("100.000"), "capacity_unit": "MW", "location_name": "Zhanatas",
        "admin_area": "Zhambyl", "latitude": Decimal("43.566700"), "longitude": Decimal("69.750000"),
        "country_code": "KAZ", "country_name": "Kazakhstan", "country_alpha2": "KZ", "country_alpha3": "KAZ",
        "region": "Asia", "subregion": "Central Asia", "role": "host", "framework_forum_code": "BRI",
        "framework_forum_name": "Belt and Road Initiative",
        "intent": None, "flow_type": None, "flow_class": None, "committed_estimated": False,
        "started_estimated": False, "completed_estimated": False, "amount_estimated": False, "is_regional": False,
        "recommended_for_aggregates": None, "is_umbrella": None, "recipient_count": 1, "is_allocated": True,
        "amount_allocated": Decimal("1550000000.00"), "amount_usd_nominal_allocated": Decimal("224500000.00"),
        "amount_usd_constant_allocated": None, "country_map_alpha2": "KZ", "country_map_alpha3": "KAZ",
        "country_latitude": wind["country_latitude"], "country_longitude": wind["country_longitude"],
        "sector_group": "Energy",  # no code: by its sector name
    }


def test_membership_spans(bi_engine):
    rows = bi.read_view(bi_engine, "membership_spans", order_by=["forum_code", "country_code", "started_on"])
    assert _pick(rows, "forum_code", "country_alpha3", "role", "started_on", "started_precision", "started_year",
                 "ended_on", "ended_year", "is_current") == [
        ("BRI", "CHN", "founding_member", dt.date(2013, 1, 1), "year", 2013, None, None, True),
        ("BRI", "IDN", "partner_country", dt.date(2015, 1, 1), "year", 2015, None, None, True),
        ("BRI", "KAZ", "partner_country", dt.date(2013, 9, 1), "month", 2013, None, None, True),
        ("BRICS", "CHN", "founding_member", dt.date(2009, 1, 1), "year", 2009, None, None, True),
        ("BRICS", "IDN", "applicant", dt.date(2024, 10, 24), "day", 2024, dt.date(2025, 1, 5), 2025, False),
        ("BRICS", "IDN", "member", dt.date(2025, 1, 6), "day", 2025, None, None, True),
        ("SCO", "CHN", "founding_member", dt.date(2001, 6, 15), "day", 2001, None, None, True),
        ("SCO", "KAZ", "founding_member", dt.date(2001, 6, 15), "day", 2001, None, None, True),
    ]
    assert {r["forum_kind"] for r in rows if r["forum_code"] == "SCO"} == {"intergovernmental_organisation"}


def test_agreements_with_parties(bi_engine):
    rows = bi.read_view(bi_engine, "agreements_with_parties", order_by=["agreement_code", "country_code"])
    assert _pick(rows, "agreement_code", "kind", "signed_on", "signed_year", "in_force_on", "forum_code",
                 "country_alpha3", "party_role", "party_count") == [
        ("CN-ID-MOU-2015", "memorandum", dt.date(2015, 3, 1), 2015, None, None, None, None, 0),
        ("CN-KZ-TOURISM-YEARS", "programme", None, None, dt.date(2025, 1, 1), None, "CHN", "party", 2),
        ("CN-KZ-TOURISM-YEARS", "programme", None, None, dt.date(2025, 1, 1), None, "KAZ", "party", 2),
        ("CN-KZ-TRADE-TARGET", "target", dt.date(2023, 5, 17), 2023, None, None, "CHN", "party", 2),
        ("CN-KZ-TRADE-TARGET", "target", dt.date(2023, 5, 17), 2023, None, None, "KAZ", "party", 2),
        ("SCO-CHARTER", "treaty", dt.date(2002, 6, 7), 2002, dt.date(2003, 9, 19), "SCO", "CHN", "signatory", 2),
        ("SCO-CHARTER", "treaty", dt.date(2002, 6, 7), 2002, dt.date(2003, 9, 19), "SCO", "KAZ", "signatory", 2),
    ]
    assert rows[3]["target"] == "double bilateral trade"
    assert (rows[0]["amount"], rows[0]["currency"], rows[0]["instrument_count"]) == (Decimal("629000000"), "USD", 17)
    assert rows[1]["amount"] is None


def test_country_pairs(bi_engine):
    rows = bi.read_view(bi_engine, "country_pairs", order_by=["country_code", "partner_code"])
    assert _pick(rows, "country_alpha3", "partner_alpha3", "shared_projects", "shared_agreements", "shared_forums",
                 "shared_events", "first_year", "last_year") == [
        ("CHN", "IDN", 1, 0, 2, 0, 2015, 2025),
        ("CHN", "KAZ", 4, 3, 2, 1, 2001, 2025),
        ("IDN", "CHN", 1, 0, 2, 0, 2015, 2025),
        ("IDN", "KAZ", 0, 0, 1, 1, 2015, 2026),  # the visit of 2026 is the latest thing they share
        ("KAZ", "CHN", 4, 3, 2, 1, 2001, 2025),
        ("KAZ", "IDN", 0, 0, 1, 1, 2015, 2026),
    ]
    assert _pick(rows[:1], "country_name", "country_alpha2", "partner_name", "partner_alpha2") == [
        ("China", "CN", "Indonesia", "ID")]


def test_fact_sources(bi_engine):
    rows = bi.read_view(bi_engine, "fact_sources", order_by=["citation_id"])
    assert _pick(rows, "record_type", "record_code", "record_title", "source_kind", "publisher", "language",
                 "published_on", "locator") == [
        ("project", "KZ-ZHANATAS-WIND", "Zhanatas wind farm", "news_article", "Example News", "id",
         dt.date(2025, 6, 10), "line 12"),
        ("project", "KZ-ZHANATAS-WIND", "Zhanatas wind farm", "dataset", "AidData", "en", dt.date(2023, 11, 1),
         "row 42"),
        ("agreement", "CN-KZ-TRADE-TARGET", "Joint target to double bilateral trade", "news_article",
         "Example News", "id", dt.date(2025, 6, 10), "line 8"),
        ("membership", "SCO:KAZ", "Kazakhstan in Shanghai Cooperation Organisation (founding_member)",
         "news_article", "Example News", "id", dt.date(2025, 6, 10), "line 20"),
        ("project_country", "ID-JAKARTA-BANDUNG-HSR", "Jakarta-Bandung high-speed railway", "dataset", "AidData",
         "en", dt.date(2023, 11, 1), "row 7"),
    ]
    assert rows[0]["quote"] == "the wind farm at Zhanatas runs at 100 MW"
    assert rows[0]["source_url"] == "https://news.example.org/kz-cn"
    assert rows[0]["source_title"] == "Kazakhstan dan Tiongkok perkuat kerja sama"


def test_entity_mentions(bi_engine):
    rows = bi.read_view(bi_engine, "entity_mentions", order_by=["entity_type", "entity_code"])
    assert _pick(rows, "entity_type", "entity_code", "entity_name", "mention_count", "first_matched_text",
                 "first_sentence") == [
        ("country", "CHN", "China", 3, "China", "China and Kazakhstan agreed to double trade."),
        ("country", "KAZ", "Kazakhstan", 2, "Kazakhstan", "China and Kazakhstan agreed to double trade."),
        ("forum", "SCO", "Shanghai Cooperation Organisation", 1, "SCO", "Both are members of the SCO."),
        ("project", "KZ-ZHANATAS-WIND", "Zhanatas wind farm", 1, "PLTB Zhanatas",
         "Tiongkok supports the wind farm PLTB Zhanatas in Kazakhstan."),
    ]
    assert {(r["source_key"], r["language"], r["published_on"]) for r in rows} == {
        ("sha256:" + "a" * 64, "id", dt.date(2025, 6, 10))}


def test_views_are_empty_on_an_empty_database(engine):
    for name in bi.catalog():
        if name == "dates":  # the calendar needs no data
            continue
        assert bi.read_view(engine, name) == []


def test_field_values_and_conflicts(bi_engine):
    rows = bi.read_view(bi_engine, "field_values", order_by=["statement_id", "field"])
    shown = [(r["record_code"], r["field"], r["value"], r["source_key"], r["is_list"], r["clears"], r["locator"])
             for r in rows]
    assert shown == [
        ("KZ-ZHANATAS-WIND", "capacity", "100", "sha256:" + "a" * 64, False, False, "line 12"),
        ("KZ-ZHANATAS-WIND", "title", "Zhanatas wind farm", "sha256:" + "a" * 64, False, False, "line 12"),
        ("KZ-ZHANATAS-WIND", "capacity", "99.5", "aiddata-gcdf-3.0", False, False, "row 42"),
        ("KZ-ZHANATAS-WIND", "title", "Zhanatas wind farm", "aiddata-gcdf-3.0", False, False, "row 42"),
        ("EV-SCO-SUMMIT-2024", "kind", "summit", "sha256:" + "a" * 64, False, False, "line 3"),
        ("EV-SCO-SUMMIT-2024", "occurred_on", "2024-07-04", "sha256:" + "a" * 64, False, False, "line 3"),
        ("EV-SCO-SUMMIT-2024", "occurred_precision", "day", "sha256:" + "a" * 64, False, False, "line 3"),
    ]
    conflicts = bi.read_view(bi_engine, "conflicts")
    assert [(c["record_code"], c["field"], c["distinct_values"], c["sources"]) for c in conflicts] == [
        ("KZ-ZHANATAS-WIND", "capacity", 2, 2)]
    assert set(conflicts[0]["stated_values"].replace(" | ", ",").split(",")) == {"100", "99.5"}


def test_the_latest_frozen_view_sql_is_the_live_sql():
    """db/views changed without a revision would leave migrated databases with other views than the code's."""
    import json
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "migrations" / "frozen"
    latest = max(folder.glob("bi_views_*.json"), key=lambda p: p.stem)
    frozen = json.loads(latest.read_text(encoding="utf-8"))
    for dialect in ("postgresql", "sqlite"):
        assert frozen[dialect]["create"] == bi.create_statements(dialect), (latest.name, dialect)
        assert frozen[dialect]["refresh"] == bi.pair_totals_statements(dialect), (latest.name, dialect)


def test_event_countries_and_agreements(bi_engine):
    rows = bi.read_view(bi_engine, "event_countries", order_by=["event_code", "role"])
    assert _pick(rows, "event_code", "kind", "occurred_year", "role", "country_alpha3", "country_name") == [
        ("EV-IDN-KAZ-VISIT-2026", "visit", 2026, "host", "KAZ", "Kazakhstan"),
        ("EV-IDN-KAZ-VISIT-2026", "visit", 2026, "visitor", "IDN", "Indonesia"),
        ("EV-SCO-SUMMIT-2024", "summit", 2024, "host", "KAZ", "Kazakhstan"),
        ("EV-SCO-SUMMIT-2024", "summit", 2024, "participant", "CHN", "China"),
    ]
    rows = bi.read_view(bi_engine, "event_agreements")
    assert _pick(rows, "event_code", "occurred_on", "agreement_code", "agreement_kind") == [
        ("EV-SCO-SUMMIT-2024", dt.date(2024, 7, 4), "CN-KZ-TRADE-TARGET", "target")]


def test_events(bi_engine):
    rows = bi.read_view(bi_engine, "events", order_by=["event_code"])
    assert _pick(rows, "event_code", "kind", "occurred_on", "occurred_precision", "occurred_year", "place_name",
                 "country_code", "project_code", "forum_code", "source_count") == [
        ("EV-IDN-KAZ-VISIT-2026", "visit", dt.date(2026, 3, 1), "month", 2026, "Astana", "KAZ", None, None, 0),
        ("EV-SCO-SUMMIT-2024", "summit", dt.date(2024, 7, 4), "day", 2024, "Astana", "KAZ", None, "SCO", 1),
        ("EV-ZHANATAS-OPENING", "opening", dt.date(2021, 6, 1), "month", 2021, None, None, "KZ-ZHANATAS-WIND",
         None, 0),
    ]


def test_sector_group_is_one_name_per_group_whatever_the_spelling(engine, tmp_path):
    from importers.yaml_bundle import import_bundle

    rows = [("P-1", "230", "ENERGY"), ("P-2", "230", "Energy Generation and Supply"), ("P-3", "23210", "Solar"),
            ("P-4", None, "energy"), ("P-5", "720", "EMERGENCY RESPONSE"), ("P-6", "700", "Emergency Response"),
            ("P-7", None, "Agriculture, Forestry and Fishing"), ("P-8", "999", "Something else"), ("P-9", None, None)]
    lines = ["sources:", "  - {key: s1, kind: dataset, title: Test}", "projects:"]
    for code, sector_code, sector in rows:
        lines.append(f"  - {{code: {code}, title: {code}, cites: [s1]"
                     + (f", sector_code: '{sector_code}'" if sector_code else "")
                     + (f", sector: '{sector}'" if sector else "") + "}")
    (tmp_path / "p.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_bundle(engine, tmp_path / "p.yml")
    got = {r["project_code"]: r["sector_group"] for r in bi.read_view(engine, "projects")}
    assert got == {"P-1": "Energy", "P-2": "Energy", "P-3": "Energy", "P-4": "Energy", "P-5": "Emergency Response",
                   "P-6": "Emergency Response", "P-7": "Agriculture, Forestry, Fishing", "P-8": None, "P-9": None}
    with engine.connect() as conn:
        view = bi.qualified_name("projects", engine.dialect.name)
        counts = dict(conn.execute(text(f"SELECT sector_group, COUNT(*) FROM {view} GROUP BY sector_group")).all())
    assert counts == {"Energy": 4, "Emergency Response": 2, "Agriculture, Forestry, Fishing": 1, None: 2}
