"""Import runs: who owns a running run, and the status interrupted

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 06:10:00

Rules for a coopdb migration (read before you commit one):
- One concern per revision, with a downgrade() that really undoes it (tests walk down and up).
- Generate against PostgreSQL, then read every line: a rename must be a rename, not drop + add.
- SQLite needs batch mode: alter columns and constraints inside `with op.batch_alter_table(...)`.
- Constraints get their names from the naming convention in db/base.py; never name one by hand.
- Data fixes use Core SQL (sa.table/sa.column or op.execute), never the ORM models, which move on.
- Views: this revision runs the view SQL frozen as it is today (migrations/frozen/, never db/views
  live: later revisions change those); autogenerate never sees views.
- A changed vocabulary in db/vocab.py means altering its CHECK here.

Why: a run whose process was killed (SIGKILL, a crash, a lost connection) stayed `running` forever. Each
run now records its owner (host and process id; on PostgreSQL also the server backend holding its
transaction), so that the next command can tell a dead run from a live one and mark it `interrupted`,
the status also given to a run stopped by Ctrl-C or SIGTERM. Runs from before this revision have no
owner and stay as they are. The status vocabulary is frozen below as it was before and after. No view
reads import_runs, so none is rebuilt.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ('running', 'succeeded', 'failed', 'rejected', 'dry_run')
AFTER = (*BEFORE, 'interrupted')
STATUS_BEFORE = ('running, succeeded, failed (an error stopped it), rejected (bad rows, nothing written) or '
                 'dry_run.')
STATUS_AFTER = ('running, succeeded, failed (an error stopped it), rejected (bad rows, nothing written), '
                'interrupted (Ctrl-C, SIGTERM, or its process or connection died: nothing written) or dry_run.')
COLUMNS = (
    ('owner_host', sa.String(length=255),
     'Host name of the process that ran the import (to tell a dead run from a live one).'),
    ('owner_pid', sa.Integer(), 'Process id of that process on owner_host.'),
    ('owner_backend_pid', sa.Integer(), "PostgreSQL: pid of the server backend holding the run's transaction."),
)


def _check(values: tuple[str, ...]) -> str:
    return " OR ".join(f"status = '{v}'" for v in values)


def _change(values: tuple[str, ...], comment: str, old_comment: str, add: bool) -> None:
    with op.batch_alter_table('import_runs', recreate='auto') as batch:
        if add:
            for name, kind, column_comment in COLUMNS:
                batch.add_column(sa.Column(name, kind, nullable=True, comment=column_comment))
        else:
            for name, _kind, _comment in reversed(COLUMNS):
                batch.drop_column(name)
        batch.drop_constraint(op.f('ck_import_runs_status'), type_='check')
        batch.create_check_constraint(op.f('ck_import_runs_status'), _check(values))
        batch.alter_column('status', existing_type=sa.String(length=16), existing_nullable=False,
                           comment=comment, existing_comment=old_comment)


def upgrade() -> None:
    _change(AFTER, STATUS_AFTER, STATUS_BEFORE, add=True)


def downgrade() -> None:
    # Runs marked interrupted were runs that had stopped: `failed` is the nearest older status.
    op.execute("UPDATE import_runs SET status = 'failed' WHERE status = 'interrupted'")
    _change(BEFORE, STATUS_BEFORE, STATUS_AFTER, add=False)
