"""Codes and spellings of treaty lists and statistical tables (ISO numeric, ISO 3166-3, former states,
inversions without a comma, "(former)"), declared code schemes, and forums that are not countries."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from db.engine import make_engine
from db.models import Base
from importers.resolve import CountryResolver


@pytest.mark.parametrize(("text", "code", "how"), [
    ("4", "AFG", "numeric"), ("398", "KAZ", "numeric"), ("810", "SUN", "numeric"),
    ("SUHH", "SUN", "iso3166_3"), ("YUCS", "YUG", "iso3166_3"), ("CSHH", "CSK", "iso3166_3"),
    ("DDDE", "DDR", "iso3166_3"), ("ANHH", "ANT", "iso3166_3"),
    ("SU", "SUN", "iso3166_3_alpha2"), ("YU", "YUG", "iso3166_3_alpha2"), ("DD", "DDR", "iso3166_3_alpha2"),
    ("Korea Republic of", "KOR", "inverted"), ("Iran Islamic Republic of", "IRN", "inverted"),
    ("Congo Democratic Republic of the", "COD", "inverted"),
    ("USSR (former)", "SUN", "former"), ("Former Yugoslavia", "YUG", "former"),
    ("Serbia and Montenegro (former)", "SCG", "former"),
    ("Hong Kong, China SAR", "HKG", "alias:en"), ("Macao, China SAR", "MAC", "alias:en"),
    ("Taiwan Province of China", "TWN", "alias:en"), ("Taiwan, Province of China", "TWN", "name:en"),
    ("Czech and Slovak Republic", "CSK", "former:en"), ("State Union of Serbia and Montenegro", "SCG", "former:en"),
    ("Rhodesia", "RHO", "former:en"), ("Tanganyika", "TZA", "former:en"),
])
def test_treaty_list_spellings_resolve(resolver, text, code, how):
    found = resolver.resolve(text)
    assert (found.code, found.how) == (code, how)


def test_cs_is_two_former_states(resolver):
    found = resolver.resolve("CS")
    assert found.status == "ambiguous" and [c for c, _n in found.candidates] == ["CSK", "SCG"]


@pytest.mark.parametrize(("text", "scheme", "code"), [
    ("398", "numeric", "KAZ"), ("KZ", "alpha2", "KAZ"), ("KAZ", "alpha3", "KAZ"), ("SUHH", "iso3166_3", "SUN"),
    ("Kazakhstan", "names", "KAZ"), ("398", "codes", "KAZ"),
    ("KZ", "alpha3", None), ("398", "alpha2", None), ("EC", "names", None), ("KAZ", "numeric", None),
])
def test_a_declared_scheme_takes_only_its_codes(resolver, text, scheme, code):
    assert resolver.resolve_as(text, scheme).code == code


@pytest.fixture(scope="module")
def with_forums(countries_sqlite, tmp_path_factory):
    import shutil

    path = tmp_path_factory.mktemp("forums") / "c.sqlite"
    shutil.copy(countries_sqlite.removeprefix("sqlite:///"), path)
    engine = make_engine(f"sqlite:///{path}")
    forums = Base.metadata.tables["forums"]
    with engine.begin() as conn:
        for code, name in (("EU", "European Union"), ("ASEAN", "Association of Southeast Asian Nations"),
                           ("EC", "European Communities"), ("GUAM", "GUAM Organization for Democracy")):
            conn.execute(insert(forums).values(code=code, name=name, acronym=code, kind="other"))
    with engine.connect() as conn:
        loaded = CountryResolver.load(conn)
    engine.dispose()
    return loaded


@pytest.mark.parametrize(("text", "forum"), [
    ("EU", "EU"), ("European Union", "EU"), ("ASEAN", "ASEAN"), ("GUAM", "GUAM"),
])
def test_a_forum_is_not_a_country(with_forums, text, forum):
    found = with_forums.resolve(text)
    assert (found.status, found.how, found.code, found.note) == ("unknown", "forum", forum,
                                                                 f"not a country: forum {forum}")


def test_an_alpha2_code_that_is_also_a_bloc_is_ambiguous_unless_declared(with_forums):
    found = with_forums.resolve("EC")
    assert found.status == "ambiguous" and "forum EC" in found.note
    assert with_forums.resolve_as("EC", "alpha2").code == "ECU"
    assert with_forums.resolve_as("EC", "names").how == "forum"
    assert with_forums.resolve("Guam").code == "GUM"
