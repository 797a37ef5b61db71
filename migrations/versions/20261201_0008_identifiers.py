"""Identity across sources: identifiers, same_as (merged records), AidData's release flags on projects

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
- The table `identifiers` (record_type, record_id, scheme, value, source; unique per record_type, scheme and
  value) and `same_as` (records merged into another by `coopdb merge`).
- Backfill: every project whose code is `AIDDATA-<digits>` gets the identifier (aiddata, <digits>), of the
  first AidData release that states it where one does.
- `projects.recommended_for_aggregates` and `projects.umbrella` (AidData's release flags; NULL: not said).
- The BI view `identifiers` (SQL frozen in migrations/frozen/bi_views_0008.json).
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import frozen

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECORD_TYPES = "record_type = 'forum' OR record_type = 'organisation' OR record_type = 'project' OR " \
               "record_type = 'agreement'"
_AIDDATA_CODE = re.compile(r"^AIDDATA-(\d+)$")


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        'identifiers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_type', sa.String(length=24), nullable=False,
                  comment='Kind of the record: project, agreement, forum or organisation.'),
        sa.Column('record_id', sa.Integer(), nullable=False,
                  comment='id of the record in the table named by record_type.'),
        sa.Column('scheme', sa.String(length=64), nullable=False,
                  comment='Whose identifier: aiddata, wikidata, or a name a mapping file gives its list (unctad-iia).'),
        sa.Column('value', sa.String(length=200), nullable=False,
                  comment='The identifier as the scheme writes it (39556, Q42, 17).'),
        sa.Column('source_id', sa.Integer(), nullable=True,
                  comment='The source that first gave the identifier (NULL: backfilled or given by hand).'),
        sa.Column('created_run_id', sa.Integer(), nullable=True,
                  comment='Import run that first inserted this row (NULL when written by hand).'),
        sa.Column('updated_run_id', sa.Integer(), nullable=True,
                  comment='Import run that last changed a value in this row.'),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'),
                  nullable=False, comment='When the row was first inserted (UTC).'),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'),
                  nullable=False,
                  comment='When a value in the row last changed (UTC); set by the importers, not by a trigger.'),
        sa.CheckConstraint(RECORD_TYPES, name=op.f('ck_identifiers_record_type')),
        sa.ForeignKeyConstraint(['created_run_id'], ['import_runs.id'],
                                name=op.f('fk_identifiers_created_run_id_import_runs')),
        sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_identifiers_source_id_sources')),
        sa.ForeignKeyConstraint(['updated_run_id'], ['import_runs.id'],
                                name=op.f('fk_identifiers_updated_run_id_import_runs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identifiers')),
        sa.UniqueConstraint('record_type', 'scheme', 'value', name=op.f('uq_identifiers_record_type_scheme_value')),
        comment="External identifiers of records: an AidData project id, a treaty list's number, a tracker's "
                "row, a Wikidata QID. One record per (scheme, value): an import finds its record by identifier "
                "first, then by code (docs/provenance.md).",
    )
    op.create_index(op.f('ix_identifiers_record_type_record_id'), 'identifiers', ['record_type', 'record_id'],
                    unique=False)
    op.create_index(op.f('ix_identifiers_source_id'), 'identifiers', ['source_id'], unique=False)
    op.create_index(op.f('ix_identifiers_created_run_id'), 'identifiers', ['created_run_id'], unique=False)
    op.create_index(op.f('ix_identifiers_updated_run_id'), 'identifiers', ['updated_run_id'], unique=False)
    op.create_table(
        'same_as',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_type', sa.String(length=24), nullable=False,
                  comment='Kind of the records: project, agreement, forum or organisation.'),
        sa.Column('record_id', sa.Integer(), nullable=False, comment='id of the kept record.'),
        sa.Column('code', sa.String(length=120), nullable=False, comment='Code of the record merged into it.'),
        sa.Column('merged_id', sa.Integer(), nullable=False,
                  comment='id the merged record had (unmerge gives it back).'),
        sa.Column('detail', sa.Text(), nullable=False,
                  comment="JSON: what the merge moved (statements, citations, identifiers, mentions, references) "
                          "and the merged record's row, so that unmerge can undo it."),
        sa.Column('merged_at', sa.DateTime(timezone=True), nullable=False,
                  comment='When the records were merged (UTC).'),
        sa.Column('run_id', sa.Integer(), nullable=True, comment='The run of `coopdb merge` that merged them.'),
        sa.CheckConstraint(RECORD_TYPES, name=op.f('ck_same_as_record_type')),
        sa.ForeignKeyConstraint(['run_id'], ['import_runs.id'], name=op.f('fk_same_as_run_id_import_runs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_same_as')),
        sa.UniqueConstraint('record_type', 'code', name=op.f('uq_same_as_record_type_code')),
        comment="Records merged into another (`coopdb merge KEEP OTHER`): an import of the merged code lands on "
                "the kept record; `coopdb unmerge` restores it from `detail`.",
    )
    op.create_index(op.f('ix_same_as_record_id'), 'same_as', ['record_id'], unique=False)
    op.add_column('projects', sa.Column(
        'recommended_for_aggregates', sa.Boolean(), nullable=True,
        comment="The data set recommends counting this project in sums and totals (AidData's 'Recommended For "
                "Aggregates'); NULL when the source does not say."))
    op.add_column('projects', sa.Column(
        'umbrella', sa.Boolean(), nullable=True,
        comment="An umbrella agreement whose money is also counted in the projects under it (AidData's "
                "'Umbrella'): leave it out of sums; NULL when the source does not say."))
    _backfill(bind)
    frozen.run(bind, "bi_views_0008", "create")


def _backfill(bind) -> None:
    """(aiddata, <id>) for every AIDDATA-<id> project, of the first AidData release stating it."""
    releases = dict(bind.execute(sa.text(
        "SELECT st.record_id, MIN(st.source_id) FROM statements AS st JOIN sources AS s ON s.id = st.source_id "
        "WHERE st.record_type = 'project' AND s.key LIKE 'aiddata-gcdf-%' GROUP BY st.record_id")).all())
    rows = []
    identifiers = sa.table("identifiers", *(sa.column(c) for c in ("record_type", "record_id", "scheme", "value",
                                                                     "source_id")))
    for project_id, code in bind.execute(sa.text("SELECT id, code FROM projects WHERE code LIKE 'AIDDATA-%'")):
        match = _AIDDATA_CODE.match(code)
        if match:
            rows.append({"record_type": "project", "record_id": project_id, "scheme": "aiddata",
                         "value": str(int(match.group(1))), "source_id": releases.get(project_id)})
        if len(rows) >= 5000:
            bind.execute(identifiers.insert(), rows)
            rows = []
    if rows:
        bind.execute(identifiers.insert(), rows)


def downgrade() -> None:
    bind = op.get_bind()
    frozen.run(bind, "bi_views_0008", "drop")
    if bind.dialect.name == "sqlite":  # a table rebuilt under views that name it: the views go first
        frozen.run(bind, "bi_views_0007", "drop")
        frozen.run(bind, "bi_views_0002", "drop")
        with op.batch_alter_table('projects') as batch:
            batch.drop_column('umbrella')
            batch.drop_column('recommended_for_aggregates')
        frozen.run(bind, "bi_views_0002", "create")
        frozen.run(bind, "bi_views_0007", "create")
    else:
        op.drop_column('projects', 'umbrella')
        op.drop_column('projects', 'recommended_for_aggregates')
    op.drop_index(op.f('ix_same_as_record_id'), table_name='same_as')
    op.drop_table('same_as')
    op.drop_index(op.f('ix_identifiers_updated_run_id'), table_name='identifiers')
    op.drop_index(op.f('ix_identifiers_created_run_id'), table_name='identifiers')
    op.drop_index(op.f('ix_identifiers_source_id'), table_name='identifiers')
    op.drop_index(op.f('ix_identifiers_record_type_record_id'), table_name='identifiers')
    op.drop_table('identifiers')
