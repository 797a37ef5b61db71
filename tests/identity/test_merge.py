"""coopdb dedupe, merge and unmerge on both backends: a curated project that is an AidData project under
another code is listed with its evidence, merged keeping every statement and source, found again by either
key on later imports, and unmerged back to what it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from db.errors import UserError
from importers.aiddata import import_aiddata
from importers.dedupe import likely_duplicates
from importers.explain import explain
from importers.files import import_file
from importers.merge import merge, unmerge

FIX = Path(__file__).resolve().parent / "fixtures"


def q(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


@pytest.fixture
def loaded(few_countries):
    engine = few_countries
    import_aiddata(engine, FIX / "release_3.csv", subset=True)
    import_file(engine, "projects", FIX / "curated.csv")
    import_file(engine, "projects", FIX / "links.csv")
    return engine


def snapshot(engine):
    tables = {}
    for table, order in (("projects", "code"), ("project_countries", "project_id, country_id, role"),
                         ("project_names", "project_id, name"), ("project_links", "project_id, related_project_id"),
                         ("statements", "record_type, record_id, source_id"), ("identifiers", "scheme, value"),
                         ("citations", "source_id, record_type, record_id, locator")):
        cols = {"projects": "id, code, title, amount, currency, committed_on",
                "statements": "record_type, record_id, source_id, data",
                "citations": "source_id, record_type, record_id, locator",
                "identifiers": "record_type, record_id, scheme, value",
                "project_names": "project_id, lang, name, kind",
                "project_links": "project_id, related_project_id, kind"}.get(table, "*")
        rows = q(engine, f"SELECT {cols} FROM {table} ORDER BY {order}")
        tables[table] = [tuple(r) for r in rows] if table != "project_countries" else \
            sorted((r.project_id, r.country_id, r.role) for r in rows)
    return tables


def test_dedupe_lists_the_pair_with_its_evidence_and_nothing_else(loaded):
    pairs = likely_duplicates(loaded)
    assert [(p.keep, p.other) for p in pairs] == [("AIDDATA-39556", "KZ-TURGUSUN")]
    assert pairs[0].reasons == ["titles 100% alike", "same year 2014", "same amount (120000000 USD)",
                                "same countries KAZ"] or pairs[0].reasons[0] == "same title"


def test_a_title_alone_never_lists_a_pair(few_countries, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("code,title,committed_on,participants\nA,Medical team,2010,host:Kazakhstan\n"
                    "B,Medical team,2012,host:Russia\n")
    import_file(few_countries, "projects", path)
    assert likely_duplicates(few_countries) == []


def test_merge_keeps_every_statement_and_later_imports_of_either_key_land_on_the_kept_record(loaded):
    engine = loaded
    sources_before = q(engine, "SELECT count(DISTINCT source_id) FROM statements WHERE record_type = 'project' "
                               "AND record_id IN (SELECT id FROM projects WHERE code IN ('AIDDATA-39556', "
                               "'KZ-TURGUSUN'))")
    report = merge(engine, "AIDDATA-39556", "KZ-TURGUSUN")
    assert report.moved["statements"] == 1 and report.moved["references"] == 1
    assert q(engine, "SELECT count(*) FROM projects WHERE code = 'KZ-TURGUSUN'") == [(0,)]
    assert q(engine, "SELECT count(DISTINCT source_id) FROM statements WHERE record_type = 'project' AND "
                     "record_id = (SELECT id FROM projects WHERE code = 'AIDDATA-39556')") == sources_before
    # the curated name and the link now belong to the kept record
    assert q(engine, "SELECT n.name FROM project_names n JOIN projects p ON p.id = n.project_id "
                     "WHERE p.code = 'AIDDATA-39556'") == [("Тургусунская ГЭС",)]
    assert q(engine, "SELECT r.code FROM project_links l JOIN projects p ON p.id = l.project_id "
                     "JOIN projects r ON r.id = l.related_project_id WHERE p.code = 'KZ-TURGUSUN-LINE'") == \
        [("AIDDATA-39556",)]
    shown = explain(engine, "KZ-TURGUSUN")
    assert shown.code == "AIDDATA-39556" and shown.merged == ["KZ-TURGUSUN"]
    assert {"scheme": "aiddata", "value": "39556", "source": "aiddata-gcdf-3.0"} in shown.identifiers
    # either key lands on the kept record
    again = import_file(engine, "projects", FIX / "curated.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    release = import_aiddata(engine, FIX / "release_3.csv", subset=True)
    assert (release.inserted, release.updated) == (0, 0)
    assert likely_duplicates(engine) == []


def test_unmerge_gives_everything_back(loaded):
    engine = loaded
    before = snapshot(engine)
    merge(engine, "AIDDATA-39556", "KZ-TURGUSUN")
    assert snapshot(engine) != before
    report = unmerge(engine, "kz-turgusun")
    assert report.other == "KZ-TURGUSUN"
    assert snapshot(engine) == before
    assert q(engine, "SELECT count(*) FROM same_as") == [(0,)]


def test_merge_refuses_clearly(loaded):
    with pytest.raises(UserError, match="already the one project AIDDATA-39556"):
        merge(loaded, "AIDDATA-39556", "aiddata:39556")
    with pytest.raises(UserError, match="no project, agreement, event, forum or organisation with the code 'NOPE'"):
        merge(loaded, "AIDDATA-39556", "NOPE")
    with pytest.raises(UserError, match="'KZ-OTHER' is not the code of a merged record"):
        unmerge(loaded, "KZ-OTHER")


def test_cli_dedupe_merge_unmerge(loaded, db_url, cli):
    from tests.conftest import url_text

    url = url_text(db_url)
    listed = cli("dedupe", "--json", "-d", url)
    assert listed.exit_code == 0, listed.stderr
    assert [(p["keep"], p["other"]) for p in json.loads(listed.stdout)] == [("AIDDATA-39556", "KZ-TURGUSUN")]
    dry = cli("merge", "AIDDATA-39556", "KZ-TURGUSUN", "--dry-run", "-d", url)
    assert dry.exit_code == 0, dry.stderr
    assert "would have merged project KZ-TURGUSUN into AIDDATA-39556" in dry.stdout
    assert q(loaded, "SELECT count(*) FROM projects WHERE code = 'KZ-TURGUSUN'") == [(1,)]
    done = cli("merge", "AIDDATA-39556", "KZ-TURGUSUN", "-d", url)
    assert done.exit_code == 0 and "merged project KZ-TURGUSUN into AIDDATA-39556" in done.stdout
    shown = cli("explain", "KZ-TURGUSUN", "title", "-d", url)
    assert "merged into it: KZ-TURGUSUN" in shown.stdout and "identifiers: aiddata:39556" in shown.stdout
    back = cli("unmerge", "KZ-TURGUSUN", "-d", url)
    assert back.exit_code == 0 and "unmerged project KZ-TURGUSUN from AIDDATA-39556" in back.stdout
    bad = cli("unmerge", "KZ-TURGUSUN", "-d", url)
    assert bad.exit_code != 0 and "is not the code of a merged record" in bad.stderr


EVENTS = """\
sources:
  - {key: 'https://news.example.org/opening', kind: news_article, published_on: 2024-07-05}
projects:
  - {code: P-WIND-ONE, title: Zhanatas wind farm, cites: ['https://news.example.org/opening']}
  - {code: P-WIND-TWO, title: Zhanatas wind power plant}
events:
  - {code: E-OPENING, kind: opening, title: Wind farm opened, project: P-WIND-TWO,
     cites: ['https://news.example.org/opening']}
  - {code: E-OPENING-AGAIN, kind: opening, title: Wind farm opening, occurred_on: 2021-06,
     project: P-WIND-TWO}
"""


@pytest.fixture
def with_events(few_countries, tmp_path):
    from importers.yaml_bundle import import_bundle

    path = tmp_path / "events.yml"
    path.write_text(EVENTS, encoding="utf-8")
    import_bundle(few_countries, path)
    return few_countries


def test_merging_a_project_an_event_names_moves_the_event_and_unmerge_moves_it_back(with_events):
    """An event names its project in a field (not a collection): the merge finds it through the model's
    foreign key, so OTHER's row can go; unmerge restores the event's project."""
    before = q(with_events, "SELECT e.code, p.code FROM events e JOIN projects p ON p.id = e.project_id ORDER BY 1")
    assert before == [("E-OPENING", "P-WIND-TWO"), ("E-OPENING-AGAIN", "P-WIND-TWO")]
    report = merge(with_events, "P-WIND-ONE", "P-WIND-TWO")
    assert report.moved["references"] == 2
    assert q(with_events, "SELECT e.code, p.code FROM events e JOIN projects p ON p.id = e.project_id ORDER BY 1") \
        == [("E-OPENING", "P-WIND-ONE"), ("E-OPENING-AGAIN", "P-WIND-ONE")]
    assert "P-WIND-ONE" in str(explain(with_events, "E-OPENING").as_dict())
    unmerge(with_events, "P-WIND-TWO")
    assert q(with_events, "SELECT e.code, p.code FROM events e JOIN projects p ON p.id = e.project_id ORDER BY 1") \
        == before


def test_events_do_not_merge_yet(with_events):
    with pytest.raises(UserError, match="events do not merge yet"):
        merge(with_events, "E-OPENING", "E-OPENING-AGAIN")
