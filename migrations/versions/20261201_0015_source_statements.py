"""Sources' own values become statements: the newer release describing a cited source wins

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 19:00:00

Rules for a coopdb migration (read before you commit one):
- One concern per revision, with a downgrade() that really undoes it (tests walk down and up).
- Generate against PostgreSQL, then read every line: a rename must be a rename, not drop + add.
- SQLite needs batch mode: alter columns and constraints inside `with op.batch_alter_table(...)`.
- Constraints get their names from the naming convention in db/base.py; never name one by hand.
- Data fixes use Core SQL (sa.table/sa.column or op.execute), never the ORM models, which move on.
- Views: this revision runs the view SQL frozen as it is today (migrations/frozen/, never db/views
  live: later revisions change those); autogenerate never sees views.
- A changed vocabulary in db/vocab.py means altering its CHECK here.

What it does:
- `source` joins the record types of `statements` (its CHECK and column comment): what an import says about a
  source that its records cite (kind, title, notes, date...) is a statement of the import's stating source (a
  data set release, the input file), so that an older release imported after a newer one no longer rewrites
  the cited sources the newer one described. Rows written before keep their values (a field no statement gives
  keeps the stored one): the current tables do not change on upgrade. Until the releases are imported again
  (in any order), nothing records which of them gave a source's values: the next release stating a source
  decides it alone, the newer one then wins again;
- BI: `field_values` (and so `conflicts`) names the source a statement is about (its key and title). Every view
  is dropped and created again from migrations/frozen/bi_views_0015.json (SQLite rebuilds `statements`, which
  views must not reference meanwhile).

Downgrade: the statements about sources are deleted (the sources keep their current values).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import frozen

revision: str = '0015'
down_revision: str | Sequence[str] | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "bi_views_0013"  # the views as the previous revision left them (0014 changed none)
AFTER = "bi_views_0015"

RECORD_TYPES_BEFORE = ('forum', 'organisation', 'membership', 'project', 'agreement', 'event')
COMMENTS = ('Kind of the record: project, agreement, event, forum, organisation, membership.',
            'Kind of the record: project, agreement, event, forum, organisation, membership, source.')


def _chain(column: str, values: Sequence[str]) -> str:
    return " OR ".join(f"{column} = '{v}'" for v in values)


def _record_type_check(with_source: bool) -> None:
    values = (*RECORD_TYPES_BEFORE, 'source') if with_source else RECORD_TYPES_BEFORE
    old, new = COMMENTS if with_source else COMMENTS[::-1]
    with op.batch_alter_table('statements') as batch:
        batch.drop_constraint(op.f('ck_statements_record_type'), type_='check')
        batch.create_check_constraint(op.f('ck_statements_record_type'), _chain('record_type', values))
        batch.alter_column('record_type', existing_type=sa.String(length=24), existing_nullable=False,
                           comment=new, existing_comment=old)


def upgrade() -> None:
    bind = op.get_bind()
    frozen.run(bind, BEFORE, "drop")
    _record_type_check(with_source=True)
    frozen.run(bind, AFTER, "create")


def downgrade() -> None:
    bind = op.get_bind()
    frozen.run(bind, AFTER, "drop")
    op.execute(sa.text("DELETE FROM statements WHERE record_type = 'source'"))
    _record_type_check(with_source=False)
    frozen.run(bind, BEFORE, "create")
