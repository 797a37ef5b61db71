"""Events through a bundle: stated by their source like other records, explained, shown in BI; both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from db import bi
from db.models import Event, Statement
from importers.core import ImportRejected
from importers.explain import explain
from importers.yaml_bundle import import_bundle
from tests.conftest import url_text
from tests.test_writer import countries  # noqa: F401  (fixture)

BUNDLE = """\
sources:
  - {key: 'https://news.example.org/visit', kind: news_article, published_on: 2024-07-05}
  - {key: 'https://news.example.org/later', kind: news_article, published_on: 2024-07-20}
forums:
  - {code: SCO, name: Shanghai Cooperation Organisation, kind: intergovernmental_organisation}
projects:
  - {code: KZ-ZHANATAS-WIND, title: Zhanatas wind farm, cites: ['https://news.example.org/visit']}
events:
  - code: KAZ-CHN-STATE-VISIT-2024-07
    kind: visit
    title: State visit of the Chinese president to Kazakhstan
    occurred_on: 2024-07
    place_name: Astana
    country: Kazakhstan
    cites: [{source: 'https://news.example.org/visit', locator: line 3, quote: The president arrived in Astana}]
  - code: SCO-SUMMIT-2024
    kind: summit
    title: SCO summit in Astana
    occurred_on: 2024-07-04
    country: KAZ
    forum: SCO
    cites: [{source: 'https://news.example.org/visit', locator: line 9}]
  - code: ZHANATAS-OPENING
    kind: opening
    title: Zhanatas wind farm opened
    occurred_on: 2021
    project: KZ-ZHANATAS-WIND
    cites: ['https://news.example.org/visit']
"""


def _write(tmp_path, text, name="events.yml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_events_import_as_statements_and_a_second_import_changes_nothing(countries, tmp_path):  # noqa: F811
    path = _write(tmp_path, BUNDLE)
    first = import_bundle(countries, path, cite_file=False)
    assert (first.inserted, first.updated, first.rejected) == (7, 0, 0)
    with countries.connect() as conn:
        events = conn.execute(select(Event.code, Event.kind, Event.occurred_on, Event.occurred_precision)
                              .order_by(Event.code)).all()
        stated = conn.execute(select(Statement.locator).where(Statement.record_type == "event")
                              .order_by(Statement.locator)).scalars().all()
    assert events == [("KAZ-CHN-STATE-VISIT-2024-07", "visit", dt.date(2024, 7, 1), "month"),
                      ("SCO-SUMMIT-2024", "summit", dt.date(2024, 7, 4), "day"),
                      ("ZHANATAS-OPENING", "opening", dt.date(2021, 1, 1), "year")]
    assert stated == ["line 23", "line 3", "line 9"]  # a cite without a locator: the bundle line
    second = import_bundle(countries, path, cite_file=False)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 7)
    rows = bi.read_view(countries, "events", order_by=["event_code"])
    assert [(r["event_code"], r["country_code"], r["forum_code"], r["project_code"]) for r in rows] == [
        ("KAZ-CHN-STATE-VISIT-2024-07", "KAZ", None, None), ("SCO-SUMMIT-2024", "KAZ", "SCO", None),
        ("ZHANATAS-OPENING", None, None, "KZ-ZHANATAS-WIND")]


def test_a_later_source_updates_an_event_and_explain_shows_both(countries, db_url, cli, tmp_path):  # noqa: F811
    import_bundle(countries, _write(tmp_path, BUNDLE), cite_file=False)
    later = _write(tmp_path, "updates:\n  - event: KAZ-CHN-STATE-VISIT-2024-07\n    occurred_on: 2024-07-03\n"
                             "    cites: [{source: 'https://news.example.org/later', locator: line 2}]\n", "later.yml")
    report = import_bundle(countries, later, cite_file=False)
    assert (report.inserted, report.updated) == (0, 1)
    shown = explain(countries, "KAZ-CHN-STATE-VISIT-2024-07", "occurred_on")
    assert [(s.source_key, s.value, s.wins) for s in shown.fields[0].stated] == [
        ("https://news.example.org/later", "occurred_on=2024-07-03, occurred_precision=day", True),
        ("https://news.example.org/visit", "occurred_on=2024-07-01, occurred_precision=month", False)]
    done = cli("explain", "KAZ-CHN-STATE-VISIT-2024-07", "title", "-d", url_text(db_url))
    assert done.exit_code == 0, done.stderr
    assert "State visit of the Chinese president to Kazakhstan" in done.stdout and "line 3" in done.stdout


@pytest.mark.parametrize(("record", "message"), [
    ("{code: E1, kind: party, title: T}",
     "bad.yml:2 [kind]: expected one of signing, opening, visit, summit, meeting, construction_start, "
     "construction_completion, other (got 'party')"),
    ("{code: E1, kind: visit, title: T, project: NOPE}",
     "bad.yml:2 [project]: expected the code of a known project (import projects first) (got 'NOPE')"),
    ("{code: E1, kind: visit, title: T, agreement: NOPE}",
     "bad.yml:2 [agreement]: expected the code of a known agreement (import agreements first) (got 'NOPE')"),
    ("{code: E1, title: T}", "bad.yml:2 [kind]: expected a value: kind is required"),
])
def test_bad_events_are_rejected_with_file_line_and_field(countries, tmp_path, record, message):  # noqa: F811
    path = _write(tmp_path, f"events:\n  - {record}\n", "bad.yml")
    with pytest.raises(ImportRejected) as info:
        import_bundle(countries, path)
    assert [str(p) for p in info.value.report.problems] == [message]
    with countries.connect() as conn:
        assert conn.execute(select(Event.id)).first() is None


def test_explain_shows_the_codes_an_event_refers_to(countries, tmp_path):  # noqa: F811
    import_bundle(countries, _write(tmp_path, BUNDLE), cite_file=False)
    summit = {f.field: f for f in explain(countries, "SCO-SUMMIT-2024").fields}
    assert (summit["country_id"].current, summit["forum_id"].current) == ("KAZ", "SCO")
    assert [s.value for s in summit["forum_id"].stated] == ["SCO"]
    opening = {f.field: f for f in explain(countries, "ZHANATAS-OPENING").fields}
    assert opening["project_id"].current == "KZ-ZHANATAS-WIND"


VISIT_WITH_PARTIES = """\
sources:
  - {key: 'https://news.example.org/visit', kind: news_article, published_on: 2024-07-05}
  - {key: 'https://news.example.org/later', kind: news_article, published_on: 2024-07-20}
agreements:
  - {code: CN-KZ-JOINT-STATEMENT-2024, title: Joint statement, kind: joint_statement, parties: [China, Kazakhstan],
     cites: ['https://news.example.org/visit']}
  - {code: CN-KZ-VISA-2024, title: Visa waiver agreement, kind: treaty, parties: [China, Kazakhstan],
     cites: ['https://news.example.org/visit']}
events:
  - code: KAZ-CHN-STATE-VISIT-2024-07-03
    kind: visit
    title: State visit of China to Kazakhstan
    occurred_on: 2024-07-03
    place_name: Astana
    country: KAZ
    countries: [{country: Kazakhstan, role: host}, {country: Tiongkok, role: visitor}]
    agreements: [CN-KZ-JOINT-STATEMENT-2024, cn-kz-visa-2024]
    cites: [{source: 'https://news.example.org/visit', locator: line 3}]
"""


def _taking_part(engine):
    with engine.connect() as conn:
        countries_ = conn.execute(text(
            "SELECT c.code, ec.role FROM event_countries ec JOIN countries c ON c.id = ec.country_id "
            "ORDER BY c.code, ec.role")).all()
        signed = conn.execute(text(
            "SELECT a.code FROM event_agreements ea JOIN agreements a ON a.id = ea.agreement_id ORDER BY a.code"
        )).scalars().all()
    return [tuple(r) for r in countries_], signed


def test_an_events_countries_and_agreements_are_stated_shown_in_bi_and_counted_in_pairs(countries, tmp_path):  # noqa: F811
    path = _write(tmp_path, VISIT_WITH_PARTIES)
    first = import_bundle(countries, path, cite_file=False)
    assert (first.inserted, first.updated, first.rejected) == (5, 0, 0)
    assert first.details["event_countries"]["inserted"] == 2 and first.details["event_agreements"]["inserted"] == 2
    assert _taking_part(countries) == ([("CHN", "visitor"), ("KAZ", "host")],
                                       ["CN-KZ-JOINT-STATEMENT-2024", "CN-KZ-VISA-2024"])
    with countries.connect() as conn:
        data = conn.execute(select(Statement.data).where(Statement.record_type == "event")).scalar_one()
    assert '"countries":[[' in data and '"agreements":[[' in data  # the lists are the source's statement
    second = import_bundle(countries, path, cite_file=False)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 5)
    rows = bi.read_view(countries, "event_countries", order_by=["role"])
    assert [(r["event_code"], r["role"], r["country_alpha3"]) for r in rows] == [
        ("KAZ-CHN-STATE-VISIT-2024-07-03", "host", "KAZ"), ("KAZ-CHN-STATE-VISIT-2024-07-03", "visitor", "CHN")]
    assert [r["agreement_code"] for r in bi.read_view(countries, "event_agreements", order_by=["agreement_code"])] \
        == ["CN-KZ-JOINT-STATEMENT-2024", "CN-KZ-VISA-2024"]
    pairs = {(r["country_code"], r["partner_code"]): r for r in bi.read_view(countries, "country_pairs")}
    assert (pairs[("CHN", "KAZ")]["shared_agreements"], pairs[("CHN", "KAZ")]["shared_events"]) == (2, 1)
    assert pairs[("KAZ", "CHN")]["shared_events"] == 1


def test_a_source_that_lists_other_countries_replaces_only_its_own_list(countries, tmp_path):  # noqa: F811
    import_bundle(countries, _write(tmp_path, VISIT_WITH_PARTIES), cite_file=False)
    later = _write(tmp_path, "updates:\n  - event: KAZ-CHN-STATE-VISIT-2024-07-03\n"
                             "    countries: [{country: CHN, role: participant}]\n    agreements: []\n"
                             "    cites: [{source: 'https://news.example.org/later', locator: line 2}]\n", "later.yml")
    report = import_bundle(countries, later, cite_file=False)
    assert (report.inserted, report.updated) == (0, 1)
    assert _taking_part(countries) == ([("CHN", "participant"), ("CHN", "visitor"), ("KAZ", "host")],
                                       ["CN-KZ-JOINT-STATEMENT-2024", "CN-KZ-VISA-2024"])


@pytest.mark.parametrize(("field", "message"), [
    ("countries: [{country: Atlantis, role: host}]",
     "bad.yml:2 [countries[host]]: expected a country name or code known to coopdb (got 'Atlantis')"),
    ("countries: [{country: China, role: guest}]",
     "bad.yml:2 [countries.role]: expected one of host, visitor, participant (got 'guest')"),
    ("agreements: [NOPE]",
     "bad.yml:2 [agreements]: expected the code of a known agreement (import agreements first) (got 'NOPE')"),
])
def test_bad_event_countries_and_agreements_are_rejected(countries, tmp_path, field, message):  # noqa: F811
    path = _write(tmp_path, f"events:\n  - {{code: E1, kind: visit, title: T, {field}}}\n", "bad.yml")
    with pytest.raises(ImportRejected) as info:
        import_bundle(countries, path)
    assert [str(p) for p in info.value.report.problems] == [message]


def test_merging_an_agreement_signed_at_an_event_moves_it_and_unmerge_gives_it_back(countries, tmp_path):  # noqa: F811
    from importers.merge import merge, unmerge

    import_bundle(countries, _write(tmp_path, VISIT_WITH_PARTIES), cite_file=False)
    merge(countries, "CN-KZ-JOINT-STATEMENT-2024", "CN-KZ-VISA-2024")
    assert _taking_part(countries)[1] == ["CN-KZ-JOINT-STATEMENT-2024"]
    unmerge(countries, "CN-KZ-VISA-2024")
    assert _taking_part(countries)[1] == ["CN-KZ-JOINT-STATEMENT-2024", "CN-KZ-VISA-2024"]


def test_an_events_countries_come_from_a_flat_file_too(countries, tmp_path):  # noqa: F811
    from importers.files import import_file

    path = tmp_path / "events.csv"
    path.write_text("code,kind,title,occurred_on,country,countries\n"
                    "KZ-CN-VISIT-2024,visit,State visit,2024-07-03,KAZ,host:Kazakhstan|visitor:China\n"
                    "CN-KZ-TALKS-2024,meeting,Talks,2024-07-03,,China|Kazakhstan\n", encoding="utf-8")
    report = import_file(countries, "events", path)
    assert (report.inserted, report.rejected) == (2, 0)
    with countries.connect() as conn:
        rows = conn.execute(text(
            "SELECT e.code, c.code, ec.role FROM event_countries ec JOIN events e ON e.id = ec.event_id "
            "JOIN countries c ON c.id = ec.country_id ORDER BY e.code, c.code")).all()
    assert [tuple(r) for r in rows] == [("CN-KZ-TALKS-2024", "CHN", "participant"),
                                        ("CN-KZ-TALKS-2024", "KAZ", "participant"),
                                        ("KZ-CN-VISIT-2024", "CHN", "visitor"), ("KZ-CN-VISIT-2024", "KAZ", "host")]
