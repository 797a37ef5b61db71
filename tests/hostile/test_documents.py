"""Hostile YAML, JSON and JSON Lines: typing, duplicate keys, structure, depth, alias bombs, size.

Every document is generated here; the database cases run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from db.errors import UserError
from importers.core import ImportRejected
from importers.documents import MAX_DOCUMENT_BYTES
from importers.files import import_file
from importers.yaml_bundle import import_bundle
from tests.conftest import url_text
from tests.pipeline.conftest import T, data_counts


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _projects(engine) -> list[tuple]:
    p = T["projects"]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(p.c.code, p.c.title, p.c.location_name).order_by(p.c.code))]


def test_yaml_scalars_stay_the_text_they_were_written_as(world, tmp_path):
    path = _write(tmp_path, "p.yaml", "projects:\n"
                  "  - {code: 012, title: yes, location_name: '1:20'}\n"
                  "  - {code: NO, title: 1:20, location_name: 0x1F}\n"
                  "  - {code: on, title: 2024-02-30, location_name: ~}\n")
    import_file(world, "projects", path)
    assert _projects(world) == [("012", "yes", "1:20"), ("NO", "1:20", "0x1F"), ("ON", "2024-02-30", None)]


def test_json_scalars_as_text_and_numbers_read_by_the_field(world, tmp_path):
    path = _write(tmp_path, "p.json", json.dumps({"projects": [
        {"code": "J-1", "title": "true", "amount": 1250.5, "amount_year": 2014, "location_name": "012"}]}))
    import_file(world, "projects", path)
    p = T["projects"]
    with world.connect() as conn:
        row = conn.execute(select(p.c.title, p.c.amount, p.c.amount_year, p.c.location_name)).one()
    assert (row.title, float(row.amount), row.amount_year, row.location_name) == ("true", 1250.5, 2014, "012")


REFUSED_RECORDS = {
    "impossible YAML date": ("p.yaml", "projects:\n  - {code: Y-1, title: T, committed_on: 2024-02-30}\n",
                             ["p.yaml:2 [committed_on]: expected a date like 2024-07-03, 2024-07 or 2024 "
                              "(got '2024-02-30')"]),
    "list as a title": ("p.yaml", "projects:\n  - code: Y-1\n    title: [a, b]\n",
                        ["p.yaml:2 [title]: expected a single value, not a list or a mapping"]),
    "mapping as a title": ("p.json", '{"projects": [\n {"code": "J-1", "title": {"en": "x"}}]}',
                           ["p.json:2 [title]: expected a single value, not a list or a mapping"]),
    "mapping as an amount": ("p.json", '{"projects": [\n {"code": "J-1", "title": "T", "amount": {"v": 1}}]}',
                             ["p.json:2 [amount]: expected a single value, not a list or a mapping"]),
    "list inside a participant": ("p.yaml", "projects:\n  - code: Y-1\n    title: T\n    participants:\n"
                                  "      - {organisation: [a], role: builder}\n",
                                  ["p.yaml:2 [participants]: expected a single value, not a list or a mapping"]),
    "lone surrogate": ("p.json", '{"projects": [\n {"code": "J-1", "title": "a\\ud800b"}]}',
                       ["p.json:2 [title]: expected text without lone UTF-16 surrogates (\\ud800-\\udfff are "
                        "halves of a pair, not characters) (got 'a\\ud800b')"]),
    "NUL escape in JSON": ("p.json", '{"projects": [\n {"code": "J-1", "title": "a\\u0000b"}]}',
                           ["p.json:2 [title]: expected text without NUL characters (\\x00) (got 'a\\x00b')"]),
    "1e309 in JSON": ("p.json", '{"projects": [\n {"code": "J-1", "title": "T", "amount": 1e309}]}',
                      ["p.json:2 [amount]: expected a number with at most 18 digits before the decimal point "
                       "(got '1e309')"]),
    "5,001-digit JSON integer": ("p.json", '{"projects": [\n {"code": "J-1", "title": "T", "amount_year": '
                                 + "9" * 5001 + "}]}",
                                 [f"p.json:2 [amount_year]: expected a year like 2014 (1000 to 2999) (got '{'9' * 200}"
                                  "… (5,001 characters)')"]),
    "NaN in JSON Lines": ("p.jsonl", '{"code": "J-1", "title": "T", "amount": NaN}\n',
                          ["p.jsonl:1 [amount]: expected a finite number (got 'NaN')"]),
    "surrogate in JSON Lines": ("p.jsonl", '{"code": "J-1", "title": "\\udfff"}\n',
                                ["p.jsonl:1 [title]: expected text without lone UTF-16 surrogates (\\ud800-\\udfff "
                                 "are halves of a pair, not characters) (got '\\udfff')"]),
    "duplicate key in JSON Lines": ("p.jsonl", '{"code": "J-1", "title": "A", "title": "B"}\n',
                                    ["p.jsonl:1: expected each key once in an object (got 'title' twice)"]),
    "JSON Lines nested 10,000 deep": ("p.jsonl", '{"code": "J-1", "title": ' + "[" * 10_000 + "]" * 10_000 + "}\n",
                                      ["p.jsonl:1: expected a JSON object nested at most a few levels deep"]),
}


@pytest.mark.parametrize("case", REFUSED_RECORDS)
def test_bad_record_is_refused_with_its_line(world, tmp_path, case):
    name, text, messages = REFUSED_RECORDS[case]
    path = _write(tmp_path, name, text)
    before = data_counts(world)
    with pytest.raises(ImportRejected) as caught:
        import_file(world, "projects", path)
    assert [str(p) for p in caught.value.report.problems] == messages
    assert data_counts(world) == before


def test_refused_values_are_kept_escaped_in_import_rejects(world, tmp_path):
    path = _write(tmp_path, "p.jsonl", '{"code": "J-1", "title": "a\\u0000b\\ud800"}\n{"code": "J-2", "title": "ok"}\n')
    import_file(world, "projects", path, allow_rejects=True)
    with world.connect() as conn:
        assert conn.execute(select(T["import_rejects"].c.value)).scalars().all() == ["a\\x00b\\ud800"]
    assert "a\\x00b\\ud800" in (tmp_path / "p.rejects.csv").read_text(encoding="utf-8")


def _bomb(levels: int = 9) -> str:
    """The 'billion laughs': each level lists the one before nine times."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        name, before = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{','.join(['*' + before] * 9)}]")
    lines.append(f"projects: *{chr(ord('a') + levels - 1)}")
    return "\n".join(lines) + "\n"


WHOLE_FILE = {
    # (file, text, message): the whole file is refused before anything is written
    "duplicate key in JSON": ("p.json", '{"projects": [\n {"code": "J-1",\n  "title": "A",\n  "title": "B"}]}',
                              "p.json:4: the key 'title' appears twice in one mapping (first on line 3)"),
    "duplicate key in YAML": ("p.yaml", "projects:\n  - code: Y-1\n    title: A\n    title: B\n",
                              "p.yaml:4: the key 'title' appears twice in one mapping (first on line 3)"),
    "duplicate section": ("p.yaml", "projects: []\nprojects: []\n",
                          "p.yaml:2: the key 'projects' appears twice in one mapping (first on line 1)"),
    "JSON nested 10,000 deep": ("p.json", '{"projects": ' + "[" * 10_000 + "]" * 10_000 + "}",
                                "p.json:1: nested deeper than 64 levels"),
    "YAML alias bomb": ("p.yaml", _bomb(), "p.yaml:6: aliases expand to more than 100,000 values (an alias "
                        "bomb?); write the values out"),
    "recursive alias": ("p.yaml", "projects: &p\n  - code: Y-1\n    title: T\n    names: *p\n",
                        "p.yaml:4: the alias *p refers to itself"),
}


@pytest.mark.parametrize("case", WHOLE_FILE)
def test_hostile_document_is_one_error(world, tmp_path, case):
    name, text, message = WHOLE_FILE[case]
    path = _write(tmp_path, name, text)
    before = data_counts(world)
    with pytest.raises(UserError) as caught:
        import_file(world, "projects", path)
    assert str(caught.value) == message
    with pytest.raises(UserError) as caught:
        import_bundle(world, path)
    assert str(caught.value) == message
    assert data_counts(world) == before


def test_bomb_is_small(tmp_path):
    assert len(_bomb().encode()) < 400  # the 357-byte class of bombs of the report


def test_document_larger_than_the_limit_is_refused_before_reading(world, tmp_path):
    path = tmp_path / "p.json"
    with open(path, "wb") as fh:
        fh.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: nothing is written to the disk
    with pytest.raises(UserError) as caught:
        import_file(world, "projects", path)
    assert str(caught.value) == (
        f"p.json: {MAX_DOCUMENT_BYTES + 1:,} bytes is more than a YAML/JSON document may have "
        f"({MAX_DOCUMENT_BYTES:,}); use CSV or JSON Lines (one record per line) for larger data")


def test_merge_keys_are_plain_keys(world, tmp_path):
    path = _write(tmp_path, "p.yaml", "base: &b {title: T}\nprojects:\n  - code: Y-1\n    <<: *b\n")
    with pytest.raises(UserError) as caught:
        import_bundle(world, path)
    assert str(caught.value) == "p.yaml: unknown section 'base' (expected sources, forums, organisations, " \
                                "memberships, projects, agreements, events, updates)"
    with pytest.raises(ImportRejected) as caught:
        import_file(world, "projects", path)
    assert [str(p) for p in caught.value.report.problems] == ["p.yaml:3 [title]: expected a value: title is required"]


def test_csv_without_line_breaks_is_refused_at_the_header(world, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("a" * (2 << 20), encoding="utf-8")
    with pytest.raises(UserError) as caught:
        import_file(world, "projects", path)
    assert str(caught.value) == ("p.csv:1: the header line is longer than 1,048,576 characters (expected a line "
                                 "naming the columns; is this a CSV file?)")


def test_json_lines_record_over_the_line_limit_is_a_problem_of_its_line(world, tmp_path):
    from importers.readers import MAX_LINE_CHARS

    path = tmp_path / "p.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{"code": "J-1", "title": "ok"}\n')
        fh.write('{"code": "J-2", "title": "' + "z" * MAX_LINE_CHARS + '"}\n')
        fh.write('{"code": "J-3", "title": "ok too"}\n')
    report = import_file(world, "projects", path, allow_rejects=True)
    assert [str(p) for p in report.problems] == ["p.jsonl:2: expected a line of at most 67,108,864 characters"]
    assert [code for code, _title, _place in _projects(world)] == ["J-1", "J-3"]


def test_dry_run_shows_long_values_cut(world, tmp_path, cli, db_url):
    first = _write(tmp_path, "p.csv", "code,title,description\nD-1,T,short\n")
    import_file(world, "projects", first)
    second = _write(tmp_path, "q.csv", "code,title,description\nD-1,T," + "b" * 1000 + "\n")
    result = cli("import", "projects", second, "--dry-run", "-d", url_text(db_url))
    assert result.exit_code == 0
    assert f'  would update projects D-1: description: "short" -> "{"b" * 200}… (1,000 characters)"' \
        in result.stdout.splitlines()
