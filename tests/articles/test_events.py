"""Events read from articles written for these tests, proposed in the review file and imported; both backends."""

from __future__ import annotations

import datetime as dt
import textwrap

from sqlalchemy import select

from db.models import Event
from importers.articles import analyse
from tests.conftest import url_text

VISIT = textwrap.dedent("""\
    Xi arrives in Astana

    ASTANA, July 4 -- Chinese President Xi Jinping began a state visit to Kazakhstan on July 3, 2024.
    The two presidents held talks in Astana on Wednesday and signed a memorandum on energy.
    On July 4, the leaders attended the SCO summit in Astana.
    The next SCO summit will be held in China in 2025.
    """)
KTT = "Para pemimpin menghadiri KTT SCO di Astana pada 4 Juli 2024.\n"
RU = "Председатель КНР прибыл с государственным визитом в Казахстан 3 июля 2024 года.\n"


def _events(engine, text, lang, published=dt.date(2024, 7, 5)):
    with engine.connect() as conn:
        return analyse(conn, text, lang=lang, published=published).events


def test_visit_talks_and_summit_each_with_their_date_place_and_forum(known):
    events = {e.kind: e for e in _events(known, VISIT, "en")}
    assert sorted(events) == ["meeting", "summit", "visit"]  # the summit of 2025 is planned: no event
    visit, talks, summit = events["visit"], events["meeting"], events["summit"]
    assert (visit.occurred_on, visit.precision, visit.country.code, visit.lines) == (
        dt.date(2024, 7, 3), "day", "KAZ", [3])
    assert visit.title == "Visit of China to Kazakhstan"  # "Chinese": a demonym
    assert (talks.occurred_on, talks.place, talks.lines) == (dt.date(2024, 7, 3), "Astana", [4])
    assert (summit.occurred_on, summit.forum.code, summit.place) == (dt.date(2024, 7, 4), "SCO", "Astana")
    assert summit.title == "Shanghai Cooperation Organization summit in Astana"  # the test forum's name


def test_indonesian_and_russian_cues(known):
    (ktt,) = _events(known, KTT, "id")
    assert (ktt.kind, ktt.occurred_on, ktt.forum.code, ktt.place) == ("summit", dt.date(2024, 7, 4), "SCO", "Astana")
    (visit,) = _events(known, RU, "ru")
    assert (visit.kind, visit.occurred_on, visit.country.code) == ("visit", dt.date(2024, 7, 3), "KAZ")


def test_a_cue_without_a_date_of_its_own_is_no_event(known):
    assert _events(known, "The visit strengthened ties between China and Kazakhstan.\n", "en") == []


def test_events_go_to_the_review_file_import_and_are_not_proposed_again(known, db_url, cli, tmp_path):
    path = tmp_path / "visit.en.txt"
    path.write_text(VISIT, encoding="utf-8")
    url = url_text(db_url)
    done = cli("import", "article", path, "--published", "2024-07-05", "-d", url)
    assert done.exit_code == 0, done.stderr
    assert "event summit 2024-07-04 'Shanghai Cooperation Organization summit in Astana' (line 5)" in done.stdout
    review = (tmp_path / "visit.en.review.yml").read_text(encoding="utf-8")
    assert "\nevents:\n" in review and "    kind: summit\n    title: Shanghai Cooperation Organization summit" in review
    imported = cli("import", "bundle", tmp_path / "visit.en.review.yml", "-d", url)
    assert imported.exit_code == 0, imported.stderr
    with known.connect() as conn:
        rows = conn.execute(select(Event.kind, Event.occurred_on, Event.place_name).order_by(Event.kind)).all()
    assert rows == [("meeting", dt.date(2024, 7, 3), "Astana"), ("summit", dt.date(2024, 7, 4), "Astana"),
                    ("visit", dt.date(2024, 7, 3), None)]
    shown = cli("explain", "event:" + _code(known, "summit"), "occurred_on", "-d", url)
    assert shown.exit_code == 0, shown.stderr
    assert "line 5" in shown.stdout
    again = cli("import", "article", path, "--published", "2024-07-05", "--force", "-d", url)
    assert again.exit_code == 0, again.stderr
    assert " event " not in again.stdout


def _code(engine, kind):
    with engine.connect() as conn:
        return conn.execute(select(Event.code).where(Event.kind == kind)).scalar_one()
