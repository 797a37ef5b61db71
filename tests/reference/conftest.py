"""A database after the quickstart steps (countries, forums, memberships, China-Kazakhstan)."""

from __future__ import annotations

import pytest

from importers import quickstart


@pytest.fixture
def loaded(engine):
    """The engine of a migrated database filled by `importers.quickstart.run_all`, and the reports."""
    assert [name for name, _fn in quickstart.steps()][:1] == ["countries"], "countries must load first"
    reports = quickstart.run_all(engine)
    return engine, reports
