"""Memberships a source stops listing: its statement is retracted, the row goes when no source states it.

A source's memberships of one forum are its list for that forum (as a project's participants are its
list for that project). Re-importing a corrected list takes back what it no longer lists; another
source's statement keeps a membership; a forum with a record the import could not take keeps its
memberships as they are.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import Base
from importers.core import ImportRejected
from importers.yaml_bundle import import_bundle
from tests.pipeline.conftest import world  # noqa: F401  (fixture)

T = Base.metadata.tables

FORUMS = """
forums:
  - {code: SCO, name: Shanghai Cooperation Organisation, kind: intergovernmental_organisation}
  - {code: CICA, name: Conference on Interaction and Confidence-Building Measures in Asia, kind: dialogue_mechanism}
"""


def _bundle(tmp_path, name: str, source: str, memberships: list[str]) -> object:
    rows = "\n".join(f"  - {m}" for m in memberships)
    text = (f"sources:\n  - {{key: {source}, kind: dataset, title: {source}}}\n{FORUMS}"
            f"memberships:\n{rows}\n")
    path = tmp_path / f"{name}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _m(forum: str, country: str, started: str, source: str, extra: str = "") -> str:
    return f"{{forum: {forum}, country: {country}, started_on: '{started}', cites: [{source}]{extra}}}"


def memberships(engine) -> list[tuple]:
    m, f, c = T["memberships"], T["forums"], T["countries"]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(f.c.code, c.c.code, m.c.role, m.c.ended_on)
            .join(f, f.c.id == m.c.forum_id).join(c, c.c.id == m.c.country_id)
            .order_by(f.c.code, c.c.code))]


def _count(engine, table: str, **where) -> int:
    t = T[table]
    query = select(func.count()).select_from(t)
    for column, value in where.items():
        query = query.where(t.c[column] == value)
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def test_a_membership_the_source_no_longer_lists_is_deleted(world, tmp_path):  # noqa: F811
    first = _bundle(tmp_path, "v1", "list-a", [
        _m("SCO", "China", "2001", "list-a"), _m("SCO", "Kazakhstan", "2001", "list-a"),
        _m("SCO", "Russia", "2001", "list-a"), _m("CICA", "Russia", "1999", "list-a")])
    import_bundle(world, first, cite_file=False)
    assert len(memberships(world)) == 4
    corrected = _bundle(tmp_path, "v1", "list-a", [  # the same source, Russia taken out of SCO
        _m("SCO", "China", "2001", "list-a"), _m("SCO", "Kazakhstan", "2001", "list-a"),
        _m("CICA", "Russia", "1999", "list-a")])
    report = import_bundle(world, corrected, cite_file=False)
    assert ("SCO", "RUS", "member", None) not in memberships(world)
    assert len(memberships(world)) == 3
    assert report.details["memberships"]["deleted"] == 1
    assert report.details["statements"]["deleted"] == 1
    # its statement and citation went with it; the headline counts only the records read
    assert _count(world, "statements", record_type="membership") == 3
    assert _count(world, "citations", record_type="membership") == 3
    assert report.read == report.inserted + report.updated + report.unchanged + len(report.problems)
    # settled: the same list again changes nothing
    again = import_bundle(world, corrected, cite_file=False)
    assert again.details["memberships"].get("deleted", 0) == 0
    assert again.updated == 0


def test_another_source_keeps_a_membership_one_source_retracts(world, tmp_path):  # noqa: F811
    a = _bundle(tmp_path, "a", "list-a", [_m("SCO", "Russia", "2001", "list-a"),
                                          _m("SCO", "China", "2001", "list-a")])
    b = _bundle(tmp_path, "b", "list-b", [_m("SCO", "Russia", "2001", "list-b", ", ended_on: '2020'")])
    import_bundle(world, a, cite_file=False)
    import_bundle(world, b, cite_file=False)
    assert ("SCO", "RUS", "member", None) not in memberships(world)  # list-b, imported later, ends it
    a2 = _bundle(tmp_path, "a", "list-a", [_m("SCO", "China", "2001", "list-a")])
    report = import_bundle(world, a2, cite_file=False)
    rows = memberships(world)
    assert [r[:3] for r in rows] == [("SCO", "CHN", "member"), ("SCO", "RUS", "member")]
    assert report.details["memberships"].get("deleted", 0) == 0
    assert report.details["statements"]["deleted"] == 1
    # the row is now list-b's alone: its end date stays, list-a's citation is gone
    assert next(r for r in rows if r[1] == "RUS")[3] is not None
    with world.connect() as conn:
        s, c = T["sources"], T["citations"]
        cited = conn.execute(select(s.c.key).join(c, c.c.source_id == s.c.id)
                             .where(c.c.record_type == "membership")).scalars().all()
    assert sorted(cited) == ["list-a", "list-b"]  # China by list-a, Russia by list-b


def test_forums_the_import_does_not_list_keep_their_memberships(world, tmp_path):  # noqa: F811
    a = _bundle(tmp_path, "a", "list-a", [_m("SCO", "Russia", "2001", "list-a"),
                                          _m("CICA", "Kazakhstan", "1999", "list-a")])
    import_bundle(world, a, cite_file=False)
    only_sco = _bundle(tmp_path, "a", "list-a", [_m("SCO", "Russia", "2001", "list-a")])
    import_bundle(world, only_sco, cite_file=False)
    assert ("CICA", "KAZ", "member", None) in memberships(world)


def test_a_rejected_membership_retracts_nothing_of_its_forum(world, tmp_path):  # noqa: F811
    a = _bundle(tmp_path, "a", "list-a", [_m("SCO", "Russia", "2001", "list-a"),
                                          _m("SCO", "China", "2001", "list-a")])
    import_bundle(world, a, cite_file=False)
    # China misspelt: with --allow-rejects the row is rejected, and SCO's list is not complete
    bad = _bundle(tmp_path, "a", "list-a", [_m("SCO", "Chyna Republik", "2001", "list-a")])
    report = import_bundle(world, bad, cite_file=False, allow_rejects=True)
    assert len(report.problems) == 1
    assert len(memberships(world)) == 2
    # all or nothing (the default): refused, nothing changes
    with pytest.raises(ImportRejected):
        import_bundle(world, bad, cite_file=False)
    assert len(memberships(world)) == 2


def test_a_dry_run_shows_the_membership_it_would_delete(world, tmp_path):  # noqa: F811
    a = _bundle(tmp_path, "a", "list-a", [_m("SCO", "Russia", "2001", "list-a"),
                                          _m("SCO", "China", "2001", "list-a")])
    import_bundle(world, a, cite_file=False)
    a2 = _bundle(tmp_path, "a", "list-a", [_m("SCO", "China", "2001", "list-a")])
    report = import_bundle(world, a2, cite_file=False, dry_run=True)
    deleted = [c for c in report.changes if c.get("deleted")]
    assert deleted == [{"table": "memberships", "key": ["SCO", "RUS", "member", "2001-01-01"], "fields": {},
                        "deleted": True}]
    assert len(memberships(world)) == 2  # nothing written
