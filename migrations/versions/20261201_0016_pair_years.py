"""Country pairs of forums counted by their members' years, not their dates

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 22:00:00

Rules for a coopdb migration (read before you commit one):
- One concern per revision, with a downgrade() that really undoes it (tests walk down and up).
- Generate against PostgreSQL, then read every line: a rename must be a rename, not drop + add.
- SQLite needs batch mode: alter columns and constraints inside `with op.batch_alter_table(...)`.
- Constraints get their names from the naming convention in db/base.py; never name one by hand.
- Data fixes use Core SQL (sa.table/sa.column or op.execute), never the ORM models, which move on.
- Views: this revision runs the view SQL frozen as it is today (migrations/frozen/, never db/views
  live: later revisions change those); autogenerate never sees views.
- A changed vocabulary in db/vocab.py means altering its CHECK here.

What it does: nothing to the database. The SQL that fills `country_pair_totals` (`coopdb bi refresh`, a first
import, an import changing most pairs) takes "the year the later of two members joined a forum" as the greater
of their two years instead of the year of the later of their two dates (the same year: a later date never has
an earlier year), and no longer reads the dates themselves: a third less time for the forums part of a full
count (0.76 -> 0.50 s for the COW IGO memberships on SQLite). The pairs it counts are the pairs stored, so no
row changes. The revision exists so that the SQL is frozen where revisions find it
(migrations/frozen/bi_views_0016.json: the views are those of 0015, the refresh is the new one) for any later
revision that rebuilds the table.

Downgrade: nothing either (the rows are the same under both).
"""
from __future__ import annotations

from collections.abc import Sequence

revision: str = '0016'
down_revision: str | Sequence[str] | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # the rows the frozen SQL of bi_views_0016 counts are those stored: nothing to change


def downgrade() -> None:
    pass  # the same rows under the SQL of bi_views_0015
