"""Fixtures: fresh databases on real SQLite and real PostgreSQL, built by running the migrations.

PostgreSQL: the server at $COOPDB_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
Each test gets its own database, copied from a template migrated once per test process, and dropped
afterwards. Without a server the PostgreSQL variants skip, except under CI=true where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

from db import migrate
from db.engine import make_engine

PG_ADMIN_URL = os.environ.get("COOPDB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SHARED_SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _admin_url() -> URL:
    url = make_url(PG_ADMIN_URL)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


_pg_state: dict[str, object] = {}


def pg_unavailable_reason() -> str | None:
    if "reason" not in _pg_state:
        try:
            engine = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
            _pg_state["reason"] = None
        except Exception as exc:  # any failure to connect means: no server for these tests
            first = str(exc).strip().splitlines()[0]
            _pg_state["reason"] = (
                f"PostgreSQL not reachable at {_admin_url().render_as_string()} ({first}); "
                "start it or set COOPDB_TEST_PG_URL"
            )
    return _pg_state["reason"]  # type: ignore[return-value]


def require_pg() -> None:
    reason = pg_unavailable_reason()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)


def _admin_engine() -> Engine:
    return create_engine(_admin_url(), isolation_level="AUTOCOMMIT")


def create_pg_database(template: str | None = None) -> URL:
    name = f"coopdb_test_{uuid.uuid4().hex[:12]}"
    engine = _admin_engine()
    with engine.connect() as conn:
        tpl = f" TEMPLATE {template}" if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{tpl}'))
    engine.dispose()
    return _admin_url().set(database=name)


def drop_pg_database(url: URL) -> None:
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    engine.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)]


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    if request.param == "postgresql":
        require_pg()
    return request.param


@pytest.fixture
def empty_url(backend, tmp_path) -> Iterator[URL]:
    """A new, empty database (no tables)."""
    if backend == "sqlite":
        yield make_url(f"sqlite:///{tmp_path / 'empty.sqlite'}")
        return
    url = create_pg_database()
    yield url
    drop_pg_database(url)


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory) -> Iterator[dict[str, object]]:
    """Per test process: one SQLite file and one PostgreSQL template database at head."""
    templates: dict[str, object] = {}
    yield templates
    for url in templates.values():
        if isinstance(url, URL) and url.get_backend_name() == "postgresql":
            drop_pg_database(url)


def _template(backend: str, templates: dict[str, object], tmp_path_factory) -> object:
    if backend not in templates:
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("template") / "head.sqlite"
            engine = make_engine(f"sqlite:///{path}")
            migrate.upgrade(engine)
            engine.dispose()
            templates[backend] = path
        else:
            url = create_pg_database()
            engine = make_engine(url)
            migrate.upgrade(engine)
            engine.dispose()
            templates[backend] = url
    return templates[backend]


@pytest.fixture
def db_url(backend, tmp_path, migrated_templates, tmp_path_factory) -> Iterator[URL]:
    """A new database migrated to head, empty of data."""
    template = _template(backend, migrated_templates, tmp_path_factory)
    if backend == "sqlite":
        path = tmp_path / "coopdb.sqlite"
        shutil.copyfile(template, path)  # type: ignore[arg-type]
        yield make_url(f"sqlite:///{path}")
        return
    url = create_pg_database(template=template.database)  # type: ignore[union-attr]
    yield url
    drop_pg_database(url)


@pytest.fixture
def engine(db_url) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def url_text(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def write_workbook(path: Path, rows: list[list]) -> Path:
    """A one-sheet .xlsx file holding `rows` (the first is the header)."""
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


@pytest.fixture
def cli():
    """Run `coopdb ...` in-process; returns click's Result (exit_code, stdout, stderr)."""
    from coopdb.cli import cli as root

    runner = CliRunner()

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        return runner.invoke(root, [str(a) for a in args], input=input, env=env, catch_exceptions=False)

    return run
