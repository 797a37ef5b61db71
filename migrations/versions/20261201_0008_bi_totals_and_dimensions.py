"""BI you can sum and map: release flags on projects, country_pair_totals, new and wider BI views

Revision ID: 0008
Revises: 0007
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
- `projects.recommended_for_aggregates` and `projects.is_umbrella` (AidData's release flags; NULL where no
  source said: re-import the AidData files to fill them).
- The table `country_pair_totals` (the counts behind bi.country_pairs), filled here and rebuilt after every
  import from then on.
- The BI views again, from migrations/frozen/bi_views_0008.json: new `countries`, `projects` and `dates`;
  `projects_by_country` with allocated amounts, flags and map codes; `membership_spans` with map codes;
  `country_pairs` reading country_pair_totals.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import frozen

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    frozen.run(bind, "bi_views_0007", "drop")
    frozen.run(bind, "bi_views_0002", "drop")
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
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recommended_for_aggregates', sa.Boolean(), nullable=True, comment="Whether the source recommends counting the project in totals (AidData 'Recommended For Aggregates'; v1.0 'recommended_for_research'); NULL when the source does not say."))
        batch_op.add_column(sa.Column('is_umbrella', sa.Boolean(), nullable=True, comment="True for an umbrella agreement whose money is also counted in the projects under it (AidData 'Umbrella'): leave it out of totals; NULL when the source does not say."))
    frozen.run(bind, "bi_views_0008", "refresh")
    frozen.run(bind, "bi_views_0008", "create")


def downgrade() -> None:
    bind = op.get_bind()
    frozen.run(bind, "bi_views_0008", "drop")
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('is_umbrella')
        batch_op.drop_column('recommended_for_aggregates')
    op.drop_index(op.f('ix_country_pair_totals_partner_id'), table_name='country_pair_totals')
    op.drop_table('country_pair_totals')
    frozen.run(bind, "bi_views_0002", "create")
    frozen.run(bind, "bi_views_0007", "create")
