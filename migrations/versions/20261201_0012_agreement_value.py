"""Agreement value: the amount and currency a source reports for an agreement, and how many it stands for

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 13:00:00

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
- `agreements.amount` (≥ 0), `agreements.currency` and `agreements.instrument_count` (≥ 1: "17 agreements worth
  $629 million" is one record standing for 17), stated by sources like the other fields;
- BI: `agreements_with_parties` gains `amount`, `currency`, `instrument_count` after its existing columns. Every
  view is dropped and created again (SQLite rebuilds the altered table, which views must not reference
  meanwhile) from migrations/frozen/bi_views_0012.json.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import frozen

revision: str = '0012'
down_revision: str | Sequence[str] | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "bi_views_0011"  # the views as the previous revision left them
AFTER = "bi_views_0012"


def upgrade() -> None:
    bind = op.get_bind()
    frozen.run(bind, BEFORE, "drop")
    with op.batch_alter_table('agreements') as batch:
        batch.add_column(sa.Column(
            'amount', sa.Numeric(precision=20, scale=2), nullable=True,
            comment="Value of the agreement (or of the agreements it stands for) in currency, as the source reports "
                    "it: 629000000 for '17 agreements worth $629 million'."))
        batch.add_column(sa.Column('currency', sa.String(length=3), nullable=True,
                                   comment='ISO 4217 code of amount (USD, CNY).'))
        batch.add_column(sa.Column(
            'instrument_count', sa.Integer(), nullable=True,
            comment="How many agreements this record stands for when a source reports several signed together "
                    "without naming each (17 for '17 agreements worth $629 million'); NULL for one agreement."))
        batch.create_check_constraint(op.f('ck_agreements_amount_not_negative'), 'amount >= 0')
        batch.create_check_constraint(op.f('ck_agreements_instrument_count_positive'), 'instrument_count >= 1')
    frozen.run(bind, AFTER, "create")


def downgrade() -> None:
    bind = op.get_bind()
    frozen.run(bind, AFTER, "drop")
    # statements keep these fields in their JSON data: the code of the older revision reads only the fields it
    # declares, and an upgrade again brings them back
    with op.batch_alter_table('agreements') as batch:
        batch.drop_constraint(op.f('ck_agreements_instrument_count_positive'), type_='check')
        batch.drop_constraint(op.f('ck_agreements_amount_not_negative'), type_='check')
        batch.drop_column('instrument_count')
        batch.drop_column('currency')
        batch.drop_column('amount')
    frozen.run(bind, BEFORE, "create")
