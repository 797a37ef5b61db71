"""The `coopdb` command: status, sql (read-only), db subcommands, errors and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import ImportRun
from tests.conftest import url_text

WRITES = [
    "INSERT INTO import_runs (importer, status, started_at, rows_read, rows_inserted, rows_updated, "
    "rows_unchanged, rows_rejected) VALUES ('x', 'running', '2024-01-01', 0, 0, 0, 0, 0)",
    "DELETE FROM import_runs",
    "DROP TABLE mentions",
    "UPDATE import_runs SET importer = 'y'",
]


def _count_runs(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(ImportRun)).scalar_one()


@pytest.mark.parametrize("statement", WRITES, ids=["insert", "delete", "drop", "update"])
def test_sql_cannot_write(cli, db_url, engine, statement):
    before = _count_runs(engine)
    run = cli("sql", statement, "--as-admin", "-d", url_text(db_url))
    assert run.exit_code == 3
    assert run.stderr.startswith("error: query refused by the database:")
    assert _count_runs(engine) == before


def test_sql_cannot_switch_a_postgresql_transaction_to_read_write(cli, db_url, engine, backend):
    statement = "SET TRANSACTION READ WRITE; " + WRITES[0]
    run = cli("sql", statement, "--as-admin", "-d", url_text(db_url))
    assert run.exit_code == 3
    assert _count_runs(engine) == 0


def test_sql_prints_csv_and_json(cli, db_url):
    run = cli("sql", "SELECT 1 AS one, 'a' AS letter", "-f", "csv", "--as-admin", "-d", url_text(db_url))
    assert run.exit_code == 0
    assert run.stdout == "one,letter\n1,a\n"
    run = cli("sql", "SELECT 1 AS one, 'a' AS letter", "-f", "json", "--as-admin", "-d", url_text(db_url))
    assert json.loads(run.stdout) == [{"one": 1, "letter": "a"}]


def test_status_shows_revision_and_tables(cli, db_url):
    run = cli("status", "--json", "-d", url_text(db_url))
    assert run.exit_code == 0
    data = json.loads(run.stdout)
    assert data["up_to_date"] is True
    assert data["tables"]["countries"] == 0
    assert "***" not in data["database"] or db_url.password


def test_status_masks_the_password(cli, tmp_path):
    run = cli("status", "-d", "postgresql://someone:s3cret@127.0.0.1:1/nowhere")
    assert run.exit_code == 4
    assert "s3cret" not in run.stdout + run.stderr
    assert run.stderr.startswith("error: database unavailable:")


def test_db_current_on_an_empty_database(cli, empty_url, backend):
    if backend == "sqlite":
        Path(empty_url.database).touch()  # an empty file is an empty SQLite database; a missing one is an error
    run = cli("db", "current", "--json", "-d", url_text(empty_url))
    assert run.exit_code == 0
    assert json.loads(run.stdout)["revision"] is None


def test_unknown_revision_is_a_user_error(cli, db_url):
    run = cli("db", "upgrade", "nosuchrevision", "-d", url_text(db_url))
    assert run.exit_code == 3
    assert run.stderr.startswith("error: migration failed:")
    assert "Traceback" not in run.stderr


def test_bad_url_is_a_user_error(cli):
    run = cli("status", "-d", "mysql://x@y/z")
    assert run.exit_code == 3
    assert run.stderr == (
        "error: unsupported database 'mysql' in mysql://x@y/z (coopdb supports sqlite and postgresql)\n"
    )


def test_sql_on_a_missing_sqlite_file(cli, tmp_path):
    run = cli("sql", "SELECT 1", "-d", f"sqlite:///{tmp_path / 'none.sqlite'}")
    assert run.exit_code == 4
    assert "the file does not exist" in run.stderr
    assert not (tmp_path / "none.sqlite").exists()


def test_every_command_has_help(cli):
    from coopdb.cli import cli as root

    def walk(group, prefix):
        for name, command in group.commands.items():
            yield [*prefix, name], command
            if hasattr(command, "commands"):
                yield from walk(command, [*prefix, name])

    for path, command in walk(root, []):
        assert command.help, f"coopdb {' '.join(path)} has no help text"
        run = cli(*path, "--help")
        assert run.exit_code == 0, path


def test_every_command_is_in_the_readme():
    from pathlib import Path

    from coopdb.cli import cli as root

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()

    def walk(group, prefix):
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                yield from walk(command, [*prefix, name])
            else:
                yield " ".join([*prefix, name])

    missing = [c for c in walk(root, ["coopdb"]) if c not in readme]
    assert missing == []
