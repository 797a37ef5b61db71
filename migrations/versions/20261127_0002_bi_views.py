"""BI views: schema `bi` on PostgreSQL, `bi_*` views on SQLite

Revision ID: 0002
Revises: f177de1484d9
Create Date: 2026-11-27 23:00:00

Rules for a coopdb migration (read before you commit one):
- One concern per revision, with a downgrade() that really undoes it (tests walk down and up).
- Generate against PostgreSQL, then read every line: a rename must be a rename, not drop + add.
- SQLite needs batch mode: alter columns and constraints inside `with op.batch_alter_table(...)`.
- Constraints get their names from the naming convention in db/base.py; never name one by hand.
- Data fixes use Core SQL (sa.table/sa.column or op.execute), never the ORM models, which move on.
- Views are SQL kept in db/views/ and created/dropped here; autogenerate never sees them.
- A changed vocabulary in db/vocab.py means altering its CHECK here.

The views' SQL as this revision created them is frozen in migrations/frozen/bi_views_0002.json (it was
generated from db/views/*.sql and db/views/catalog.yml at the time). Changing a view later means a new
revision with its own frozen SQL and a line in CHANGELOG.md. On SQLite a batch migration that rebuilds a table a view reads must drop the views first and
re-create them afterwards (SQLite checks views when a table is renamed).
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from migrations import frozen

revision: str = '0002'
down_revision: str | Sequence[str] | None = 'f177de1484d9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    frozen.run(op.get_bind(), "bi_views_0002", "create")


def downgrade() -> None:
    frozen.run(op.get_bind(), "bi_views_0002", "drop")
