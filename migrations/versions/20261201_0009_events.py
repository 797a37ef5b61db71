"""Events: dated happenings from news (signings, openings, visits, summits, construction), with statements

Revision ID: 0009
Revises: 0008
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
- the table `events` (code, kind, title, occurred_on + precision, place_name, country, project, agreement,
  forum, description), stated by sources like projects and agreements;
- `event` joins the record types of `statements` and `citations` (their CHECKs);
- BI views: the new view `events`; `field_values`, `conflicts` and `fact_sources` show event records. Every
  view is dropped and created again from migrations/frozen/bi_views_0009.json (SQLite rebuilds the altered
  tables, which views must not reference meanwhile).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import frozen

revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The vocabularies as of this revision
EVENT_KINDS = ('signing', 'opening', 'visit', 'summit', 'meeting', 'construction_start', 'construction_completion',
               'other')
PRECISIONS = ('day', 'month', 'year')
CITATION_TYPES_BEFORE = ('country', 'forum', 'membership', 'organisation', 'project', 'project_country',
                         'project_organisation', 'project_link', 'agreement', 'agreement_party', 'agreement_project')
STATEMENT_TYPES_BEFORE = ('forum', 'organisation', 'membership', 'project', 'agreement')
RECORD_TYPE_CHECKS = {  # table -> record types before this revision (this one adds 'event')
    'citations': CITATION_TYPES_BEFORE,
    'statements': STATEMENT_TYPES_BEFORE,
}


def _chain(column: str, values: Sequence[str]) -> str:
    return " OR ".join(f"{column} = '{v}'" for v in values)


STATEMENT_TYPE_COMMENTS = ('Kind of the record: project, agreement, forum, organisation, membership.',
                           'Kind of the record: project, agreement, event, forum, organisation, membership.')


def _record_type_checks(with_event: bool) -> None:
    for table, before in RECORD_TYPE_CHECKS.items():
        values = (*before, 'event') if with_event else before
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f'ck_{table}_record_type'), type_='check')
            batch.create_check_constraint(op.f(f'ck_{table}_record_type'), _chain('record_type', values))
            if table == 'statements':
                old, new = STATEMENT_TYPE_COMMENTS if with_event else reversed(STATEMENT_TYPE_COMMENTS)
                batch.alter_column('record_type', existing_type=sa.String(length=24), existing_nullable=False,
                                   comment=new, existing_comment=old)


def _drop_views_0007(bind) -> None:
    frozen.run(bind, "bi_views_0008", "drop")  # the identifiers view (0008) stands in the bi schema too
    frozen.run(bind, "bi_views_0007", "drop")
    frozen.run(bind, "bi_views_0002", "drop")


def upgrade() -> None:
    bind = op.get_bind()
    _drop_views_0007(bind)
    op.create_table(
        'events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=120), nullable=False,
                  comment='Stable coopdb code of the event (e.g. KAZ-CHN-STATE-VISIT-2024-07-03).'),
        sa.Column('kind', sa.String(length=24), nullable=False,
                  comment='signing, opening (opening or commissioning), visit, summit, meeting, construction_start, '
                          'construction_completion or other.'),
        sa.Column('title', sa.String(length=500), nullable=False, comment='What happened, in English.'),
        sa.Column('occurred_on', sa.Date(), nullable=True,
                  comment='When it happened; read with occurred_precision (a month-precision date is the 1st).'),
        sa.Column('occurred_precision', sa.String(length=8), nullable=True, comment='day, month or year.'),
        sa.Column('place_name', sa.String(length=200), nullable=True,
                  comment='City or site where it happened, as written.'),
        sa.Column('country_id', sa.Integer(), nullable=True, comment='Country where it happened, where known.'),
        sa.Column('project_id', sa.Integer(), nullable=True,
                  comment='The project it concerns (opened, started, completed), if any.'),
        sa.Column('agreement_id', sa.Integer(), nullable=True,
                  comment='The agreement signed or announced at it, if any.'),
        sa.Column('forum_id', sa.Integer(), nullable=True, comment='The forum whose summit or meeting it is, if any.'),
        sa.Column('description', sa.Text(), nullable=True, comment='What the source says about it.'),
        sa.Column('created_run_id', sa.Integer(), nullable=True,
                  comment='Import run that first inserted this row (NULL when written by hand).'),
        sa.Column('updated_run_id', sa.Integer(), nullable=True,
                  comment='Import run that last changed a value in this row.'),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'),
                  nullable=False, comment='When the row was first inserted (UTC).'),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'),
                  nullable=False,
                  comment='When a value in the row last changed (UTC); set by the importers, not by a trigger.'),
        sa.CheckConstraint(_chain('kind', EVENT_KINDS), name=op.f('ck_events_kind')),
        sa.CheckConstraint(_chain('occurred_precision', PRECISIONS), name=op.f('ck_events_occurred_precision')),
        sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_events_agreement_id_agreements')),
        sa.ForeignKeyConstraint(['country_id'], ['countries.id'], name=op.f('fk_events_country_id_countries')),
        sa.ForeignKeyConstraint(['created_run_id'], ['import_runs.id'],
                                name=op.f('fk_events_created_run_id_import_runs')),
        sa.ForeignKeyConstraint(['forum_id'], ['forums.id'], name=op.f('fk_events_forum_id_forums')),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_events_project_id_projects')),
        sa.ForeignKeyConstraint(['updated_run_id'], ['import_runs.id'],
                                name=op.f('fk_events_updated_run_id_import_runs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
        sa.UniqueConstraint('code', name=op.f('uq_events_code')),
        comment='Dated happenings reported by news and documents: signings, openings and commissionings, state and '
                'ministerial visits, summits, start and completion of construction. Each value keeps its source '
                'as a statement, like projects and agreements.',
    )
    for column in ('agreement_id', 'country_id', 'created_run_id', 'forum_id', 'project_id', 'updated_run_id'):
        op.create_index(op.f(f'ix_events_{column}'), 'events', [column], unique=False)
    _record_type_checks(with_event=True)
    frozen.run(bind, "bi_views_0009", "create")
    frozen.run(bind, "bi_views_0008", "create")


def downgrade() -> None:
    bind = op.get_bind()
    frozen.run(bind, "bi_views_0008", "drop")
    frozen.run(bind, "bi_views_0009", "drop")
    for table in ('statements', 'citations'):
        op.execute(sa.text(f"DELETE FROM {table} WHERE record_type = 'event'"))
    _record_type_checks(with_event=False)
    for column in ('updated_run_id', 'project_id', 'forum_id', 'created_run_id', 'country_id', 'agreement_id'):
        op.drop_index(op.f(f'ix_events_{column}'), table_name='events')
    op.drop_table('events')
    frozen.run(bind, "bi_views_0002", "create")
    frozen.run(bind, "bi_views_0007", "create")
    frozen.run(bind, "bi_views_0008", "create")
