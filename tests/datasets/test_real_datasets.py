"""The importers against the real files in ../shared/data (skipped when absent). One database per
backend for the module, with the full country reference, imported once; several checks on it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db import migrate
from db.engine import make_engine
from importers.aiddata import import_aiddata
from importers.countries import import_countries
from importers.cow_igo import import_cow_igo
from importers.iigo import import_iigo
from tests.conftest import SHARED_DATA, create_pg_database, drop_pg_database, require_pg

pytestmark = pytest.mark.realdata

V1_XLSX = SHARED_DATA / "aiddata-gcdf-v1" / "GlobalChineseOfficialFinanceDataset_v1.0.xlsx"
V1_CSV = SHARED_DATA / "aiddata-gcdf-v1" / "GlobalChineseOfficialFinanceDataset_v1.0.csv"
V2 = SHARED_DATA / "aiddata-gcdf-v2" / "AidDatasGlobalChineseMilitaryFinanceDataset.csv"
COW = SHARED_DATA / "cow-igo-v3" / "igo_year_formatv3.csv"
IIGO = SHARED_DATA / "iigo-informal"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def loaded(request, tmp_path_factory):
    if not (V1_XLSX.is_file() and V2.is_file() and COW.is_file() and IIGO.is_dir()):
        pytest.skip(f"the real data sets are not in {SHARED_DATA} (see its README.md)")
    if request.param == "postgresql":
        require_pg()
        url = create_pg_database()
    else:
        url = make_url(f"sqlite:///{tmp_path_factory.mktemp('real') / 'real.sqlite'}")
    engine = make_engine(url)
    migrate.upgrade(engine)
    import_countries(engine)
    reports = {
        "v1_xlsx": import_aiddata(engine, V1_XLSX),
        "v1_csv": import_aiddata(engine, V1_CSV),
        "v2": import_aiddata(engine, V2),
        "cow": import_cow_igo(engine, COW),
        "iigo": import_iigo(engine, [IIGO / "IIGO_informal_igo_organizations.csv",
                                     IIGO / "IIGO_informal_igo_memberships.csv"]),
    }
    yield engine, reports
    engine.dispose()
    if request.param == "postgresql":
        drop_pg_database(url)


def q(engine, sql):
    with engine.connect() as conn:
        return conn.execute(text(sql)).all()


def test_aiddata_v1_imports_every_record_from_the_workbook_and_the_csv_alike(loaded):
    engine, reports = loaded
    xlsx, csv = reports["v1_xlsx"], reports["v1_csv"]
    assert (xlsx.read, xlsx.rejected) == (5466, 0)
    assert xlsx.details["projects"]["inserted"] == 5466
    # the CSV export of the same release finds everything already there, unchanged
    assert (csv.read, csv.inserted, csv.updated, csv.rejected) == (5466, 0, 0, 0)
    assert q(engine, "SELECT count(*) FROM citations c JOIN sources s ON s.id = c.source_id "
                     "WHERE s.key = 'aiddata-gcdf-1.0'") == [(5466,)]
    # 15,223 distinct source texts in the `sources` cells, plus the release itself
    assert xlsx.details["sources"]["inserted"] == 15223 + 1
    assert q(engine, "SELECT count(*) FROM sources WHERE key LIKE 'url:sha256:%'")[0][0] >= 1


def test_the_30_kazakhstan_records_with_their_sources(loaded):
    engine, _ = loaded
    assert q(engine, """SELECT count(DISTINCT p.id) FROM projects p JOIN project_countries pc ON pc.project_id = p.id
        JOIN countries c ON c.id = pc.country_id JOIN citations ci ON ci.record_type = 'project' AND ci.record_id = p.id
        JOIN sources s ON s.id = ci.source_id AND s.key = 'aiddata-gcdf-1.0'
        WHERE c.code = 'KAZ' AND pc.role = 'recipient'""") == [(30,)]
    (p,) = q(engine, "SELECT title, status, amount, currency, usd_base_year, committed_on FROM projects "
                     "WHERE code = 'AIDDATA-39555'")
    assert p.title == "CDB commits $500 million loan to Kazakhstan for industrial development"
    assert (p.status, int(p.amount), p.currency, p.usd_base_year) == ("pledged", 500000000, "USD", 2014)
    urls = q(engine, """SELECT s.url, s.kind FROM citations ci JOIN sources s ON s.id = ci.source_id
        JOIN projects p ON p.id = ci.record_id AND ci.record_type = 'project'
        WHERE p.code = 'AIDDATA-39555' AND s.kind <> 'dataset' ORDER BY s.url""")
    assert len(urls) == 5
    assert ("http://kz.mofcom.gov.cn/article/zxhz/tzwl/201404/20140400548355.shtml", "official_document") in urls
    assert q(engine, "SELECT o.name FROM project_organisations po JOIN organisations o ON o.id = po.organisation_id "
                     "JOIN projects p ON p.id = po.project_id WHERE p.code = 'AIDDATA-39555'") == [
        ("China Development Bank (CDB)",)]


def test_regional_rows_are_kept(loaded):
    engine, _ = loaded
    assert q(engine, "SELECT count(*) FROM projects WHERE is_regional AND recipient_region = 'Africa, regional' "
                     "AND code = 'AIDDATA-1130'") == [(1,)]
    (count,) = q(engine, "SELECT count(*) FROM projects p WHERE p.is_regional")[0]
    assert count >= 57


def test_aiddata_v2_military_updates_shared_records(loaded):
    engine, reports = loaded
    v2 = reports["v2"]
    assert (v2.read, v2.rejected) == (446, 0)
    assert v2.details["projects"]["inserted"] + v2.details["projects"]["updated"] + \
        v2.details["projects"]["unchanged"] == 446
    assert q(engine, "SELECT count(*) FROM citations c JOIN sources s ON s.id = c.source_id "
                     "WHERE s.key = 'aiddata-gcdf-2.0-military'") == [(446,)]
    shared = q(engine, """SELECT count(*) FROM projects p WHERE
        EXISTS (SELECT 1 FROM citations c JOIN sources s ON s.id = c.source_id
                WHERE c.record_type = 'project' AND c.record_id = p.id AND s.key = 'aiddata-gcdf-1.0') AND
        EXISTS (SELECT 1 FROM citations c JOIN sources s ON s.id = c.source_id WHERE c.record_type = 'project'
                AND c.record_id = p.id AND s.key = 'aiddata-gcdf-2.0-military')""")[0][0]
    assert shared == 5466 + 446 - q(engine, "SELECT count(*) FROM projects WHERE code LIKE 'AIDDATA-%'")[0][0]
    assert shared > 0


def test_cow_igo_forums_and_the_sco_membership_of_kazakhstan(loaded):
    engine, reports = loaded
    cow = reports["cow"]  # its 19,335 IGO-year lines are checked by the importer; read counts the records made
    assert cow.rejected == 0 and cow.read == cow.inserted + cow.updated + cow.unchanged > 534
    assert q(engine, "SELECT count(*) FROM forum_codes WHERE scheme = 'cow_igo'") == [(534,)]
    rows = q(engine, """SELECT m.role, m.started_on, m.ended_on, m.started_precision FROM memberships m
        JOIN forums f ON f.id = m.forum_id JOIN forum_codes fc ON fc.forum_id = f.id AND fc.scheme = 'cow_igo'
        JOIN countries c ON c.id = m.country_id WHERE fc.code = 'SCO' AND c.code = 'KAZ'""")
    assert [(r.role, str(r.started_on)[:10], r.ended_on, r.started_precision) for r in rows] == [
        ("member", "1996-01-01", None, "year")]
    # historical states resolve: the USSR was a member of the UN
    assert q(engine, """SELECT count(*) FROM memberships m JOIN forums f ON f.id = m.forum_id
        JOIN countries c ON c.id = m.country_id WHERE f.code = 'UN' AND c.kind = 'former'""")[0][0] >= 1


def test_iigo_brics_with_its_members(loaded):
    engine, reports = loaded
    assert reports["iigo"].rejected == 0
    members = q(engine, """SELECT c.code FROM memberships m JOIN forums f ON f.id = m.forum_id
        JOIN forum_codes fc ON fc.forum_id = f.id AND fc.scheme = 'iigo' JOIN countries c ON c.id = m.country_id
        WHERE fc.code = 'BRICS' ORDER BY c.code""")
    assert [m for (m,) in members] == ["BRA", "CHN", "IND", "RUS", "ZAF"]
    assert q(engine, "SELECT count(*) FROM forum_codes WHERE scheme = 'iigo'")[0][0] >= 149


def test_reimporting_the_forums_changes_nothing(loaded):
    engine, _ = loaded
    again = import_cow_igo(engine, COW)
    assert (again.inserted, again.updated) == (0, 0)
