"""Mentions and candidates on short articles written for these tests, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from importers.articles import analyse
from tests.articles.conftest import ARTICLE_FIXTURES

PUBLISHED = dt.date(2025, 6, 18)  # a Wednesday


def _analyse(engine, name, published=PUBLISHED):
    text = (ARTICLE_FIXTURES / name).read_text(encoding="utf-8")
    with engine.connect() as conn:
        return text, analyse(conn, text, published=published)


def _mentions(text, result):
    return [(m.sentence.line, m.entity.entity_type, m.entity.code, text[m.start:m.end]) for m in result.mentions]


def _projects(result):
    return {c.title: c for c in result.candidates if c.section == "projects"}


def test_indonesian_mentions_prefer_the_longest_name_and_handle_suffixes(known):
    text, result = _analyse(known, "energi.id.txt")
    assert _mentions(text, result) == [
        (1, "country", "IDN", "Indonesia"), (1, "country", "CHN", "Tiongkok"), (3, "country", "CHN", "Tiongkok"),
        (5, "forum", "BRI", "Prakarsa Sabuk dan Jalan"), (8, "country", "IDN", "Indonesia"),
        (8, "country", "CHN", "Tiongkok"), (9, "country", "CHN", "Tiongkoknya"), (9, "forum", "UN", "PBB"),
        # a name inside a longer one: the mechanism, not China
        (9, "forum", "CHINA-CENTRAL-ASIA", "mekanisme Tiongkok-Asia Tengah"),
    ]


def test_indonesian_candidates_for_every_cue(known):
    _text, result = _analyse(known, "energi.id.txt")
    projects = _projects(result)
    assert sorted(projects) == sorted([
        "Sidrap Dua wind farm", "Kayan Hulu hydropower plant", "Jawa Tengah coal-fired power plant",
        "Cirata solar power plant", "Morowali Nickel", "Medan Binjai toll road", "Jakarta Bandung high-speed railway",
        "Kuala Tanjung port", "Kendal industrial park", "Xiamen University branch"])
    wind = projects["Sidrap Dua wind farm"]
    assert wind.names == [("PLTB Sidrap Dua", "id")]
    assert (wind.fields["capacity"], wind.fields["capacity_unit"]) == (Decimal(75), "MW")
    assert (wind.fields["completed_on"], wind.fields["completed_precision"]) == (dt.date(2025, 6, 11), "day")
    assert [c.code for c in wind.countries] == ["IDN", "CHN"]
    hydro = projects["Kayan Hulu hydropower plant"]
    assert (hydro.fields["amount"], hydro.fields["currency"]) == (Decimal(1_500_000_000), "USD")
    assert (hydro.fields["committed_on"], hydro.fields["committed_precision"]) == (dt.date(2014, 1, 1), "year")
    assert projects["Cirata solar power plant"].fields["committed_on"] == dt.date(2024, 1, 1)  # tahun lalu
    assert "committed_on" not in projects["Jawa Tengah coal-fired power plant"].fields  # other clause
    toll = projects["Medan Binjai toll road"]
    assert (toll.fields["capacity"], toll.fields["completed_on"]) == (Decimal("16.7"), dt.date(2025, 3, 1))
    assert "capacity" not in projects["Morowali Nickel"].fields  # the 16,7 km belongs to the toll road
    assert projects["Jakarta Bandung high-speed railway"].framework.code == "BRI"
    assert projects["Xiamen University branch"].fields["location_name"] == "Selangor"
    agreements = {c.title: c for c in result.candidates if c.section == "agreements"}
    assert set(agreements) == {"China–Indonesia memorandum of understanding on energy",
                               "Indonesia–China target: double trade"}
    target = agreements["Indonesia–China target: double trade"]
    assert (target.fields["kind"], target.fields["target"], target.fields["subjects"]) == ("target", "double trade",
                                                                                           ["trade"])


def test_english_mentions_respect_case_and_never_iso_alpha2(known):
    text, result = _analyse(known, "energy.en.txt")
    found = _mentions(text, result)
    assert found == [
        (1, "country", "CHN", "China"), (1, "country", "PAK", "Pakistan"),
        (4, "forum", "BRI", "Belt and Road Initiative"),
        (4, "country", "CHN", "China"), (8, "country", "PAK", "Pakistan"), (8, "country", "CHN", "China"),
        (9, "forum", "UN", "UN"), (9, "country", "USA", "United States of America"), (9, "forum", "SCO", "SCO"),
    ]  # "US officials" (an ISO code) and "un-informed" (lower case) are not mentions


def test_english_candidates_for_every_cue(known):
    _text, result = _analyse(known, "energy.en.txt")
    projects = _projects(result)
    assert sorted(projects) == sorted([
        "Jhimpir wind farm", "Dasu hydropower plant", "Sahiwal power plant", "Karakoram highway", "Mainline railway",
        "Gwadar port", "Port of Karachi", "Rashakai industrial park", "Luban Workshop",
        "Tsinghua University branch campus"])  # not "50 MW project": a number is not a name
    assert projects["Jhimpir wind farm"].fields["completed_on"] == dt.date(2025, 6, 11)  # last Wednesday
    assert projects["Sahiwal power plant"].fields["amount"] == Decimal(1_500_000_000)
    assert projects["Mainline railway"].fields["committed_on"] == dt.date(2025, 3, 1)  # in March
    assert projects["Rashakai industrial park"].fields["completed_on"] == dt.date(2024, 1, 1)  # last year
    assert projects["Gwadar port"].framework.code == "BRI"
    campus = projects["Tsinghua University branch campus"]
    assert (campus.fields["location_name"], campus.fields["committed_on"]) == ("Islamabad", dt.date(2026, 1, 1))
    kinds = sorted((c.fields["kind"], c.title) for c in result.candidates if c.section == "agreements")
    assert kinds == [("memorandum", "China–Pakistan memorandum of understanding on energy"),
                     ("target", "Pakistan–China target: double trade")]


def test_russian_case_endings_and_acronyms(known):
    text, result = _analyse(known, "torgovlya.ru.txt")
    assert _mentions(text, result) == [
        (1, "country", "KAZ", "Казахстан"), (1, "country", "CHN", "Китая"), (1, "country", "KAZ", "Казахстана"),
        (2, "country", "KAZ", "Казахстана"), (2, "country", "CHN", "Китаем"), (2, "forum", "SCO", "ШОС"),
        (2, "forum", "UN", "ООН"),
    ]
    target = next(c for c in result.candidates if c.fields.get("kind") == "target")
    assert target.fields["signed_on"] == dt.date(2024, 1, 1)  # в прошлом году
    assert target.title == "Kazakhstan–China target: double trade"


def test_an_article_that_mentions_nothing_known(known):
    _text, result = _analyse(known, "nothing.en.txt")
    assert (result.mentions, result.ambiguous, result.candidates) == ([], [], [])
    assert len(result.sentences) == 3


@pytest.mark.parametrize(("text", "expected"), [
    ("Kerja sama China–Kazakhstan dan “China-Kazakhstan” berlanjut.", ["CHN", "KAZ", "CHN", "KAZ"]),
    ("Tiongkok's partners and China’s friends.", ["CHN", "CHN"]),
    ("the un-named china shop", []),  # lower case: not the proper names
])
def test_punctuation_and_case_tolerance(known, text, expected):
    with known.connect() as conn:
        result = analyse(conn, text, lang="en" if "partners" in text or "shop" in text else "id")
    assert [m.entity.code for m in result.mentions] == expected
