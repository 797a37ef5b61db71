"""True accounting on every importer: a dry run reports what the real run then does, the headline counts
add up (read = inserted + updated + unchanged + rejected), a rejected run records 0 written, and a record
with a problem is never written (both backends)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.errors import UserError
from db.models import Base
from importers.aiddata import import_aiddata
from importers.cow_igo import import_cow_igo
from importers.files import import_file
from importers.iigo import import_iigo
from importers.yaml_bundle import import_bundle
from tests.datasets.conftest import few_countries  # noqa: F401  (fixture)

T = Base.metadata.tables
FIX = Path(__file__).resolve().parents[1] / "datasets" / "fixtures"
COUNTS = ("read", "inserted", "updated", "unchanged", "rejected")


def _counts(report) -> tuple[int, ...]:
    return tuple(getattr(report, c) for c in COUNTS)


def _projects_csv(tmp_path: Path) -> Path:
    path = tmp_path / "projects.csv"
    path.write_text("code,title,amount,currency,participants\n"
                    "A-1,Road,100,USD,host:Kazakhstan|financier:China\n"
                    "A-2,Rail,,,host:Russia\n")
    return path


def _bundle(tmp_path: Path) -> Path:
    path = tmp_path / "b.yml"
    path.write_text("sources:\n  - {key: s-1, kind: web_page, title: A page}\n"
                    "projects:\n  - {code: B-1, title: Bridge, participants: [{country: China, role: financier}],"
                    " cites: [s-1]}\n")
    return path


IMPORTS = {
    "projects": lambda e, tmp, **kw: import_file(e, "projects", _projects_csv(tmp), **kw),
    "bundle": lambda e, tmp, **kw: import_bundle(e, _bundle(tmp), **kw),
    "aiddata": lambda e, tmp, **kw: import_aiddata(e, FIX / "aiddata_v1.csv", subset=True, **kw),
    "cow-igo": lambda e, tmp, **kw: import_cow_igo(e, FIX / "cow_igo.csv", states=FIX / "cow_states.csv",
                                                   subset=True, **kw),
    "iigo": lambda e, tmp, **kw: import_iigo(e, [FIX / "iigo_organizations.csv", FIX / "iigo_memberships.csv"],
                                             **kw),
}


def _data(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for name, t in T.items() if name not in ("import_runs", "import_rejects")}


@pytest.mark.parametrize("importer", list(IMPORTS))
def test_a_dry_run_reports_what_the_real_run_does(few_countries, tmp_path, importer):  # noqa: F811
    run = IMPORTS[importer]
    engine = few_countries
    before = _data(engine)
    dry = run(engine, tmp_path, dry_run=True)
    assert _data(engine) == before  # nothing written
    real = run(engine, tmp_path)
    assert _counts(dry) == _counts(real)
    assert {k: v for k, v in dry.details.items()} == real.details
    assert real.read == real.inserted + real.updated + real.unchanged + real.rejected
    again_dry = run(engine, tmp_path, dry_run=True)
    again = run(engine, tmp_path)
    assert _counts(again_dry) == _counts(again)
    assert again.inserted == again.updated == 0


def test_a_rejected_run_records_nothing_written(few_countries, tmp_path):  # noqa: F811
    path = tmp_path / "bad.csv"
    path.write_text("code,title,participants\nG-1,Good,host:Kazakhstan\nG-2,Bad,host:Atlantis\n")
    with pytest.raises(UserError):
        import_file(few_countries, "projects", path)
    with few_countries.connect() as conn:
        run = conn.execute(select(T["import_runs"]).order_by(T["import_runs"].c.id.desc())).mappings().first()
        projects = conn.execute(select(func.count()).select_from(T["projects"])).scalar_one()
    assert run["status"] == "rejected" and projects == 0
    assert (run["rows_read"], run["rows_inserted"], run["rows_updated"], run["rows_rejected"]) == (2, 0, 0, 1)


def test_with_allow_rejects_a_record_with_an_unknown_source_is_not_written(few_countries, tmp_path):  # noqa: F811
    path = tmp_path / "src.csv"
    path.write_text("code,title,sources\nS-1,Good,\nS-2,Unknown source,https://nowhere.example/x\n")
    report = import_file(few_countries, "projects", path, allow_rejects=True)
    assert _counts(report) == (2, 1, 0, 0, 1)
    with few_countries.connect() as conn:
        codes = [r[0] for r in conn.execute(select(T["projects"].c.code))]
    assert codes == ["S-1"]
