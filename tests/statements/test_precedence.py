"""Statements and the precedence that derives the current tables from them, on both backends.

Three releases of one data set (2017, 2021, 2023) overlap: some projects are in two or three of them,
some fields only in some. Whatever the order they are imported in, the current tables are the same, a
re-import changes nothing, and an older release never overrides a newer one.
"""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from db.models import Base
from importers.files import import_file
from importers.yaml_bundle import import_bundle
from tests.pipeline.conftest import COUNTRIES, world  # noqa: F401  (fixture)

T = Base.metadata.tables

RELEASES = {
    "r2017": """
sources:
  - {key: rel-2017, kind: dataset, title: Release 1, published_on: 2017-10}
projects:
  - code: P-1
    title: Road (2017 title)
    amount: 100
    currency: USD
    amount_year: 2014
    status: pledged
    participants: [{country: Kazakhstan, role: host}, {country: China, role: financier}]
    cites: [rel-2017]
  - code: P-2
    title: Plant
    description: A plant, as the first release describes it
    participants: [{country: Russia, role: host}]
    cites: [rel-2017]
""",
    "r2021": """
sources:
  - {key: rel-2021, kind: dataset, title: Release 2, published_on: 2021-09-29}
projects:
  - code: P-1
    title: Road (2021 title)
    amount: 120
    currency: USD
    amount_year: 2017
    committed_on: 2015-03
    participants: [{country: Kazakhstan, role: host}]
    cites: [rel-2021]
  - code: P-3
    title: Bridge
    participants: [{country: China, role: financier}]
    cites: [rel-2021]
""",
    "r2023": """
sources:
  - {key: rel-2023, kind: dataset, title: Release 3, published_on: 2023-11}
projects:
  - code: P-1
    title: Road (2023 title)
    status: completed
    cites: [rel-2023]
  - code: P-2
    title: Plant (2023)
    participants: [{country: Russia, role: host}, {country: China, role: builder}]
    cites: [rel-2023]
""",
}


def _write(tmp_path, name: str, text: str):
    path = tmp_path / f"{name}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def current_tables(engine) -> dict[str, list[tuple]]:
    """The current view as a user sees it: projects and their participants, by code (no ids, no runs)."""
    p, pc, c = T["projects"], T["project_countries"], T["countries"]
    columns = [p.c[name] for name in ("code", "title", "description", "status", "amount", "currency",
                                      "amount_year", "committed_on", "committed_precision")]
    with engine.connect() as conn:
        projects = [tuple(r) for r in conn.execute(select(*columns).order_by(p.c.code))]
        participants = [tuple(r) for r in conn.execute(
            select(p.c.code, c.c.code, pc.c.role).join(pc, pc.c.project_id == p.c.id)
            .join(c, c.c.id == pc.c.country_id).order_by(p.c.code, c.c.code, pc.c.role))]
    return {"projects": projects, "participants": participants}


def _reset(engine) -> None:
    with engine.begin() as conn:
        for table in ("citations", "statements", "project_countries", "projects", "sources"):
            conn.execute(T[table].delete())


def test_every_import_order_gives_the_same_current_tables(world, tmp_path):  # noqa: F811
    paths = {name: _write(tmp_path, name, text) for name, text in RELEASES.items()}
    results = {}
    for order in itertools.permutations(paths):
        _reset(world)
        for name in order:
            import_bundle(world, paths[name])
        results[order] = current_tables(world)
    first = next(iter(results.values()))
    for order, tables in results.items():
        assert tables == first, f"order {order} differs"
    projects = {row[0]: row for row in first["projects"]}
    # title: the newest release; amount: 2021 (2023 gives none); status: 2023; description: only 2017
    assert projects["P-1"][1:4] == ("Road (2023 title)", None, "completed")
    assert (str(projects["P-1"][4]).rstrip("0").rstrip("."), projects["P-1"][6]) == ("120", 2017)
    assert projects["P-2"][1:3] == ("Plant (2023)", "A plant, as the first release describes it")
    # child rows: union of what the sources list
    assert ("P-1", "CHN", "financier") in first["participants"]
    assert ("P-2", "CHN", "builder") in first["participants"]


def test_an_older_release_after_a_newer_one_changes_no_current_value(world, tmp_path):  # noqa: F811
    new = _write(tmp_path, "r2021", RELEASES["r2021"])
    old = _write(tmp_path, "r2017", RELEASES["r2017"])
    import_bundle(world, new)
    before = current_tables(world)
    report = import_bundle(world, old)
    after = current_tables(world)
    p1_before = next(r for r in before["projects"] if r[0] == "P-1")
    p1_after = next(r for r in after["projects"] if r[0] == "P-1")
    assert p1_after[1] == p1_before[1] == "Road (2021 title)"
    assert p1_after[4:7] == p1_before[4:7]  # amount, currency and year travel together
    # the older release adds what the newer one does not say: P-1's status, P-2, China as financier
    assert p1_after[3] == "pledged"
    assert (report.inserted, report.updated) == (2, 1)  # its source and P-2; P-1


def test_reimports_settle_at_zero_updated(world, tmp_path):  # noqa: F811
    a = _write(tmp_path, "r2017", RELEASES["r2017"])
    b = _write(tmp_path, "r2021", RELEASES["r2021"])
    for path in (a, b):
        import_bundle(world, path)
    for path in (a, b, a, b):
        report = import_bundle(world, path)
        assert (report.inserted, report.updated) == (0, 0), path.name
        assert report.unchanged == report.read  # its source record and its projects


def test_equal_sources_the_newest_import_wins_and_keeps_winning(world, tmp_path):  # noqa: F811
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text("code,title,sector\nP-9,Dam,energy\n")
    b.write_text("code,title\nP-9,Dam (renamed)\n")
    import_file(world, "projects", a)
    import_file(world, "projects", b)
    import_file(world, "projects", a)  # unchanged: its title is older than b's
    with world.connect() as conn:
        row = conn.execute(select(T["projects"].c.title, T["projects"].c.sector)).one()
    assert tuple(row) == ("Dam (renamed)", "energy")  # b carries no sector: a's stays


def test_a_partial_bundle_record_blanks_nothing(world, tmp_path):  # noqa: F811
    full = _write(tmp_path, "r2017", RELEASES["r2017"])
    import_bundle(world, full)
    partial = _write(tmp_path, "names", """
projects:
  - code: P-1
    title: Road
    names: [{name: Дорога, lang: ru}]
""")
    import_bundle(world, partial)
    with world.connect() as conn:
        row = conn.execute(select(T["projects"].c.status, T["projects"].c.amount, T["projects"].c.currency)
                           .where(T["projects"].c.code == "P-1")).one()
    assert row.status == "pledged" and row.currency == "USD" and row.amount == 100
    assert ("P-1", "KAZ", "host") in current_tables(world)["participants"]


def test_a_file_that_drops_a_value_or_a_participant_retracts_its_own_statement_only(world, tmp_path):  # noqa: F811
    path = tmp_path / "mine.csv"
    path.write_text("code,title,description,participants\nP-5,Mine,Open pit,host:Kazakhstan|financier:China\n")
    import_file(world, "projects", path)
    other = tmp_path / "other.csv"
    other.write_text("code,title,participants\nP-5,Mine,financier:China\n")
    import_file(world, "projects", other)
    path.write_text("code,title,description,participants\nP-5,Mine,,host:Kazakhstan\n")  # a new version
    report = import_file(world, "projects", path)
    assert report.updated == 1
    with world.connect() as conn:
        description = conn.execute(select(T["projects"].c.description)).scalar_one()
    assert description is None
    # China is still listed by other.csv; Kazakhstan by the new version
    assert {r for r in current_tables(world)["participants"]} == {("P-5", "CHN", "financier"),
                                                                    ("P-5", "KAZ", "host")}
    other.write_text("code,title,participants\nP-5,Mine,\n")
    import_file(world, "projects", other)
    assert current_tables(world)["participants"] == [("P-5", "KAZ", "host")]


def test_clear_states_no_value_on_purpose(world, tmp_path):  # noqa: F811
    path = tmp_path / "a.csv"
    path.write_text("code,title,sector\nP-7,Port,transport\n")
    import_file(world, "projects", path)
    clearing = tmp_path / "b.csv"
    clearing.write_text("code,title,sector\nP-7,Port,<clear>\n")
    report = import_file(world, "projects", clearing)
    assert report.updated == 1
    with world.connect() as conn:
        assert conn.execute(select(T["projects"].c.sector)).scalar_one() is None


@pytest.mark.parametrize("priority", [5])
def test_a_higher_priority_wins_over_a_newer_source(world, tmp_path, priority):  # noqa: F811
    curated = _write(tmp_path, "curated", f"""
sources:
  - {{key: my-review, kind: other, title: Our review, priority: {priority}, published_on: 2010}}
projects:
  - {{code: P-1, title: Road (reviewed), cites: [my-review]}}
""")
    import_bundle(world, curated)
    import_bundle(world, _write(tmp_path, "r2023", RELEASES["r2023"]))
    with world.connect() as conn:
        title = conn.execute(select(T["projects"].c.title).where(T["projects"].c.code == "P-1")).scalar_one()
    assert title == "Road (reviewed)"


def test_explain_cuts_long_values_unless_one_field_is_asked_for(world, cli, db_url, tmp_path):  # noqa: F811
    from tests.conftest import url_text

    long = "A long description. " * 40  # 800 characters
    bundle = tmp_path / "long.yml"
    bundle.write_text("sources:\n  - {key: rel-x, kind: dataset, title: X}\nprojects:\n  - code: P-LONG\n"
                      f"    title: Long\n    description: {long.strip()!r}\n    cites: [rel-x]\n", encoding="utf-8")
    import_bundle(world, bundle)
    url = url_text(db_url)
    every = cli("explain", "P-LONG", "-d", url)
    assert every.exit_code == 0, every.stderr
    text = " ".join(every.stdout.split())
    assert "description = A long description." in text and "(799 characters)" in text
    assert every.stdout.count("description.") < 30  # cut, in the line and in the table (words wrap whole)
    one = cli("explain", "P-LONG", "description", "-d", url)
    assert one.exit_code == 0, one.stderr
    assert one.stdout.count("description.") >= 40  # the table holds it whole
