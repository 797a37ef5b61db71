"""The schema: migrations, constraints, comments. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, UniqueConstraint, func, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from db import migrate
from db.engine import make_engine
from db.errors import UserError
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


def test_check_fails_when_a_vocabulary_changes_without_a_migration(engine, cli, db_url):
    from tests.conftest import url_text

    constraint = next(ck for ck in Base.metadata.tables["projects"].constraints
                      if ck.name == "ck_projects_status")
    column, values = constraint.info["vocabulary"]
    constraint.info["vocabulary"] = (column, (*values[1:], "paused"))
    try:
        result = migrate.check(engine)
        assert result.differences == [
            f"modify_check projects.ck_projects_status: the database lacks paused; the models lack {values[0]}"]
        run = cli("db", "check", "-d", url_text(db_url))
        assert run.exit_code == 5
        assert "modify_check projects.ck_projects_status" in run.stderr
    finally:
        constraint.info["vocabulary"] = (column, values)
    assert migrate.check(engine).ok


def test_vocabulary_checks_accept_exactly_their_values(engine):
    """The equality chains of migration 0003 refuse what the IN lists refused, and accept NULL."""
    table = Base.metadata.tables["import_runs"]
    row = {"importer": "test", "started_at": __import__("datetime").datetime(2024, 7, 3)}
    with engine.begin() as conn:
        conn.execute(insert(table).values({**row, "status": "succeeded"}))
    for bad in ("Succeeded", "succeeded ", "", "unknown"):
        with pytest.raises(IntegrityError, match=r"ck_import_runs_status|CHECK constraint failed"), \
                engine.begin() as conn:
            conn.execute(insert(table).values({**row, "status": bad}))
    projects = Base.metadata.tables["projects"]
    with engine.begin() as conn:
        conn.execute(insert(projects).values(code="P-NULL", title="No status", status=None))
        assert conn.execute(select(func.count()).select_from(projects)).scalar_one() == 1


def test_an_insert_by_hand_gets_the_default_timestamps(engine):
    """created_at/updated_at default to CURRENT_TIMESTAMP in the database itself, for SQL written by
    hand (`now()` was the default before migration 0003; SQLite has no such function)."""
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO forums (code, name, kind) VALUES ('X1', 'Forum by hand', 'other')")
        created, updated = conn.exec_driver_sql(
            "SELECT created_at, updated_at FROM forums WHERE code = 'X1'").one()
    assert created is not None and updated is not None


def test_a_migration_that_fails_on_sqlite_changes_nothing(engine, backend):
    """SQLite: the DDL of a migration runs inside our transaction (the driver alone would commit each
    CREATE/DROP at once), so a failure leaves the previous revision and its tables as they were."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL runs DDL in the transaction anyway; the SQLite driver needs help")
    migrate.downgrade(engine, "0002")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql("INSERT INTO countries (id, code, name, kind, created_at, updated_at) "
                             "VALUES (1, 'KAZ', 'Kazakhstan', 'sovereign', '2024-07-03', '2024-07-03')")
        conn.exec_driver_sql("INSERT INTO country_names (country_id, lang, name, kind, normalized, created_at, "
                             "updated_at) VALUES (999, 'en', 'Orphan', 'common', 'orphan', '2024-07-03', '2024-07-03')")
        conn.commit()
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        before = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'country_names'").scalar_one()
    with pytest.raises(UserError, match=r"migration failed: 1 rows would break a foreign key \(first: "
                                        r"country_names rowid 1 -> countries\); nothing was changed"):
        migrate.upgrade(engine)
    assert migrate.current_revision(engine) == "0002"
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'country_names'").scalar_one() == before
        assert "IN (" in before
        assert conn.exec_driver_sql("SELECT count(*) FROM country_names").scalar_one() == 1


def test_head_read_off_the_revision_files_is_alembics_head():
    """`require_head` runs before every command: it reads the head off the revision files instead of
    compiling them all through Alembic. The two must agree."""
    migrate._scanned_head.cache_clear()
    assert migrate._scanned_head() == migrate.alembic_head() == migrate.head_revision()


def test_head_falls_back_to_alembic_when_the_files_do_not_say(tmp_path, monkeypatch):
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "a.py").write_text("revision = 'a'\ndown_revision = None\n")
    (versions / "b.py").write_text("revision = 'b'\ndown_revision = ('a', 'c')\n")  # a merge: a tuple
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", tmp_path)
    migrate._scanned_head.cache_clear()
    try:
        assert migrate._scanned_head() is None
        (versions / "b.py").write_text("revision = 'b'\ndown_revision = 'a'\n")
        (versions / "c.py").write_text("revision: str = \"c\"\ndown_revision: str | None = 'a'\n")  # two heads
        migrate._scanned_head.cache_clear()
        assert migrate._scanned_head() is None
        (versions / "c.py").write_text("revision: str = \"c\"\ndown_revision: str | None = 'b'\n")
        migrate._scanned_head.cache_clear()
        assert migrate._scanned_head() == "c"
    finally:
        migrate._scanned_head.cache_clear()
