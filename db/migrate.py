"""Schema migrations as library calls: upgrade, downgrade, current revision, model/migration check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine

from db.errors import SchemaOutOfDate, UserError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option(
        "file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s"
    )
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _run(engine: Engine, fn, *args) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        try:
            fn(cfg, *args)
        except CommandError as exc:
            raise UserError(f"migration failed: {exc}") from None


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
    return CheckResult(revision, head_revision(), [_describe(d) for d in diffs])


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


def require_head(engine: Engine) -> None:
    """Raise a clear error when the database is not at the head revision."""
    current = current_revision(engine)
    head = head_revision()
    if current != head:
        raise SchemaOutOfDate(
            f"database is at revision {current or 'none (empty)'}, coopdb needs {head}: "
            "run `coopdb db upgrade`"
        )
