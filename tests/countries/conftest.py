"""A resolver over the imported reference, built once per test process (resolution is the same on
both backends; the import itself is tested on both)."""

from __future__ import annotations

import pytest

from db import migrate
from db.engine import make_engine
from importers.countries import import_countries
from importers.resolve import CountryResolver


@pytest.fixture(scope="session")
def countries_sqlite(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("countries") / "countries.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    import_countries(engine)
    engine.dispose()
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def resolver(countries_sqlite) -> CountryResolver:
    engine = make_engine(countries_sqlite)
    with engine.connect() as conn:
        loaded = CountryResolver.load(conn)
    engine.dispose()
    return loaded
