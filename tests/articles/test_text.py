"""Reading, language, sentences, dates and numbers: no database needed."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from db.errors import UserError
from importers.articles.dates import find_dates
from importers.articles.lang import detect_language
from importers.articles.numbers import find_quantities
from importers.articles.text import decode, split_sentences, text_sha256
from tests.articles.conftest import ARTICLE_FIXTURES

WEDNESDAY = dt.date(2025, 6, 18)


@pytest.mark.parametrize(("name", "lang"), [("energi.id.txt", "id"), ("energy.en.txt", "en"),
                                            ("torgovlya.ru.txt", "ru"), ("nothing.en.txt", "en")])
def test_language_detection(name, lang):
    detection = detect_language((ARTICLE_FIXTURES / name).read_text(encoding="utf-8"))
    assert (detection.language, detection.sure) == (lang, True)


def test_language_detection_says_when_unsure():
    detection = detect_language("Jakarta and Bandung dan Medan.")
    assert not detection.sure and "unsure" in detection.note


@pytest.mark.parametrize("text", ["Le président a rencontré les dirigeants de la région pour discuter des "
                                  "relations et de la coopération économique dans le cadre du sommet annuel "
                                  "qui se tient cette semaine à Paris avec les partenaires et les amis.",
                                  "中国和哈萨克斯坦的合作关系不断发展。", "12345 67890"])
def test_unsupported_language_is_a_user_error(text):
    with pytest.raises(UserError, match=r"supported|Indonesian, English or Russian|no words"):
        detect_language(text)


def test_decode_keeps_the_text_but_the_bom_and_rejects_bad_input():
    assert decode("\ufeffTiongkok\r\n".encode(), "a.txt") == "Tiongkok\r\n"
    assert text_sha256("Tiongkok ü") == hashlib.sha256("Tiongkok ü".encode()).hexdigest()
    for raw, message in [(b"", "empty"), (b"  \n", "empty"), (b"\x00\x01\x02abc", "binary"),
                         (bytes(range(128, 256)) * 3, "not readable as text|binary")]:
        with pytest.raises(UserError, match=message):
            decode(raw, "bad.txt")


def test_sentences_keep_offsets_and_lines():
    text = "Dr. Lee visited the U.S. in 2014. He said: yes!\r\nSecond line\n\nThird “quoted.” Fourth."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["Dr. Lee visited the U.S. in 2014.", "He said: yes!", "Second line",
                                           "Third “quoted.”", "Fourth."]
    assert [s.line for s in sentences] == [1, 1, 2, 4, 4]
    for s in sentences:
        assert text[s.start:s.end] == s.text
        assert all(text[t.start:t.end] == t.text for t in s.tokens)


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("id", "Rabu lalu", ("2025-06-11", "day")),  # the Wednesday before a Wednesday is a week back
    ("id", "Maret lalu", ("2025-03-01", "month")),
    ("id", "Juli lalu", ("2024-07-01", "month")),  # July has not come yet in June: last year's
    ("id", "pada 2014", ("2014-01-01", "year")),
    ("id", "tahun lalu", ("2024-01-01", "year")),
    ("id", "tahun ini", ("2025-01-01", "year")),
    ("id", "bulan lalu", ("2025-05-01", "month")),
    ("id", "kemarin", ("2025-06-17", "day")),
    ("id", "3 Juli 2024", ("2024-07-03", "day")),
    ("id", "pada Mei", ("2025-05-01", "month")),
    ("en", "last Wednesday", ("2025-06-11", "day")),
    ("en", "last Monday", ("2025-06-16", "day")),
    ("en", "in March", ("2025-03-01", "month")),
    ("en", "in 2014", ("2014-01-01", "year")),
    ("en", "last year", ("2024-01-01", "year")),
    ("en", "July 3, 2024", ("2024-07-03", "day")),
    ("en", "3 July 2024", ("2024-07-03", "day")),
    ("ru", "в прошлом году", ("2024-01-01", "year")),
    ("ru", "в марте", ("2025-03-01", "month")),
    ("ru", "в 2014 году", ("2014-01-01", "year")),
    # datelines and dates without a year: the publication's year (or the one before, past half a year ahead)
    ("id", "Rabu (11/6)", ("2025-06-11", "day")),
    ("id", "Sabtu (5/6/2021)", ("2021-06-05", "day")),
    ("id", "pekan lalu", ("2025-06-01", "month")),
    ("id", "pada bulan Oktober", ("2024-10-01", "month")),
    ("id", "pertengahan tahun depan", ("2026-01-01", "year")),
    ("en", "On May 15", ("2025-05-15", "day")),
    ("en", "July 2-6", ("2025-07-02", "day")),
    ("en", "on Jan. 6", ("2025-01-06", "day")),
    ("en", "in December", ("2024-12-01", "month")),
    ("en", "next year", ("2026-01-01", "year")),
    ("ru", "4 июля", ("2025-07-04", "day")),
    ("ru", "14 марта", ("2025-03-14", "day")),
    ("ru", "с 2021 года", ("2021-01-01", "year")),
])
def test_dates_are_made_absolute_from_the_publication_date(lang, text, expected):
    found = find_dates(f"Kata x {text}.", lang, WEDNESDAY)
    assert [(d.on.isoformat(), d.precision) for d in found] == [expected]


@pytest.mark.parametrize(("lang", "text"), [("en", "double trade by 2030"), ("ru", "удвоить товарооборот к 2030 году"),
                                            ("ru", "построить до 2030 года")])
def test_a_target_year_is_not_when_something_happened(lang, text):
    (found,) = find_dates(text, lang, WEDNESDAY)
    assert (found.on, found.target) == (dt.date(2030, 1, 1), True)


def test_day_relative_dates_need_a_publication_day():
    (found,) = find_dates("Xi tiba Rabu lalu.", "id", dt.date(2024, 7, 1), "month")
    assert found.on is None and "month" in found.problem
    (month,) = find_dates("pada Maret", "id", dt.date(2024, 7, 1), "month")
    assert month.on == dt.date(2024, 3, 1)


def test_relative_dates_need_the_publication_date():
    (found,) = find_dates("Xi tiba Rabu lalu.", "id", None)
    assert found.on is None and "--published" in found.problem
    (absolute,) = find_dates("diresmikan pada 2014.", "id", None)
    assert absolute.on == dt.date(2014, 1, 1)


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("id", "berkapasitas 75 MW", [(Decimal(75), "MW", None)]),
    ("id", "sepanjang 8.445 km", [(Decimal(8445), "km", None)]),
    ("id", "senilai 1,5 miliar dolar AS", [(Decimal(1_500_000_000), None, "USD")]),
    ("id", "Rp 3,2 triliun dan 250 juta yuan", [(Decimal(3_200_000_000_000), None, "IDR"),
                                                 (Decimal(250_000_000), None, "CNY")]),
    ("en", "a $1.5 billion loan for 1,200 MW", [(Decimal(1_500_000_000), None, "USD"), (Decimal(1200), "MW", None)]),
    ("en", "300 million yuan over 8,445 km", [(Decimal(300_000_000), None, "CNY"), (Decimal(8445), "km", None)]),
    ("ru", "2,5 млрд долларов", [(Decimal(2_500_000_000), None, "USD")]),
])
def test_numbers_with_units_currency_and_scale_words(lang, text, expected):
    assert [(q.value, q.unit, q.currency) for q in find_quantities(text, lang)] == expected


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("id", "kereta berkecepatan 350 km per jam di jalur sepanjang 142,3 km",
     [("speed", 350), ("length", Decimal("142.3"))]),
    ("en", "trains run at 350 km/h", [("speed", 350)]),
    ("en", "it lies 15 kilometers away from the border", [("distance", 15)]),
    ("id", "berjarak sekitar 40 km dari bandara", [("distance", 40)]),
    ("ru", "в 15 км от города", [("distance", 15)]),
    ("en", "The 294-hectare dry port", [("area", 294)]),
    ("ru", "расширение на 50 МВт, мощностью 100 МВт", [("change", 50), ("power", 100)]),
    ("id", "menghabiskan USD7,27 miliar", [("money", Decimal("7270000000"))]),
])
def test_units_say_what_they_measure(lang, text, expected):
    found = find_quantities(text, lang)
    assert [(q.measure, q.value) for q in found] == expected
    assert [q.is_size for q in found] == [m in ("power", "length", "area") for m, _v in expected]
