"""`coopdb mapping draft` on the four example shapes: the draft needs only the small edits shown here to
become the example's mapping (examples/*.mapping.yml), and a drafted treaty list imports as it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from importers.draft import country_scheme, date_formats, find_header_row

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _flat(data: dict, prefix: str = "") -> set[str]:
    out = set()
    for key, value in data.items():
        if isinstance(value, dict) and value:
            out |= _flat(value, f"{prefix}{key}.")
        else:
            out.add(f"{prefix}{key} = {json.dumps(value, ensure_ascii=False)}")
    return out


# The diff from the draft to the hand-written mapping: "-" lines the draft has, "+" lines a person adds.
EDITS = {
    ("treaties", "agreements"): [
        '- code = "TREATIES-{No.}"',
        '+ code = "IIA-{No.}"',
        '+ derive.status = [{"when": "in_force_on", "value": "in_force"}, {"when": "signed_on", "value": "signed"}]',
    ],
    ("treaties-numbered", "agreements"): [
        '- code = "TREATIES-NUMBERED-{id}"',
        '- countries.mc*.role = "party"',          # mc1..mc4 list a bloc's members, not parties
        '- countries.mc*.scheme = "numeric"',
        '+ code = "TREATY-{id}"',
        '+ ignore = ["mc*"]',
    ],
    ("tracker", "projects"): [
        '- organisations.Investor = "financier"',
        '+ columns.Year = "amount_year"',
        '+ constants.currency.value = "USD"',
        '+ constants.currency.when = "amount"',
        '+ derive.status = [{"when": "amount", "value": "agreed"}]',
        '+ organisations.Investor.role = "financier"',
        '+ organisations.Investor.split = ","',
        '+ templates.title = "{Investor} in {Country}: {Sector} ({Year})"',
    ],
    ("agency-projects", "projects"): [
        '- code = "AGENCY-PROJECTS-{Project ID}"',
        '- columns.Year = "committed_on"',
        '+ code = "AGENCY-{Project ID}"',
        '+ columns.Year = ["committed_on", "amount_year"]',
        '+ constants.usd_base_year.value = 2014',
        '+ constants.usd_base_year.when = "amount_usd_constant"',
    ],
}


@pytest.mark.parametrize(("name", "entity"), list(EDITS), ids=[n for n, _e in EDITS])
def test_the_draft_needs_only_small_edits(cli, tmp_path, name, entity):
    out = tmp_path / f"{name}.draft.yml"
    result = cli("mapping", "draft", str(EXAMPLES / f"{name}.csv"), "--entity", entity, "-o", str(out))
    assert result.exit_code == 0, result.output
    draft = _flat(yaml.safe_load(out.read_text(encoding="utf-8")))
    ours = _flat(yaml.safe_load((EXAMPLES / f"{name}.mapping.yml").read_text(encoding="utf-8")))
    diff = [f"- {line}" for line in sorted(draft - ours)] + [f"+ {line}" for line in sorted(ours - draft)]
    assert diff == EDITS[(name, entity)]


def test_the_draft_comments_samples_and_refuses_to_overwrite(cli, tmp_path):
    out = tmp_path / "m.yml"
    first = cli("mapping", "draft", str(EXAMPLES / "tracker.csv"), "-e", "projects", "-o", str(out))
    assert first.exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "header_row: 5  # the rows above are a title block" in text
    assert 'Quantity in Millions: amount  # e.g. "1,500", "290.5", "4200"' in text
    assert '\ncode: "TRACKER-{row}"  # no id column' in text
    assert "\nidentifiers: {tracker: row}" in text
    again = cli("mapping", "draft", str(EXAMPLES / "tracker.csv"), "-e", "projects", "-o", str(out))
    assert again.exit_code == 3 and "already exists (a file): give --force to replace it" in again.output
    assert out.read_text(encoding="utf-8") == text


def test_the_draft_never_writes_through_a_planted_link_and_leaves_nothing_on_failure(cli, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    link = tmp_path / "m.yml"
    link.symlink_to(victim)
    refused = cli("mapping", "draft", str(EXAMPLES / "tracker.csv"), "-e", "projects", "-o", str(link))
    assert refused.exit_code == 3 and "already exists (a symbolic link)" in refused.output
    forced = cli("mapping", "draft", str(EXAMPLES / "tracker.csv"), "-e", "projects", "-o", str(link), "--force")
    assert forced.exit_code == 0
    assert victim.read_text(encoding="utf-8") == "keep me" and not link.is_symlink()
    failed = cli("mapping", "draft", str(tmp_path / "missing.csv"), "-e", "projects", "-o", str(tmp_path / "n.yml"))
    assert failed.exit_code != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.yml", "victim.txt"]  # no partial file left


def test_a_drafted_treaty_list_imports_as_it_is_in_a_dry_run(cli, db_url, tmp_path):
    from tests.conftest import url_text

    url = url_text(db_url)
    assert cli("import", "countries", "-d", url).exit_code == 0
    mapping = tmp_path / "m.yml"
    cli("mapping", "draft", str(EXAMPLES / "treaties.csv"), "-e", "agreements", "-o", str(mapping))
    result = cli("import", "agreements", str(EXAMPLES / "treaties.csv"), "--mapping", str(mapping), "--dry-run",
                 "-d", url)
    assert result.exit_code == 0, result.output
    assert "the first 5 rows as they would be imported:" in result.output
    assert "line 3: code=TREATIES-2; identifiers=treaties:2; title=China - Korea Republic of BIT (2007);" in \
        result.output
    assert "would insert 6, would update 0, unchanged 0, rejected 0" in result.output


def test_detection_rules():
    assert find_header_row([["Tracker", "", ""], ["USD millions", "", ""], ["", "", ""], ["Year", "Country", "Amt"],
                            ["2019", "Kazakhstan", "5"]]) == 4
    assert country_scheme(["398", "4", "156"]) == "numeric"
    assert country_scheme(["KZ", "CN"]) == "alpha2"
    assert country_scheme(["Kazakhstan", "Korea Republic of", "USSR (former)"]) == "names"
    assert country_scheme(["Transport", "Energy"]) is None
    assert date_formats(["20/04/2005", "06-2000", "13/08/1994"]) == ["%d/%m/%Y", "%m-%Y"]
    assert date_formats(["2005-04-20", "2014"]) is None  # our own layout reads them
