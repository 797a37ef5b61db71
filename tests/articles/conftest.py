"""Fixtures of the article tests: a few countries (Core inserts) and forums (a bundle) with names in
Indonesian, English and Russian, written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from db.models import Base, Country, Forum
from importers.normalize import fold
from importers.yaml_bundle import import_bundle

T = Base.metadata.tables
HERE = Path(__file__).resolve().parent
ARTICLE_FIXTURES = HERE / "fixtures"

COUNTRIES = [
    ("CHN", "CN", "China", [("id", "Tiongkok"), ("ru", "Китай"), ("en", "People's Republic of China")]),
    ("KAZ", "KZ", "Kazakhstan", [("id", "Kazakhstan"), ("ru", "Казахстан"), ("en", "Kazakstan")]),
    ("IDN", "ID", "Indonesia", [("ru", "Индонезия")]),
    ("USA", "US", "United States", [("en", "US"), ("en", "United States of America"), ("id", "Amerika Serikat")]),
    ("PAK", "PK", "Pakistan", [("ru", "Пакистан")]),
    ("RUS", "RU", "Russia", [("ru", "Россия"), ("id", "Rusia")]),
]


def add_countries(engine) -> None:
    """Insert the test countries unless countries are loaded already (e.g. by the quickstart)."""
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(Country)).scalar_one():
            return
        for code, alpha2, name, names in COUNTRIES:
            cid = conn.execute(insert(T["countries"]).values(code=code, alpha2=alpha2, alpha3=code, name=name,
                                                             kind="sovereign").returning(T["countries"].c.id)).scalar()
            for lang, alias in [("en", name), *names]:
                conn.execute(insert(T["country_names"]).values(country_id=cid, lang=lang, name=alias,
                                                               kind="common", normalized=fold(alias)))


def add_forums(engine) -> None:
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(Forum)).scalar_one():
            return
    import_bundle(engine, ARTICLE_FIXTURES / "forums.yml", cite_file=False)


@pytest.fixture
def known(engine):
    """A migrated database holding the test countries and forums."""
    add_countries(engine)
    add_forums(engine)
    return engine
