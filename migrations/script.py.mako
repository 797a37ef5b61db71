"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

Rules for a coopdb migration (read before you commit one):
- One concern per revision, with a downgrade() that really undoes it (tests walk down and up).
- Generate against PostgreSQL, then read every line: a rename must be a rename, not drop + add.
- SQLite needs batch mode: alter columns and constraints inside `with op.batch_alter_table(...)`.
- Constraints get their names from the naming convention in db/base.py; never name one by hand.
- Data fixes use Core SQL (sa.table/sa.column or op.execute), never the ORM models, which move on.
- Views: this revision runs the view SQL frozen as it is today (migrations/frozen/, never db/views
  live: later revisions change those); autogenerate never sees views.
- A changed vocabulary in db/vocab.py means altering its CHECK here.
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
