"""The questions a new user asks after `coopdb quickstart`, as SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from sqlalchemy import Date, text

from db.questions import forums_shared
from importers import quickstart
from importers.reference import ARTICLE_KEY, ARTICLE_SHA256
from tests.conftest import SHARED_SEEDS

ARTICLE = SHARED_SEEDS / "china-kazakhstan-cooperation.id.txt"

SHARED_FORUMS_SQL = """
SELECT f.code,
       MIN(CASE WHEN c.code = 'CHN' THEN m.started_on END) AS china_joined,
       MIN(CASE WHEN c.code = 'KAZ' THEN m.started_on END) AS kazakhstan_joined
FROM memberships m
JOIN forums f ON f.id = m.forum_id
JOIN countries c ON c.id = m.country_id
WHERE c.code IN ('CHN', 'KAZ')
  AND m.role IN ('founding_member', 'member', 'partner_country', 'associate')
  AND m.ended_on IS NULL
GROUP BY f.code
HAVING COUNT(DISTINCT c.code) = 2
ORDER BY f.code
"""


def _rows(engine, sql: str, **types):
    query = text(sql).columns(**types) if types else text(sql)
    with engine.connect() as conn:
        return conn.execute(query).all()


def test_forums_both_china_and_kazakhstan_belong_to_with_the_year_each_joined(loaded):
    engine, _reports = loaded
    rows = _rows(engine, SHARED_FORUMS_SQL, china_joined=Date, kazakhstan_joined=Date)
    years = {r.code: (r.china_joined.year, r.kazakhstan_joined.year) for r in rows}
    assert years == {
        "BRI": (2013, 2014),
        "BRICS": (2009, 2025),
        "C+C5": (2020, 2020),
        "CAREC": (1997, 1997),
        "CICA": (1999, 1999),
        "SCO": (2001, 2001),
        "UN": (1945, 1992),
    }
    # The library function the quickstart prints gives the same answer, with the roles.
    shared = {s.forum: (s.first.year, s.first.role, s.second.year, s.second.role) for s in forums_shared(engine)}
    assert {k: (v[0], v[2]) for k, v in shared.items()} == years
    assert shared["BRICS"][3] == "partner_country"
    assert shared["UN"][1] == "founding_member"


def test_energy_projects_in_kazakhstan_with_china_as_participant(loaded):
    engine, _reports = loaded
    rows = _rows(engine, """
        SELECT p.code, p.capacity, p.capacity_unit, p.completed_on, p.completed_precision
        FROM projects p
        WHERE p.sector = 'energy'
          AND EXISTS (SELECT 1 FROM project_countries pc JOIN countries c ON c.id = pc.country_id
                      WHERE pc.project_id = p.id AND c.code = 'KAZ' AND pc.role = 'host')
          AND EXISTS (SELECT 1 FROM project_countries pc JOIN countries c ON c.id = pc.country_id
                      WHERE pc.project_id = p.id AND c.code = 'CHN')
        ORDER BY p.capacity DESC
    """, completed_on=Date)
    assert [(r.code, Decimal(str(r.capacity)), r.capacity_unit, r.completed_on, r.completed_precision)
            for r in rows] == [
        ("KZ-ZHANATAS-WIND", Decimal("100"), "MW", dt.date(2021, 6, 20), "day"),
        ("KZ-TURGUSUN-HYDRO", Decimal("24.9"), "MW", dt.date(2021, 7, 1), "month"),
    ]


def test_every_agreement_between_china_and_kazakhstan_with_its_date(loaded):
    engine, _reports = loaded
    rows = _rows(engine, """
        SELECT a.code, a.kind, a.signed_on, a.signed_precision
        FROM agreements a
        WHERE EXISTS (SELECT 1 FROM agreement_parties ap JOIN countries c ON c.id = ap.country_id
                      WHERE ap.agreement_id = a.id AND c.code = 'CHN')
          AND EXISTS (SELECT 1 FROM agreement_parties ap JOIN countries c ON c.id = ap.country_id
                      WHERE ap.agreement_id = a.id AND c.code = 'KAZ')
        ORDER BY a.code
    """, signed_on=Date)
    july_3 = (dt.date(2024, 7, 3), "day")
    assert {r.code: (r.kind, r.signed_on, r.signed_precision) for r in rows} == {
        "CN-KZ-BRICS-SUPPORT-2024": ("other", *july_3),
        "CN-KZ-COORDINATION-CC5-2024": ("other", *july_3),
        "CN-KZ-COORDINATION-SCO-2024": ("other", *july_3),
        "CN-KZ-COORDINATION-UN-2024": ("other", *july_3),
        "CN-KZ-CULTURAL-COOPERATION-PROGRAMMES": ("programme", None, None),
        "CN-KZ-JOINT-STATEMENT-2024-07-03": ("joint_statement", *july_3),
        "CN-KZ-NEW-AREAS-2024": ("other", *july_3),
        "CN-KZ-PRIORITY-COOPERATION-2024": ("other", *july_3),
        "CN-KZ-TRADE-DOUBLING-TARGET": ("target", *july_3),
        "CN-KZ-WE-WC-MOU-2009": ("memorandum", dt.date(2009, 4, 16), "day"),
        "CN-KZ-YEAR-OF-CHINA-TOURISM-2025": ("programme", *july_3),
        "CN-KZ-YEAR-OF-KAZAKHSTAN-TOURISM-2024": ("programme", dt.date(2023, 1, 1), "year"),
    }


def test_the_visits_between_china_and_kazakhstan_with_who_hosted_and_what_was_signed(loaded):
    engine, _reports = loaded
    rows = _rows(engine, """
        SELECT e.code, e.kind, e.occurred_on, host.code AS host, visitor.code AS visitor,
               (SELECT COUNT(*) FROM event_agreements ea WHERE ea.event_id = e.id) AS agreements
        FROM events e
        JOIN event_countries h ON h.event_id = e.id AND h.role = 'host' JOIN countries host ON host.id = h.country_id
        JOIN event_countries v ON v.event_id = e.id AND v.role = 'visitor'
        JOIN countries visitor ON visitor.id = v.country_id
        ORDER BY e.occurred_on, e.code
    """, occurred_on=Date)
    assert [tuple(r) for r in rows] == [
        ("CHN-KAZ-STATE-VISIT-2009-04-16", "visit", dt.date(2009, 4, 16), "CHN", "KAZ", 1),
        ("KAZ-CHN-STATE-VISIT-2024-07-03", "visit", dt.date(2024, 7, 3), "KAZ", "CHN", 5),
        ("KZ-BLCU-ASTANA-BRANCH-OPENING", "opening", dt.date(2024, 7, 3), "KAZ", "CHN", 0),
    ]
    pair = _rows(engine, "SELECT shared_events FROM country_pairs WHERE country_code = 'CHN' AND partner_code = 'KAZ'"
                 .replace("country_pairs", "bi.country_pairs" if engine.dialect.name == "postgresql"
                          else "bi_country_pairs"))
    assert [tuple(r) for r in pair] == [(3,)]


def test_the_source_and_line_supporting_the_zhanatas_wind_farm(loaded):
    engine, _reports = loaded
    rows = _rows(engine, """
        SELECT s.key, s.kind, s.language, s.published_on, s.published_precision, s.published_estimated,
               s.content_hash, s.content, ci.locator, ci.quote
        FROM citations ci
        JOIN sources s ON s.id = ci.source_id
        JOIN projects p ON ci.record_type = 'project' AND ci.record_id = p.id
        WHERE p.code = 'KZ-ZHANATAS-WIND' AND s.kind = 'news_article' AND ci.field = ''
    """, published_on=Date)
    assert len(rows) == 1
    row = rows[0]
    assert (row.key, row.kind, row.language, row.locator) == (ARTICLE_KEY, "news_article", "id", "line 8")
    assert (row.published_on, row.published_precision, bool(row.published_estimated)) == (
        dt.date(2024, 7, 1), "month", True)
    assert row.content_hash == ARTICLE_SHA256
    assert row.content is None and row.quote is None  # the article's text is not stored
    # The capacity has its own source (an official page), cited for that field.
    fields = _rows(engine, """
        SELECT ci.field, s.url FROM citations ci JOIN sources s ON s.id = ci.source_id
        JOIN projects p ON ci.record_type = 'project' AND ci.record_id = p.id
        WHERE p.code = 'KZ-ZHANATAS-WIND' AND ci.field = 'capacity'
    """)
    assert [(f.field, f.url) for f in fields] == [("capacity", "http://en.sasac.gov.cn/2021/06/23/c_7253.htm")]


def test_article_citations_point_at_lines_that_say_it(loaded):
    if not ARTICLE.exists():
        pytest.skip(f"{ARTICLE} not present (the shared seeds folder is beside the checkout)")
    engine, _reports = loaded
    text_ = ARTICLE.read_text(encoding="utf-8")
    assert hashlib.sha256(text_.encode("utf-8")).hexdigest() == ARTICLE_SHA256
    lines = text_.splitlines()
    rows = _rows(engine, """
        SELECT ci.record_type, ci.locator FROM citations ci JOIN sources s ON s.id = ci.source_id
        WHERE s.key = :key
    """.replace(":key", f"'{ARTICLE_KEY}'"))
    assert len(rows) >= 30
    for row in rows:
        number = int(row.locator.removeprefix("line "))
        assert 1 <= number <= len(lines), row
    by_line = {int(r.locator.removeprefix("line ")) for r in rows}
    assert "PLTB Zhanatas" in lines[8 - 1] and "PLTA Turgusun" in lines[8 - 1]
    assert "Luban Workshop" in lines[21 - 1] and "BRICS" in lines[22 - 1]
    assert {5, 6, 8, 12, 13, 17, 18, 19, 21, 22, 25} <= by_line


def test_names_the_article_matcher_needs(loaded):
    engine, _reports = loaded
    rows = _rows(engine, """
        SELECT p.code, n.name FROM project_names n JOIN projects p ON p.id = n.project_id WHERE n.lang = 'id'
        UNION ALL
        SELECT f.code, n.name FROM forum_names n JOIN forums f ON f.id = n.forum_id WHERE n.lang = 'id'
    """)
    names = {(r.code, r.name) for r in rows}
    assert {("KZ-ZHANATAS-WIND", "PLTB Zhanatas"), ("KZ-TURGUSUN-HYDRO", "PLTA Turgusun"), ("UN", "PBB"),
            ("BRI", "Prakarsa Sabuk dan Jalan"), ("BRI", "Inisiatif Sabuk dan Jalan"),
            ("SCO", "Organisasi Kerja Sama Shanghai"), ("C+C5", "mekanisme Tiongkok-Asia Tengah")} <= names


def test_every_forum_has_names_in_indonesian_russian_chinese_and_kazakh_and_a_source(loaded):
    engine, _reports = loaded
    rows = _rows(engine, """
        SELECT f.code, f.kind,
               (SELECT COUNT(DISTINCT n.lang) FROM forum_names n
                WHERE n.forum_id = f.id AND n.lang IN ('id', 'ru', 'zh', 'kk')) AS langs,
               (SELECT COUNT(*) FROM citations ci WHERE ci.record_type = 'forum' AND ci.record_id = f.id) AS cites,
               (SELECT COUNT(*) FROM memberships m WHERE m.forum_id = f.id) AS members
        FROM forums f ORDER BY f.code
    """)
    assert {r.code for r in rows} == {"APEC", "ASEAN", "BRI", "BRICS", "C+C5", "CAREC", "CICA", "CIS", "CSTO",
                                      "EAEU", "FOCAC", "G20", "OTS", "SCO", "UN"}
    for r in rows:
        assert (r.langs, r.cites > 0, r.members > 0) == (4, True, True), r.code
    uncited = _rows(engine, """
        SELECT COUNT(*) AS n FROM memberships m
        WHERE NOT EXISTS (SELECT 1 FROM citations ci WHERE ci.record_type = 'membership' AND ci.record_id = m.id)
    """)
    assert uncited[0].n == 0


def test_a_second_run_changes_nothing(loaded):
    engine, first = loaded
    assert [r.importer for r in first] == ["countries", "reference-forums", "reference-memberships",
                                           "china-kazakhstan"]
    assert all(r.status == "succeeded" and r.rejected == 0 for r in first)
    second = quickstart.run_all(engine)
    assert [(r.importer, r.inserted, r.updated) for r in second] == [(r.importer, 0, 0) for r in first]
    assert all(r.unchanged == r.read or r.importer == "countries" for r in second[1:])
