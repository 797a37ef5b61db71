"""Events carry identifiers and merge; the comment of country_pair_totals says how imports keep it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 16:00:00

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
- `event` joins the record types of `identifiers` and `same_as` (their CHECKs and column comments): an event
  carries identifiers and `coopdb merge` merges two events (one summit that two sources report under two codes);
- the comment of `country_pair_totals` (PostgreSQL; SQLite keeps no comments): every import updates the pairs
  it touched, or rebuilds the table when it is empty or most pairs would change; `coopdb bi refresh` rebuilds it;
- BI: `identifiers` shows the code and title of events' identifiers. Every view is dropped and created again
  (SQLite rebuilds `identifiers`, which views must not reference meanwhile) from migrations/frozen/bi_views_0013.json.

Downgrade: event identifiers are deleted (importing the events again at 0013 gives them back); a merged event
cannot be held by 0012, so the downgrade stops while one is merged (`coopdb unmerge CODE` it first).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

from migrations import frozen

revision: str = '0013'
down_revision: str | Sequence[str] | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "bi_views_0012"  # the views as the previous revision left them
AFTER = "bi_views_0013"

# The vocabulary as of the previous revision (this one adds 'event') and the comments of its column
RECORD_TYPES_BEFORE = ('forum', 'organisation', 'project', 'agreement')
RECORD_TYPE_COMMENTS = {  # table -> (before, after)
    'identifiers': ('Kind of the record: project, agreement, forum or organisation.',
                    'Kind of the record: project, agreement, event, forum or organisation.'),
    'same_as': ('Kind of the records: project, agreement, forum or organisation.',
                'Kind of the records: project, agreement, event, forum or organisation.'),
}
PAIR_TOTALS_COMMENTS = (
    'Derived, not imported: for each ordered pair of countries sharing projects, agreements or forums, how many of '
    'each and the first and last year. Rebuilt from the record tables after every import and by `coopdb bi '
    'refresh`; bi.country_pairs reads it.',
    'Derived, not imported: for each ordered pair of countries sharing projects, agreements or forums, how many of '
    'each and the first and last year. Every import updates only the pairs of countries it touched, or rebuilds it '
    'from the record tables when it is empty or most pairs would change; `coopdb bi refresh` rebuilds it in full. '
    'bi.country_pairs reads it.',
)


def _chain(column: str, values: Sequence[str]) -> str:
    return " OR ".join(f"{column} = '{v}'" for v in values)


def _record_type_checks(with_event: bool) -> None:
    values = (*RECORD_TYPES_BEFORE, 'event') if with_event else RECORD_TYPES_BEFORE
    for table, (before, after) in RECORD_TYPE_COMMENTS.items():
        old, new = (before, after) if with_event else (after, before)
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f'ck_{table}_record_type'), type_='check')
            batch.create_check_constraint(op.f(f'ck_{table}_record_type'), _chain('record_type', values))
            batch.alter_column('record_type', existing_type=sa.String(length=24), existing_nullable=False,
                               comment=new, existing_comment=old)


def _pair_totals_comment(bind, new: str, old: str) -> None:
    if bind.dialect.name == 'postgresql':
        op.create_table_comment('country_pair_totals', new, existing_comment=old)


def upgrade() -> None:
    bind = op.get_bind()
    frozen.run(bind, BEFORE, "drop")
    _record_type_checks(with_event=True)
    _pair_totals_comment(bind, PAIR_TOTALS_COMMENTS[1], PAIR_TOTALS_COMMENTS[0])
    frozen.run(bind, AFTER, "create")


def downgrade() -> None:
    bind = op.get_bind()
    merged = bind.execute(sa.text("SELECT code FROM same_as WHERE record_type = 'event' ORDER BY code")).scalars().all()
    if merged:
        raise CommandError(f"{len(merged)} merged event(s) ({', '.join(merged[:5])}): revision 0012 cannot hold a "
                           "merged event; run `coopdb unmerge CODE` for each, then downgrade again")
    frozen.run(bind, AFTER, "drop")
    op.execute(sa.text("DELETE FROM identifiers WHERE record_type = 'event'"))
    _pair_totals_comment(bind, PAIR_TOTALS_COMMENTS[0], PAIR_TOTALS_COMMENTS[1])
    _record_type_checks(with_event=False)
    frozen.run(bind, BEFORE, "create")
