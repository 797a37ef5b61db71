"""The files in examples/ import cleanly, in the order examples/README.md gives, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import Citation, Project
from importers.countries import import_countries
from importers.files import import_file

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ORDER = ["sources", "forums", "memberships", "organisations", "projects", "agreements"]


@pytest.fixture
def with_countries(engine):
    import_countries(engine)
    return engine


def _import_all(engine):
    reports = [import_file(engine, entity, EXAMPLES / f"{entity}.csv") for entity in ORDER]
    reports.append(import_file(engine, "projects", EXAMPLES / "theirs-projects.csv",
                               mapping=EXAMPLES / "theirs-projects.mapping.yml"))
    return reports


def test_examples_import_cleanly_and_again_change_nothing(with_countries):
    first = _import_all(with_countries)
    assert [(r.rejected, r.warnings) for r in first] == [(0, [])] * len(first)
    assert [r.inserted for r in first] == [2, 1, 2, 2, 1, 1, 0]
    assert (first[-1].updated, first[-1].unchanged) == (0, 1)  # the same facts in another layout
    with with_countries.connect() as conn:
        project = conn.execute(select(Project.id, Project.committed_on, Project.committed_precision,
                                      Project.status)).one()
        assert str(project.committed_on) == "2015-10-16" and project.committed_precision == "day"
        assert project.status == "operational"
        cited_by = conn.execute(select(Citation.locator).where(Citation.record_type == "project",
                                                               Citation.record_id == project.id)).scalars()
        assert sorted(cited_by) == ["", "line 2", "line 2"]  # the web page, projects.csv, theirs-projects.csv
    second = _import_all(with_countries)
    assert [(r.inserted, r.updated) for r in second] == [(0, 0)] * len(second)


def test_examples_readme_lists_every_example_command():
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for entity in ORDER:
        assert f"coopdb import {entity} examples/{entity}.csv" in readme
    assert "--mapping examples/theirs-projects.mapping.yml" in readme
