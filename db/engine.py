"""Database URLs, engines and sessions for SQLite (the default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import os
import re
import sqlite3
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from db import exact
from db.errors import DatabaseError, UserError

URL_ENV = "COOPDB_DATABASE_URL"
DEFAULT_SQLITE_FILE = "coopdb.sqlite"


# Something that was meant as a URL (a scheme, or user@host) but lacks its "://"
_URL_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!/)|^[A-Za-z][A-Za-z0-9+.-]*//|@")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/+")


def mask_text(text: str) -> str:
    """A URL that could not be parsed, with anything that may be a password replaced by ***: in
    `user:password@host`, everything from the first ':' after the user to the last '@' (a password may
    hold ':', '/' or '@', and the text may lack its '://')."""
    prefix, at, rest = text.rpartition("@")
    if not at:
        return text
    start = prefix.find("//") + 2 if "//" in prefix else 0
    if start == 0 and (scheme := _SCHEME.match(prefix)):
        start = scheme.end()
    user, colon, _password = prefix[start:].partition(":")
    return f"{prefix[:start]}{user}{colon}{'***' if colon else ''}@{rest}"


def resolve_url(url: str | None = None) -> URL:
    """The URL to use: the given one, else $COOPDB_DATABASE_URL, else ./coopdb.sqlite.

    `postgresql://` and `postgres://` URLs are sent through psycopg 3. A plain file path
    (`coopdb.sqlite`, `data/x.db`, `/abs/path.sqlite`) names a SQLite file, as in sqlite-utils.
    Percent-encoded parts (`?host=%2Fvar%2Frun%2Fpostgresql`, a password holding `%40`) are decoded
    as in any SQLAlchemy URL.
    """
    text = url or os.environ.get(URL_ENV) or f"sqlite:///{DEFAULT_SQLITE_FILE}"
    if text.startswith("postgres://"):
        text = "postgresql://" + text.removeprefix("postgres://")
    if "://" not in text and not _URL_LIKE.search(text):
        return URL.create("sqlite", database=text)
    try:
        parsed = make_url(text)
    except ValueError:  # SQLAlchemy reads the port with int()
        raise UserError(f"not a database URL: the port must be a number from 1 to 65535 "
                        f"(got {_port_text(text)!r})") from None
    except ArgumentError:
        raise UserError(
            f"not a database URL: {mask_text(text)!r} (expected e.g. sqlite:///coopdb.sqlite, "
            "a SQLite file path, or postgresql://user@host/dbname)"
        ) from None
    port = parsed.port
    if port is not None and not 0 < port < 65536:
        raise UserError(f"not a database URL: the port must be a number from 1 to 65535 (got {port!r})")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise UserError(
            f"unsupported database {parsed.get_backend_name()!r} in {mask(parsed)} "
            "(coopdb supports sqlite and postgresql)"
        )
    return parsed


def _port_text(text: str) -> str:
    """The port as written in a URL (user:password@host:port/...), cut to a sane length."""
    rest = text.partition("://")[2].rpartition("@")[2]  # never the user and password
    host = rest.split("/", 1)[0].split("?", 1)[0]
    return host.rpartition("]")[2].partition(":")[2][:40]


def mask(url: URL | str) -> str:
    """The URL as text with any password replaced by ***."""
    if isinstance(url, str):
        url = make_url(url)
    return url.render_as_string(hide_password=True)


def sqlite_path(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def roll_back_hot_journal(path: Path) -> None:
    """A writer killed mid-transaction leaves `<file>-journal` behind ("hot"): SQLite rolls it back when
    the file is next opened for writing, and a read-only connection cannot, so it fails with "attempt to
    write a readonly database". Open the file for writing once, briefly, so that SQLite restores it; when
    that is not allowed, say what to do."""
    journal = path.with_name(path.name + "-journal")
    if not journal.exists() or journal.stat().st_size == 0:
        return
    try:
        raw = sqlite3.connect(path, timeout=5)
        try:
            raw.execute("SELECT count(*) FROM sqlite_master").fetchone()  # rolls a hot journal back
        finally:
            raw.close()
    except sqlite3.Error as exc:
        if "locked" in str(exc):
            return  # a live writer's journal, not a hot one: the query waits for it like any reader
        raise DatabaseError(
            f"{path}: an interrupted write left {journal.name} beside it, which SQLite must roll back before "
            f"the file can be read ({exc}); run any coopdb command that writes (e.g. `coopdb status`) as a user "
            "who may write the file and its folder, or `sqlite3 FILE 'PRAGMA integrity_check'`"
        ) from None


def _enforce_sqlite_foreign_keys(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    exact.register(dbapi_connection)  # SUM/TOTAL/AVG add decimals exactly (db/exact.py)


# What a read-only SQLite connection may do (sqlite3 authorizer action codes): read, select, recurse, call
# functions (but load_extension), begin and end transactions and savepoints, and read these PRAGMAs.
_SQLITE_ALLOWED = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE,
                             sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT})
_SQLITE_PRAGMAS_READ = frozenset({
    "application_id", "auto_vacuum", "cache_size", "collation_list", "compile_options", "data_version",
    "database_list", "encoding", "foreign_keys", "freelist_count", "function_list", "journal_mode",
    "module_list", "page_count", "page_size", "pragma_list", "read_uncommitted", "schema_version", "table_list",
    "user_version",
})
_SQLITE_PRAGMAS_ARGUMENT = frozenset({  # these take a table, an index or a count, and only read
    "foreign_key_check", "foreign_key_list", "index_info", "index_list", "index_xinfo", "integrity_check",
    "quick_check", "table_info", "table_list", "table_xinfo",
})


def sqlite_read_only_authorizer(action: int, arg1: str | None, arg2: str | None, database: str | None,
                                _source: str | None) -> int:
    """Denies everything a read-only query has no business doing, whatever the file's mode: ATTACH (which
    creates files, and which VACUUM and VACUUM INTO go through), every write and DDL (temp tables too),
    PRAGMAs that set something or act (optimize, wal_checkpoint, ...) and load_extension."""
    if action in _SQLITE_ALLOWED:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION:
        return sqlite3.SQLITE_DENY if (arg2 or "").lower() == "load_extension" else sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA:
        name = (arg1 or "").lower()
        if (arg2 is None and name in _SQLITE_PRAGMAS_READ) or name in _SQLITE_PRAGMAS_ARGUMENT:
            return sqlite3.SQLITE_OK
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master" and database == "main":
        # SQLite asks this while it reads the schema for a table-valued function (pragma_table_info,
        # json_each); the main file is opened read-only and sqlite_master cannot be written by a query
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _read_only_sqlite(dbapi_connection, _record) -> None:
    dbapi_connection.set_authorizer(sqlite_read_only_authorizer)


def sqlite_read_only_uri(path: Path) -> str:
    """`file:/abs/path?mode=ro` with the path percent-escaped, so that a '#', '?' or '%' in a folder or file
    name (`proj#1/coopdb.sqlite`) is part of the path and never cuts the URI short."""
    return f"file:{urllib.parse.quote(str(path.resolve()), safe='/')}?mode=ro"


def make_engine(url: URL | str | None = None, *, read_only: bool = False, **kwargs) -> Engine:
    """An engine for `url`. SQLite gets foreign keys on every connection.

    With read_only=True, SQLite opens the file in read-only mode (the file must exist) with an authorizer
    that refuses anything but reading (sqlite_read_only_authorizer), and PostgreSQL runs every
    transaction READ ONLY (see db/readonly.py for what that does not stop).
    """
    parsed = url if isinstance(url, URL) else resolve_url(url)
    if parsed.get_backend_name() == "sqlite":
        if read_only:
            path = sqlite_path(parsed)
            if path is None or not path.exists():
                raise UserError(f"no SQLite database at {mask(parsed)} (run `coopdb db upgrade` first)")
            roll_back_hot_journal(path)
            parsed = parsed.set(database=sqlite_read_only_uri(path), query={"uri": "true"})
            kwargs["poolclass"] = NullPool
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _enforce_sqlite_foreign_keys)
        if read_only:
            event.listen(engine, "connect", _read_only_sqlite)  # after the PRAGMAs above
        return engine
    if read_only:
        # Every transaction READ ONLY from the server's side; no pooling, so that a session setting
        # changed by one query can never reach another.
        kwargs.setdefault("connect_args", {})["options"] = "-c default_transaction_read_only=on"
        kwargs.setdefault("execution_options", {})["postgresql_readonly"] = True
        kwargs["poolclass"] = NullPool
    return create_engine(parsed, **kwargs)


def create_database(url: URL) -> bool:
    """PostgreSQL: create the database `url` names unless it exists, connecting with the same user to
    the server's `postgres` maintenance database (the user needs CREATEDB). Returns True when it was
    created. SQLite files are created by the first migration: nothing to do there."""
    if url.get_backend_name() != "postgresql" or not url.database:
        return False
    last: Exception | None = None
    for maintenance in ("postgres", "template1"):
        admin = create_engine(url.set(database=maintenance), isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with admin.connect() as conn:
                exists = conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %(name)s",
                                              {"name": url.database}).first()
                if exists:
                    return False
                quoted = conn.dialect.identifier_preparer.quote_identifier(url.database)
                conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
                return True
        except OperationalError as exc:  # that maintenance database may not exist: try the next
            last = exc
        finally:
            admin.dispose()
    assert last is not None
    raise last


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session
