#!/usr/bin/env python3
"""Write examples/superset/coopdb_dashboard.zip: a Superset dashboard export (import it with Dashboards ->
Import) over the coopdb BI views on PostgreSQL, with three charts: a yearly total that counts every project
once, a world map by alpha-3 code, and Kazakhstan's memberships. The datasets carry the column descriptions of
db/views/catalog.yml. The database entry has no password: Superset asks for it on import.

    .venv/bin/python scripts/superset_bundle.py [--check]

--check fails when the zip in the repository differs from what this script writes (tests run it).
"""

from __future__ import annotations

import argparse
import io
import sys
import uuid
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from db import bi  # noqa: E402

OUT = ROOT / "examples" / "superset" / "coopdb_dashboard.zip"
FOLDER = "coopdb_dashboard"
NS = uuid.UUID("6f1c1b8e-2d7e-4f0a-9a53-0c00bd0b0016")
TYPES = {"text": "VARCHAR", "integer": "INTEGER", "date": "DATE", "boolean": "BOOLEAN"}
YEARLY_SQL = (ROOT / "queries" / "yearly_totals.sql").read_text(encoding="utf-8")


def uid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


def dataset(view: str, sql: str | None = None, name: str | None = None) -> dict:
    columns = []
    if sql is None:
        for c in bi.view(view).columns:
            columns.append({"column_name": c.name, "verbose_name": None, "is_dttm": c.type == "date",
                            "is_active": True, "type": "NUMERIC" if c.numeric else TYPES[c.type],
                            "groupby": True, "filterable": True, "expression": None, "description": c.comment,
                            "python_date_format": None, "extra": {}})
    else:
        for column, kind in (("year", "INTEGER"), ("projects", "BIGINT"), ("total_usd_nominal", "NUMERIC"),
                             ("total_usd_constant", "NUMERIC")):
            columns.append({"column_name": column, "verbose_name": None, "is_dttm": False, "is_active": True,
                            "type": kind, "groupby": True, "filterable": True, "expression": None,
                            "description": None, "python_date_format": None, "extra": {}})
    return {
        "table_name": name or view, "main_dttm_col": None,
        "description": bi.view(view).comment if sql is None else YEARLY_SQL.splitlines()[0].removeprefix("-- "),
        "default_endpoint": None, "offset": 0, "cache_timeout": None, "schema": bi.SCHEMA, "sql": sql,
        "params": None, "template_params": None, "filter_select_enabled": True, "fetch_values_predicate": None,
        "extra": None, "uuid": uid(f"dataset:{name or view}"),
        "metrics": [{"metric_name": "count", "verbose_name": None, "metric_type": "count", "expression": "COUNT(*)",
                     "description": None, "d3format": None, "extra": {}, "warning_text": None}],
        "columns": columns, "version": "1.0.0", "database_uuid": uid("database"),
    }


def metric(column: str) -> dict:
    return {"expressionType": "SIMPLE", "aggregate": "SUM", "column": {"column_name": column},
            "label": f"SUM({column})", "hasCustomLabel": False, "optionName": f"metric_{column}"}


def chart(name: str, viz: str, ds: dict, params: dict) -> dict:
    return {"slice_name": name, "description": None, "certified_by": None, "certification_details": None,
            "viz_type": viz, "params": {"viz_type": viz, "datasource": f"{ds['table_name']}__table", **params},
            "query_context": None, "cache_timeout": None, "uuid": uid(f"chart:{name}"), "version": "1.0.0",
            "dataset_uuid": ds["uuid"]}


def bundle() -> dict[str, dict]:
    yearly = dataset("projects", sql=YEARLY_SQL, name="yearly_totals")
    by_country = dataset("projects_by_country")
    spans = dataset("membership_spans")
    charts = [
        chart("Yearly total, each project once (USD nominal)", "echarts_timeseries_bar", yearly, {
            "x_axis": "year", "metrics": [metric("total_usd_nominal")], "groupby": [], "row_limit": 1000,
            "adhoc_filters": [], "y_axis_format": "SMART_NUMBER", "show_legend": False}),
        chart("Money by recipient country (allocated, USD nominal)", "world_map", by_country, {
            "entity": "country_map_alpha3", "country_fieldtype": "cca3",
            "metric": metric("amount_usd_nominal_allocated"),
            "adhoc_filters": [], "row_limit": 10000, "show_bubbles": False, "color_picker": {}}),
        chart("Kazakhstan's memberships", "table", spans, {
            "query_mode": "raw", "all_columns": ["forum_name", "forum_kind", "role", "started_year", "ended_year",
                                                 "is_current"],
            "order_by_cols": ['["started_year", true]'], "row_limit": 1000,
            "adhoc_filters": [{"expressionType": "SIMPLE", "subject": "country_code", "operator": "==",
                               "operatorId": "EQUALS", "comparator": "KAZ", "clause": "WHERE",
                               "filterOptionName": "filter_kaz"}]}),
    ]
    position = {"DASHBOARD_VERSION_KEY": "v2",
                "ROOT_ID": {"id": "ROOT_ID", "type": "ROOT", "children": ["GRID_ID"]},
                "GRID_ID": {"id": "GRID_ID", "type": "GRID", "parents": ["ROOT_ID"], "children": []},
                "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": "coopdb"}}}
    for i, c in enumerate(charts):
        row, cell = f"ROW-{i}", f"CHART-{i}"
        position["GRID_ID"]["children"].append(row)
        position[row] = {"id": row, "type": "ROW", "parents": ["ROOT_ID", "GRID_ID"], "children": [cell],
                         "meta": {"background": "BACKGROUND_TRANSPARENT"}}
        position[cell] = {"id": cell, "type": "CHART", "parents": ["ROOT_ID", "GRID_ID", row], "children": [],
                          "meta": {"chartId": i + 1, "width": 12, "height": 60, "sliceName": c["slice_name"],
                                   "uuid": c["uuid"]}}
    dashboard = {"dashboard_title": "coopdb", "description": None, "css": "", "slug": "coopdb",
                 "certified_by": None, "certification_details": None, "published": True,
                 "uuid": uid("dashboard"), "position": position,
                 "metadata": {"color_scheme": "", "refresh_frequency": 0, "expanded_slices": {},
                              "label_colors": {}, "timed_refresh_immune_slices": [], "cross_filters_enabled": True,
                              "default_filters": "{}", "chart_configuration": {}, "native_filter_configuration": []},
                 "version": "1.0.0"}
    database = {"database_name": "coopdb", "sqlalchemy_uri": "postgresql://metabase:XXXXXXXXXX@db.example.org:5432/coopdb",
                "cache_timeout": None, "expose_in_sqllab": True, "allow_run_async": False, "allow_ctas": False,
                "allow_cvas": False, "allow_dml": False, "allow_file_upload": False,
                "extra": {"allows_virtual_table_explore": True, "schemas_allowed_for_file_upload": []},
                "uuid": uid("database"), "version": "1.0.0"}
    files = {"metadata.yaml": {"version": "1.0.0", "type": "Dashboard", "timestamp": "2026-12-01T00:00:00+00:00"},
             "databases/coopdb.yaml": database, "dashboards/coopdb.yaml": dashboard}
    for ds in (yearly, by_country, spans):
        files[f"datasets/coopdb/{ds['table_name']}.yaml"] = ds
    for i, c in enumerate(charts):
        files[f"charts/chart_{i + 1}.yaml"] = c
    return files


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
        for path, content in sorted(bundle().items()):
            info = zipfile.ZipInfo(f"{FOLDER}/{path}", date_time=(2026, 12, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            z.writestr(info, yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=120))
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    data = zip_bytes()
    if args.check:
        if not OUT.is_file() or OUT.read_bytes() != data:
            sys.exit(f"{OUT.relative_to(ROOT)} is out of date: run scripts/superset_bundle.py")
        return
    OUT.write_bytes(data)
    print(f"wrote {OUT.relative_to(ROOT)} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
