"""`coopdb bi grant-readonly`: a role that reads the bi views and nothing else (PostgreSQL), and the SQLite
explanation. Roles are cluster-wide: each test makes its own names and drops them afterwards."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from db import bi
from tests.conftest import url_text

PASSWORD = "s3cret-" + uuid.uuid4().hex[:8]


@pytest.fixture
def roles(db_url, backend):
    if backend != "postgresql":
        pytest.skip("roles exist only on PostgreSQL")
    suffix = uuid.uuid4().hex[:10]
    names = {"role": f"coopdb_ro_{suffix}", "login": f"coopdb_bi_{suffix}"}
    yield names
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names.values():
            if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first():
                conn.execute(text(f'DROP OWNED BY "{name}"'))
                conn.execute(text(f'DROP ROLE "{name}"'))
    admin.dispose()


def grant(cli, db_url, roles, *extra):
    return cli("bi", "grant-readonly", roles["role"], "--login", roles["login"], "--password-env", "COOPDB_TEST_PW",
               *extra, "-d", url_text(db_url), env={"COOPDB_TEST_PW": PASSWORD})


@pytest.fixture
def reader(cli, db_url, bi_engine, roles):
    """An engine connected as the login user the command created."""
    result = grant(cli, db_url, roles)
    assert result.exit_code == 0, result.stderr
    assert f"role {roles['role']} created" in result.stdout
    assert f"login user {roles['login']} created, password set" in result.stdout
    engine = create_engine(db_url.set(username=roles["login"], password=PASSWORD))
    yield engine
    engine.dispose()


def test_reader_selects_every_bi_view(reader):
    with reader.connect() as conn:
        for name in bi.catalog():
            assert conn.execute(text(f"SELECT count(*) FROM bi.{name}")).scalar_one() > 0, name
        # search_path is bi for the login user, so the bare view names work too
        assert conn.execute(text("SELECT count(*) FROM country_pairs")).scalar_one() == 6


DENIED = "permission denied"
NOT_UPDATABLE = "Views that do not select from a single table or view are not automatically updatable"


@pytest.mark.parametrize(("statement", "refusal"), [
    ("INSERT INTO public.countries (code, name, kind) VALUES ('XXX', 'Nowhere', 'other')", DENIED),
    ("UPDATE public.countries SET name = 'x'", DENIED),
    ("DELETE FROM public.citations", DENIED),
    ("SELECT count(*) FROM public.projects", DENIED),
    ("SELECT count(*) FROM public.sources", DENIED),
    ("CREATE TABLE public.scratch (id integer)", DENIED),
    ("CREATE TABLE bi.scratch (id integer)", DENIED),
    ("CREATE VIEW bi.scratch AS SELECT 1 AS one", DENIED),
    ("CREATE SCHEMA scratch", DENIED),
    ("DROP VIEW bi.fact_sources", "must be owner"),
    # the views join tables, so PostgreSQL refuses to write through them whatever the privileges
    ("DELETE FROM bi.projects_by_country", "not automatically updatable"),
    ("UPDATE bi.membership_spans SET role = 'member'", NOT_UPDATABLE),
    ("INSERT INTO bi.country_pairs (country_code) VALUES ('XXX')", "not automatically updatable"),
])
def test_reader_cannot_write_create_or_read_tables(reader, bi_engine, statement, refusal):
    # default_transaction_read_only is on for the login user; switch it off to prove the grants alone refuse
    with pytest.raises(DBAPIError) as failure, reader.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("SET default_transaction_read_only = off"))
        conn.execute(text(statement))
    assert refusal in str(failure.value.orig)
    with bi_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM countries")).scalar_one() == 3
        assert conn.execute(text("SELECT count(*) FROM citations")).scalar_one() == 5
        assert conn.execute(text("SELECT count(*) FROM bi.fact_sources")).scalar_one() == 5


def test_reader_transactions_are_read_only(reader):
    with pytest.raises(DBAPIError) as failure, reader.connect() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE scratch (id integer)"))
    assert "read-only transaction" in str(failure.value.orig)


def test_reader_sees_foreign_keys_through_pg_catalog(reader):
    with reader.connect() as conn:
        names = set(conn.execute(text(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' "
            "AND connamespace = 'public'::regnamespace")).scalars())
    assert {"fk_project_countries_project_id_projects", "fk_memberships_forum_id_forums",
            "fk_citations_source_id_sources"} <= names


def test_views_created_later_are_readable(reader, bi_engine):
    with bi_engine.begin() as conn:
        conn.execute(text("CREATE VIEW bi.later_view AS SELECT code FROM countries"))
    with reader.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM bi.later_view")).scalar_one() == 3


def test_grant_is_idempotent(cli, db_url, reader, roles):
    again = grant(cli, db_url, roles)
    assert again.exit_code == 0, again.stderr
    assert f"role {roles['role']} already existed" in again.stdout
    assert f"login user {roles['login']} updated, password set" in again.stdout
    with reader.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM bi.membership_spans")).scalar_one() == 8


def test_role_without_login(cli, db_url, bi_engine, roles):
    result = cli("bi", "grant-readonly", roles["role"], "-d", url_text(db_url))
    assert result.exit_code == 0, result.stderr
    with bi_engine.connect() as conn:
        row = conn.execute(text("SELECT rolcanlogin, has_schema_privilege(rolname, 'bi', 'USAGE'), "
                                "has_table_privilege(rolname, 'bi.country_pairs', 'SELECT'), "
                                "has_table_privilege(rolname, 'public.projects', 'SELECT') "
                                "FROM pg_roles WHERE rolname = :n"), {"n": roles["role"]}).one()
    assert tuple(row) == (False, True, True, False)


def test_password_is_never_an_argument_and_must_be_set(cli, db_url, bi_engine, roles):
    result = cli("bi", "grant-readonly", roles["role"], "--login", roles["login"], "--password-env", "COOPDB_NO_SUCH",
                 "-d", url_text(db_url), env={"COOPDB_NO_SUCH": ""})
    assert result.exit_code == 3
    assert result.stderr == "error: environment variable COOPDB_NO_SUCH is not set or empty: put the password there\n"
    result = cli("bi", "grant-readonly", roles["role"], "--login", roles["login"], "-d", url_text(db_url))
    assert result.exit_code == 3
    assert "does not exist yet: give its password with --password-env" in result.stderr


def test_refuses_a_superuser_and_bad_names(cli, db_url, bi_engine, roles):
    result = cli("bi", "grant-readonly", roles["role"], "--login", "postgres", "--password-env", "PW",
                 "-d", url_text(db_url), env={"PW": "x"})
    assert result.exit_code == 3
    assert result.stderr == "error: login user 'postgres' is a superuser: refusing to change it\n"
    result = cli("bi", "grant-readonly", "Bad-Name", "-d", url_text(db_url))
    assert result.exit_code == 3
    assert "expected a lower-case PostgreSQL name" in result.stderr


def test_sqlite_explains_how_to_share_read_only(cli, db_url, backend):
    if backend != "sqlite":
        pytest.skip("the SQLite explanation")
    result = cli("bi", "grant-readonly", "coopdb_bi", "-d", url_text(db_url))
    assert result.exit_code == 0
    assert "SQLite has no users or roles" in result.stdout
    assert "?mode=ro" in result.stdout
    assert "bi_projects_by_country" in result.stdout


def test_the_bi_login_runs_status_export_and_bi_query(cli, db_url, reader, roles, tmp_path):
    as_login = url_text(db_url.set(username=roles["login"], password=PASSWORD))
    result = cli("status", "-d", as_login)
    assert result.exit_code == 0, result.stderr
    assert "(up to date)" in result.stdout
    assert "tables:   none readable by this user" in result.stdout
    result = cli("export", "country_pairs", "projects", "--format", "csv", "--out", tmp_path, "-d", as_login)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "country_pairs.csv").read_text().count("\n") == 7  # header and 6 pairs
    assert (tmp_path / "projects.csv").read_text().count("\n") == 6
    query = Path(__file__).resolve().parents[2] / "queries" / "yearly_totals.sql"
    result = cli("bi", "query", query, "-f", "json", "-d", as_login)
    assert result.exit_code == 0, result.stderr
    assert [r["year"] for r in json.loads(result.stdout)] == [2014, 2015, 2018, 2019]


def test_a_login_without_the_version_grant_gets_a_clear_message(cli, db_url, reader, roles):
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'REVOKE SELECT ON public.alembic_version FROM "{roles["role"]}"'))
    admin.dispose()
    result = cli("export", "--all", "--format", "csv", "--out", "unused", "-d",
                 url_text(db_url.set(username=roles["login"], password=PASSWORD)))
    assert result.exit_code == 4
    assert result.stderr == (
        f"error: {roles['login']} may not read the schema version (table alembic_version): as the database's "
        "owner, run `coopdb bi grant-readonly ROLE --login USER` again, which grants it (docs/bi.md)\n")


# --- what PUBLIC gives every role in the database, revoked; the login's timeout ------------------------------

@pytest.mark.parametrize("statement", [
    "SELECT lo_from_bytea(0, 'disk filling'::bytea)",
    "SELECT lo_create(0)",
    "SELECT lo_creat(-1)",
    "SELECT lo_put(lo_create(0), 0, 'x'::bytea)",
    "CREATE TEMPORARY TABLE scratch (id integer)",
    "CREATE FUNCTION pg_temp.scratch() RETURNS integer AS 'SELECT 1' LANGUAGE sql",
    "CREATE TABLE public.scratch (id integer)",
])
def test_reader_cannot_persist_large_objects_or_temp_objects(reader, bi_engine, statement):
    with pytest.raises(DBAPIError) as failure, reader.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("SET default_transaction_read_only = off"))  # the privileges alone refuse
        conn.execute(text(statement))
    assert DENIED in str(failure.value.orig)
    with bi_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_largeobject_metadata")).scalar_one() == 0


def test_reader_large_objects_refused_in_a_read_only_transaction_too(reader):
    with pytest.raises(DBAPIError) as failure, reader.connect() as conn:
        conn.execute(text("SELECT lo_from_bytea(0, 'x'::bytea)"))
        conn.commit()
    assert DENIED in str(failure.value.orig)


def test_login_has_a_statement_timeout(reader, cli, db_url, roles):
    with reader.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "1min"
        assert conn.execute(text("SHOW default_transaction_read_only")).scalar_one() == "on"
        with pytest.raises(DBAPIError) as failure:
            conn.execute(text("SET statement_timeout = '1s'"))
            conn.execute(text("SELECT pg_sleep(3)"))
    assert "statement timeout" in str(failure.value.orig)
    again = grant(cli, db_url, roles, "--timeout", "5")
    assert "statement_timeout 5s" in again.stdout
    reader.dispose()  # a new session reads the new setting
    with reader.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar_one() == "5s"


def test_the_owner_keeps_temp_and_create(cli, db_url, reader, roles):
    owner = db_url.username
    admin = create_engine(db_url)
    with admin.connect() as conn:
        kept = conn.execute(text("SELECT has_database_privilege(:o, current_database(), 'TEMP'), "
                                 "has_schema_privilege(:o, 'public', 'CREATE')"), {"o": owner}).one()
        public = conn.execute(text("SELECT datacl::text FROM pg_database WHERE datname = current_database()")).scalar()
    admin.dispose()
    assert tuple(kept) == (True, True)
    assert "=c/" in public and "=Tc/" not in public  # PUBLIC keeps CONNECT only


# --- `coopdb sql` as the BI login: allowed to run, and what it tries is refused by the server ------------

def reader_url(db_url, roles) -> str:
    return url_text(db_url.set(username=roles["login"], password=PASSWORD))


def test_sql_runs_as_the_bi_login(reader, cli, db_url, roles):
    run = cli("sql", "SELECT count(*) AS n FROM bi.country_pairs", "-f", "csv", "-d", reader_url(db_url, roles))
    assert (run.exit_code, run.stdout) == (0, "n\n6\n"), run.stderr


@pytest.mark.parametrize(("statement", "refusal"), [
    ("COPY (SELECT 1) TO PROGRAM 'true'", "must be superuser or have privileges of the pg_execute_server_program"),
    ("COPY (SELECT 1) TO '/tmp/coopdb-never-written'", "must be superuser or have privileges of the pg_write_server"),
    ("SELECT pg_read_file('/etc/hostname')", "permission denied"),
    ("SELECT lo_export(0, '/tmp/coopdb-never-written')", "permission denied"),
    ("SELECT lo_from_bytea(0, 'x'::bytea)", "permission denied"),
])
def test_sql_as_the_bi_login_cannot_escape(reader, cli, db_url, roles, statement, refusal):
    run = cli("sql", statement, "-d", reader_url(db_url, roles))
    assert run.exit_code == 3
    assert run.stderr.startswith("error: query refused by the database: ") and refusal in run.stderr, run.stderr


def test_sql_as_the_bi_login_is_stopped_by_the_timeout(reader, cli, db_url, roles):
    import time

    started = time.monotonic()
    run = cli("sql", "SELECT pg_sleep(5)", "--timeout", "1", "-d", reader_url(db_url, roles))
    assert time.monotonic() - started < 4.5
    assert run.exit_code == 3
    assert run.stderr.startswith("error: the query ran longer than the timeout of 1 s and was stopped")


def test_sql_refuses_a_login_that_may_use_dblink(reader, cli, db_url, roles, bi_engine):
    # dblink opens a second connection that commits on its own: installed, everyone may call it
    with bi_engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION dblink"))
    run = cli("sql", "SELECT 1", "-d", reader_url(db_url, roles))
    assert run.exit_code == 3
    assert run.stderr.startswith(f"error: refusing to run the query as {roles['login']}: it may call dblink, "
                                 "dblink_connect, dblink_exec, dblink_send_query")
    with bi_engine.begin() as conn:
        conn.execute(text("REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC"))
    run = cli("sql", "SELECT 1 AS one", "-f", "csv", "-d", reader_url(db_url, roles))
    assert (run.exit_code, run.stdout) == (0, "one\n1\n"), run.stderr


def test_login_has_a_temp_file_limit_it_cannot_raise(reader, cli, db_url, roles):
    with reader.connect() as conn:
        assert conn.execute(text("SHOW temp_file_limit")).scalar_one() == "1GB"
        with pytest.raises(DBAPIError) as failure:
            conn.execute(text("SET temp_file_limit = -1"))
    assert "permission denied to set parameter" in str(failure.value.orig)
    again = grant(cli, db_url, roles, "--temp-file-limit", "64")
    assert "temp_file_limit 64 MB" in again.stdout
    reader.dispose()
    with reader.connect() as conn:
        assert conn.execute(text("SHOW temp_file_limit")).scalar_one() == "64MB"


def test_dblink_installed_is_revoked_from_the_reader(cli, db_url, bi_engine, roles):
    """dblink, where installed, lets anyone open a second connection that commits: grant-readonly revokes
    its functions from PUBLIC, so the reader cannot call them (coopdb sql refuses them anyway)."""
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS dblink"))
    admin.dispose()
    assert grant(cli, db_url, roles).exit_code == 0
    engine = create_engine(db_url.set(username=roles["login"], password=PASSWORD))
    try:
        with pytest.raises(DBAPIError) as failure, engine.connect() as conn:
            conn.execute(text("SELECT public.dblink_connect('x', 'dbname=postgres')"))
        assert "permission denied for function dblink_connect" in str(failure.value.orig)
    finally:
        engine.dispose()
