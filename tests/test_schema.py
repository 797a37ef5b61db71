"""The schema: migrations, constraints, comments. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, UniqueConstraint, func, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from db import migrate
from db.engine import make_engine
from db.models import Base
from tests.factories import insert_minimal_rows

TABLES = sorted(Base.metadata.tables)


def test_upgrade_empty_to_head_then_matches_models(empty_url):
    engine = make_engine(empty_url)
    before, after = migrate.upgrade(engine)
    assert before is None
    assert after == migrate.head_revision()
    assert set(TABLES) <= set(inspect(engine).get_table_names())
    result = migrate.check(engine)
    assert result.differences == []
    assert result.ok


def test_downgrade_to_base_and_up_again(engine):
    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    assert not set(TABLES) & set(inspect(engine).get_table_names())
    migrate.upgrade(engine)
    assert migrate.check(engine).ok


def test_minimal_row_fits_every_table(engine):
    with engine.begin() as conn:
        insert_minimal_rows(conn)
        for table in TABLES:
            count = conn.execute(select(func.count()).select_from(Base.metadata.tables[table])).scalar_one()
            assert count >= 1, table


@pytest.mark.parametrize(
    ("table", "values"),
    [
        ("country_names", {"country_id": 999_999, "lang": "en", "name": "Nowhere", "normalized": "nowhere"}),
        ("memberships", {"forum_id": 999_999, "country_id": 999_999, "role": "member",
                         "started_on": __import__("datetime").date(2001, 1, 1), "started_precision": "year"}),
        ("citations", {"source_id": 999_999, "record_type": "project", "record_id": 1}),
    ],
)
def test_foreign_keys_are_enforced(engine, table, values):
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(Base.metadata.tables[table]).values(values))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Base.metadata.tables[table])).scalar_one() == 0


def _unique_constraints():
    for name in TABLES:
        table = Base.metadata.tables[name]
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint):
                yield name, tuple(c.name for c in constraint.columns)
        for column in table.columns:
            if column.unique:
                yield name, (column.name,)


UNIQUES = sorted(set(_unique_constraints()))


def test_every_imported_table_has_a_natural_key():
    keyed = {table for table, _cols in UNIQUES}
    assert set(TABLES) - keyed == {"import_runs", "import_rejects"}


@pytest.mark.parametrize(("table", "key"), UNIQUES, ids=[f"{t}:{'+'.join(k)}" for t, k in UNIQUES])
def test_natural_key_rejects_a_duplicate(engine, table, key):
    with engine.begin() as conn:
        rows = insert_minimal_rows(conn)
    duplicate = dict(rows[table])
    # Change every other unique column so that only `key` can be the reason for the failure.
    for other_table, other_key in UNIQUES:
        if other_table == table and other_key != key:
            for col in set(other_key) - set(key):
                value = duplicate.get(col)
                if isinstance(value, str):
                    duplicate[col] = (value + "x")[: Base.metadata.tables[table].c[col].type.length or 99]
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(Base.metadata.tables[table]).values(duplicate))


def _needs_comment(column) -> bool:
    return not column.primary_key and not column.foreign_keys


def test_every_table_and_column_has_a_comment_in_the_models():
    missing = [t.name for t in Base.metadata.sorted_tables if not t.comment]
    missing += [f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns
                if _needs_comment(c) and not c.comment]
    assert missing == []


def test_comments_reach_the_postgresql_catalog(engine, backend):
    if backend != "postgresql":
        pytest.skip("SQLite keeps no comments; the models' comments are checked above")
    inspector = inspect(engine)
    missing = []
    for table in TABLES:
        if not inspector.get_table_comment(table).get("text"):
            missing.append(table)
        for column in inspector.get_columns(table):
            model_column = Base.metadata.tables[table].c[column["name"]]
            if _needs_comment(model_column) and not column.get("comment"):
                missing.append(f"{table}.{column['name']}")
    assert missing == []


def test_check_fails_when_a_model_changes_without_a_migration(engine, cli, db_url):
    from tests.conftest import url_text

    table = Base.metadata.tables["projects"]
    extra = Column("not_migrated_yet", Integer, comment="temporary")
    table.append_column(extra)
    try:
        result = migrate.check(engine)
        assert not result.ok
        assert any("not_migrated_yet" in d for d in result.differences)
        run = cli("db", "check", "-d", url_text(db_url))
        assert run.exit_code == 5
        assert "model differs from migrations: add_column projects.not_migrated_yet" in run.stderr
    finally:
        table._columns.remove(extra)
    assert migrate.check(engine).ok
    assert cli("db", "check", "-d", url_text(db_url)).exit_code == 0
