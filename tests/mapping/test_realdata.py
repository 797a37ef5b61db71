"""A real public file through a drafted mapping: the first 150 AidData GCDF v1.0 records (agency columns
with a type after the last comma, "URL, type" source cells), skipped when ../shared/data is absent."""

from __future__ import annotations

import csv

import pytest

from db import migrate
from db.engine import make_engine
from importers.countries import import_countries
from importers.draft import draft_mapping
from importers.files import import_file
from importers.mapping import load_mapping
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.realdata
V1_CSV = SHARED_DATA / "aiddata-gcdf-v1" / "GlobalChineseOfficialFinanceDataset_v1.0.csv"


@pytest.mark.skipif(not V1_CSV.is_file(), reason=f"{V1_CSV} is absent (real data sets live in ../shared/data)")
def test_a_drafted_mapping_reads_aiddata_records_without_a_reject(tmp_path):
    part = tmp_path / "aiddata-first-150.csv"  # a temporary extract, never kept in the project
    with open(V1_CSV, encoding="utf-8", newline="") as src, open(part, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        for number, row in enumerate(csv.reader(src)):
            writer.writerow(row)
            if number == 150:
                break
    mapping = tmp_path / "aiddata.yml"
    mapping.write_text(draft_mapping(part, "projects"), encoding="utf-8")
    loaded = load_mapping(mapping)
    assert loaded.model.organisations["funding_agency"].strip_type  # "Export-Import Bank of China, Government Agency"
    assert "sources" in loaded.model.sources
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate.upgrade(engine)
    import_countries(engine)
    report = import_file(engine, "projects", part, mapping=mapping, dataset="aiddata", dry_run=True)
    assert (report.read, report.inserted, report.rejected) == (150, 150, 0)
    assert report.preview[0]["organisations"] == "funding_agency:Unspecified Chinese Government Institution"
    engine.dispose()
