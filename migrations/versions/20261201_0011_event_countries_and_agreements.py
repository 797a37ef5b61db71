"""Events' countries (host, visitor, participant) and agreements; events in bi.country_pairs

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 12:30:00

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
- the tables `event_countries` (event, country, role: host, visitor or participant) and `event_agreements`
  (event, agreement signed at it), child rows stated by sources like an agreement's parties;
  events.country_id stays the place of the event (its comment says so);
- BI views again from migrations/frozen/bi_views_0011.json: `country_pairs` counts shared events
  (shared_events, and their years in first_year/last_year), new views `event_countries` and
  `event_agreements`. country_pair_totals and its rebuild are unchanged.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import frozen

revision: str = '0011'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The vocabulary as of this revision
EVENT_COUNTRY_ROLES = ('host', 'visitor', 'participant')
PLACE_COMMENTS = ('Country where it happened, where known.',
                  'Country where it happened (the place), where known; who took part is in event_countries.')


def _tracked() -> list[sa.Column]:
    return [
        sa.Column('created_run_id', sa.Integer(), nullable=True,
                  comment='Import run that first inserted this row (NULL when written by hand).'),
        sa.Column('updated_run_id', sa.Integer(), nullable=True,
                  comment='Import run that last changed a value in this row.'),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'),
                  nullable=False, comment='When the row was first inserted (UTC).'),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'),
                  nullable=False,
                  comment='When a value in the row last changed (UTC); set by the importers, not by a trigger.'),
    ]


def _run_keys(table: str) -> list[sa.ForeignKeyConstraint]:
    return [sa.ForeignKeyConstraint([c], ['import_runs.id'], name=op.f(f'fk_{table}_{c}_import_runs'))
            for c in ('created_run_id', 'updated_run_id')]


def _place_comment(new: bool) -> None:
    old, wanted = PLACE_COMMENTS if new else reversed(PLACE_COMMENTS)
    with op.batch_alter_table('events') as batch:
        batch.alter_column('country_id', existing_type=sa.Integer(), existing_nullable=True, comment=wanted,
                           existing_comment=old)


def upgrade() -> None:
    bind = op.get_bind()
    frozen.run(bind, "bi_views_0010", "drop")
    op.create_table(
        'event_countries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('country_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False,
                  comment='host (receives the event), visitor (the guest of a visit) or participant (any other '
                          'party).'),
        *_tracked(),
        sa.CheckConstraint(" OR ".join(f"role = '{r}'" for r in EVENT_COUNTRY_ROLES),
                           name=op.f('ck_event_countries_role')),
        sa.ForeignKeyConstraint(['country_id'], ['countries.id'], name=op.f('fk_event_countries_country_id_countries')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_countries_event_id_events')),
        *_run_keys('event_countries'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_countries')),
        sa.UniqueConstraint('event_id', 'country_id', 'role', name=op.f('uq_event_countries_event_id_country_id_role')),
        comment='Countries taking part in an event and how: host, visitor (the guest of a visit) or participant.',
    )
    op.create_table(
        'event_agreements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        *_tracked(),
        sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'],
                                name=op.f('fk_event_agreements_agreement_id_agreements')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_agreements_event_id_events')),
        *_run_keys('event_agreements'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_agreements')),
        sa.UniqueConstraint('event_id', 'agreement_id', name=op.f('uq_event_agreements_event_id_agreement_id')),
        comment='Agreements signed or announced at an event (every one; events.agreement_id names one).',
    )
    for table, columns in (('event_countries', ('country_id', 'created_run_id', 'event_id', 'updated_run_id')),
                           ('event_agreements', ('agreement_id', 'created_run_id', 'event_id', 'updated_run_id'))):
        for column in columns:
            op.create_index(op.f(f'ix_{table}_{column}'), table, [column], unique=False)
    _place_comment(new=True)
    frozen.run(bind, "bi_views_0011", "create")


def downgrade() -> None:
    bind = op.get_bind()
    frozen.run(bind, "bi_views_0011", "drop")
    _place_comment(new=False)
    for table, columns in (('event_agreements', ('agreement_id', 'created_run_id', 'event_id', 'updated_run_id')),
                           ('event_countries', ('country_id', 'created_run_id', 'event_id', 'updated_run_id'))):
        for column in columns:
            op.drop_index(op.f(f'ix_{table}_{column}'), table_name=table)
        op.drop_table(table)
    frozen.run(bind, "bi_views_0010", "create")
