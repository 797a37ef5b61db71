"""`coopdb quickstart` (the README's main command) builds a useful database and says so."""

from __future__ import annotations

import json

from tests.conftest import url_text


def test_quickstart_prints_the_summary_and_the_example_answer_and_a_rerun_changes_nothing(cli, empty_url):
    first = cli("quickstart", "-d", url_text(empty_url))
    assert first.exit_code == 0, first.stderr
    out = " ".join(first.stdout.split())
    for expected in ("Built-in imports", "reference-forums", "reference-memberships", "china-kazakhstan",
                     "Rows per table", "Last import runs",
                     "Example: forums both China and Kazakhstan belong to, with the year each joined"):
        assert expected in out, expected
    assert "UN │ 1945 (founding member) │ 1992 (member)" in out
    assert "BRICS │ 2009 (founding member) │ 2025 (partner country)" in out

    second = cli("quickstart", "-d", url_text(empty_url), "--json")
    assert second.exit_code == 0, second.stderr
    data = json.loads(second.stdout)
    assert [(i["importer"], i["inserted"], i["updated"]) for i in data["imports"]] == [
        ("countries", 0, 0), ("reference-forums", 0, 0), ("reference-memberships", 0, 0),
        ("china-kazakhstan", 0, 0)]
    assert {r["forum"]: (r["china_joined"], r["kazakhstan_joined"]) for r in data["example"]["rows"]}["SCO"] \
        == (2001, 2001)
    assert data["tables"]["forums"] == 15 and data["tables"]["projects"] == 8
