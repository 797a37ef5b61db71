"""The rules every importer follows, kept in one place (importers.core.import_run): with --allow-rejects the
problems go to import_rejects and to FILE.rejects.csv beside the input, which is never replaced without
--force; a dry run that finds problems ends as the real run would (exit 3)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import text

from db.errors import UserError
from importers.aiddata import import_aiddata
from importers.core import ImportRejected
from importers.cow_igo import import_cow_igo
from importers.iigo import import_iigo
from importers.yaml_bundle import import_bundle
from tests.conftest import url_text
from tests.datasets.conftest import few_countries  # noqa: F401  (fixture)

DATASETS = Path(__file__).resolve().parents[1] / "datasets" / "fixtures"

BUNDLE = """
forums:
  - {code: SCO, name: Shanghai Cooperation Organisation, kind: intergovernmental_organisation}
projects:
  - {code: P-1, title: A road, participants: [{country: Kazakhstan, role: host}]}
  - {code: P-2, title: A bridge, status: finished}
  - {code: P-3, title: "=HYPERLINK(1)", participants: [{country: Atlantis, role: host}]}
"""


def _rejects(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_a_bundle_writes_its_rejects_file(few_countries, tmp_path):  # noqa: F811
    path = tmp_path / "b.yml"
    path.write_text(BUNDLE, encoding="utf-8")
    report = import_bundle(few_countries, path, allow_rejects=True)
    assert (report.inserted, report.rejected) == (2, 2)  # SCO and P-1
    rows = _rejects(tmp_path / "b.rejects.csv")
    assert [(r["line"], r["field"], r["file"]) for r in rows] == [("6", "status", "b.yml"),
                                                                  ("7", "participants[host]", "b.yml")]
    assert rows[1]["value"] == "Atlantis"
    assert any("2 problem(s) written to" in w for w in report.warnings)
    # the file is there: a second run refuses before importing anything, unless --force
    runs = _count(few_countries, "SELECT count(*) FROM import_runs")
    with pytest.raises(UserError, match=r"b\.rejects\.csv already exists"):
        import_bundle(few_countries, path, allow_rejects=True)
    assert _count(few_countries, "SELECT count(*) FROM import_runs") == runs
    again = import_bundle(few_countries, path, allow_rejects=True, force=True)
    assert again.rejected == 2 and len(_rejects(tmp_path / "b.rejects.csv")) == 2


def test_a_bundle_dry_run_with_problems_ends_as_the_real_run(few_countries, tmp_path, cli, db_url):  # noqa: F811
    path = tmp_path / "b.yml"
    path.write_text(BUNDLE, encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_bundle(few_countries, path, dry_run=True)
    assert info.value.report.status == "dry_run" and len(info.value.report.problems) == 2
    result = cli("import", "bundle", str(path), "--dry-run", "-d", url_text(db_url))
    assert result.exit_code == 3, result.stderr
    assert "b.yml:7 [participants[host]]" in result.stderr
    assert _count(few_countries, "SELECT count(*) FROM projects") == 0
    assert not (tmp_path / "b.rejects.csv").exists()
    # with --allow-rejects a dry run reports the problems and succeeds, writing no file
    ok = cli("import", "bundle", str(path), "--dry-run", "--allow-rejects", "-d", url_text(db_url))
    assert ok.exit_code == 0, ok.stderr
    assert not (tmp_path / "b.rejects.csv").exists()


def test_aiddata_writes_its_rejects_file(few_countries, tmp_path):  # noqa: F811
    path = tmp_path / "aid.csv"
    path.write_text((DATASETS / "aiddata_v1.csv").read_text().replace("1000000000,CNY", "1 bn,CNY"))
    report = import_aiddata(few_countries, path, subset=True, allow_rejects=True)
    assert report.rejected == 1
    rows = _rejects(tmp_path / "aid.rejects.csv")
    assert [(r["line"], r["field"], r["value"]) for r in rows] == [("2", "amount", "1 bn")]


def test_cow_igo_and_iigo_write_their_rejects_files(few_countries, tmp_path):  # noqa: F811
    cow = tmp_path / "cow.csv"
    text_ = (DATASETS / "cow_igo.csv").read_text()
    header, first, *rest = text_.splitlines()
    cells = first.split(",")
    cells[3] = "7"  # not a COW membership code
    cow.write_text("\n".join([header, ",".join(cells), *rest]) + "\n")
    report = import_cow_igo(few_countries, cow, states=DATASETS / "cow_states.csv", subset=True,
                            allow_rejects=True)
    assert report.problems
    assert [r["value"] for r in _rejects(tmp_path / "cow.rejects.csv")] == ["7"]
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("igoID,Title,Begin,End,Domain\nBRICS,BRICS,2009,,Economic\nX,Broken,nineteen,,x\n")
    members = tmp_path / "members.csv"
    members.write_text((DATASETS / "iigo_memberships.csv").read_text())
    report = import_iigo(few_countries, [orgs, members], allow_rejects=True)
    rows = _rejects(tmp_path / "orgs.rejects.csv")  # named after the first file; `file` says whose problem
    assert rows and len(rows) == len(report.problems)
    assert {r["file"] for r in rows} <= {"orgs.csv", "members.csv"}
