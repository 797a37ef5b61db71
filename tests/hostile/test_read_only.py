"""`coopdb sql` and `coopdb bi query` are read-only whatever the statement: SQLite's authorizer and its
escaped URI, PostgreSQL's refusal of roles that escape a read-only transaction, the timeout, streaming
and --limit pushed into the fetch, and URLs that never echo their password."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import url_text

INFINITE = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture
def sqlite_file(db_url, backend, tmp_path) -> Path:
    if backend != "sqlite":
        pytest.skip("SQLite's read-only file and authorizer")
    return Path(db_url.database)


# --- SQLite: the authorizer and the URI ------------------------------------------------------------------

SQLITE_ESCAPES = {
    "vacuum-into": "VACUUM INTO '{dir}/copy.sqlite'",
    "vacuum": "VACUUM",
    "attach": "ATTACH DATABASE '{dir}/other.sqlite' AS other",
    "create": "CREATE TABLE pwned (x)",
    "create-temp": "CREATE TEMP TABLE pwned (x)",
    "insert": "INSERT INTO countries (code, name, kind) VALUES ('XXX', 'Nowhere', 'other')",
    "pragma-write": "PRAGMA user_version = 5",
    "pragma-act": "PRAGMA optimize",
    "pragma-schema": "PRAGMA writable_schema = 1",
    "load-extension": "SELECT load_extension('/tmp/nothing')",
}


@pytest.mark.parametrize("name", SQLITE_ESCAPES)
def test_sqlite_refuses_every_escape(cli, sqlite_file, tmp_path, name):
    outside = tmp_path / "outside"
    outside.mkdir()
    before, files = digest(sqlite_file), tree(tmp_path)
    run = cli("sql", SQLITE_ESCAPES[name].format(dir=outside), "-d", str(sqlite_file))
    assert run.exit_code == 3, run.stdout
    assert run.stderr.startswith("error: query refused by the database: ")
    assert "Traceback" not in run.stderr
    assert digest(sqlite_file) == before
    assert tree(tmp_path) == files  # no file created: no copy, no attached database


def test_sqlite_reads_what_a_reader_needs(cli, sqlite_file):
    for query, expected in [
        ("PRAGMA user_version", "user_version\n0\n"),
        ("SELECT name FROM pragma_table_info('countries') WHERE name = 'code'", "name\ncode\n"),
        ("PRAGMA table_info(countries)", None),
        ("SELECT count(*) AS n FROM sqlite_master WHERE name = 'countries'", "n\n1\n"),
        ("SELECT value FROM json_each('[1, 2]')", "value\n1\n2\n"),
    ]:
        run = cli("sql", query, "-f", "csv", "-d", str(sqlite_file))
        assert run.exit_code == 0, (query, run.stderr)
        if expected:
            assert run.stdout == expected


@pytest.mark.parametrize("folder", ["proj#1", "p?q", "100%", "a#b?c%41"])
def test_sqlite_path_with_uri_characters(cli, sqlite_file, tmp_path, folder):
    where = tmp_path / folder
    where.mkdir()
    target = where / "db#x.sqlite"
    shutil.copyfile(sqlite_file, target)
    before, files = digest(target), tree(tmp_path)
    run = cli("sql", "CREATE TABLE pwned(x)", "-d", str(target))
    assert run.exit_code == 3
    assert tree(tmp_path) == files and digest(target) == before  # nothing created beside it, nothing written
    run = cli("sql", "SELECT count(*) AS n FROM countries", "-f", "csv", "-d", str(target))
    assert (run.exit_code, run.stdout) == (0, "n\n0\n"), run.stderr


def test_sqlite_url_with_a_hash_writes_nothing(cli, sqlite_file, tmp_path):
    where = tmp_path / "x"
    where.mkdir()
    target = where / "db#x.sqlite"
    shutil.copyfile(sqlite_file, target)
    before = digest(target)
    run = cli("sql", "-d", f"sqlite:///{target}", "CREATE TABLE pwned(x)")
    assert run.exit_code == 3
    assert run.stderr.startswith("error: query refused by the database: not authorized")
    assert sorted(p.name for p in where.iterdir()) == ["db#x.sqlite"]  # no file `db` cut from the URI
    assert digest(target) == before


# --- both backends: writes, one statement, the timeout, streaming and --limit ----------------------------

def test_create_and_insert_refused(cli, db_url, backend):
    for statement in ("CREATE TABLE pwned (x integer)",
                      "INSERT INTO countries (code, name, kind) VALUES ('XXX', 'Nowhere', 'other')"):
        run = cli("sql", statement, "--as-admin", "-d", url_text(db_url))
        assert run.exit_code == 3
        assert run.stderr.startswith("error: query refused by the database: ")
    run = cli("sql", "SELECT count(*) AS n FROM countries", "-f", "csv", "--as-admin", "-d", url_text(db_url))
    assert run.stdout == "n\n0\n"


def test_one_statement_only(cli, db_url):
    run = cli("sql", "SELECT 1; SELECT 2", "--as-admin", "-d", url_text(db_url))
    assert run.exit_code == 3
    assert run.stderr.startswith("error: query refused by the database: ")


def test_timeout_stops_a_long_query(cli, db_url, backend):
    query = "SELECT pg_sleep(5)" if backend == "postgresql" else f"SELECT count(*) FROM ({INFINITE}) AS x"
    started = time.monotonic()
    run = cli("sql", query, "--timeout", "1", "--as-admin", "-d", url_text(db_url))
    assert time.monotonic() - started < 4.5
    assert run.exit_code == 3
    assert run.stderr == ("error: the query ran longer than the timeout of 1 s and was stopped "
                          "(give --timeout SECONDS for a longer one, 0 for none)\n")


def test_limit_is_pushed_into_the_fetch(cli, db_url):
    # An endless query: only a fetch that stops at --limit (+1) can return
    run = cli("sql", INFINITE, "--limit", "3", "-f", "csv", "--timeout", "20", "--as-admin", "-d", url_text(db_url))
    assert run.exit_code == 0, run.stderr
    assert run.stdout == "n\n1\n2\n3\n"
    assert run.stderr == "note: only the first 3 row(s) are shown: the query has more (--limit 3)\n"


def test_no_note_when_nothing_was_left_out(cli, db_url):
    query = "SELECT n FROM (SELECT 1 AS n UNION ALL SELECT 2) AS x ORDER BY n"
    run = cli("sql", query, "--limit", "2", "-f", "json", "--as-admin", "-d", url_text(db_url))
    assert (run.exit_code, run.stderr) == (0, "")
    assert json.loads(run.stdout) == [{"n": 1}, {"n": 2}]
    run = cli("sql", "SELECT 1 AS n WHERE 1 = 0", "-f", "json", "--as-admin", "-d", url_text(db_url))
    assert json.loads(run.stdout) == []


def test_streams_many_rows(cli, db_url):
    query = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 25000) SELECT n FROM r"
    run = cli("sql", query, "-f", "csv", "--as-admin", "-d", url_text(db_url))
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert (len(lines), lines[1], lines[-1]) == (25001, "1", "25000")  # across many fetches of 2,000


def test_values_are_printed_as_plain_text(cli, db_url):
    run = cli("sql", "SELECT '[/bold] [link=http://x]click[/link]' AS \"[b]\"", "--as-admin", "-d", url_text(db_url))
    assert run.exit_code == 0, run.stderr
    assert "[/bold] [link=http://x]click[/link]" in run.stdout and "[b]" in run.stdout


# --- PostgreSQL: a superuser is refused unless --as-admin ------------------------------------------------

@pytest.fixture
def pg(db_url, backend):
    if backend != "postgresql":
        pytest.skip("PostgreSQL roles")
    return url_text(db_url)


@pytest.mark.parametrize("query", [
    "COPY (SELECT 1) TO PROGRAM 'touch {marker}'",
    "SELECT pg_read_file('/etc/hostname')",
    "SELECT pg_sleep(5)",
])
def test_superuser_refused_without_as_admin(cli, pg, tmp_path, query):
    marker = tmp_path / "ran"
    started = time.monotonic()
    run = cli("sql", query.format(marker=marker), "-d", pg)
    assert time.monotonic() - started < 3
    assert run.exit_code == 3
    assert run.stderr.startswith("error: refusing to run the query as postgres: it is a superuser (it can run "
                                 "programs and read and write files on the server), which a read-only transaction "
                                 "does not stop. Connect as the BI reader instead (`coopdb bi grant-readonly")
    assert "--as-admin" in run.stderr
    assert not marker.exists()


def test_bi_query_refuses_a_superuser_too(cli, pg, tmp_path):
    path = tmp_path / "q.sql"
    path.write_text("SELECT 1 AS one")
    run = cli("bi", "query", str(path), "-d", pg)
    assert run.exit_code == 3 and run.stderr.startswith("error: refusing to run the query as postgres")
    run = cli("bi", "query", str(path), "-f", "csv", "--as-admin", "-d", pg)
    assert (run.exit_code, run.stdout) == (0, "one\n1\n")


# --- URLs ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "postgresql//postgres:s3cr3t@localhost/db",
    "postgresql:/postgres:s3cr3t@localhost/db",
    "postgres:s3cr3t@localhost/db",
    "postgresql//postgres:s3:cr3t@localhost/db",
    "postgresql//postgres:s3@cr3t@localhost/db",
    "postgresql//postgres:s3/cr3t@localhost/db",
    "postgresql://postgres:s3cr3t@localhost:port/db",
    "postgresql://postgres:s3/cr3t@localhost:port/db",
])
def test_a_malformed_url_never_echoes_its_password(cli, url):
    for args in (["status", "-d", url], ["sql", "SELECT 1", "-d", url], ["-d", url, "status"]):
        run = cli(*args)
        assert run.exit_code == 3, (args, run.stderr)
        assert run.stderr.startswith("error: not a database URL: ")
        assert "cr3t" not in run.stdout + run.stderr and "s3" not in run.stderr, run.stderr


def test_a_masked_url_keeps_the_rest():
    from db.engine import mask_text

    assert mask_text("postgresql//postgres:s3:cr3t@db.example.org/co") == "postgresql//postgres:***@db.example.org/co"
    assert mask_text("postgresql//me@localhost/db") == "postgresql//me@localhost/db"


def test_bi_query_is_read_only_on_sqlite_too(cli, sqlite_file, tmp_path):
    query = tmp_path / "escape.sql"
    query.write_text(f"VACUUM INTO '{tmp_path / 'copy.sqlite'}'")
    run = cli("bi", "query", str(query), "-d", str(sqlite_file))
    assert run.exit_code == 3 and run.stderr.startswith("error: query refused by the database: ")
    assert not (tmp_path / "copy.sqlite").exists()
