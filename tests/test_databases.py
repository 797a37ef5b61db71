"""Naming the database: URLs with percent-encoded parts, -d before or after the command, plain SQLite
paths; no command but `db upgrade`/`quickstart` creates a database; clear messages (exit 4) for a
missing file, a missing PostgreSQL database, an unmigrated schema and an empty country reference."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from db import migrate
from db.engine import make_engine
from tests.conftest import (
    _admin_url,
    create_pg_database,
    drop_pg_database,
    require_pg,
    url_text,
)

# Every command that opens a database and only reads: none may create a SQLite file.
READERS = [
    ["status"],
    ["db", "current"],
    ["db", "check"],
    ["db", "downgrade", "base"],
    ["countries", "resolve", "China"],
    ["countries", "list"],
    ["mentions"],
    ["export", "--all", "--out", "exports"],
    ["import", "countries"],
    ["bi", "grant-readonly", "reader"],
]


def _socket_url(database: str) -> str:
    """A URL that reaches the test server through its Unix socket folder, percent-encoded in ?host=."""
    engine = create_engine(_admin_url())
    with engine.connect() as conn:
        folder = conn.execute(text("SHOW unix_socket_directories")).scalar_one().split(",")[0].strip()
    engine.dispose()
    admin = _admin_url()
    return f"postgresql://{admin.username}@/{database}?host={quote(folder, safe='')}"


@pytest.fixture
def pg_database():
    require_pg()
    url = create_pg_database()
    yield url
    drop_pg_database(url)


def test_a_socket_folder_url_works_in_every_command(cli, pg_database, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = _socket_url(pg_database.database)
    assert "%2F" in url
    up = cli("-d", url, "db", "upgrade")
    assert up.exit_code == 0, up.stderr
    assert up.stdout.endswith(f"empty -> {migrate.head_revision()}\n")
    for args in (["db", "current", "--json"], ["db", "check"], ["status", "--json"], ["import", "countries"],
                 ["countries", "resolve", "Tiongkok"], ["countries", "list", "--region", "Central Asia"],
                 ["mentions"], ["export", "projects_by_country", "--out", str(tmp_path / "out")],
                 ["sql", "SELECT count(*) AS n FROM countries", "-f", "csv", "--as-admin"]):
        run = cli("-d", url, *args)
        assert run.exit_code == 0, (args, run.stderr)
        assert "interpolation" not in run.stderr
    assert json.loads(cli("status", "--json", "-d", url).stdout)["tables"]["countries"] > 300
    down = cli("db", "downgrade", "base", "-d", url)
    assert down.exit_code == 0, down.stderr


def test_a_password_with_percent_at_and_colon(cli, pg_database, tmp_path, monkeypatch):
    """The test server trusts local connections, so the password is not checked there; what is tested is
    that it travels through URL parsing and Alembic's config intact and is never printed."""
    monkeypatch.chdir(tmp_path)
    role = f"coopdb_pw_{uuid.uuid4().hex[:8]}"
    password = "p%40ss%w0rd@host:5432/x"
    admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
        conn.execute(text(f'ALTER DATABASE "{pg_database.database}" OWNER TO {role}'))
    try:
        server = _admin_url()
        url = (f"postgresql://{role}:{quote(password, safe='')}@{server.host}:{server.port}/"
               f"{pg_database.database}")
        assert make_engine(url).url.password == password
        for args in (["db", "upgrade"], ["status"], ["db", "check"], ["countries", "list"]):
            run = cli(*args, "-d", url)
            assert run.exit_code == 0, (args, run.stderr)
            assert "w0rd" not in run.stdout + run.stderr
        probe = make_engine(url)
        with probe.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar_one() == role
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == \
                migrate.head_revision()
        probe.dispose()
    finally:
        drop_pg_database(pg_database)
        with admin.connect() as conn:
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()


def test_percent_signs_in_a_sqlite_path(cli, tmp_path):
    folder = tmp_path / "50%done"
    folder.mkdir()
    for given in (f"sqlite:///{folder / 'c.sqlite'}", str(folder / "c.sqlite")):
        run = cli("-d", given, "db", "upgrade")
        assert run.exit_code == 0, run.stderr
        assert cli("-d", given, "db", "check").exit_code == 0


def test_database_option_before_or_after_the_command(cli, db_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    given = url_text(db_url)
    before = cli("-d", given, "status", "--json")
    after = cli("status", "--json", "--database-url", given)
    assert before.exit_code == after.exit_code == 0, before.stderr
    assert json.loads(before.stdout)["up_to_date"] is True
    assert json.loads(before.stdout) == json.loads(after.stdout)
    # the group's -d wins over the environment; the command's own -d over both
    env = {"COOPDB_DATABASE_URL": str(tmp_path / "elsewhere.sqlite")}
    assert cli("--database-url", given, "db", "current", env=env).exit_code == 0
    missing = cli("-d", given, "db", "current", "-d", str(tmp_path / "nowhere.sqlite"), env=env)
    assert missing.exit_code == 4
    assert "nowhere.sqlite" in missing.stderr
    from_env = cli("db", "current", env=env)
    assert from_env.exit_code == 4 and "elsewhere.sqlite" in from_env.stderr
    assert not (tmp_path / "elsewhere.sqlite").exists()


def test_a_plain_sqlite_path_and_docs_commands_accept_the_option(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = cli("db", "upgrade", "-d", "plain.sqlite")
    assert run.exit_code == 0, run.stderr
    assert Path("plain.sqlite").is_file()
    assert cli("-d", "plain.sqlite", "status").stdout.startswith("database: sqlite:///plain.sqlite (sqlite)")
    er = cli("-d", "plain.sqlite", "docs", "er", "--out", "er.md")
    assert er.exit_code == 0, er.stderr
    assert cli("docs", "er", "--out", "er.md", "--check", "-d", "plain.sqlite").exit_code == 0


@pytest.mark.parametrize("args", READERS, ids=[" ".join(a) for a in READERS])
def test_no_command_but_upgrade_creates_a_sqlite_file(cli, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    run = cli(*args, "-d", "sqlite:///typo.sqlite")
    assert run.exit_code == 4, run.stdout + run.stderr
    assert run.stderr == ("error: no SQLite database at typo.sqlite: the file does not exist (check the path; "
                          "`coopdb db upgrade` or `coopdb quickstart` creates a new database)\n")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_is_not_a_database(cli, tmp_path):
    run = cli("status", "-d", str(tmp_path))
    assert run.exit_code == 4
    assert "the file is a folder, not a file" in run.stderr


def test_a_missing_postgresql_database_says_how_to_create_it(cli):
    require_pg()
    name = f"coopdb_absent_{uuid.uuid4().hex[:8]}"
    url = url_text(_admin_url().set(database=name))
    run = cli("status", "-d", url)
    assert run.exit_code == 4
    assert f'database "{name}" does not exist (create it first: `createdb {name}`' in run.stderr
    assert "coopdb quickstart --create-database" in run.stderr


def test_quickstart_can_create_the_postgresql_database(cli):
    require_pg()
    url = _admin_url().set(database=f"coopdb_test_{uuid.uuid4().hex[:12]}")
    try:
        run = cli("quickstart", "--create-database", "--json", "-d", url_text(url))
        assert run.exit_code == 0, run.stderr
        data = json.loads(run.stdout)
        assert data["created_database"] is True and data["tables"]["countries"] > 300
        again = cli("quickstart", "--create-database", "--json", "-d", url_text(url))
        assert json.loads(again.stdout)["created_database"] is False
    finally:
        drop_pg_database(url)


UNMIGRATED = [
    ["countries", "resolve", "China"],
    ["countries", "list"],
    ["mentions", "--entity", "KAZ"],
    ["export", "--all", "--out", "x"],
    ["bi", "query", "queries"],
    ["sql", "SELECT code FROM projects", "--as-admin"],
    ["import", "countries"],
    ["import", "projects", "p.csv"],
]


@pytest.mark.parametrize("args", UNMIGRATED, ids=[" ".join(a) for a in UNMIGRATED])
def test_an_unmigrated_database_says_the_schema_is_missing(cli, empty_url, tmp_path, monkeypatch, backend, args):
    monkeypatch.chdir(tmp_path)
    Path("p.csv").write_text("code,title\nP1,One\n")
    if args[:2] == ["bi", "query"]:
        args = ["bi", "query", str(sorted((Path(__file__).resolve().parents[1] / "queries").glob("*.sql"))[0])]
    if backend == "sqlite":
        make_engine(empty_url).dispose()
        Path(empty_url.database).touch()  # an empty file: SQLite's own way of saying "a new database"
    run = cli(*args, "-d", url_text(empty_url))
    assert run.exit_code == 4, run.stdout + run.stderr
    assert "has no coopdb schema (no tables yet): run `coopdb db upgrade` to create it, or `coopdb quickstart` " \
           "to also load the reference data" in run.stderr


def test_an_import_without_countries_says_to_import_them(cli, db_url, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("code,title,participants\nP1,One,host:Kazakhstan\n")
    run = cli("import", "projects", str(path), "-d", url_text(db_url))
    assert run.exit_code == 4, run.stdout + run.stderr
    assert run.stderr == ("error: the database has no countries to resolve names against: run "
                          "`coopdb import countries` first (or `coopdb quickstart`)\n")
    plain = tmp_path / "q.csv"
    plain.write_text("code,title\nP2,Two\n")  # no country to resolve: no reference needed
    assert cli("import", "projects", str(plain), "-d", url_text(db_url)).exit_code == 0


def test_mentions_of_an_unknown_entity_suggest_codes(cli, db_url):
    url = url_text(db_url)
    assert cli("import", "countries", "-d", url).exit_code == 0
    run = cli("mentions", "--entity", "KAZAK", "-d", url)
    assert run.exit_code == 3
    assert run.stderr.startswith("error: --entity: no country, forum, project, agreement or organisation with the "
                                 "code 'KAZAK'; did you mean country:KAZ (Kazakhstan)")
    nothing = cli("mentions", "--entity", "country:QQQQQ", "-d", url)
    assert nothing.exit_code == 3
    assert nothing.stderr.startswith("error: --entity: no country with the code 'country:QQQQQ'; nothing close")
    known = cli("mentions", "--entity", "KAZ", "-d", url)
    assert (known.exit_code, known.stdout) == (0, "no mentions\n")
