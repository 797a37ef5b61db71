"""country_pair_totals kept up to date by each import: only the pairs of countries an import can have changed
are recomputed (db.bi.update_country_pairs), and the table then equals a full rebuild, after imports that add,
change and retract participants, parties and memberships, change a project's dates, and after a merge and an
unmerge. Both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, text

from db import bi
from db.models import Base
from importers.merge import merge, unmerge
from importers.normalize import fold
from importers.yaml_bundle import import_bundle

T = Base.metadata.tables
COUNTRIES = [("CHN", "China"), ("KAZ", "Kazakhstan"), ("RUS", "Russia"), ("UZB", "Uzbekistan"),
             ("KGZ", "Kyrgyzstan"), ("TJK", "Tajikistan")]
FORUMS = """forums:
  - {code: SCO, name: Shanghai Cooperation Organisation, kind: intergovernmental_organisation}
  - {code: CICA, name: Conference on Interaction and Confidence-Building Measures in Asia, kind: dialogue_mechanism}
"""


@pytest.fixture
def world(engine, monkeypatch):
    """Six countries; updates never fall back to the full rebuild, however much they touch."""
    monkeypatch.setattr(bi, "FULL_REBUILD_SHARE", None)
    with engine.begin() as conn:
        for code, name in COUNTRIES:
            cid = conn.execute(insert(T["countries"]).values(code=code, alpha2=code[:2], alpha3=code, name=name,
                                                             kind="sovereign").returning(T["countries"].c.id)).scalar()
            conn.execute(insert(T["country_names"]).values(country_id=cid, lang="en", name=name, kind="common",
                                                           normalized=fold(name)))
    return engine


def totals(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute(text(
        "SELECT c.code, p.code, shared_projects, shared_agreements, shared_forums, first_year, last_year "
        "FROM country_pair_totals AS t JOIN countries AS c ON c.id = t.country_id "
        "JOIN countries AS p ON p.id = t.partner_id ORDER BY c.code, p.code"))]


def assert_as_rebuilt(engine) -> list[tuple]:
    """The table as the imports left it equals a full rebuild (made in a transaction rolled back after)."""
    with engine.connect() as conn:
        kept = totals(conn)
        bi.refresh_country_pairs(conn)
        rebuilt = totals(conn)
        conn.rollback()
    assert kept == rebuilt
    return kept


def bundle(tmp_path, name: str, source: str, body: str):
    path = tmp_path / f"{name}.yml"
    path.write_text(f"sources:\n  - {{key: {source}, kind: dataset, title: {source}}}\n{FORUMS}{body}",
                    encoding="utf-8")
    return path


def project(code: str, year: int, source: str, *parties: tuple[str, str], title: str | None = None) -> str:
    people = ", ".join(f"{{country: {c}, role: {r}}}" for c, r in parties)
    return (f"  - {{code: {code}, title: {title or code}, committed_on: '{year}', participants: [{people}], "
            f"cites: [{source}]}}\n")


def membership(forum: str, country: str, year: int, source: str) -> str:
    return f"  - {{forum: {forum}, country: {country}, started_on: '{year}', cites: [{source}]}}\n"


def agreement(code: str, year: int, source: str, *countries: str) -> str:
    parties = ", ".join(f"{{country: {c}, role: party}}" for c in countries)
    return (f"  - {{code: {code}, title: {code}, kind: memorandum, signed_on: '{year}', parties: [{parties}], "
            f"cites: [{source}]}}\n")


def pair(rows, a, b):
    return next((r[2:] for r in rows if r[:2] == (a, b)), None)


def test_each_import_leaves_the_totals_of_a_full_rebuild(world, tmp_path):
    first = bundle(tmp_path, "a1", "list-a", (
        "memberships:\n" + "".join(membership("SCO", c, 2001, "list-a") for c in ("China", "Kazakhstan",
                                                                                  "Russia", "Uzbekistan"))
        + membership("CICA", "Kazakhstan", 1999, "list-a") + membership("CICA", "Tajikistan", 2000, "list-a")
        + "projects:\n" + project("P-1", 2014, "list-a", ("China", "financier"), ("Kazakhstan", "host"))
        + project("P-2", 2016, "list-a", ("China", "financier"), ("Uzbekistan", "host"), ("Kyrgyzstan", "host"))
        + "agreements:\n" + agreement("A-1", 2019, "list-a", "China", "Kazakhstan", "Russia")))
    import_bundle(world, first, cite_file=False)
    rows = assert_as_rebuilt(world)
    assert pair(rows, "CHN", "KAZ") == (1, 1, 1, 2001, 2019)
    assert pair(rows, "KAZ", "TJK") == (0, 0, 1, 2000, 2000)

    # the same source again, changed: a participant, a party and a membership retracted, others added, a date moved
    changed = bundle(tmp_path, "a1", "list-a", (
        "memberships:\n" + "".join(membership("SCO", c, 2001, "list-a") for c in ("China", "Kazakhstan", "Russia"))
        + membership("SCO", "Kyrgyzstan", 2005, "list-a")
        + membership("CICA", "Kazakhstan", 1999, "list-a") + membership("CICA", "Tajikistan", 2000, "list-a")
        + "projects:\n" + project("P-1", 2014, "list-a", ("China", "financier"), ("Tajikistan", "host"))
        + project("P-2", 2010, "list-a", ("China", "financier"), ("Uzbekistan", "host"), ("Kyrgyzstan", "host"))
        + "agreements:\n" + agreement("A-1", 2019, "list-a", "China", "Kazakhstan")))
    report = import_bundle(world, changed, cite_file=False)
    assert report.details["memberships"]["deleted"] == 1
    rows = assert_as_rebuilt(world)
    assert pair(rows, "CHN", "UZB") == (1, 0, 0, 2010, 2010)  # the SCO membership went, the project moved
    assert pair(rows, "KAZ", "RUS") == (0, 0, 1, 2001, 2001)  # the agreement lost Russia
    assert pair(rows, "CHN", "TJK") == (1, 0, 0, 2014, 2014)

    # another source lists Kazakhstan in P-1 again, a third names a new project
    other = bundle(tmp_path, "b1", "list-b", "projects:\n" + project("P-1", 2014, "list-b", ("Kazakhstan", "host")))
    import_bundle(world, other, cite_file=False)
    rows = assert_as_rebuilt(world)
    assert pair(rows, "KAZ", "TJK") == (1, 0, 1, 2000, 2014)
    third = bundle(tmp_path, "c1", "list-c", "projects:\n" + project(
        "P-3", 2020, "list-c", ("Russia", "financier"), ("Kazakhstan", "host"), ("China", "partner")))
    import_bundle(world, third, cite_file=False)
    rows = assert_as_rebuilt(world)
    assert pair(rows, "CHN", "RUS") == (1, 0, 1, 2001, 2020)

    # P-3 is P-1: merged, its participants join P-1's and it stops counting on its own; then taken apart again
    merge(world, "P-1", "P-3")
    rows = assert_as_rebuilt(world)
    assert pair(rows, "RUS", "TJK")[0] == 1
    assert pair(rows, "CHN", "RUS")[0] == 1
    unmerge(world, "P-3")
    rows = assert_as_rebuilt(world)
    assert pair(rows, "RUS", "TJK") is None
    # a duplicate with P-1's very participants and year: merging it changes no row of P-1, only removes P-4's
    fourth = bundle(tmp_path, "d1", "list-d", "projects:\n" + project(
        "P-4", 2014, "list-d", ("China", "financier"), ("Tajikistan", "host"), ("Kazakhstan", "host"),
        title="P-1"))
    import_bundle(world, fourth, cite_file=False)
    assert pair(assert_as_rebuilt(world), "CHN", "TJK")[0] == 2
    merge(world, "P-1", "P-4")
    assert pair(assert_as_rebuilt(world), "CHN", "TJK")[0] == 1

    # everything of list-a's memberships retracted but one forum: pairs that only a forum made disappear
    last = bundle(tmp_path, "a1", "list-a", (
        "memberships:\n" + membership("SCO", "China", 2001, "list-a") + membership("CICA", "Kazakhstan", 1999,
                                                                                 "list-a")))
    import_bundle(world, last, cite_file=False)
    rows = assert_as_rebuilt(world)
    assert pair(rows, "KAZ", "TJK") == (1, 0, 0, 2014, 2014)


def test_an_update_that_touches_most_pairs_rebuilds_the_table(world, tmp_path, monkeypatch):
    monkeypatch.setattr(bi, "FULL_REBUILD_SHARE", 0.5)
    path = bundle(tmp_path, "a", "list-a", "projects:\n" + project("P-1", 2014, "list-a", ("China", "financier"),
                                                                     ("Kazakhstan", "host"), ("Russia", "host")))
    report = import_bundle(world, path, cite_file=False)
    with world.begin() as conn:
        assert bi.update_country_pairs(conn, report.run_id) == ("rebuild", 3)  # the project's 3 pairs, of 3
        assert bi.update_country_pairs(conn, -1) == ("update", 0)  # a run that wrote nothing: nothing to do
    assert_as_rebuilt(world)
