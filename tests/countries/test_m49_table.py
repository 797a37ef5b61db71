"""The shipped UN M49 table (importers/data/m49_countries.csv) is what scripts/m49_table.py makes from
hdx-python-country's offline table. hdx-python-country is the `dev-data` extra, which scripts/bootstrap
installs: under CI=true the comparison must run, elsewhere it skips with the reason when it is absent."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from importers.countries import _m49_rows, build_reference
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location("m49_table", ROOT / "scripts" / "m49_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _require_hdx() -> None:
    if importlib.util.find_spec("hdx") is None:
        reason = "hdx-python-country is not installed (pip install -e '.[dev-data]'): nothing to compare with"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}; scripts/bootstrap installs it")
        pytest.skip(reason)


def test_the_shipped_table_is_what_hdx_python_country_gives():
    _require_hdx()
    m49 = _generator()
    shipped = m49.TARGET.read_text(encoding="utf-8")
    expected = m49.render(m49.rows(), m49.source_version())
    if shipped != expected:  # say which rows differ, not a 70 kB diff
        body = {line for line in shipped.splitlines()[1:]} ^ {line for line in expected.splitlines()[1:]}
        pytest.fail(f"importers/data/m49_countries.csv differs from hdx-python-country {m49.source_version()} "
                    f"in {len(body)} lines (e.g. {sorted(body)[:2]}): run scripts/m49_table.py")


def test_the_reference_reads_the_table_as_hdx_python_country_gives_it():
    """The columns as the importer reads them equal hdx-python-country's own lookup, country by country."""
    _require_hdx()
    from hdx.location.country import Country

    m49 = _generator()
    Country.countriesdata(use_live=False)
    rows = _m49_rows()
    assert len(rows) == len(Country._countriesdata["countries"]) > 240
    for iso3, row in rows.items():
        info = Country.get_country_info_from_iso3(iso3)
        assert row == {c: (None if info.get(c) in (None, "") else str(info[c])) for c in m49.COLUMNS}, iso3


def test_the_reference_has_regions_and_centroids_without_hdx():
    countries = {c["code"]: c for c in build_reference().countries}
    kaz = countries["KAZ"]
    assert (kaz["region"], kaz["subregion"], kaz["region_code"], kaz["subregion_code"]) == \
        ("Asia", "Central Asia", "142", "143")
    assert str(kaz["latitude"]).startswith("48.16") and str(kaz["longitude"]).startswith("67.30")
    assert countries["ABW"]["kind"] == "territory" and countries["ABW"]["intermediate_region"] == "Caribbean"
    assert sum(1 for c in countries.values() if c["region"]) > 240
