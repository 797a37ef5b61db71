"""Each kind of bad input: the exact message, exit code 3 from the CLI, and nothing written."""

from __future__ import annotations

import json

import openpyxl
import pytest
from sqlalchemy import text

from db.errors import UserError
from importers.core import ImportRejected
from importers.files import import_file
from tests.conftest import url_text
from tests.pipeline.conftest import data_counts

GOOD = "KZ-ZHANATAS,Zhanatas wind farm,operational,2019,100,host:Kazakhstan"
HEADER = "code,title,status,committed_on,amount,participants"

CASES = {
    "missing required column": (
        "code,status\nKZ-A,operational\n",
        ["p.csv:2 [title]: expected a value: title is required"]),
    "unknown country": (
        f"{HEADER}\n{GOOD}\nKZ-B,B,agreed,2020,5,host:Atlantis\n",
        ["p.csv:3 [participants[host]]: expected a country name or code known to coopdb (got 'Atlantis')"]),
    "bad date": (
        f"{HEADER}\n{GOOD}\nKZ-B,B,agreed,31/02/2024,5,host:KZ\n",
        ["p.csv:3 [committed_on]: expected a date like 2024-07-03, 2024-07 or 2024 (got '31/02/2024')"]),
    "negative amount": (
        f"{HEADER}\n{GOOD}\nKZ-B,B,agreed,2020,-5,host:KZ\n",
        ["p.csv:3 [amount]: expected a number of at least 0 (got '-5')"]),
    "unknown status": (
        f"{HEADER}\n{GOOD}\nKZ-B,B,finished,2020,5,host:KZ\n",
        ["p.csv:3 [status]: expected one of pledged, agreed, under_construction, completed, operational, "
         "suspended, cancelled (got 'finished')"]),
    "unknown role": (
        f"{HEADER}\n{GOOD}\nKZ-B,B,agreed,2020,5,owner:KZ\n",
        ["p.csv:3 [participants]: expected items like host:... with a role first (host, recipient, financier, "
         "builder, operator, partner) (got 'owner:KZ')"]),
    "duplicate key in the file": (
        f"{HEADER}\n{GOOD}\nKZ-B,B,agreed,2020,5,host:KZ\nkz-zhanatas,Again,agreed,2020,5,host:KZ\n",
        ["p.csv:4: a record appearing once (the same key is also on line 2) (got 'KZ-ZHANATAS')"]),
    "wrong number of cells": (
        f"{HEADER}\n{GOOD}\nKZ-B,B,agreed\n",
        ["p.csv:3: expected 6 cells like the header (got 3)"]),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_row_is_reported_and_nothing_is_written(world, tmp_path, case):
    text, messages = CASES[case]
    path = tmp_path / "p.csv"
    path.write_text(text, encoding="utf-8")
    before = data_counts(world)
    with pytest.raises(ImportRejected) as caught:
        import_file(world, "projects", path, batch_size=1)  # batches of one: checks span the whole file
    assert [str(p) for p in caught.value.report.problems] == messages
    assert str(caught.value).startswith(f"1 problem in {path}, nothing written (first: {messages[0]})")
    assert data_counts(world) == before


FATAL = {
    "malformed CSV quoting": (
        "p.csv", f'{HEADER}\n{GOOD}\nKZ-B,"B" and more,agreed,2020,5,host:KZ\n',
        "p.csv:3: expected well-formed CSV: ',' expected after '\"'; check the quotes on this line; nothing written "
        "(the rest of the file cannot be read)"),
    "unterminated quote": (
        "p.csv", f'{HEADER}\n{GOOD}\nKZ-B,"B,agreed,2020,5,host:KZ\n',
        "p.csv:3: expected well-formed CSV: unexpected end of data; check the quotes on this line; nothing written "
        "(the rest of the file cannot be read)"),
    "empty file": ("p.csv", "", "p.csv: the file is empty (expected a header line naming the columns)"),
    "empty json": ("p.json", "", "p.json: the file is empty (expected sections such as forums: or projects:)"),
    "not json": ("p.json", '{"projects": [', "p.json:1: not valid YAML/JSON (expected the node content, "
                 "but found '<stream end>')"),
}


@pytest.mark.parametrize("case", FATAL)
def test_unreadable_file_is_one_error_and_nothing_is_written(world, tmp_path, case):
    name, text, message = FATAL[case]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = data_counts(world)
    with pytest.raises(UserError) as caught:
        import_file(world, "projects", path, allow_rejects=True)
    assert str(caught.value) == message
    assert data_counts(world) == before


def test_wrong_sheet_names_the_sheets(world, tmp_path):
    path = tmp_path / "p.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Projects"
    book.active.append(["code", "title"])
    book.save(path)
    with pytest.raises(UserError) as caught:
        import_file(world, "projects", path, sheet="Sheet9")
    assert str(caught.value) == "p.xlsx: no sheet named 'Sheet9' (sheets: Projects)"


def test_cli_exit_code_3_lists_every_problem(world, tmp_path, cli, db_url):
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER}\nKZ-A,A,finished,2020,5,host:KZ\nKZ-B,B,agreed,2020,-1,host:Atlantis\n")
    result = cli("import", "projects", path, "-d", url_text(db_url))
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert lines[:3] == [
        "p.csv:2 [status]: expected one of pledged, agreed, under_construction, completed, operational, "
        "suspended, cancelled (got 'finished')",
        "p.csv:3 [amount]: expected a number of at least 0 (got '-1')",
        # the unknown country of the same row in the same run, not after the amount is fixed
        "p.csv:3 [participants[host]]: expected a country name or code known to coopdb (got 'Atlantis')",
    ]
    assert lines[-1].startswith(f"error: 3 problems in {path}, nothing written")
    assert data_counts(world)["projects"] == 0


def test_every_problem_of_a_row_in_one_pass(world, tmp_path):
    """Values and references of the same row are reported together: fixing one round does not reveal another."""
    path = tmp_path / "p.csv"
    path.write_text("code,title,amount,participants,sources\n"
                    "KZ-A,,-1,host:Atlantis|financier:China,doc:nowhere\n"
                    "KZ-B,Good,5,host:Kazakhstan,\n")
    report = import_file(world, "projects", path, allow_rejects=True)
    assert [str(p) for p in report.problems] == [
        "p.csv:2 [amount]: expected a number of at least 0 (got '-1')",
        "p.csv:2 [title]: expected a value: title is required",
        "p.csv:2 [participants[host]]: expected a country name or code known to coopdb (got 'Atlantis')",
        "p.csv:2 [source]: expected the key or URL of a known source (list it in the sources of this import, or "
        "import it first) (got 'doc:nowhere')",
    ]
    assert (report.inserted, report.rejected) == (1, 1)
    rejects = (tmp_path / "p.rejects.csv").read_text().splitlines()
    assert [line.split(",")[:2] for line in rejects[1:]] == [
        ["2", "amount"], ["2", "title"], ["2", "participants[host]"], ["2", "source"]]


def test_every_problem_of_a_bundle_record_in_one_pass(world, tmp_path):
    """A bundle record's bad value and its unknown forum and party; nothing written."""
    from importers.yaml_bundle import import_bundle

    path = tmp_path / "b.yaml"
    path.write_text("agreements:\n"
                    "  - {code: A-1, title: Pact, kind: treaty-ish, forum: NOPE, parties: [Atlantis, China]}\n")
    with pytest.raises(ImportRejected) as caught:
        import_bundle(world, path)
    assert [str(p) for p in caught.value.report.problems] == [
        "b.yaml:2 [kind]: expected one of treaty, memorandum, joint_statement, programme, target, contract, "
        "loan_agreement, other (got 'treaty-ish')",
        "b.yaml:2 [forum]: expected the code or name of a known forum (import forums first) (got 'NOPE')",
        "b.yaml:2 [parties[party]]: expected a country, forum or organisation known to coopdb (by name or code; import "
        "forums and organisations first) (got 'Atlantis')",
    ]
    assert data_counts(world)["agreements"] == 0


def test_headers_differing_in_case_are_named_with_their_match(world, tmp_path, cli, db_url):
    """`Code,Title` is not read as `code,title` (no silent mapping), but the failure says what was meant."""
    path = tmp_path / "p.csv"
    path.write_text("Code,Title,Signed  On,notes\nKZ-A,A,2020,x\n")
    with pytest.raises(ImportRejected) as caught:
        import_file(world, "projects", path)
    hints = ["p.csv: column 'Code' was not used; did you mean 'code'?",
             "p.csv: column 'Title' was not used; did you mean 'title'?"]
    report = caught.value.report
    assert report.hints == hints
    assert report.warnings == ["p.csv: columns not used for projects: Signed  On, notes", *hints]
    assert [str(p) for p in report.problems] == ["p.csv:2 [code]: expected a value: code is required",
                                                 "p.csv:2 [title]: expected a value: title is required"]
    assert str(caught.value).endswith(f"; {hints[0]}; {hints[1]}; fix them, or use --allow-rejects to load "
                                      "the good rows")

    result = cli("import", "projects", path, "-d", url_text(db_url))
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert [f"warning: {hint}" for hint in hints] == lines[1:3]
    assert hints[0] in lines[-1]
    result = cli("import", "projects", path, "-d", url_text(db_url), "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["hints"] == hints


def test_near_miss_headers_are_hints_never_mappings(world, tmp_path):
    """Spaces, hyphens and underscores: a hint; the value of such a column is not imported."""
    path = tmp_path / "p.csv"
    path.write_text("code,title,Committed On,AMOUNT-USD-NOMINAL\nKZ-A,A,2020,5\n")
    report = import_file(world, "projects", path)
    assert report.hints == ["p.csv: column 'Committed On' was not used; did you mean 'committed_on'?",
                            "p.csv: column 'AMOUNT-USD-NOMINAL' was not used; did you mean 'amount_usd_nominal'?"]
    assert report.inserted == 1
    with world.connect() as conn:
        assert conn.execute(text("select committed_on, amount_usd_nominal from projects")).one() == (None, None)


def test_bundle_field_differing_in_case_is_named(world, tmp_path):
    from importers.yaml_bundle import import_bundle

    path = tmp_path / "b.yaml"
    path.write_text("forums:\n  - {code: F, Name: Forum, kind: other}\n")
    with pytest.raises(ImportRejected) as caught:
        import_bundle(world, path)
    assert caught.value.report.hints == ["b.yaml: field 'Name' was not used in forums; did you mean 'name'?"]
