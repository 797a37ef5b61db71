"""Append-only import_runs instead of the run-id foreign keys

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 16:00:00

Rules for a coopdb migration (read before you commit one):
- One concern per revision, with a downgrade() that really undoes it (tests walk down and up).
- Generate against PostgreSQL, then read every line: a rename must be a rename, not drop + add.
- SQLite needs batch mode: alter columns and constraints inside `with op.batch_alter_table(...)`.
- Constraints get their names from the naming convention in db/base.py; never name one by hand.
- Data fixes use Core SQL (sa.table/sa.column or op.execute), never the ORM models, which move on.
- Views: this revision runs the view SQL frozen as it is today (migrations/frozen/, never db/views
  live: later revisions change those); autogenerate never sees views.
- A changed vocabulary in db/vocab.py means altering its CHECK here.

What it does (docs/performance.md, "Run ids without foreign keys"):
- drops the foreign keys of `created_run_id`, `updated_run_id` (every imported table) and
  `statements.last_seen_run_id` to `import_runs`: PostgreSQL checked one of them per row written and per
  statement an unchanged re-import saw, about a third of its server time in a first import. The columns and
  their indexes stay;
- keeps what they guaranteed by making `import_runs` append-only: a trigger refuses to delete an import run
  (PostgreSQL also TRUNCATE) or to change its id, so no row's run id can lose its run. Runs are only ever
  inserted and then updated (status, counts);
- `import_rejects.run_id` and `same_as.run_id` keep their foreign keys (written rarely).

The tables are found by their columns, not listed here, so that the revision also covers tables a revision
before it added. On SQLite a table is rebuilt to drop a foreign key, and views must not reference it meanwhile:
the views are dropped and created again from their own SQL as the database holds it.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | Sequence[str] | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUN_COLUMNS = ("created_run_id", "updated_run_id", "last_seen_run_id")

MESSAGE = ("import_runs is append-only: an import run cannot be deleted or get another id (rows name their "
           "runs in created_run_id, updated_run_id and last_seen_run_id)")

COMMENT = ("One row per import: what was imported, from which file, with which options, and what happened to the "
           "rows.")
APPEND_ONLY_COMMENT = (COMMENT + " Append-only: a run is never deleted and keeps its id (a trigger refuses both), "
                       "so the run ids that rows carry (created_run_id, updated_run_id, last_seen_run_id) always "
                       "name a run.")

POSTGRESQL_GUARD = [
    f"""CREATE FUNCTION import_runs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
END $$""",
    "CREATE TRIGGER import_runs_append_only BEFORE DELETE OR UPDATE OF id ON import_runs "
    "FOR EACH ROW EXECUTE FUNCTION import_runs_append_only()",
    "CREATE TRIGGER import_runs_no_truncate BEFORE TRUNCATE ON import_runs "
    "FOR EACH STATEMENT EXECUTE FUNCTION import_runs_append_only()",
]
POSTGRESQL_GUARD_DROP = [
    "DROP TRIGGER import_runs_no_truncate ON import_runs",
    "DROP TRIGGER import_runs_append_only ON import_runs",
    "DROP FUNCTION import_runs_append_only()",
]
SQLITE_GUARD = [
    f"CREATE TRIGGER import_runs_no_delete BEFORE DELETE ON import_runs BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    "CREATE TRIGGER import_runs_keep_id BEFORE UPDATE OF id ON import_runs WHEN NEW.id IS NOT OLD.id "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_GUARD_DROP = ["DROP TRIGGER import_runs_keep_id", "DROP TRIGGER import_runs_no_delete"]


def _run_foreign_keys(bind) -> dict[str, list[str]]:
    """table -> the names of its foreign keys from a run-id column to import_runs."""
    inspector = sa.inspect(bind)
    found: dict[str, list[str]] = {}
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            if fk["referred_table"] == "import_runs" and fk["constrained_columns"][0] in RUN_COLUMNS:
                found.setdefault(table, []).append(fk["name"])
    return found


def _run_columns(bind) -> dict[str, list[str]]:
    """table -> its run-id columns."""
    inspector = sa.inspect(bind)
    found: dict[str, list[str]] = {}
    for table in inspector.get_table_names():
        columns = [c["name"] for c in inspector.get_columns(table) if c["name"] in RUN_COLUMNS]
        if columns:
            found[table] = columns
    return found


def _sqlite_views(bind) -> list[tuple[str, str]]:
    return [(name, sql) for name, sql in bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'view' ORDER BY rowid")]


def upgrade() -> None:
    bind = op.get_bind()
    foreign_keys = _run_foreign_keys(bind)
    if bind.dialect.name == "sqlite":
        views = _sqlite_views(bind)
        for name, _sql in reversed(views):
            bind.exec_driver_sql(f'DROP VIEW "{name}"')
        for table, names in foreign_keys.items():
            with op.batch_alter_table(table) as batch:
                for name in names:
                    batch.drop_constraint(name, type_="foreignkey")
        for _name, sql in views:
            bind.exec_driver_sql(sql)
        guard = SQLITE_GUARD
    else:
        for table, names in foreign_keys.items():
            for name in names:
                op.drop_constraint(name, table, type_="foreignkey")
        guard = POSTGRESQL_GUARD
    for statement in guard:
        bind.exec_driver_sql(statement)
    if bind.dialect.name == "postgresql":
        op.create_table_comment(
            "import_runs", APPEND_ONLY_COMMENT, existing_comment=COMMENT)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.create_table_comment("import_runs", COMMENT, existing_comment=APPEND_ONLY_COMMENT)
    for statement in SQLITE_GUARD_DROP if bind.dialect.name == "sqlite" else POSTGRESQL_GUARD_DROP:
        bind.exec_driver_sql(statement)
    columns = _run_columns(bind)
    columns.pop("import_runs", None)
    if bind.dialect.name == "sqlite":
        views = _sqlite_views(bind)
        for name, _sql in reversed(views):
            bind.exec_driver_sql(f'DROP VIEW "{name}"')
        for table, names in columns.items():
            with op.batch_alter_table(table) as batch:
                for column in names:
                    batch.create_foreign_key(op.f(f"fk_{table}_{column}_import_runs"), "import_runs",
                                             [column], ["id"])
        for _name, sql in views:
            bind.exec_driver_sql(sql)
    else:
        for table, names in columns.items():
            for column in names:
                op.create_foreign_key(op.f(f"fk_{table}_{column}_import_runs"), table, "import_runs",
                                      [column], ["id"])
