"""Events read from articles written for these tests, proposed in the review file and imported; both backends."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from sqlalchemy import select

from db import bi
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
    # who took part: the country visited hosts, the Chinese president's country visits; the memorandum signed
    # at the talks that day was signed during the visit
    assert [(c.code, role) for c, role in visit.roles] == [("KAZ", "host"), ("CHN", "visitor")]
    assert [(c.code, role) for c, role in summit.roles] == [("KAZ", "host")]  # Astana is in Kazakhstan
    memorandum = ["CHINA-KAZAKHSTAN-MEMORANDUM-OF-UNDERSTANDING-ON-ENERGY-2024-07-03"]  # dated: a title of parties only
    assert list(talks.agreements) == list(visit.agreements) == memorandum


HOSTED = {
    "id": ("Presiden Xi Jinping menerima kunjungan kenegaraan Presiden Prabowo Subianto di Istana, "
           "Sabtu (9/11/2024).\nSelama kunjungan itu, Indonesia dan Tiongkok menandatangani enam nota kesepahaman "
           "senilai US$ 10 miliar.\n"),
    "ru": ("Президент Казахстана Токаев 2 июля принял Председателя КНР Си Цзиньпина, прибывшего с государственным "
           "визитом.\nВ ходе визита стороны подписали соглашение о сотрудничестве в сфере энергетики.\n"),
    "en": ("Kazakhstan hosted Chinese President Xi Jinping for a state visit on July 2, 2024.\n"
           "During the visit, the two sides signed a memorandum of understanding on energy.\n"),
}


@pytest.mark.parametrize("lang", sorted(HOSTED))
def test_the_country_before_a_host_word_hosts_and_what_was_signed_during_the_visit_is_linked(known, lang):
    """"X menerima / принял / hosted Y": X hosts, Y visits (leaders and demonyms stand for their countries); a
    later sentence saying the agreement was signed during the visit links it to the visit and cites its line."""
    events = _events(known, HOSTED[lang], lang, published=dt.date(2024, 11, 20))
    (visit,) = events
    host, guest = ("CHN", "IDN") if lang == "id" else ("KAZ", "CHN")
    assert visit.kind == "visit"
    assert [(c.code, role) for c, role in visit.roles] == [(host, "host"), (guest, "visitor")]
    assert len(visit.agreements) == 1 and visit.lines == [1, 2]


def test_a_leader_abroad_on_a_known_day_is_a_visit_and_reported_dates_do_not_make_events(known):
    text = ("Rabu lalu, Xi dan Tokayev meresmikan sebuah pusat kebudayaan di Astana.\n"
            "Kerja sama itu akan terus diperluas, kata Tokayev kepada wartawan, Kamis.\n")
    events = {e.kind: e for e in _events(known, text, "id", published=dt.date(2024, 7, 5))}
    assert sorted(events) == ["opening", "visit"]
    visit = events["visit"]
    assert (visit.occurred_on, visit.place, visit.title) == (dt.date(2024, 7, 3), "Astana",
                                                             "Visit of China to Kazakhstan (Astana)")
    assert [(c.code, role) for c, role in visit.roles] == [("KAZ", "host"), ("CHN", "visitor")]


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
    assert "event summit 2024-07-04 'Shanghai Cooperation Organization summit in Astana' (line 5; host KAZ)" \
        in done.stdout
    assert "event visit 2024-07-03 'Visit of China to Kazakhstan' (line 3; host KAZ, visitor CHN; 1 agreement(s) " \
        "signed)" in done.stdout
    review = (tmp_path / "visit.en.review.yml").read_text(encoding="utf-8")
    assert "\nevents:\n" in review and "    kind: summit\n    title: Shanghai Cooperation Organization summit" in review
    assert "    countries:\n    - country: KAZ\n      role: host\n    - country: CHN\n      role: visitor\n" in review
    imported = cli("import", "bundle", tmp_path / "visit.en.review.yml", "-d", url)
    assert imported.exit_code == 0, imported.stderr
    with known.connect() as conn:
        rows = conn.execute(select(Event.kind, Event.occurred_on, Event.place_name).order_by(Event.kind)).all()
    assert rows == [("meeting", dt.date(2024, 7, 3), "Astana"), ("summit", dt.date(2024, 7, 4), "Astana"),
                    ("visit", dt.date(2024, 7, 3), None)]
    pairs = {(r["country_code"], r["partner_code"]): r["shared_events"] for r in bi.read_view(known, "country_pairs")}
    assert pairs[("CHN", "KAZ")] == 1  # the visit (the summit and the talks name Kazakhstan only)
    signed = bi.read_view(known, "event_agreements", order_by=["kind"])
    assert [(r["kind"], r["agreement_code"]) for r in signed] == [
        ("meeting", "CHINA-KAZAKHSTAN-MEMORANDUM-OF-UNDERSTANDING-ON-ENERGY-2024-07-03"),
        ("visit", "CHINA-KAZAKHSTAN-MEMORANDUM-OF-UNDERSTANDING-ON-ENERGY-2024-07-03")]
    shown = cli("explain", "event:" + _code(known, "summit"), "occurred_on", "-d", url)
    assert shown.exit_code == 0, shown.stderr
    assert "line 5" in shown.stdout
    again = cli("import", "article", path, "--published", "2024-07-05", "--force", "-d", url)
    assert again.exit_code == 0, again.stderr
    assert " event " not in again.stdout


def _code(engine, kind):
    with engine.connect() as conn:
        return conn.execute(select(Event.code).where(Event.kind == kind)).scalar_one()
