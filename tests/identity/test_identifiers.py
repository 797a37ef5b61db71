"""Identity across sources on fixtures written for the project: AidData releases with overlapping ids and a
companion file land on one project per AidData id; two treaty lists with colliding numbers are kept apart
(or made one with --allow-takeover); a list without ids is keyed by its rows. Both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from importers.aiddata import import_aiddata
from importers.core import ImportRejected
from importers.dedupe import likely_duplicates
from importers.files import import_file

FIX = Path(__file__).resolve().parent / "fixtures"


def q(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def projects(engine):
    return q(engine, "SELECT p.code, p.title FROM projects p ORDER BY p.code")


def identifiers(engine, record_type="project"):
    return q(engine, """SELECT i.scheme, i.value, r.code FROM identifiers i
                        JOIN projects r ON r.id = i.record_id WHERE i.record_type = :t ORDER BY i.value""",
             t=record_type)


def import_companion(engine, **options):
    """The companion report was published in 2018: release 3.0 (2023) wins where both give a value."""
    return import_file(engine, "projects", FIX / "companion.csv", mapping=FIX / "companion.mapping.yml",
                       source_date="2018", **options)


ORDERS = {
    "releases-then-companion": ("2", "3", "companion"),
    "companion-first": ("companion", "3", "2"),
    "companion-between": ("3", "companion", "2"),
}


@pytest.mark.parametrize("order", ORDERS.values(), ids=ORDERS.keys())
def test_two_releases_and_a_companion_are_one_project_per_aiddata_id(few_countries, order):
    engine = few_countries
    for step in order:
        if step == "companion":
            import_companion(engine)
        else:
            import_aiddata(engine, FIX / f"release_{step}.csv", subset=True)
    codes = [code for code, _title in projects(engine)]
    assert len(codes) == 4  # 39556, 39557 (all three files), 39558 (2.0 only), 39560 (3.0 only)
    held = identifiers(engine)
    assert [(s, v) for s, v, _c in held] == [("aiddata", "39556"), ("aiddata", "39557"), ("aiddata", "39558"),
                                             ("aiddata", "39560")]
    assert sorted(c for _s, _v, c in held) == sorted(codes)
    assert likely_duplicates(engine) == []
    # 0 duplicates: no two projects share an AidData id, and the newest release wins the title
    (title,) = q(engine, "SELECT p.title FROM projects p JOIN identifiers i ON i.record_id = p.id "
                         "AND i.record_type = 'project' WHERE i.value = '39556'")[0]
    assert title == "Turgusun hydropower plant"
    # the companion's own fields are kept where no release gives one
    (narrative,) = q(engine, "SELECT p.location_narrative FROM projects p JOIN identifiers i ON i.record_id = p.id "
                             "AND i.record_type = 'project' WHERE i.value = '39556'")[0]
    assert narrative == "East Kazakhstan region"


def test_the_release_flags_are_imported(few_countries):
    import_aiddata(few_countries, FIX / "release_3.csv", subset=True)
    rows = q(few_countries, "SELECT code, recommended_for_aggregates, umbrella FROM projects ORDER BY code")
    assert [(c, bool(r), bool(u)) for c, r, u in rows] == [
        ("AIDDATA-39556", True, False), ("AIDDATA-39557", True, True), ("AIDDATA-39560", True, False)]


def test_published_releases_are_recognised_and_cited_as_themselves(few_countries):
    report = import_aiddata(few_countries, FIX / "military.csv", subset=True)
    assert report.inserted == 1
    cited = q(few_countries, "SELECT s.key, s.title FROM citations c JOIN sources s ON s.id = c.source_id "
                             "WHERE s.kind = 'dataset' AND s.key LIKE 'aiddata%'")
    assert cited == [("aiddata-gcdf-2.0-military",
                      "AidData's Global Chinese Military Finance Dataset (released with Version 2.0)")]
    (flag,) = q(few_countries, "SELECT recommended_for_aggregates FROM projects")[0]
    assert bool(flag) is True


def test_a_published_release_is_recognised_by_its_record_count(tmp_path):
    from importers.aiddata import choose_release, detect_layout

    header = ["AidData TUFF Project ID", "Title"]
    layout = detect_layout(header, "x.csv")
    assert choose_release(layout, header, lambda: 152, False)["key"] == "aiddata-gcdf-2.0-huawei"
    assert choose_release(layout, header, lambda: 13427, False)["key"] == "aiddata-gcdf-2.0"
    assert choose_release(layout, [*header, "Recommended For Military Aggregates"], lambda: 1 / 0,
                          False)["key"] == "aiddata-gcdf-2.0-military"


def test_two_treaty_lists_with_colliding_numbers_are_refused_naming_both(few_countries):
    engine = few_countries
    import_file(engine, "agreements", FIX / "treaties_a.csv", mapping=FIX / "treaties_a.mapping.yml")
    with pytest.raises(ImportRejected) as info:
        import_file(engine, "agreements", FIX / "treaties_b.csv", mapping=FIX / "treaties_b.mapping.yml")
    first = str(info.value.report.problems[0])
    assert first == (
        "treaties_b.csv:2 [code]: expected a code of its own: IIA-1 is the agreement that file:treaties_a.csv "
        "identifies as unctad-iia 1, and this record of file:treaties_b.csv is treatylist 1; give it another code "
        "(a mapping's code: template such as \"LIST-{id}\"), or import with --allow-takeover to make them one "
        "record (got 'IIA-1')")
    assert len(info.value.report.problems) == 2
    assert q(engine, "SELECT code, title FROM agreements ORDER BY code") == [
        ("IIA-1", "China - Kazakhstan BIT (1992)"), ("IIA-2", "China - Russia BIT (2006)")]


def test_allow_takeover_makes_them_one_record_with_both_identifiers(few_countries):
    engine = few_countries
    import_file(engine, "agreements", FIX / "treaties_a.csv", mapping=FIX / "treaties_a.mapping.yml")
    report = import_file(engine, "agreements", FIX / "treaties_b.csv", mapping=FIX / "treaties_b.mapping.yml",
                         allow_takeover=True)
    assert (report.inserted, report.updated, report.rejected) == (0, 2, 0)
    held = q(engine, "SELECT a.code, i.scheme, i.value FROM identifiers i JOIN agreements a ON a.id = i.record_id "
                     "WHERE i.record_type = 'agreement' ORDER BY a.code, i.scheme")
    assert held == [("IIA-1", "treatylist", "1"), ("IIA-1", "unctad-iia", "1"), ("IIA-2", "treatylist", "2"),
                    ("IIA-2", "unctad-iia", "2")]
    # after the takeover the second list finds its records by its own identifiers
    again = import_file(engine, "agreements", FIX / "treaties_b.csv", mapping=FIX / "treaties_b.mapping.yml")
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 0)


def test_a_code_template_of_its_own_keeps_the_lists_apart(few_countries, tmp_path):
    engine = few_countries
    import_file(engine, "agreements", FIX / "treaties_a.csv", mapping=FIX / "treaties_a.mapping.yml")
    own = tmp_path / "treaties_b.mapping.yml"
    own.write_text((FIX / "treaties_b.mapping.yml").read_text().replace('"IIA-{id}"', '"TL-{id}"'))
    report = import_file(engine, "agreements", FIX / "treaties_b.csv", mapping=own)
    assert (report.inserted, report.rejected) == (2, 0)
    assert [c for (c,) in q(engine, "SELECT code FROM agreements ORDER BY code")] == ["IIA-1", "IIA-2", "TL-1", "TL-2"]


def test_a_list_without_ids_is_keyed_by_its_rows(few_countries):
    engine = few_countries
    first = import_file(engine, "projects", FIX / "tracker.csv", mapping=FIX / "tracker.mapping.yml")
    assert (first.inserted, first.rejected) == (2, 0)
    assert identifiers(engine) == [("tracker", "1", "TRACKER-1"), ("tracker", "2", "TRACKER-2")]
    again = import_file(engine, "projects", FIX / "tracker.csv", mapping=FIX / "tracker.mapping.yml")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


def test_an_identifier_twice_in_one_file_is_rejected_with_both_lines(few_countries, tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("code,title,identifiers\nA-1,One,aiddata:5\nA-2,Two,aiddata:5\n")
    with pytest.raises(ImportRejected) as info:
        import_file(few_countries, "projects", path)
    assert [str(p) for p in info.value.report.problems] == [
        "twice.csv:3 [identifiers]: expected an identifier appearing once (also on line 2) (got 'aiddata:5')"]


def test_a_flat_file_finds_its_record_by_identifier_first(few_countries, tmp_path):
    engine = few_countries
    import_aiddata(engine, FIX / "release_3.csv", subset=True)
    path = tmp_path / "curated.csv"
    path.write_text("code,title,identifiers\nMY-HYDRO,Turgusun HPP,aiddata:39556\n")
    report = import_file(engine, "projects", path, priority=5)
    assert (report.inserted, report.updated) == (0, 1)
    assert q(engine, "SELECT title FROM projects WHERE code = 'AIDDATA-39556'") == [("Turgusun HPP",)]


def test_cli_refuses_a_takeover_and_allows_it_on_request(few_countries, db_url, cli):
    from tests.conftest import url_text

    url = url_text(db_url)
    args = ["import", "agreements", FIX / "treaties_a.csv", "--mapping", FIX / "treaties_a.mapping.yml", "-d", url]
    assert cli(*args).exit_code == 0
    b = ["import", "agreements", FIX / "treaties_b.csv", "--mapping", FIX / "treaties_b.mapping.yml", "-d", url]
    refused = cli(*b)
    assert refused.exit_code == 3
    assert "IIA-1 is the agreement that file:treaties_a.csv identifies as unctad-iia 1" in refused.stderr + \
        refused.stdout
    taken = cli(*b, "--allow-takeover")
    assert taken.exit_code == 0, taken.stderr
    assert "read 2, inserted 0, updated 2" in taken.stdout
