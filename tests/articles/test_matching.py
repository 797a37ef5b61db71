"""Mentions and candidates on short articles written for these tests, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from importers.articles import analyse
from importers.quickstart import run_all
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
    assert (hydro.fields["started_on"], hydro.fields["started_precision"]) == (dt.date(2014, 1, 1), "year")
    assert projects["Cirata solar power plant"].fields["committed_on"] == dt.date(2024, 1, 1)  # tahun lalu
    assert "committed_on" not in projects["Jawa Tengah coal-fired power plant"].fields  # other clause
    toll = projects["Medan Binjai toll road"]
    assert (toll.fields["capacity"], toll.fields["completed_on"]) == (Decimal("16.7"), dt.date(2025, 3, 1))
    assert "capacity" not in projects["Morowali Nickel"].fields  # the 16,7 km belongs to the toll road
    assert projects["Jakarta Bandung high-speed railway"].framework.code == "BRI"
    assert projects["Xiamen University branch"].fields["location_name"] == "Selangor"
    agreements = {c.title: c for c in result.candidates if c.section == "agreements"}
    assert set(agreements) == {"China–Indonesia memorandum of understanding on energy worth IDR 3,200,000,000,000",
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
    assert projects["Mainline railway"].fields["started_on"] == dt.date(2025, 3, 1)  # "started in March"
    assert projects["Rashakai industrial park"].fields["completed_on"] == dt.date(2024, 1, 1)  # last year
    assert projects["Gwadar port"].framework.code == "BRI"
    campus = projects["Tsinghua University branch campus"]
    assert campus.fields["location_name"] == "Islamabad"
    assert "committed_on" not in campus.fields and any("planned" in r for r in campus.reasons)  # "will open in 2026"
    kinds = sorted((c.fields["kind"], c.title) for c in result.candidates if c.section == "agreements")
    assert kinds == [("memorandum", "China–Pakistan memorandum of understanding on energy worth CNY 300,000,000"),
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


def _analyse_text(engine, text, lang, published=dt.date(2024, 7, 5)):
    with engine.connect() as conn:
        return analyse(conn, text, lang=lang, published=published)


def test_one_candidate_per_thing_headline_words_brackets_and_references(known):
    text = ("Kereta Cepat Bandung-Surabaya Resmi Beroperasi, Proyek Disebut Selesai Tepat Waktu\n"
            "Presiden meresmikan Kereta Cepat Bandung-Surabaya (KCBS) bersama Tiongkok, Rabu (3/7).\n"
            "Proyek kereta cepat Bandung-Surabaya itu menghabiskan US$ 5,2 miliar.\n"
            "KCBS melaju 300 km per jam di jalur sepanjang 300 km.\n")
    result = _analyse_text(known, text, "id")
    (railway,) = [c for c in result.candidates if c.section == "projects"]
    assert railway.title == "Bandung-Surabaya high-speed railway"
    assert ("KCBS", "id") in railway.names and not any("(" in n or "Resmi" in n for n, _l in railway.names)
    assert (railway.fields["amount"], railway.fields["currency"]) == (Decimal("5200000000"), "USD")
    assert (railway.fields["capacity"], railway.fields["capacity_unit"]) == (Decimal(300), "km")  # the length
    assert railway.fields["completed_on"] == dt.date(2024, 7, 3)
    assert railway.lines == [1, 2, 3, 4]


def test_two_names_are_not_joined_across_and_the(known):
    result = _analyse_text(known, "Pakistan financed the Karot Dam and the Thar Coal power plant in 2019.", "en")
    assert [c.title for c in result.candidates if c.section == "projects"] == ["Karot Dam", "Thar Coal power plant"]


def test_sentence_facts_go_to_the_main_subject_and_speeds_are_not_sizes(known):
    text = ("The Khorgos Eastern Gate dry port opened in 2015 with Chinese support.\n"
            "The 200-hectare dry port lies 8 kilometers away from the border.\n"
            "The project cost $300 million.\n")
    (port,) = _analyse_text(known, text, "en").candidates
    assert port.title == "Khorgos Eastern Gate dry port"
    assert (port.fields["capacity"], port.fields["capacity_unit"], port.fields["amount"]) == (
        Decimal(200), "ha", Decimal(300_000_000))
    assert [c.code for c in port.countries] == ["CHN"]  # "Chinese": a demonym is evidence of a country
    assert any("distance" in r for r in port.reasons)


def test_russian_adjective_names_in_any_case(known):
    text = ("Китайская компания построит Шокпарскую ВЭС мощностью 60 МВт.\n"
            "Строительство Шокпарской ВЭС начато в 2023 году.\n")
    (wind,) = [c for c in _analyse_text(known, text, "ru").candidates if c.section == "projects"]
    assert wind.title == "Shokpar wind farm"
    assert {n for n, _l in wind.names} >= {"Шокпарскую ВЭС", "Шокпарской ВЭС"}
    assert (wind.fields["capacity"], wind.fields["started_on"]) == (Decimal(60), dt.date(2023, 1, 1))


def test_one_agreement_per_signing_sentence_with_count_and_value(known):
    text = ("Indonesia and China sign 4 agreements worth $2 billion\n"
            "JAKARTA, July 4 -- Indonesia and China signed 4 agreements worth $2 billion on Wednesday.\n"
            "The deals cover energy and health.\n"
            "The two countries also signed 2 agreements on education on July 2.\n"
            "Kazakh and Chinese ministers agreed to expand trade.\n")
    agreements = [c for c in _analyse_text(known, text, "en").candidates if c.section == "agreements"]
    assert [(c.lines, c.count, c.fields.get("amount")) for c in agreements] == [
        ([1, 2, 3], 4, Decimal(2_000_000_000)), ([4], 2, None), ([5], None, None)]
    assert agreements[0].fields["signed_on"] == dt.date(2024, 7, 3)  # "on Wednesday", not the dateline
    assert agreements[0].fields["subjects"] == ["energy", "health"]
    assert agreements[1].fields["signed_on"] == dt.date(2024, 7, 2)
    assert [c.code for c in agreements[2].countries] == ["KAZ", "CHN"]  # demonyms


def test_an_acronym_of_a_country_the_article_names_in_full(engine):
    run_all(engine)
    text = ("China and the Republic of Kazakhstan signed a transit agreement.\n"
            "The ROK will expand the Khorgos crossing.\n")
    result = _analyse_text(engine, text, "en")
    assert {m.entity.code for m in result.mentions} == {"CHN", "KAZ"}  # ROK here is not South Korea


def test_a_known_project_under_a_variant_or_russian_name_is_recognised(engine):
    run_all(engine)
    text = ("The China-Kazakhstan Logistics Base in Lianyungang opened in 2014.\n"
            "Казахстанские специалисты осмотрели Тургусунскую ГЭС.\n")
    result = _analyse_text(engine, text, "en")
    assert [c.known.code for c in result.recognised] == ["CN-KZ-LIANYUNGANG-LOGISTICS-BASE"]
    result = _analyse_text(engine, text.splitlines()[1], "ru")
    assert [c.known.code for c in result.recognised] == ["KZ-TURGUSUN-HYDRO"]
    assert result.candidates == []
