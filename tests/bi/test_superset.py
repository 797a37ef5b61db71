"""examples/superset/coopdb_dashboard.zip: up to date with the catalogue, its charts name columns that exist,
and the SQL the charts stand for answers on both databases."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import yaml
from sqlalchemy import text

from db import bi

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "examples" / "superset" / "coopdb_dashboard.zip"


def files() -> dict[str, dict]:
    with zipfile.ZipFile(BUNDLE) as z:
        return {name.split("/", 1)[1]: yaml.safe_load(z.read(name)) for name in z.namelist()}


def test_the_bundle_is_up_to_date():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "superset_bundle.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_charts_use_columns_of_their_datasets():
    content = files()
    assert content["metadata.yaml"]["type"] == "Dashboard"
    datasets = {d["uuid"]: d for name, d in content.items() if name.startswith("datasets/")}
    charts = [c for name, c in content.items() if name.startswith("charts/")]
    assert [c["slice_name"] for c in charts] == [
        "Yearly total, each project once (USD nominal)", "Money by recipient country (allocated, USD nominal)",
        "Kazakhstan's memberships"]
    for chart in charts:
        columns = {c["column_name"] for c in datasets[chart["dataset_uuid"]]["columns"]}
        params = chart["params"]
        used = {params.get("x_axis"), params.get("entity"), *params.get("all_columns", []),
                *(m["column"]["column_name"] for m in params.get("metrics", [])),
                *([params["metric"]["column"]["column_name"]] if "metric" in params else []),
                *(f["subject"] for f in params.get("adhoc_filters", []))} - {None}
        assert used <= columns, chart["slice_name"]
    dashboard = content["dashboards/coopdb.yaml"]
    placed = {v["meta"]["uuid"] for v in dashboard["position"].values()
              if isinstance(v, dict) and v.get("type") == "CHART"}
    assert placed == {c["uuid"] for c in charts}


def test_the_map_and_membership_charts_answer(bi_engine):
    name = lambda v: bi.qualified_name(v, bi_engine.dialect.name)  # noqa: E731
    with bi_engine.connect() as conn:
        money = dict(conn.execute(text(
            f"SELECT country_map_alpha3, SUM(amount_usd_nominal_allocated) FROM {name('projects_by_country')} "
            "GROUP BY country_map_alpha3")).all())
        spans = conn.execute(text(f"SELECT forum_code, role FROM {name('membership_spans')} "
                                  "WHERE country_code = 'KAZ' ORDER BY started_year")).all()
    assert float(money["KAZ"]) == 224500000.0 and float(money["IDN"]) == 7300000000.0
    assert [tuple(s) for s in spans] == [("SCO", "founding_member"), ("BRI", "partner_country")]
