"""What a data set release says about the sources its records cite (kind, title, publisher, notes) is a
statement of that release, decided by the same precedence as a project's values (migration 0015): the newer
release wins whatever the import order, an older release imported after a newer one changes no source, and
re-imports settle. The three AidData fixtures describe http://example.org/news/1 differently. Both backends."""

from __future__ import annotations

import itertools
from pathlib import Path

from sqlalchemy import select, text

from db.base import Base
from importers.aiddata import import_aiddata
from importers.explain import explain

FIX = Path(__file__).resolve().parent / "fixtures"
RELEASES = {"v1": FIX / "aiddata_v1.csv", "v2": FIX / "aiddata_v2.csv", "v3": FIX / "aiddata_v3.csv"}
T = Base.metadata.tables
KEPT = {"countries", "country_names", "country_codes", "import_runs"}  # import_runs is append-only
SHARED = "http://example.org/news/1"


def _reset(engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEPT:
                conn.execute(table.delete())


def cited_sources(engine) -> list[tuple]:
    """The sources the records cite, as a user reads them (no ids, runs or times)."""
    s = T["sources"]
    columns = [c for c in s.c if c.name not in ("id", "created_at", "updated_at", "created_run_id",
                                                 "updated_run_id")]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(*columns).where(s.c.kind != "dataset").order_by(s.c.key))]


def _source(engine, key: str) -> tuple:
    with engine.connect() as conn:
        return tuple(conn.execute(text("SELECT kind, title, publisher, notes FROM sources WHERE key = :k"),
                                  {"k": key}).one())


def test_every_order_of_three_releases_gives_the_same_cited_sources(few_countries):
    results = {}
    for order in itertools.permutations(RELEASES):
        _reset(few_countries)
        for name in order:
            assert import_aiddata(few_countries, RELEASES[name], subset=True).rejected == 0
        results[order] = cited_sources(few_countries)
    first = next(iter(results.values()))
    for order, sources in results.items():
        assert sources == first, f"order {order} differs"
    # v2 (2021) gives the title, publisher and the type of the shared source; v1 (2017) says it too, older;
    # v3 writes its URL with https, another source
    assert _source(few_countries, SHARED) == ("news_article", "Old news", "Example Daily",
                                              "AidData source type: Media Report")


def test_an_older_release_after_a_newer_one_changes_no_cited_source(few_countries):
    import_aiddata(few_countries, RELEASES["v2"], subset=True)
    before = cited_sources(few_countries)
    report = import_aiddata(few_countries, RELEASES["v1"], subset=True)
    after = cited_sources(few_countries)
    assert report.details["sources"]["updated"] == 0
    # v1's own sources are added; the ones v2 described keep every value v2 gave them
    assert [row for row in after if row in before] == before
    assert _source(few_countries, SHARED)[3] == "AidData source type: Media Report"  # not v1's wording
    # the older release's wording is kept as its statement, shown by explain and the conflicts view
    notes = next(f for f in explain(few_countries, f"source:{SHARED}", "notes").fields)
    assert [(s.source_key, s.value, s.wins) for s in notes.stated] == [
        ("aiddata-gcdf-2.0", "AidData source type: Media Report", True),
        ("aiddata-gcdf-1.0", "AidData source type: Media Report, including Wikileaks", False)]
    with few_countries.connect() as conn:
        conflicts = conn.execute(text("SELECT field, distinct_values FROM bi_conflicts WHERE record_type = 'source' "
                                      "AND record_code = :k" if few_countries.dialect.name == "sqlite" else
                                      "SELECT field, distinct_values FROM bi.conflicts WHERE record_type = 'source' "
                                      "AND record_code = :k"), {"k": SHARED}).all()
    assert [tuple(r) for r in conflicts] == [("notes", 2)]


def test_reimports_of_overlapping_releases_settle(few_countries):
    for name in ("v2", "v1", "v3"):
        import_aiddata(few_countries, RELEASES[name], subset=True)
    for name in ("v1", "v2", "v3", "v1"):
        report = import_aiddata(few_countries, RELEASES[name], subset=True)
        assert (report.inserted, report.updated) == (0, 0), name
        assert report.details["sources"]["inserted"] == report.details["sources"]["updated"] == 0, name


def test_a_source_stated_by_nobody_keeps_its_stored_values(few_countries):
    """A source row with values no statement gives (written before 0015) keeps them when a release cites it."""
    import_aiddata(few_countries, RELEASES["v1"], subset=True)
    with few_countries.begin() as conn:
        conn.execute(text("DELETE FROM statements WHERE record_type = 'source'"))
        conn.execute(text("UPDATE sources SET licence = 'CC BY 4.0', title = 'Kept title' WHERE key = :k"),
                     {"k": SHARED})
    report = import_aiddata(few_countries, RELEASES["v1"], subset=True)
    assert report.details["sources"]["updated"] == 0
    with few_countries.connect() as conn:
        licence, title = conn.execute(text("SELECT licence, title FROM sources WHERE key = :k"), {"k": SHARED}).one()
    assert (licence, title) == ("CC BY 4.0", "Kept title")  # v1 gives no licence and no title


def test_explain_names_a_source_by_its_key_and_says_how(few_countries, cli, db_url):
    from tests.conftest import url_text

    import_aiddata(few_countries, RELEASES["v1"], subset=True)
    shown = cli("explain", f"source:{SHARED}", "-d", url_text(db_url))
    assert shown.exit_code == 0, shown.stderr
    assert "AidData source type: Media Report, including Wikileaks" in shown.stdout
    bare = cli("explain", SHARED, "-d", url_text(db_url))
    assert bare.exit_code == 3
    assert f"'{SHARED}' is the key of a source: coopdb explain 'source:{SHARED}'" in bare.stderr
    unknown = cli("explain", "source:http://example.org/none", "-d", url_text(db_url))
    assert unknown.exit_code == 3 and "no source with the key 'http://example.org/none'" in unknown.stderr


def test_0015_down_and_up_keeps_every_source_and_later_imports_restore_the_precedence(few_countries):
    """Downgrading drops the statements about sources and keeps their values; upgrading again changes no current
    value; the next imports state the sources again, and the newer release's wording wins as before."""
    from db import migrate

    engine = few_countries
    for name in ("v2", "v1"):
        import_aiddata(engine, RELEASES[name], subset=True)
    at_head = cited_sources(engine)
    migrate.downgrade(engine, "0014")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM statements WHERE record_type = 'source'")).scalar() == 0
    assert cited_sources(engine) == at_head
    migrate.upgrade(engine)
    assert cited_sources(engine) == at_head
    # until v2 is imported again nothing says what v2 said: v1, the only source stating the shared one, gives
    # its wording (docs/provenance.md: re-import the releases, in any order, to restore the precedence)
    v1 = import_aiddata(engine, RELEASES["v1"], subset=True)
    assert v1.details["sources"]["updated"] == 1
    assert _source(engine, SHARED)[3] == "AidData source type: Media Report, including Wikileaks"
    import_aiddata(engine, RELEASES["v2"], subset=True)
    assert cited_sources(engine) == at_head
    assert _source(engine, SHARED)[3] == "AidData source type: Media Report"


def test_a_curated_sources_file_with_a_priority_keeps_its_values_over_a_later_release(few_countries, tmp_path):
    """`import sources FILE --priority 10` states its sources as the file: a release citing one of them later
    adds its statements without changing what the curated file gives; `--priority` is not ignored."""
    from importers.files import import_file

    curated = tmp_path / "curated-sources.csv"
    curated.write_text(f"key,kind,title,publisher\n{SHARED},news_article,Curated title,Curated Daily\n",
                       encoding="utf-8")
    first = import_file(few_countries, "sources", curated, priority=10)
    assert (first.read, first.inserted) == (1, 1)
    import_aiddata(few_countries, RELEASES["v2"], subset=True)  # states the title "Old news", Example Daily
    kind, title, publisher, notes = _source(few_countries, SHARED)
    assert (kind, title, publisher) == ("news_article", "Curated title", "Curated Daily")
    assert notes == "AidData source type: Media Report"  # the release alone gives notes
    title_field = next(f for f in explain(few_countries, f"source:{SHARED}", "title").fields)
    assert [(s.source_key, s.value, s.wins) for s in title_field.stated] == [
        ("file:curated-sources.csv", "Curated title", True), ("aiddata-gcdf-2.0", "Old news", False)]
    again = import_file(few_countries, "sources", curated, priority=10)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
