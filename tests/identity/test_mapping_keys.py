"""The mapping language's `code:` and `identifiers:` keys: clear errors at load."""

from __future__ import annotations

import pytest

from db.errors import UserError
from importers.mapping import load_mapping


def load(tmp_path, body: str):
    path = tmp_path / "m.yml"
    path.write_text(body)
    return load_mapping(path)


def test_code_and_identifiers_fill_the_row(tmp_path):
    mapping = load(tmp_path, 'code: "TRACKER-{row}"\nidentifiers: {tracker: row, Wikidata: QID}\n')
    out = mapping.apply({"QID": "Q42", "Title": "x"}, "projects", lambda *a: None, number=7, line=8)
    assert out["code"] == "TRACKER-7"
    assert out["identifiers"] == "tracker:7|wikidata:Q42"
    none = mapping.apply({"QID": "", "Title": "x"}, "projects", lambda *a: None, number=1, line=2)
    assert none["identifiers"] == "tracker:1"


def test_code_given_twice_is_an_error(tmp_path):
    with pytest.raises(UserError, match="code is given twice"):
        load(tmp_path, 'code: "A-{id}"\ntemplates: {code: "B-{id}"}\n')


def test_a_bad_scheme_is_an_error_naming_it(tmp_path):
    with pytest.raises(UserError) as info:
        load(tmp_path, "identifiers: {'my list': id}\n")
    assert "'my list' is not an identifier scheme" in str(info.value)


def test_identifiers_do_not_apply_to_memberships(tmp_path):
    mapping = load(tmp_path, "identifiers: {x: id}\n")
    with pytest.raises(UserError,
                       match="identifiers: applies to forums, organisations, projects, agreements and events"):
        mapping.check("memberships")
