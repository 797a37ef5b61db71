"""BI: the OECD DAC sector group of each project, one name per group whatever the source's spelling

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 02:30:00

Rules for a coopdb migration (read before you commit one):
- One concern per revision, with a downgrade() that really undoes it (tests walk down and up).
- Generate against PostgreSQL, then read every line: a rename must be a rename, not drop + add.
- SQLite needs batch mode: alter columns and constraints inside `with op.batch_alter_table(...)`.
- Constraints get their names from the naming convention in db/base.py; never name one by hand.
- Data fixes use Core SQL (sa.table/sa.column or op.execute), never the ORM models, which move on.
- Views: this revision runs the view SQL frozen as it is today (migrations/frozen/, never db/views
  live: later revisions change those); autogenerate never sees views.
- A changed vocabulary in db/vocab.py means altering its CHECK here.

What it does: `projects` and `projects_by_country` gain `sector_group` after their existing columns: the OECD DAC
sector group of `sector_code` by its first three digits, else of the sector name, one English name per group
(db/views/sector_groups.yml: AidData 1.0 writes "Energy Generation and Supply" for 230, 2.0 "ENERGY", the
reference data "energy"; grouping on `sector` split one group into several). No table changes: every view is
dropped and created again from migrations/frozen/bi_views_0017.json.

Downgrade: the views of 0016 again.
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from migrations import frozen

revision: str = '0017'
down_revision: str | Sequence[str] | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "bi_views_0016"  # the views as the previous revision left them
AFTER = "bi_views_0017"


def upgrade() -> None:
    bind = op.get_bind()
    frozen.run(bind, BEFORE, "drop")
    frozen.run(bind, AFTER, "create")


def downgrade() -> None:
    bind = op.get_bind()
    frozen.run(bind, AFTER, "drop")
    frozen.run(bind, BEFORE, "create")
