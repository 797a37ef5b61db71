"""Updates to known records proposed from an article, imported as the article's statements; both backends."""

from __future__ import annotations

import datetime as dt
import textwrap

from sqlalchemy import select

from db.models import Agreement, Project, ProjectName
from importers.articles import analyse, import_article
from importers.explain import explain
from importers.yaml_bundle import import_bundle
from tests.conftest import url_text

ARTICLE = textwrap.dedent("""\
    Kazakhstan and China sign energy deals

    ASTANA, July 5 -- Kazakhstan and China signed an agreement on energy cooperation on July 3, 2024.
    The Shokpar wind farm, built by a Chinese company, was opened on June 28, 2024 with 120 MW.
    """)
PUBLISHED = dt.date(2024, 7, 5)


def _dataset(tmp_path, key: str, *, priority: int = 0, capacity: str = "100", completed: str = "2024-06",
             status: str = "under_construction") -> str:
    """A data set (dated before the article) stating a project and an agreement the article reports; the
    agreement cites the article's line 3, as reference data does."""
    path = tmp_path / "data.yml"
    path.write_text(textwrap.dedent(f"""\
        sources:
        - key: dataset:test-1
          kind: dataset
          title: Test data set
          published_on: 2024-01-10
          priority: {priority}
        projects:
        - code: KZ-SHOKPAR-WIND
          title: Shokpar wind farm
          status: {status}
          capacity: {capacity}
          capacity_unit: MW
          completed_on: {completed}
          cites: [dataset:test-1]
        agreements:
        - code: KZ-CN-ENERGY-2024
          title: Kazakhstan-China energy agreement
          kind: memorandum
          status: announced
          signed_on: 2024-07
          cites: [{{source: dataset:test-1}}, {{source: '{key}', locator: line 3}}]
        """), encoding="utf-8")
    return str(path)


def _article(known, tmp_path, **dataset):
    """The article recorded (so that the data set can cite it), then the data set imported."""
    result = import_article(known, ARTICLE, name="a.en.txt", lang="en", published=(PUBLISHED, "day"))
    import_bundle(known, _dataset(tmp_path, result.source["key"], **dataset), cite_file=False)
    path = tmp_path / "a.en.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path, result.source["key"]


def _current(engine):
    with engine.connect() as conn:
        project = conn.execute(select(Project.capacity, Project.completed_on, Project.completed_precision)
                               .where(Project.code == "KZ-SHOKPAR-WIND")).one()
        agreement = conn.execute(select(Agreement.status, Agreement.signed_on, Agreement.signed_precision)
                                 .where(Agreement.code == "KZ-CN-ENERGY-2024")).one()
    return tuple(project), tuple(agreement)


def test_facts_that_differ_are_proposed_as_updates_and_imported_as_the_articles_statements(known, db_url, cli,
                                                                                           tmp_path):
    path, key = _article(known, tmp_path)
    url = url_text(db_url)
    done = cli("import", "article", path, "--published", "2024-07-05", "-d", url)
    assert done.exit_code == 0, done.stderr
    assert "update KZ-SHOKPAR-WIND: capacity 100 MW -> 120 MW" in done.stdout
    review = (tmp_path / "a.en.review.yml").read_text(encoding="utf-8")
    for line in ("  # update KZ-SHOKPAR-WIND: status under_construction -> operational",
                 "  # update KZ-SHOKPAR-WIND: capacity 100 MW -> 120 MW",
                 "  # update KZ-SHOKPAR-WIND: completed_on 2024-06 -> 2024-06-28",
                 "  # update KZ-CN-ENERGY-2024: status announced -> signed",
                 "  # update KZ-CN-ENERGY-2024: signed_on 2024-07 -> 2024-07-03",
                 "  - project: KZ-SHOKPAR-WIND", "  - agreement: KZ-CN-ENERGY-2024"):
        assert line in review.splitlines(), line
    assert "projects: []" in review and "agreements: []" in review  # recognised, not proposed again
    imported = cli("import", "bundle", tmp_path / "a.en.review.yml", "-d", url)
    assert imported.exit_code == 0, imported.stderr
    assert "inserted 1, updated 2" in imported.stdout  # the wind farm's opening is an event
    assert _current(known) == ((120, dt.date(2024, 6, 28), "day"), ("signed", dt.date(2024, 7, 3), "day"))
    shown = cli("explain", "KZ-SHOKPAR-WIND", "capacity", "-d", url)
    assert shown.exit_code == 0, shown.stderr
    assert key in shown.stdout and "dataset:test-1" in shown.stdout
    assert "newer source (2024-07-05 > 2024-01-10)" in shown.stdout
    report = explain(known, "KZ-SHOKPAR-WIND", "capacity")
    winner = next(s for s in report.fields[0].stated if s.wins)
    assert (winner.source_key, winner.locator, winner.value) == (key, "line 4", "capacity=120, capacity_unit=MW")
    # the database now says what the article says: nothing more is proposed
    again = cli("import", "article", path, "--published", "2024-07-05", "--force", "-d", url)
    assert again.exit_code == 0, again.stderr
    assert "update " not in again.stdout
    assert "\nupdates:" not in (tmp_path / "a.en.review.yml").read_text(encoding="utf-8")


def test_facts_equal_to_the_current_values_propose_nothing(known, tmp_path):
    # the data set says 120 MW and the day already; the article's facts are the same
    _article(known, tmp_path, capacity="120", completed="2024-06-28", status="operational")
    with known.connect() as conn:
        result = analyse(conn, ARTICLE, lang="en", published=PUBLISHED)
    project = next(u for u in result.updates if u.code == "KZ-SHOKPAR-WIND")
    assert project.changes == []
    assert project.same == ["status operational", "capacity 120 MW", "completed_on 2024-06-28"]


def test_a_less_precise_date_that_agrees_is_not_an_update(known, tmp_path):
    _article(known, tmp_path, completed="2024-06-28")
    text = ARTICLE.replace("on June 28, 2024", "in June 2024")
    with known.connect() as conn:
        result = analyse(conn, text, lang="en", published=PUBLISHED)
    project = next(u for u in result.updates if u.code == "KZ-SHOKPAR-WIND")
    assert [c.field for c in project.changes] == ["status", "capacity"]  # "was opened": in use
    assert "completed_on 2024-06-28" in project.same


def test_a_source_of_higher_priority_keeps_its_value(known, db_url, cli, tmp_path):
    path, key = _article(known, tmp_path, priority=10)
    url = url_text(db_url)
    done = cli("import", "article", path, "--published", "2024-07-05", "-d", url)
    assert done.exit_code == 0, done.stderr
    assert ("update KZ-SHOKPAR-WIND: capacity 100 MW -> 120 MW (the current value stays: dataset:test-1 ranks "
            "higher (priority 10 > 0))") in done.stdout
    imported = cli("import", "bundle", tmp_path / "a.en.review.yml", "-d", url)
    assert imported.exit_code == 0, imported.stderr
    # the article's statements are kept, the data set's values stay current
    assert _current(known) == ((100, dt.date(2024, 6, 1), "month"), ("announced", dt.date(2024, 7, 1), "month"))
    report = explain(known, "KZ-SHOKPAR-WIND", "capacity")
    stated = {s.source_key: s for s in report.fields[0].stated}
    assert stated["dataset:test-1"].wins and not stated[key].wins
    assert report.fields[0].reason == "higher priority (10 > 0)"


def test_an_update_never_inserts_a_record(known, db_url, cli, tmp_path):
    path = tmp_path / "u.yml"
    path.write_text("sources:\n- {key: 'dataset:x', kind: dataset}\nupdates:\n"
                    "- {project: NO-SUCH-PROJECT, capacity: 5, cites: ['dataset:x']}\n"
                    "- {capacity: 5}\n", encoding="utf-8")
    done = cli("import", "bundle", path, "-d", url_text(db_url))
    assert done.exit_code == 3
    assert ("u.yml:4 [project]: expected the code of a project in the database (an update changes a known record; "
            "propose a new one under projects:) (got 'NO-SUCH-PROJECT')") in done.stderr
    assert "u.yml:5 [updates]: expected exactly one of project, agreement, event" in done.stderr
    with known.connect() as conn:
        assert conn.execute(select(Project.id).where(Project.code == "NO-SUCH-PROJECT")).first() is None


def test_a_project_opened_in_the_text_proposes_its_status_with_the_date(known, tmp_path):
    """"diresmikan" (inaugurated) with a date: the known project is operational since then."""
    _article(known, tmp_path)
    text = "PLTB Shokpar diresmikan pada 28 Juni 2024 oleh Presiden Tokayev.\n"
    with known.connect() as conn:
        result = analyse(conn, text, lang="id", published=PUBLISHED)
    project = next(u for u in result.updates if u.code == "KZ-SHOKPAR-WIND")
    assert [(c.field, c.old, c.new) for c in project.changes] == [
        ("status", "under_construction", "operational"), ("completed_on", "2024-06", "2024-06-28"),
        ("names", "", "'PLTB Shokpar' (id)")]  # the Indonesian name is new too


def test_a_known_projects_new_name_is_proposed_as_an_alias_once_in_the_nominative(known, db_url, cli, tmp_path):
    """Russian writes the wind farm in several cases: one alias, in the nominative; imported, it is a name of the
    project and is not proposed again."""
    _article(known, tmp_path, status="operational")
    text = ("Китайская компания расширит Шокпарскую ВЭС.\n"
            "Шокпарская ВЭС мощностью 100 МВт работает с 28 июня 2024 года.\n"
            "Мощность Шокпарской ВЭС вырастет вдвое.\n")
    with known.connect() as conn:
        result = analyse(conn, text, lang="ru", published=PUBLISHED)
    project = next(u for u in result.updates if u.code == "KZ-SHOKPAR-WIND")
    names = [c for c in project.changes if c.field == "names"]
    assert [(c.new, c.values) for c in names] == [
        ("'Шокпарская ВЭС' (ru)", {"names": [{"name": "Шокпарская ВЭС", "lang": "ru", "kind": "alias"}]})]
    path = tmp_path / "shokpar.ru.txt"
    path.write_text(text, encoding="utf-8")
    url = url_text(db_url)
    done = cli("import", "article", path, "--published", "2024-07-05", "-d", url)
    assert done.exit_code == 0, done.stderr
    imported = cli("import", "bundle", tmp_path / "shokpar.ru.review.yml", "-d", url)
    assert imported.exit_code == 0, imported.stderr
    with known.connect() as conn:
        assert "Шокпарская ВЭС" in conn.execute(select(ProjectName.name)).scalars().all()
        again = analyse(conn, text, lang="ru", published=PUBLISHED)
    assert not [c for u in again.updates for c in u.changes if c.field == "names"]
