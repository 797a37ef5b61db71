"""CountryResolver: exact and alias matches, ambiguities, former states, languages, never a guess."""

from __future__ import annotations

import pytest

from importers.resolve import name_key

MATCHES = {
    # spelling -> code
    "Tiongkok": "CHN", "People's Republic of China": "CHN", "China (People's Republic of)": "CHN",
    "PRC": "CHN", "RRT": "CHN", "Korea, Rep.": "KOR", "Korea, Republic of": "KOR", "ROK": "KOR",
    "DPRK": "PRK", "Korea, Dem. Rep.": "PRK", "Congo, Dem. Rep.": "COD", "Congo, Rep.": "COG",
    "congobrazz": "COG", "Cote d'Ivoire": "CIV", "Côte d’Ivoire": "CIV", "COTE D'IVOIRE": "CIV",
    "Türkiye": "TUR", "Turkey": "TUR", "Viet Nam": "VNM", "Kyrgyz Republic": "KGZ",
    "Russian Federation": "RUS", "UAE": "ARE", "USA": "USA", "UK": "GBR", "the Netherlands": "NLD",
    "Swaziland": "SWZ", "Burma": "MMR", "Macedonia, FYR": "MKD", "Bosnia-Herzegovina": "BIH",
    "Trinidad & Tobago": "TTO", "St. Lucia": "LCA", "Saint Lucia": "LCA", "Micronesia, Federated States of": "FSM",
    "Kazakhstan\u00a0": "KAZ", "  kazakhstan ": "KAZ", "KZ": "KAZ", "KAZ": "KAZ", "Kosovo": "XKX",
    "Georgia": "GEO",
}


@pytest.mark.parametrize(("text", "code"), MATCHES.items())
def test_matches(resolver, text, code):
    result = resolver.resolve(text)
    assert (result.status, result.code) == ("match", code), result
    assert result.ok and result.country_id is not None and result.how


@pytest.mark.parametrize(("text", "lang", "code"), [
    ("Tiongkok", "id", "CHN"), ("Amerika Serikat", "id", "USA"), ("Korea Selatan", "id", "KOR"),
    ("Kazakstan", "id", "KAZ"), ("Rusia", "id", "RUS"),
    ("Китай", "ru", "CHN"), ("Казахстан", "ru", "KAZ"), ("Республика Корея", "ru", "KOR"), ("СССР", "ru", "SUN"),
    ("中国", "zh", "CHN"), ("哈萨克斯坦", "zh", "KAZ"), ("中华人民共和国", "zh", "CHN"), ("苏联", "zh", "SUN"),
    ("Қытай", "kk", "CHN"), ("Қазақстан", "kk", "KAZ"), ("Ресей", "kk", "RUS"), ("ҚХР", "kk", "CHN"),
])
def test_names_in_other_languages(resolver, text, lang, code):
    assert resolver.resolve(text, lang).code == code
    assert resolver.resolve(text).code == code  # also without saying the language


def test_language_breaks_a_cross_language_tie(resolver):
    # "Конго" is the Republic of the Congo in Russian and DR Congo in Kazakh.
    assert resolver.resolve("Конго").status == "ambiguous"
    assert resolver.resolve("Конго", "ru").code == "COG"
    assert resolver.resolve("Конго", "kk").code == "COD"


@pytest.mark.parametrize(("text", "candidates"), [
    ("Congo", {"COG", "COD"}), ("the Congo", {"COG", "COD"}), ("Korea", {"KOR", "PRK", "XKOR"}),
    ("Guinea", {"GIN", "GNB", "GNQ", "PNG"}), ("Sudan", {"SDN", "SSD"}), ("Macedonia", {"MKD", "GRC"}),
    ("virgin islands", {"VGB", "VIR"}),
])
def test_ambiguous_names_list_their_candidates(resolver, text, candidates):
    result = resolver.resolve(text)
    assert result.status == "ambiguous" and not result.ok
    assert result.code is None and result.country_id is None
    assert {code for code, _name in result.candidates} == candidates
    assert result.note


@pytest.mark.parametrize(("text", "dataset", "code"), [
    ("Korea", "cow", "XKOR"), ("korea", "cow", "XKOR"), ("Korea", "iigo", "KOR"), ("Guinea", "aiddata", "GIN"),
    ("Sudan", "aiddata", "SDN"), ("Congo", "cow", "COG"),
])
def test_a_dataset_settles_its_own_ambiguous_names(resolver, text, dataset, code):
    result = resolver.resolve(text, dataset=dataset)
    assert (result.code, result.how) == (code, f"dataset:{dataset}")


@pytest.mark.parametrize("text", ["Georgia (US state)", "Georgia, USA", "Georgia, United States", "Africa, regional"])
def test_known_non_countries_are_unknown_with_the_reason(resolver, text):
    result = resolver.resolve(text)
    assert (result.status, result.how) == ("unknown", "not_a_country")
    assert result.note


@pytest.mark.parametrize(("text", "code"), [
    ("USSR", "SUN"), ("Soviet Union", "SUN"), ("Union of Soviet Socialist Republics", "SUN"),
    ("Yugoslavia", "YUG"), ("Czechoslovakia", "CSK"), ("East Germany", "DDR"), ("German Democratic Republic", "DDR"),
    ("GDR", "DDR"), ("West Germany", "XGFR"), ("German Federal Republic", "XGFR"), ("Austria-Hungary", "XAUH"),
    ("Ottoman Empire", "XOTT"), ("Bavaria", "XBAV"), ("Two Sicilies", "XSIC"), ("Papal States", "XPAP"),
    ("Zanzibar", "XZAN"), ("Orange Free State", "XOFS"), ("Tibet", "XTBT"), ("Yemen Arab Republic", "XYAR"),
    ("South Yemen", "YMD"), ("Republic of Vietnam", "XRVN"), ("Serbia and Montenegro", "SCG"),
])
def test_former_states_resolve_to_their_own_rows(resolver, text, code):
    assert resolver.resolve(text).code == code


def test_fuzzy_is_only_a_suggestion(resolver):
    result = resolver.resolve("Kazakstn")
    assert (result.status, result.code, result.country_id) == ("unknown", None, None)
    assert ("KAZ", "Kazakhstan") in result.suggestions
    # Bloc acronyms are not countries, however close they look to one.
    for bloc in ("SADC", "ASEAN", "SCO", "BRICS", "Eurasian Economic Union"):
        assert not resolver.resolve(bloc).ok, bloc
    # An exact ISO code is not a guess: "EC" is Ecuador's alpha-2 code, and says so in `how`.
    assert (resolver.resolve("EC").code, resolver.resolve("EC").how) == ("ECU", "alpha2")
    assert not resolver.resolve("ec").ok


@pytest.mark.parametrize(("scheme", "code", "expected"), [
    ("cow_ccode", "705", "KAZ"), ("cow_abbrev", "KZK", "KAZ"), ("cow_abbrev", "GFR", "XGFR"),
    ("cow_ccode", "255", "DEU"), ("cow_ccode", "365", "RUS"), ("cow_abbrev", "AUH", "XAUH"),
    ("cow_igo_column", "congobrazz", "COG"), ("iso3166_3", "SUHH", "SUN"),
])
def test_resolve_code(resolver, scheme, code, expected):
    assert resolver.resolve_code(scheme, code).code == expected
    assert resolver.resolve_code(scheme, "nonsense").status == "unknown"


def test_resolve_list_keeps_names_that_contain_the_separator(resolver):
    found = resolver.resolve_list("Congo, Dem. Rep., Africa, regional, Micronesia, Federated States of, Kenya")
    assert [r.how for r in found][1] == "not_a_country"
    assert [r.code for r in found] == ["COD", None, "FSM", "KEN"]


def test_a_comma_between_two_countries_is_not_an_inverted_name(resolver):
    result = resolver.resolve("Montenegro, Serbia")
    assert result.status == "ambiguous" and {"MNE", "SRB"} <= {c for c, _n in result.candidates}
    assert [r.code for r in resolver.resolve_list("Montenegro, Serbia")] == ["MNE", "SRB"]
    assert resolver.resolve("Serbia and Montenegro").code == "SCG"


def test_name_key():
    assert name_key("Korea, Republic of") == name_key("the Republic of Korea") == "republic korea"
    assert name_key("Congo, Dem. Rep.") == name_key("Democratic Republic of the Congo")
    assert name_key("St.\u00a0Kitts & Nevis") == name_key("Saint Kitts and Nevis")


def test_results_are_cached(resolver):
    assert resolver.resolve("Tiongkok", "id") is resolver.resolve("Tiongkok", "id")


def test_suggestions_are_computed_only_when_read(resolver, monkeypatch):
    """An importer asks about many names that are no country (AidData's agency names) and shows none of
    the suggestions: they cost a fuzzy search each, so they are computed when read, once."""
    asked: list[str] = []
    fuzzy = resolver.suggest
    monkeypatch.setattr(resolver, "suggest", lambda text, limit=3: asked.append(text) or fuzzy(text, limit))
    result = resolver.resolve("Kazakstann Development Agency")
    assert (result.status, asked) == ("unknown", [])
    assert resolver.resolve("Khazakstan").suggestions[0] == ("KAZ", "Kazakhstan")
    assert asked == ["Khazakstan"]
    assert resolver.resolve("Khazakstan").suggestions[0] == ("KAZ", "Kazakhstan")
    assert asked == ["Khazakstan"]  # cached with the resolution
