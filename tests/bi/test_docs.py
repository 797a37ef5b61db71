"""Generated documents: the committed docs/data-dictionary.md and docs/er.md match the schema."""

from __future__ import annotations

from pathlib import Path

from db import bi, docs
from db.models import Base

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_data_dictionary_is_up_to_date():
    committed = (DOCS / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == docs.data_dictionary(), "docs/data-dictionary.md is stale: run `coopdb docs data-dictionary`"


def test_er_diagram_is_up_to_date():
    committed = (DOCS / "er.md").read_text(encoding="utf-8")
    assert committed == docs.er_diagram(), "docs/er.md is stale: run `coopdb docs er`"


def test_data_dictionary_lists_every_table_view_and_column():
    text = docs.data_dictionary()
    for table in Base.metadata.tables:
        assert f"## Table {table}\n" in text
    for v in bi.catalog().values():
        assert f"## View {v.name}\n" in text
        for c in v.columns:
            assert f"| `{c.name}` | {c.type} | " in text


def test_er_diagram_has_every_foreign_key():
    text = docs.er_diagram()
    assert '    countries ||--o{ memberships : "country_id"' in text
    assert '    forums |o--o{ projects : "framework_forum_id"' in text


def test_check_flag_reports_a_stale_file(cli, tmp_path):
    stale = tmp_path / "dd.md"
    stale.write_text("old\n")
    result = cli("docs", "data-dictionary", "--out", stale, "--check")
    assert result.exit_code == 5
    assert "is out of date" in result.stderr
    assert cli("docs", "data-dictionary", "--out", stale).exit_code == 0
    assert cli("docs", "data-dictionary", "--out", stale, "--check").exit_code == 0
    assert cli("docs", "er", "--out", tmp_path / "er.md").exit_code == 0
    assert (tmp_path / "er.md").read_text().startswith("# Entity-relationship diagram")
