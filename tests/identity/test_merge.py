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


# One summit that two sources report under two codes, each with the countries and agreements it names
SUMMIT_A = """\
sources:
  - {key: 'https://news.example.org/summit', kind: news_article, published_on: 2024-07-05}
agreements:
  - {code: SCO-ASTANA-DECLARATION, title: Astana Declaration, kind: joint_statement}
events:
  - code: SCO-SUMMIT-2024
    kind: summit
    title: SCO summit in Astana
    occurred_on: 2024-07-04
    country: Kazakhstan
    countries: [{country: Kazakhstan, role: host}, China]
    agreements: [SCO-ASTANA-DECLARATION]
    cites: [{source: 'https://news.example.org/summit', locator: line 2}]
"""
SUMMIT_B = """\
sources:
  - {key: 'https://wire.example.org/astana', kind: news_article, published_on: 2024-07-10}
agreements:
  - {code: SCO-ENERGY-STRATEGY, title: SCO energy cooperation strategy to 2030, kind: programme}
events:
  - code: SCO-ASTANA-SUMMIT
    kind: summit
    title: Shanghai Cooperation Organisation summit, Astana
    occurred_on: 2024-07
    place_name: Astana
    countries: [Russia]
    agreements: [SCO-ENERGY-STRATEGY]
    identifiers: [{scheme: wikidata, value: Q125000000}]
    cites: [{source: 'https://wire.example.org/astana', locator: line 7}]
"""


def _bundle(engine, path, body):
    from importers.yaml_bundle import import_bundle

    path.write_text(body, encoding="utf-8")
    return import_bundle(engine, path, cite_file=False)


def event_snapshot(engine):
    return {table: q(engine, sql) for table, sql in (
        ("events", "SELECT id, code, kind, title, occurred_on, occurred_precision, place_name, country_id FROM events "
                   "ORDER BY code"),
        ("event_countries", "SELECT e.code, c.code, ec.role FROM event_countries ec JOIN events e ON e.id = "
                            "ec.event_id JOIN countries c ON c.id = ec.country_id ORDER BY 1, 2, 3"),
        ("event_agreements", "SELECT e.code, a.code FROM event_agreements ea JOIN events e ON e.id = ea.event_id "
                             "JOIN agreements a ON a.id = ea.agreement_id ORDER BY 1, 2"),
        ("statements", "SELECT record_id, source_id, data FROM statements WHERE record_type = 'event' ORDER BY 1, 2"),
        ("citations", "SELECT record_id, source_id, locator FROM citations WHERE record_type = 'event' ORDER BY 1, 2"),
        ("identifiers", "SELECT record_id, scheme, value FROM identifiers WHERE record_type = 'event'"),
    )}


@pytest.fixture
def two_summits(few_countries, tmp_path):
    _bundle(few_countries, tmp_path / "a.yml", SUMMIT_A)
    _bundle(few_countries, tmp_path / "b.yml", SUMMIT_B)
    return few_countries


def test_merging_two_events_keeps_both_sources_and_what_each_lists(two_summits):
    engine = two_summits
    report = merge(engine, "SCO-SUMMIT-2024", "SCO-ASTANA-SUMMIT")
    assert (report.record_type, report.moved["statements"], report.moved["citations"],
            report.moved["identifiers"]) == ("event", 1, 1, 1)
    snap = event_snapshot(engine)
    assert [r.code for r in snap["events"]] == ["SCO-SUMMIT-2024"]
    kept = snap["events"][0]
    # the wire's later date wins the date group (month precision with it); its place fills the gap
    assert (kept.title, str(kept.occurred_on), kept.occurred_precision, kept.place_name) == \
        ("Shanghai Cooperation Organisation summit, Astana", "2024-07-01", "month", "Astana")
    assert [tuple(r) for r in snap["event_countries"]] == [
        ("SCO-SUMMIT-2024", "CHN", "participant"), ("SCO-SUMMIT-2024", "KAZ", "host"),
        ("SCO-SUMMIT-2024", "RUS", "participant")]
    assert [tuple(r) for r in snap["event_agreements"]] == [
        ("SCO-SUMMIT-2024", "SCO-ASTANA-DECLARATION"), ("SCO-SUMMIT-2024", "SCO-ENERGY-STRATEGY")]
    assert {r.record_id for r in snap["statements"]} == {kept.id} and len(snap["statements"]) == 2
    assert sorted(r.locator for r in snap["citations"]) == ["line 2", "line 7"]
    assert q(engine, "SELECT record_type, record_code, scheme, value FROM "
             + ("bi.identifiers" if engine.dialect.name == "postgresql" else "bi_identifiers")) == [
        ("event", "SCO-SUMMIT-2024", "wikidata", "Q125000000")]
    shown = explain(engine, "SCO-ASTANA-SUMMIT")
    assert (shown.record_type, shown.code, shown.merged) == ("event", "SCO-SUMMIT-2024", ["SCO-ASTANA-SUMMIT"])


def test_an_import_naming_a_merged_event_lands_on_the_kept_one(two_summits, tmp_path):
    engine = two_summits
    merge(engine, "SCO-SUMMIT-2024", "SCO-ASTANA-SUMMIT")
    before = event_snapshot(engine)
    again = _bundle(engine, tmp_path / "b.yml", SUMMIT_B)
    assert (again.inserted, again.updated, again.rejected) == (0, 0, 0)
    assert event_snapshot(engine) == before
    # by the merged code in an update, and by its identifier under a code of its own
    update = _bundle(engine, tmp_path / "update.yml", """\
sources:
  - {key: 'https://wire.example.org/astana', kind: news_article, published_on: 2024-07-10}
updates:
  - {event: SCO-ASTANA-SUMMIT, description: Heads of state met, cites: ['https://wire.example.org/astana']}
events:
  - {code: WIKIDATA-SUMMIT, kind: summit, title: 24th SCO summit, identifiers: [{scheme: wikidata, value: Q125000000}]}
""")
    assert (update.inserted, update.rejected) == (0, 0)
    assert q(engine, "SELECT code, title, description FROM events") == [
        ("SCO-SUMMIT-2024", "24th SCO summit", "Heads of state met")]


def test_an_event_naming_a_merged_agreement_lands_on_the_kept_agreement(two_summits, tmp_path):
    engine = two_summits
    merge(engine, "SCO-ASTANA-DECLARATION", "SCO-ENERGY-STRATEGY")
    report = _bundle(engine, tmp_path / "c.yml", """\
events:
  - {code: SCO-ENERGY-TALKS, kind: meeting, title: Energy talks, agreement: SCO-ENERGY-STRATEGY,
     agreements: [SCO-ENERGY-STRATEGY]}
""")
    assert (report.inserted, report.rejected) == (1, 0)
    assert q(engine, "SELECT a.code FROM events e JOIN agreements a ON a.id = e.agreement_id "
                     "WHERE e.code = 'SCO-ENERGY-TALKS'") == [("SCO-ASTANA-DECLARATION",)]


def test_unmerging_an_event_gives_everything_back(two_summits, tmp_path):
    engine = two_summits
    before = event_snapshot(engine)
    merge(engine, "SCO-SUMMIT-2024", "SCO-ASTANA-SUMMIT")
    _bundle(engine, tmp_path / "b.yml", SUMMIT_B)  # an import of the merged code meanwhile changes nothing
    unmerge(engine, "SCO-ASTANA-SUMMIT")
    assert event_snapshot(engine) == before
    assert q(engine, "SELECT count(*) FROM same_as") == [(0,)]


def test_dedupe_lists_two_events_of_one_summit(few_countries, tmp_path):
    """Titles alike and the same year and place; a third event elsewhere with a like title is not listed."""
    _bundle(few_countries, tmp_path / "e.yml", """\
events:
  - {code: SCO-SUMMIT-2024, kind: summit, title: SCO summit in Astana, occurred_on: 2024-07-04, country: KAZ}
  - {code: SCO-ASTANA-SUMMIT, kind: summit, title: 'SCO Summit, Astana', occurred_on: 2024-07,
     countries: [{country: Kazakhstan, role: host}]}
  - {code: SCO-SUMMIT-2025, kind: summit, title: SCO summit in Tianjin, occurred_on: 2025-08-31, country: CHN}
""")
    pairs = likely_duplicates(few_countries, "events")
    assert [(p.keep, p.other, p.reasons) for p in pairs] == [
        ("SCO-SUMMIT-2024", "SCO-ASTANA-SUMMIT", ["titles 92% alike", "same year 2024", "same countries KAZ"])]


def test_an_events_identifiers_guard_its_code(two_summits, tmp_path):
    """An event of another list under the same code is refused, as a project would be (docs/provenance.md)."""
    from importers.core import ImportRejected

    with pytest.raises(ImportRejected) as info:
        _bundle(two_summits, tmp_path / "other.yml", """\
sources:
  - {key: 'https://other.example.org/list', kind: web_page}
events:
  - {code: SCO-ASTANA-SUMMIT, kind: summit, title: Another summit, identifiers: [{scheme: tracker, value: '4'}],
     cites: ['https://other.example.org/list']}
""")
    assert str(info.value.report.problems[0]).startswith(
        "other.yml:4 [code]: expected a code of its own: SCO-ASTANA-SUMMIT is the event that "
        "https://wire.example.org/astana identifies as wikidata Q125000000, and this record of "
        "https://other.example.org/list is tracker 4;")


def test_a_code_merged_into_a_record_that_is_merged_in_turn_follows_it(few_countries, tmp_path):
    """Merging B (which C was merged into) into A moves C's `same_as` to A: C's code lands on A, and unmerging B
    gives C back to B."""
    engine = few_countries
    _bundle(engine, tmp_path / "e.yml", "events:\n" + "".join(
        f"  - {{code: {c}, kind: summit, title: Summit {c}, identifiers: [{{scheme: tracker, value: '{c}'}}]}}\n"
        for c in "ABC"))
    merge(engine, "B", "C")
    merge(engine, "A", "B")
    assert q(engine, "SELECT s.code, e.code FROM same_as s JOIN events e ON e.id = s.record_id ORDER BY 1") == [
        ("B", "A"), ("C", "A")]
    assert q(engine, "SELECT i.value, e.code FROM identifiers i JOIN events e ON e.id = i.record_id ORDER BY 1") \
        == [("A", "A"), ("B", "A"), ("C", "A")]
    again = _bundle(engine, tmp_path / "c.yml", "events:\n  - {code: C, kind: summit, title: Summit C}\n")
    assert (again.inserted, again.rejected) == (0, 0)
    unmerge(engine, "B")
    assert q(engine, "SELECT s.code, e.code FROM same_as s JOIN events e ON e.id = s.record_id") == [("C", "B")]
    assert q(engine, "SELECT i.value, e.code FROM identifiers i JOIN events e ON e.id = i.record_id ORDER BY 1") \
        == [("A", "A"), ("B", "B"), ("C", "B")]


def test_cli_merges_and_unmerges_events(two_summits, db_url, cli):
    from tests.conftest import url_text

    url = url_text(db_url)
    done = cli("merge", "SCO-SUMMIT-2024", "SCO-ASTANA-SUMMIT", "-d", url)
    assert done.exit_code == 0, done.stderr
    assert done.stdout.strip() == ("merged event SCO-ASTANA-SUMMIT into SCO-SUMMIT-2024 (moved 1 statements, "
                                   "1 citations, 1 identifiers)")
    back = cli("unmerge", "SCO-ASTANA-SUMMIT", "-d", url)
    assert back.exit_code == 0 and "unmerged event SCO-ASTANA-SUMMIT from SCO-SUMMIT-2024" in back.stdout
    assert "projects, agreements or events" in " ".join(cli("merge", "--help").stdout.split())


def test_forums_do_not_merge_yet(few_countries, tmp_path):
    _bundle(few_countries, tmp_path / "f.yml", "forums:\n  - {code: SCO, name: SCO, kind: other}\n"
                                               "  - {code: SCO-2, name: Shanghai Cooperation, kind: other}\n")
    with pytest.raises(UserError, match=r"forums do not merge yet \(projects, agreements and events do\)"):
        merge(few_countries, "SCO", "SCO-2")
