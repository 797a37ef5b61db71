"""News as agencies write it, beyond the corpus the reader was first built on: amounts before the word
"deal", agreements referred back to ("The deal was signed ..."), lines named by the countries they join,
one thing written on to a second cue, words inside names and work words, codes of agreements titled by
their parties. On the quickstart's reference data, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Agreement
from importers.articles import analyse
from importers.articles.numbers import find_quantities
from importers.quickstart import run_all
from importers.yaml_bundle import import_bundle
from tests.conftest import url_text

METRO = (
    "China and Uzbekistan sign $1.2 billion deal for Tashkent metro extension\n\n"
    "TASHKENT, March 14, 2024 — China Railway Construction Corporation and the government of Uzbekistan signed an "
    "agreement on Thursday to extend the Tashkent metro by 22 kilometres.\n\n"
    "The deal was signed during a visit by Uzbek President Shavkat Mirziyoyev to Beijing, where he met Chinese "
    "President Xi Jinping.\n\n"
    "Separately, the Kamchik tunnel rehabilitation project, completed in 2016 with Chinese help, will receive "
    "$50 million.\n")


@pytest.fixture
def reference(engine):
    run_all(engine)
    return engine


def _analyse(engine, text: str, published: dt.date):
    with engine.connect() as conn:
        return analyse(conn, text, published=published)


def _section(result, section: str):
    return [c for c in result.candidates if c.section == section]


def _known(engine, tmp_path, records: str) -> None:
    """Import records (YAML of a bundle's sections) cited by a test data set, as a data set would state them."""
    bundle = tmp_path / "known.yml"
    bundle.write_text("sources:\n- {key: dataset:test, kind: dataset, title: Test, published_on: 2017-01-01}\n"
                      + textwrap.dedent(records), encoding="utf-8")
    import_bundle(engine, bundle)


def test_one_deal_told_in_the_headline_the_lead_and_again_later(reference):
    result = _analyse(reference, METRO, dt.date(2024, 3, 15))
    (deal,) = _section(result, "agreements")
    assert deal.lines == [1, 3, 5]  # "sign $1.2 billion deal", "signed an agreement", "The deal was signed"
    assert "count" not in deal.fields  # the 2 of "$1.2 billion" counts no agreements
    assert (deal.fields["amount"], deal.fields["currency"]) == (Decimal("1200000000"), "USD")
    assert deal.fields["signed_on"] == dt.date(2024, 3, 14)
    # titled by its parties only: its code takes its date
    assert deal.code == "CHINA-UZBEKISTAN-AGREEMENT-2024-03-14"
    # the visit it was signed at has no date of its own: the deal's day, host the country of its capital
    (visit,) = [e for e in result.events if e.kind == "visit"]
    assert (visit.occurred_on, visit.precision) == (dt.date(2024, 3, 14), "day")
    assert [(c.code, role) for c, role in visit.roles] == [("CHN", "host"), ("UZB", "visitor")]
    assert list(visit.agreements) == [deal.code]


def test_a_thing_written_on_to_a_second_cue_is_one_project(reference):
    result = _analyse(reference, METRO, dt.date(2024, 3, 15))
    projects = {c.title: c for c in _section(result, "projects")}
    assert sorted(projects) == ["Kamchik tunnel", "Tashkent metro"]
    kamchik = projects["Kamchik tunnel"]
    assert kamchik.names == [("Kamchik tunnel rehabilitation project", "en")]
    assert (kamchik.fields["completed_on"], kamchik.fields["amount"]) == (dt.date(2016, 1, 1), Decimal("50000000"))
    # "Construction" inside the builder's name dates no start of works: the metro's date is the agreement's
    assert projects["Tashkent metro"].fields.get("committed_on") == dt.date(2024, 3, 14)
    assert "started_on" not in projects["Tashkent metro"].fields


@pytest.mark.parametrize(("text", "lines"), [
    ("Kazakhstan and China agreed on Monday to build a gas pipeline.\n"
     "The agreement was signed in Astana by the two energy ministers.\n", [1, 2]),
    ("Indonesia dan Tiongkok menandatangani nota kesepahaman energi di Beijing pada 10 Juli 2023.\n"
     "Perjanjian tersebut ditandatangani oleh Menteri Investasi.\n", [1, 2]),
    ("Казахстан и Китай договорились о строительстве газопровода.\n"
     "Документ был подписан в Астане министрами энергетики.\n", [1, 2]),
])
def test_an_agreement_referred_back_to_is_the_one_reported(reference, text, lines):
    (agreement,) = _section(_analyse(reference, text, dt.date(2023, 7, 12)), "agreements")
    assert agreement.lines == lines


def test_a_line_between_countries_is_named_by_them_and_work_words_make_no_match(reference, tmp_path):
    # a known project whose title is a work word and a thing: "Construction of hospital"
    _known(reference, tmp_path, """\
        projects:
        - {code: P-HOSPITAL, title: Construction of hospital, cites: [{source: dataset:test}]}
        """)
    text = ("BISHKEK, December 27, 2024 - Construction of the China-Kyrgyzstan-Uzbekistan railway officially "
            "started on Friday.\nThe 523-km railway line will cost an estimated $4.7 billion.\n")
    result = _analyse(reference, text, dt.date(2024, 12, 28))
    assert not result.recognised
    (railway,) = _section(result, "projects")
    assert railway.title == "China-Kyrgyzstan-Uzbekistan railway"
    assert [c.code for c in railway.countries] == ["CHN", "KGZ", "UZB"]
    assert (railway.fields["started_on"], railway.fields["capacity"], railway.fields["amount"]) == \
        (dt.date(2024, 12, 27), Decimal("523"), Decimal("4700000000"))
    # a Russian name after its cue gets an English title; the Russian phrase stays a name
    ru = _analyse(reference, "Казахстан и Китай построят газопровод Бейнеу — Бозой — Шымкент.\n", dt.date(2023, 7, 6))
    (pipeline,) = _section(ru, "projects")
    assert pipeline.title == "Beyneu — Bozoy — Shymkent gas pipeline"
    assert pipeline.names == [("газопровод Бейнеу — Бозой — Шымкент", "ru")]


def test_an_agreement_titled_by_its_parties_is_not_taken_for_another_of_theirs(reference, tmp_path):
    _known(reference, tmp_path, """\
        agreements:
        - code: CHINA-UZBEKISTAN-AGREEMENT
          title: China–Uzbekistan agreement
          kind: other
          signed_on: 2019-04-25
          parties: [{country: CHN, role: party}, {country: UZB, role: party}]
          cites: [{source: dataset:test}]
        """)
    result = _analyse(reference, METRO, dt.date(2024, 3, 15))
    assert [c.known.code for c in result.recognised if c.section == "agreements"] == []
    assert [c.code for c in _section(result, "agreements")] == ["CHINA-UZBEKISTAN-AGREEMENT-2024-03-14"]
    assert not [u for u in result.updates if u.record_type == "agreement"]  # the 2019 agreement is left alone


def test_the_review_file_of_an_article_imports_as_it_is(reference, db_url, cli, tmp_path):
    text = METRO + "The two leaders also agreed to expand cooperation within the SCO.\n" \
        "Uzbekistan and China also agreed to double trade.\n"
    path = tmp_path / "metro.en.txt"
    path.write_text(text, encoding="utf-8")
    made = cli("import", "article", path, "--published", "2024-03-15", "-d", url_text(db_url))
    assert made.exit_code == 0, made.stderr
    review = tmp_path / "metro.en.review.yml"
    imported = cli("import", "bundle", review, "-d", url_text(db_url))
    assert imported.exit_code == 0, imported.stderr  # no two records with one code
    with reference.connect() as conn:
        codes = conn.execute(select(Agreement.code).order_by(Agreement.code)).scalars().all()
    assert "CHINA-UZBEKISTAN-AGREEMENT-2024-03-14" in codes
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(("text", "value", "currency"), [
    ("at a cost of about 612 million U.S. dollars.", "612000000", "USD"),
    ("worth 612 million US dollars", "612000000", "USD"),
    ("a $612m loan", "612000000", "USD"),
    ("a $1.2-billion loan", "1200000000", "USD"),
    ("612 mln USD", "612000000", "USD"),
    ("£40 million", "40000000", "GBP"),
    ("KSh 2 billion", "2000000000", "KES"),
])
def test_amounts_as_news_agencies_write_them(text, value, currency):
    (q,) = find_quantities(text, "en")
    assert (q.value, q.currency) == (Decimal(value), currency)


@pytest.mark.parametrize(("text", "value", "unit"), [("The 55 MW plant", "55", "MW"), ("the 55MW plant", "55", "MW"),
                                                      ("2 x 135 MW", "270", "MW")])
def test_a_scale_letter_is_not_read_out_of_a_unit(text, value, unit):
    (q,) = find_quantities(text, "en")
    assert (q.value, q.unit, q.currency) == (Decimal(value), unit, None)


def test_a_place_with_an_apostrophe_is_one_word(reference):
    text = ("Kazakh President Kassym-Jomart Tokayev paid a state visit to China on May 18, 2023 and met "
            "President Xi Jinping in Xi'an.\n")
    (visit,) = _analyse(reference, text, dt.date(2023, 5, 20)).events
    assert visit.place == "Xi'an"
    assert [(c.code, role) for c, role in visit.roles] == [("CHN", "host"), ("KAZ", "visitor")]


def test_memoranda_referred_back_to_and_a_place_said_of_a_project(reference):
    text = ("Pakistan, China ink 23 MoUs worth 4.2 bln USD\n\n"
            "ISLAMABAD, June 8 -- Pakistan and China on Saturday inked 23 memoranda of understanding worth 4.2 billion "
            "U.S. dollars in energy and mining.\n\n"
            "The MoUs were signed at a business forum in Shenzhen attended by Pakistani Prime Minister Shehbaz "
            "Sharif.\n\nSharif also visited the Karachi-based project office of the Main Line-1 railway.\n")
    result = _analyse(reference, text, dt.date(2024, 6, 9))
    (mous,) = _section(result, "agreements")
    assert mous.lines == [1, 3, 5] and mous.count == 23
    assert (mous.fields["amount"], mous.fields["kind"]) == (Decimal("4200000000"), "memorandum")
    assert [c.title for c in _section(result, "projects")] == ["Main Line-1 railway"]  # not "Karachi-based project"


def test_a_country_at_the_end_of_a_person_s_or_company_s_name_is_no_mention(reference):
    text = ("Serbia and China signed a deal on steel.\n"
            "It was signed by Serbian Finance Minister Sinisa Mali and HBIS in the Republic Kazakhstan.\n"
            "Production in Inner Mongolia and in Mali rose.\n")
    result = _analyse(reference, text, dt.date(2023, 11, 4))
    mentioned = [(m.sentence.line, m.entity.code) for m in result.mentions]
    assert mentioned == [(1, "SRB"), (1, "CHN"), (2, "KAZ"), (3, "MLI")]


def test_a_russian_line_named_by_countries_gets_their_english_names_and_meets_a_known_one(reference, tmp_path):
    text = ("Стороны обсудили строительство железной дороги Китай — Кыргызстан — Узбекистан протяженностью 523 км.\n"
            "Стоимость проекта оценивается в 4,7 млрд долларов.\n")
    (railway,) = _section(_analyse(reference, text, dt.date(2025, 3, 4)), "projects")
    assert railway.title == "China–Kyrgyzstan–Uzbekistan railway"
    assert railway.code == "CHINA-KYRGYZSTAN-UZBEKISTAN-RAILWAY"
    assert (railway.fields["capacity"], railway.fields["amount"]) == (Decimal("523"), Decimal("4700000000"))
    _known(reference, tmp_path, """\
        projects:
        - {code: CKU-RAIL, title: China-Kyrgyzstan-Uzbekistan Railway, cites: [{source: dataset:test}]}
        """)
    result = _analyse(reference, text, dt.date(2025, 3, 4))
    assert [c.known.code for c in result.recognised] == ["CKU-RAIL"] and not _section(result, "projects")


def test_a_plant_described_with_its_place_and_an_inflected_russian_cue(reference):
    text = ("Sementara itu, pembangunan pabrik baterai kendaraan listrik di Karawang oleh perusahaan Tiongkok CATL "
            "dan Indonesia Battery Corporation dimulai pada Juni 2023. Nilai investasi pabrik tersebut mencapai "
            "1,2 miliar dolar AS.\n")
    (plant,) = _section(_analyse(reference, text, dt.date(2023, 7, 13)), "projects")
    assert plant.title == "pabrik baterai kendaraan listrik di Karawang"  # a description: to be given a title
    assert any("give it a title" in r for r in plant.reasons)
    # "CATL dan Indonesia Battery Corporation" joins two names: the start date is the plant's
    assert (plant.fields["started_on"], plant.fields["started_precision"]) == (dt.date(2023, 6, 1), "month")
    assert plant.fields["amount"] == Decimal("1200000000")  # "pabrik tersebut" refers back to it
    ru = _analyse(reference, "В морском порту Актау в среду открыли контейнерный хаб.\n", dt.date(2024, 9, 13))
    (port,) = _section(ru, "projects")
    assert port.title == "Aktau port" and port.fields["completed_on"] == dt.date(2024, 9, 11)


def test_a_swap_referred_back_to_a_carriageway_and_a_line_that_began_operations(reference):
    swap = ("Argentina's central bank said on Friday it had renewed its currency swap agreement with China.\n"
            "The swap, worth 130 billion yuan ($18 billion), lets Argentina pay for imports in yuan. "
            "The two central banks first signed the arrangement in 2009.\n")
    (agreement,) = _section(_analyse(reference, swap, dt.date(2023, 6, 3)), "agreements")
    assert agreement.lines == [1, 2]
    assert (agreement.fields["amount"], agreement.fields["currency"]) == (Decimal("130000000000"), "CNY")
    assert agreement.fields["signed_on"] == dt.date(2023, 6, 2)  # not the first signing of 2009
    road = ("Zambia signs loan with China Exim for Lusaka-Ndola road\n"
            "Zambia signed a loan agreement with China on Tuesday to build the Lusaka-Ndola dual carriageway.\n"
            "The 327-kilometre highway will be built by a Chinese company.\n")
    (carriageway,) = _section(_analyse(reference, road, dt.date(2023, 2, 15)), "projects")
    assert carriageway.lines == [1, 2, 3] and carriageway.fields["capacity"] == Decimal("327")
    metro = ("Hanoi's first metro line opens after decade of delays\n"
             "Vietnam's first urban railway, the Cat Linh-Ha Dong metro line, began commercial operations on "
             "Saturday, more than ten years after construction started.\n")
    result = _analyse(reference, metro, dt.date(2021, 11, 7))
    assert [c.title for c in _section(result, "projects")] == ["Cat Linh-Ha Dong metro line"]  # not "Hanoi's first"
    assert [(e.kind, e.occurred_on) for e in result.events] == [("opening", dt.date(2021, 11, 6))]


def test_a_hydropower_plant_in_the_news_is_the_known_dam_of_a_data_set(reference, tmp_path):
    _known(reference, tmp_path, """\
        projects:
        - code: P-MEMVE
          title: China loans 243 billion FCFA to construct Memve'ele Dam in Cameroon
          status: under_construction
          participants: [{country: CMR, role: recipient}]
          cites: [{source: dataset:test}]
        - {code: P-JATI-DAM, title: Jatigede Dam, cites: [{source: dataset:test}]}
        - {code: P-JATI-PLANT, title: Jatigede hydropower plant, cites: [{source: dataset:test}]}
        """)
    text = ("Cameroon inaugurates Memve'ele plant\n"
            "YAOUNDE, June 9, 2017 - Cameroon's President on Friday inaugurated the 211-megawatt Memve'ele "
            "hydropower plant, built by a Chinese company.\n"
            "The Jatigede hydropower plant in Indonesia is also complete.\n")
    result = _analyse(reference, text, dt.date(2017, 6, 10))
    assert sorted(c.known.code for c in result.recognised) == ["P-JATI-PLANT", "P-MEMVE"]  # the plant, not the dam
    (update,) = [u for u in result.updates if u.code == "P-MEMVE"]
    changes = {c.field: c.new for c in update.changes}
    assert changes["capacity"] == "211 MW" and changes["completed_on"] == "2017-06-09"
    (opening,) = [e for e in result.events if e.kind == "opening"]
    assert opening.title == "Opening of Memve'ele hydropower plant"  # as the article says, not the data set's title


def test_a_signing_without_a_date_is_dated_by_the_agreement_just_reported(reference):
    text = ("Jakarta (ANTARA) - Pemerintah Indonesia dan China menandatangani perjanjian pinjaman senilai 450 juta "
            "dolar AS untuk pembangunan Bendungan Jatiluhur II pada Kamis (14/3/2024).\n"
            "Penandatanganan dilakukan oleh Menteri Keuangan dan Duta Besar China di Jakarta.\n")
    result = _analyse(reference, text, dt.date(2024, 3, 15))
    (loan,) = _section(result, "agreements")
    (signing,) = [e for e in result.events if e.kind == "signing"]
    assert (signing.occurred_on, signing.precision) == (dt.date(2024, 3, 14), "day")
    assert list(signing.agreements) == [loan.code]
    assert [(c.code, role) for c, role in signing.roles] == [("IDN", "host"), ("CHN", "participant")]


def test_the_value_of_one_deal_among_several_is_that_deal_s(reference):
    text = ("BEIJING, June 7, 2024 -- Pakistan and China signed 12 agreements on Friday, including a $2 billion "
            "deal to build the Karachi-Hyderabad motorway and a memorandum on the Gwadar East Bay Expressway.\n")
    result = _analyse(reference, text, dt.date(2024, 6, 8))
    (twelve,) = _section(result, "agreements")
    assert twelve.count == 12 and "amount" not in twelve.fields  # $2 billion is one deal's, not the twelve's
    projects = {c.title: c for c in _section(result, "projects")}
    assert projects["Karachi-Hyderabad motorway"].fields["amount"] == Decimal("2000000000")
    assert "amount" not in projects["Gwadar East Bay Expressway"].fields


def test_an_english_thing_named_only_by_its_place(reference):
    text = ("The agreements also cover a new coal power plant in Thar.\n"
            "A Chinese company will build a port in Gwadar and a hospital in Kenya.\n"
            "The Zhanatas wind farm was opened on June 1, 2021. The project in Zhambyl region cost $142 million.\n")
    result = _analyse(reference, text, dt.date(2024, 6, 8))
    projects = {c.title: c for c in _section(result, "projects")}
    assert sorted(projects) == ["Gwadar port", "Thar power plant"]  # not a hospital "in Kenya": a country
    assert projects["Thar power plant"].names == [("coal power plant in Thar", "en")]
    # "the project in Zhambyl region" refers back to the wind farm: no "Zhambyl project"
    assert [c.known.code for c in result.recognised] == ["KZ-ZHANATAS-WIND"]
    (update,) = result.updates
    assert {c.field for c in update.changes} >= {"amount"}


@pytest.mark.parametrize(("text", "host"), [
    ("Chinese President Xi Jinping visited Kazakhstan on July 3, 2024.\n", "KAZ"),
    ("Chinese Premier Li Qiang visited Nairobi on May 3, 2024 and met Kenyan President William Ruto.\n", "KEN"),
    ("Presiden Joko Widodo mengunjungi Beijing pada 27 Juli 2023.\n", "CHN"),
    ("Президент Токаев посетил Пекин 17 мая 2024 года.\n", "CHN"),
])
def test_the_country_or_capital_a_leader_visited_is_the_host(reference, text, host):
    (visit,) = [e for e in _analyse(reference, text, dt.date(2024, 7, 28)).events if e.kind == "visit"]
    assert [c.code for c, role in visit.roles if role == "host"] == [host]
