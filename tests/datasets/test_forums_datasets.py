"""COW IGO v3 and informal IGO importers on small fixtures written for the project."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from db.errors import UserError
from importers.core import ImportRejected
from importers.cow_igo import import_cow_igo
from importers.iigo import import_iigo

FIX = Path(__file__).resolve().parent / "fixtures"


def q(engine, sql):
    with engine.connect() as conn:
        return conn.execute(text(sql)).all()


def spans(engine, forum):
    return [(c, r, str(s)[:4], e and str(e)[:4], p) for c, r, s, e, p in q(engine, f"""
        SELECT co.code, m.role, m.started_on, m.ended_on, m.ended_precision FROM memberships m
        JOIN forums f ON f.id = m.forum_id JOIN countries co ON co.id = m.country_id
        WHERE f.code = '{forum}' ORDER BY co.code, m.started_on""")]


def cow(engine, **kw):
    return import_cow_igo(engine, FIX / "cow_igo.csv", states=FIX / "cow_states.csv", subset=True, **kw)


def test_cow_years_become_forums_and_membership_spans(few_countries):
    report = cow(few_countries)
    assert report.read == 9 and report.rejected == 0
    assert q(few_countries, "SELECT code, name, kind, acronym, founded_on IS NOT NULL, dissolved_on IS NULL "
                            "FROM forums ORDER BY code") == [
        ("OLDO", "Old Organisation of States", "intergovernmental_organisation", "OLDO", True, False),
        ("TO", "Test Organisation", "intergovernmental_organisation", "TO", True, True)]
    assert q(few_countries, "SELECT scheme, code FROM forum_codes ORDER BY code") == [("cow_igo", "OLDO"),
                                                                                       ("cow_igo", "TO")]
    # china full member 1990-1995, the last year of the file: still running
    # kazakhstan: -1, observer 1992, member 1993, -9 in 1994 breaks, member again from 1995
    # ussr column (COW RUS): member 1990-1991, then -1
    assert spans(few_countries, "TO") == [
        ("CHN", "member", "1990", None, None),
        ("KAZ", "observer", "1992", "1992", "year"), ("KAZ", "member", "1993", "1993", "year"),
        ("KAZ", "member", "1995", None, None),
        ("RUS", "member", "1990", "1991", "year")]
    # a dissolved IGO: its spans end in its last year
    assert spans(few_countries, "OLDO") == [("CHN", "associate", "1992", "1993", "year"),
                                            ("KAZ", "associate", "1993", "1994", "year")]
    assert q(few_countries, "SELECT count(*) FROM citations c JOIN sources s ON s.id = c.source_id "
                            "WHERE s.key = 'cow-igo-3.0'") == [(9,)]


def test_cow_reimport_changes_nothing(few_countries):
    cow(few_countries)
    again = cow(few_countries)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 9)


def test_cow_bad_code_and_count_check(few_countries, tmp_path):
    bad = tmp_path / "igo.csv"
    bad.write_text((FIX / "cow_igo.csv").read_text().replace("TO,Test Org,1993,1,1,", "TO,Test Org,1993,1,7,"))
    with pytest.raises(ImportRejected) as info:
        import_cow_igo(few_countries, bad, states=FIX / "cow_states.csv", subset=True)
    assert str(info.value.report.problems[0]) == (
        "igo.csv:5 [kazakhstan]: expected a COW membership code: 0, 1, 2, 3, -9 or -1 (got '7')")
    with pytest.raises(UserError) as info:
        import_cow_igo(few_countries, FIX / "cow_igo.csv", states=FIX / "cow_states.csv")
    assert str(info.value) == ("cow_igo.csv: the COW IGO v3.0 file has 19,335 IGO-years of 534 IGOs; this one has "
                               "9 of 2. If it is an extract, import it with --subset")
    assert q(few_countries, "SELECT count(*) FROM forums") == [(0,)]


def test_cow_state_columns_without_a_state_list_or_with_cow_s_own(few_countries, tmp_path):
    path = tmp_path / "igo.csv"
    path.write_text((FIX / "cow_igo.csv").read_text().replace(",ussr,", ",russia,"))
    with_list = import_cow_igo(few_countries, FIX / "cow_igo.csv", states=FIX / "cow_states.csv", subset=True)
    memberships = q(few_countries, "SELECT count(*) FROM memberships")
    # no list beside the file: coopdb's table of the columns (russia -> RUS, as the list maps ussr above)
    report = import_cow_igo(few_countries, path, subset=True, force=True)
    assert (report.rejected, q(few_countries, "SELECT count(*) FROM memberships")) == (0, memberships)
    assert with_list.rejected == 0
    # COW's own list (no `state` column): its abbreviations select the columns of coopdb's table
    own = tmp_path / "states2016.csv"
    own.write_text("stateabb,ccode,statenme,styear\nCHN,710,China,1860\nKZK,705,Kazakhstan,1991\n"
                   "RUS,365,Russia,1816\n")
    assert import_cow_igo(few_countries, path, subset=True, force=True).rejected == 0  # found beside it
    # a column neither knows is an error naming it
    odd = tmp_path / "odd" / "igo.csv"
    odd.parent.mkdir()
    odd.write_text((FIX / "cow_igo.csv").read_text().replace(",ussr,", ",atlantis,"))
    with pytest.raises(UserError) as info:
        import_cow_igo(few_countries, odd, subset=True)
    assert str(info.value) == ("igo.csv: state columns not in the COW state list "
                               "importers/sources/cow_state_columns.yml: atlantis")


def test_the_shipped_state_columns_are_those_of_the_state_list():
    states = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cow-igo-v3" / "cow_states2016.csv"
    if not states.is_file():
        pytest.skip(f"{states} is not beside the project (../shared/data)")
    from importers.cow_igo import read_states, state_columns_table

    assert state_columns_table() == read_states(states)
    assert len(state_columns_table()) == 217


def test_iigo_groupings_and_memberships(few_countries):
    files = [FIX / "iigo_organizations.csv", FIX / "iigo_memberships.csv"]
    report = import_iigo(few_countries, files)
    assert report.rejected == 0
    assert q(few_countries, "SELECT f.code, f.name, f.kind, fc.code FROM forums f JOIN forum_codes fc "
                            "ON fc.forum_id = f.id ORDER BY f.code") == [
        ("BALI-PROCESS", "Bali Process", "informal_grouping", "BP: Bali Process"),
        ("BRICS", "BRICS", "informal_grouping", "BRICS"),
        ("BUDAPEST-PROCESS", "Budapest Process", "informal_grouping", "BP: Budapest Process"),
        ("TO", "Test Grouping", "informal_grouping", "TO")]
    assert spans(few_countries, "BRICS") == [("CHN", "member", "2009", None, None),
                                             ("RUS", "member", "2009", None, None)]
    assert spans(few_countries, "TO") == [("CHN", "member", "1990", "1995", "year")]
    # no Begin year: the grouping's first year, with a note saying so
    assert q(few_countries, "SELECT m.started_on IS NOT NULL, m.note LIKE '%gives no Begin year%' FROM memberships m "
                            "JOIN forums f ON f.id = m.forum_id WHERE f.code = 'BALI-PROCESS'") == [(True, True)]
    again = import_iigo(few_countries, files)
    assert (again.inserted, again.updated) == (0, 0)


def test_iigo_does_not_overwrite_a_cow_forum_with_the_same_code(few_countries):
    cow(few_countries)
    import_iigo(few_countries, [FIX / "iigo_organizations.csv"])
    assert q(few_countries, "SELECT code, name, kind FROM forums WHERE code LIKE '%TO' ORDER BY code") == [
        ("IIGO-TO", "Test Grouping", "informal_grouping"),
        ("TO", "Test Organisation", "intergovernmental_organisation")]
    again = import_iigo(few_countries, [FIX / "iigo_organizations.csv"])
    assert (again.inserted, again.updated) == (0, 0)


def test_cli_cow_igo_and_iigo(few_countries, db_url, cli):
    from tests.conftest import url_text

    result = cli("import", "cow-igo", FIX / "cow_igo.csv", "--states", FIX / "cow_states.csv", "--subset",
                 "-d", url_text(db_url))
    assert result.exit_code == 0, result.stderr
    assert "read 9, inserted 9" in result.stdout
    result = cli("import", "iigo", FIX / "iigo_organizations.csv", FIX / "iigo_memberships.csv",
                 "-d", url_text(db_url))
    assert result.exit_code == 0, result.stderr
    assert "iigo: read " in result.stdout  # two files: the summary names the importer, with no blank file name
    bad = cli("import", "iigo", FIX / "cow_states.csv", "-d", url_text(db_url))
    assert bad.exit_code == 3 and "not an IIGO file" in bad.stderr


def test_cow_igo_that_is_a_known_forum_joins_it_instead_of_duplicating_it(few_countries, tmp_path):
    from importers.yaml_bundle import import_bundle

    ours = tmp_path / "ours.yml"
    ours.write_text("forums:\n  - {code: SCO, name: Shanghai Cooperation Organisation,\n"
                    "     kind: intergovernmental_organisation, founded_on: 2001-06-15}\n", encoding="utf-8")
    import_bundle(few_countries, ours)
    theirs = tmp_path / "cow.csv"
    theirs.write_text("ioname,orgname,year,china,kazakhstan,ussr,sdate,deaddate,dead,longorgname\n"
                      "SCO,Shanghai Five,1996,1,1,-1,1996,0,0,Shanghai Cooperation Organisation/Shanghai Five\n"
                      "SCO,Shanghai Five,1997,1,1,-1,1996,0,0,Shanghai Cooperation Organisation/Shanghai Five\n",
                      encoding="utf-8")
    import_cow_igo(few_countries, theirs, states=FIX / "cow_states.csv", subset=True)
    assert q(few_countries, "SELECT code, name, founded_precision FROM forums") == [
        ("SCO", "Shanghai Cooperation Organisation", "day")]
    assert q(few_countries, "SELECT fc.scheme, fc.code FROM forum_codes fc") == [("cow_igo", "SCO")]
    assert sorted(q(few_countries, "SELECT name, kind FROM forum_names")) == [
        ("Shanghai Cooperation Organisation/Shanghai Five", "dataset"), ("Shanghai Five", "common")]
    members = q(few_countries, "SELECT c.code, m.role FROM memberships m JOIN countries c ON c.id = m.country_id")
    assert sorted(members) == [("CHN", "member"), ("KAZ", "member")]
    again = import_cow_igo(few_countries, theirs, states=FIX / "cow_states.csv", subset=True)
    assert (again.inserted, again.updated) == (0, 0)


def test_cow_row_rejected_for_its_year_has_its_countries_checked_in_the_same_run(few_countries, tmp_path):
    """Every problem of a row in one pass: a bad year, and a state coopdb does not know on the same row."""
    states = tmp_path / "states.csv"
    states.write_text((FIX / "cow_states.csv").read_text() + "999,ATL,Atlantis,atlantis\n")
    path = tmp_path / "igo.csv"
    path.write_text("ioname,orgname,year,china,kazakhstan,ussr,atlantis,sdate,deaddate,dead,longorgname\n"
                    "TO,Test Org,1990,1,-1,1,0,1990,0,0,Test Organisation\n"
                    "TO,Test Org,19x1,1,-1,1,1,1990,0,0,Test Organisation\n"
                    "TO,Test Org,1992,1,3,-1,0,1990,0,0,Test Organisation\n")
    with pytest.raises(ImportRejected) as info:
        import_cow_igo(few_countries, path, states=states, subset=True)
    assert [str(p) for p in info.value.report.problems] == [
        "igo.csv:3 [year]: expected a whole number like 2014 (got '19x1')",
        "igo.csv:3 [country]: expected a cow_abbrev country code known to coopdb (got 'ATL')",
    ]
