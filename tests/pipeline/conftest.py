"""Fixtures for the file import pipeline: a few countries, and helpers to count rows."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from db.models import Base
from importers.normalize import fold

T = Base.metadata.tables

COUNTRIES = [("CHN", "CN", "China", ["Tiongkok"]), ("KAZ", "KZ", "Kazakhstan", ["Kazakstan"]),
             ("RUS", "RU", "Russia", ["Russian Federation"])]


@pytest.fixture
def world(engine):
    """The engine of a migrated database holding China, Kazakhstan and Russia."""
    with engine.begin() as conn:
        for code, a2, name, aliases in COUNTRIES:
            cid = conn.execute(insert(T["countries"]).values(code=code, alpha2=a2, alpha3=code, name=name,
                                                             kind="sovereign").returning(T["countries"].c.id)
                               ).scalar()
            for alias in [name, *aliases]:
                conn.execute(insert(T["country_names"]).values(country_id=cid, lang="en", name=alias,
                                                               kind="common", normalized=fold(alias)))
    return engine


def count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(T[table])).scalar_one()


def data_counts(engine) -> dict[str, int]:
    """Rows per data table (everything but the run bookkeeping)."""
    return {name: count(engine, name) for name in T if name not in ("import_runs", "import_rejects")}
