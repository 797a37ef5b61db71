"""Fixtures for the dataset importers: a few countries inserted by hand (unit tests) and, for the
real-data tests, one database per backend per module with the full country reference."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from db.base import Base
from importers.normalize import fold

T = Base.metadata.tables

# (code, alpha2, name, COW abbreviation)
FEW_COUNTRIES = [("CHN", "CN", "China", "CHN"), ("KAZ", "KZ", "Kazakhstan", "KZK"), ("RUS", "RU", "Russia", "RUS"),
                 ("SDN", "SD", "Sudan", None)]


@pytest.fixture
def few_countries(engine):
    with engine.begin() as conn:
        for code, a2, name, cow in FEW_COUNTRIES:
            cid = conn.execute(insert(T["countries"]).values(code=code, alpha2=a2, alpha3=code, name=name,
                                                             kind="sovereign").returning(T["countries"].c.id)).scalar()
            conn.execute(insert(T["country_names"]).values(country_id=cid, lang="en", name=name, kind="short",
                                                           normalized=fold(name)))
            if cow:
                conn.execute(insert(T["country_codes"]).values(country_id=cid, scheme="cow_abbrev", code=cow))
    return engine
