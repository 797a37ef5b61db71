"""Forums, blocs and organisations as parties to agreements: agreement_forums, agreement_organisations

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 05:40:00

Rules for a coopdb migration (read before you commit one):
- One concern per revision, with a downgrade() that really undoes it (tests walk down and up).
- Generate against PostgreSQL, then read every line: a rename must be a rename, not drop + add.
- SQLite needs batch mode: alter columns and constraints inside `with op.batch_alter_table(...)`.
- Constraints get their names from the naming convention in db/base.py; never name one by hand.
- Data fixes use Core SQL (sa.table/sa.column or op.execute), never the ORM models, which move on.
- Views are SQL kept in db/views/ and created/dropped here; autogenerate never sees them.
- A changed vocabulary in db/vocab.py means altering its CHECK here.

Why: investment and trade treaties have parties that are not countries (the European Union, EFTA,
ASEAN, the Eurasian Economic Union; sometimes a bank or an agency). They get their own child tables,
beside agreement_parties (countries), like project_countries and project_organisations: each with a
unique natural key that the importers' upsert can conflict on. The role vocabulary is frozen below as
it was at this revision.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROLES = ("party", "signatory", "host", "guarantor", "depositary")
_ROLE_CHECK = " OR ".join(f"role = '{r}'" for r in _ROLES)
_ROLE_COMMENT = 'party, signatory, host, guarantor or depositary.'


def _party_table(name: str, ref: str, ref_table: str, comment: str) -> None:
    op.create_table(name,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column(ref, sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False, comment=_ROLE_COMMENT),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False, comment='When the row was first inserted (UTC).'),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False, comment='When a value in the row last changed (UTC); set by the importers, not by a trigger.'),
    sa.Column('created_run_id', sa.Integer(), nullable=True, comment='Import run that first inserted this row (NULL when written by hand).'),
    sa.Column('updated_run_id', sa.Integer(), nullable=True, comment='Import run that last changed a value in this row.'),
    sa.CheckConstraint(_ROLE_CHECK, name=op.f(f'ck_{name}_role')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f(f'fk_{name}_agreement_id_agreements')),
    sa.ForeignKeyConstraint([ref], [f'{ref_table}.id'], name=op.f(f'fk_{name}_{ref}_{ref_table}')),
    sa.ForeignKeyConstraint(['created_run_id'], ['import_runs.id'], name=op.f(f'fk_{name}_created_run_id_import_runs')),
    sa.ForeignKeyConstraint(['updated_run_id'], ['import_runs.id'], name=op.f(f'fk_{name}_updated_run_id_import_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
    sa.UniqueConstraint('agreement_id', ref, 'role', name=op.f(f'uq_{name}_agreement_id_{ref}_role')),
    comment=comment
    )
    for column in ('agreement_id', ref, 'created_run_id', 'updated_run_id'):
        op.create_index(op.f(f'ix_{name}_{column}'), name, [column], unique=False)


def upgrade() -> None:
    _party_table('agreement_forums', 'forum_id', 'forums',
                 'Forums and blocs party to an agreement in their own right (the European Union, ASEAN, EFTA, '
                 'the Eurasian Economic Union) and their role.')
    _party_table('agreement_organisations', 'organisation_id', 'organisations',
                 'Organisations (banks, companies, agencies) party to an agreement and their role.')


def downgrade() -> None:
    for name, ref in (('agreement_organisations', 'organisation_id'), ('agreement_forums', 'forum_id')):
        for column in ('updated_run_id', 'created_run_id', ref, 'agreement_id'):
            op.drop_index(op.f(f'ix_{name}_{column}'), table_name=name)
        op.drop_table(name)
