"""BI you can sum and map: release flags on projects, country_pair_totals, new and wider BI views

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 10:00:00

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
- The table `country_pair_totals` (the counts behind bi.country_pairs), filled here and rebuilt after every
  import from then on.
- The BI views again, from migrations/frozen/bi_views_0010.json: new `countries`, `projects` and `dates`;
  `projects_by_country` with allocated amounts, flags and map codes; `membership_spans` with map codes;
  `country_pairs` reading country_pair_totals.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import frozen

revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    frozen.run(bind, "bi_views_0008", "drop")  # every view of the bi schema, which the next drop removes
    frozen.run(bind, "bi_views_0009", "drop")
    op.create_table(
        'country_pair_totals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('country_id', sa.Integer(), nullable=False),
        sa.Column('partner_id', sa.Integer(), nullable=False),
        sa.Column('shared_projects', sa.Integer(), nullable=False, comment='Projects in which both countries take part (any role).'),
        sa.Column('shared_agreements', sa.Integer(), nullable=False, comment='Agreements to which both countries are parties.'),
        sa.Column('shared_forums', sa.Integer(), nullable=False, comment='Forums both countries belong or belonged to (any role, any time).'),
        sa.Column('first_year', sa.Integer(), nullable=True, comment='Earliest year of a shared item.'),
        sa.Column('last_year', sa.Integer(), nullable=True, comment='Latest year of a shared item.'),
        sa.ForeignKeyConstraint(['country_id'], ['countries.id'], name=op.f('fk_country_pair_totals_country_id_countries')),
        sa.ForeignKeyConstraint(['partner_id'], ['countries.id'], name=op.f('fk_country_pair_totals_partner_id_countries')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_country_pair_totals')),
        sa.UniqueConstraint('country_id', 'partner_id', name=op.f('uq_country_pair_totals_country_id_partner_id')),
        comment='Derived, not imported: for each ordered pair of countries sharing projects, agreements or forums, how many of each and the first and last year. Rebuilt from the record tables after every import and by `coopdb bi refresh`; bi.country_pairs reads it.'
    )
    op.create_index(op.f('ix_country_pair_totals_partner_id'), 'country_pair_totals', ['partner_id'], unique=False)
    frozen.run(bind, "bi_views_0010", "refresh")
    frozen.run(bind, "bi_views_0010", "create")


def downgrade() -> None:
    bind = op.get_bind()
    frozen.run(bind, "bi_views_0010", "drop")
    op.drop_index(op.f('ix_country_pair_totals_partner_id'), table_name='country_pair_totals')
    op.drop_table('country_pair_totals')
    frozen.run(bind, "bi_views_0009", "create")
    frozen.run(bind, "bi_views_0008", "create")
