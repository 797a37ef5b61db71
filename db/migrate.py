"""Schema migrations as library calls: upgrade, downgrade, current revision, model/migration check."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import CheckConstraint, Connection, Engine, inspect
from sqlalchemy.exc import DBAPIError

from db.errors import DatabaseError, SchemaOutOfDate, UserError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option(
        "file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s"
    )
    if engine is not None:
        # Alembic's Config is a ConfigParser: a `%` (a percent-encoded socket folder or password) must
        # be written `%%` there, or reading it back fails with "invalid interpolation syntax".
        url = engine.url.render_as_string(hide_password=False)
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The newest revision of migrations/versions/. Read off the revision files' `revision` and
    `down_revision` lines (the one revision no other revision comes after); Alembic's own answer, which
    compiles every revision file, where those lines do not give exactly one (tests compare the two)."""
    return _scanned_head() or alembic_head()


def alembic_head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


_REVISION_LINE = re.compile(r"^(down_revision|revision)\b[^=\n]*=\s*(?:'([^']*)'|\"([^\"]*)\"|(None))\s*$", re.M)


@functools.cache
def _scanned_head() -> str | None:
    revisions, parents = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        if path.name.startswith("__init__"):
            continue  # Alembic's own rule: not a revision
        found = {name: quoted or double or None
                 for name, quoted, double, _none in _REVISION_LINE.findall(path.read_text(encoding="utf-8"))}
        if "revision" not in found or "down_revision" not in found:
            return None  # a file these lines do not describe (a merge revision's tuple): Alembic decides
        revisions.add(found["revision"])
        if found["down_revision"] is not None:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


# The schema of alembic_version when it is not on the search_path (a BI login's search_path is bi).
_VERSION_SCHEMA = """
SELECT n.nspname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relname = 'alembic_version' AND c.relkind = 'r' AND to_regclass('alembic_version') IS NULL
ORDER BY n.nspname = 'public' DESC, n.nspname LIMIT 1
"""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        opts = {}
        if conn.dialect.name == "postgresql":
            schema = conn.exec_driver_sql(_VERSION_SCHEMA).scalar()
            if schema is not None:
                opts["version_table_schema"] = schema
        try:
            return MigrationContext.configure(conn, opts=opts).get_current_revision()
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != "42501":  # insufficient_privilege
                raise
            user = engine.url.username or "this user"
            raise DatabaseError(
                f"{user} may not read the schema version (table alembic_version): as the database's owner, run "
                "`coopdb bi grant-readonly ROLE --login USER` again, which grants it (docs/bi.md)") from None


def _run(engine: Engine, fn, *args) -> None:
    cfg = alembic_config(engine)
    with engine.connect() as conn, migration_transaction(conn):
        cfg.attributes["connection"] = conn
        try:
            fn(cfg, *args)
        except CommandError as exc:
            raise UserError(f"migration failed: {exc}") from None


@contextmanager
def migration_transaction(conn: Connection) -> Iterator[None]:
    """One transaction around a whole migration, committed at the end, rolled back on any error.

    SQLite rebuilds a table to change it (batch mode: copy, drop the old table, rename the copy). Its
    documented procedure: foreign keys off outside the transaction, checked before committing, then on
    again; with them on, dropping a table that other rows reference would fail. And its driver begins a
    transaction only before INSERT/UPDATE/DELETE, which would leave CREATE/DROP/ALTER outside it: here
    we say BEGIN ourselves, so that a failed migration leaves the database as it was.
    """
    if conn.dialect.name != "sqlite":
        with conn.begin():
            yield
        return
    raw = conn.connection.driver_connection
    level = raw.isolation_level
    raw.isolation_level = None
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        with conn.begin():
            raw.execute("BEGIN IMMEDIATE")
            yield
            broken = raw.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                table, rowid, parent, _ = broken[0]
                raise UserError(f"migration failed: {len(broken)} rows would break a foreign key "
                                f"(first: {table} rowid {rowid} -> {parent}); nothing was changed")
    finally:
        raw.execute("PRAGMA foreign_keys=ON")
        raw.isolation_level = level


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate up to `revision`; returns (revision before, revision after)."""
    before = current_revision(engine)
    _run(engine, command.upgrade, revision)
    return before, current_revision(engine)


def downgrade(engine: Engine, revision: str) -> tuple[str | None, str | None]:
    before = current_revision(engine)
    _run(engine, command.downgrade, revision)
    return before, current_revision(engine)


@dataclass
class CheckResult:
    revision: str | None
    head: str
    differences: list[str]

    @property
    def ok(self) -> bool:
        return self.revision == self.head and not self.differences


def check(engine: Engine) -> CheckResult:
    """Compare the migrated database with the models. Differences mean a migration is missing."""
    from db.models import Base
    from migrations.env_filters import include_name, include_object

    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "include_name": include_name,
                "include_object": include_object,
                "compare_type": True,
                "target_metadata": Base.metadata,
            },
        )
        diffs = compare_metadata(ctx, Base.metadata)
        revision = ctx.get_current_revision()
        vocabularies = _vocabulary_differences(conn, Base.metadata)
    return CheckResult(revision, head_revision(), [_describe(d) for d in diffs] + vocabularies)


def _vocabulary_differences(conn, metadata) -> list[str]:
    """Vocabulary CHECKs whose values differ between the models and the database (autogenerate does
    not compare CHECK constraints, so a vocabulary changed in db/vocab.py without a migration would pass
    unnoticed), e.g. 'modify_check projects.ck_projects_status: the database lacks suspended'."""
    inspector = inspect(conn)
    out: list[str] = []
    for table in metadata.sorted_tables:
        wanted = {ck.name: ck.info["vocabulary"][1] for ck in table.constraints
                  if isinstance(ck, CheckConstraint) and "vocabulary" in ck.info}
        if not wanted:
            continue
        found = {ck["name"]: ck["sqltext"] for ck in inspector.get_check_constraints(table.name)}
        for name, values in wanted.items():
            if name not in found:
                out.append(f"add_check {table.name}.{name}")
                continue
            allowed = {v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", found[name])}
            missing, extra = sorted(set(values) - allowed), sorted(allowed - set(values))
            if missing or extra:
                detail = "; ".join([*(["the database lacks " + ", ".join(missing)] if missing else []),
                                    *(["the models lack " + ", ".join(extra)] if extra else [])])
                out.append(f"modify_check {table.name}.{name}: {detail}")
    return out


def _describe(diff) -> str:
    """One line per autogenerate difference, e.g. 'add_column projects.not_migrated_yet'."""
    if isinstance(diff, list):  # column modifications come as a list of tuples
        return "; ".join(_describe(d) for d in diff)
    op, *rest = diff
    objects = [item for item in rest if hasattr(item, "name")]
    names = []
    for item in objects:
        table = getattr(item, "table", None)
        names.append(f"{table.name}.{item.name}" if getattr(table, "name", None) else str(item.name))
    if not objects:  # modify_* tuples: (op, schema, table, column, info, old, new)
        names = [str(x) for x in rest[1:3] if x is not None]
    return f"{op} {' '.join(names)}".strip()


def require_schema(engine: Engine, shown: str | None = None) -> str:
    """The database's revision; a clear error when it has no coopdb schema at all (`shown`: how to name it)."""
    current = current_revision(engine)
    if current is None:
        raise SchemaOutOfDate(
            f"the database {shown or engine.url.render_as_string(hide_password=True)} has no coopdb schema (no tables "
            "yet): run `coopdb db upgrade` to create it, or `coopdb quickstart` to also load the reference data"
        )
    return current


def require_head(engine: Engine, shown: str | None = None) -> None:
    """Raise a clear error when the database is not at the head revision (`shown`: how to name it)."""
    current = require_schema(engine, shown)
    head = head_revision()
    if current != head:
        raise SchemaOutOfDate(
            f"database is at revision {current}, coopdb needs {head}: run `coopdb db upgrade`"
        )
