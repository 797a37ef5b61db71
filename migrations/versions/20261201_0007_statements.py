"""Statements: what each source says about each record; source priority; field-level BI views

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 06:00:00

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
- `sources.priority` (integer, default 0) and the table `statements` (one row per record and source).
- Every record stored so far becomes one statement of the source `coopdb:before-statements` (priority -1),
  so that the current tables derived from statements are exactly the tables as they were. Which source
  gave which value was not kept before (citations are per record), so these values are a fallback: a
  source that states a field again wins, and a source that lists a child collection (participants,
  names, ...) replaces the fallback's list. Re-importing the sources rebuilds their statements. The
  fields and child lists are frozen below as they were at this revision.
- Input files become one source per file name (`file:sha256:<hash>` -> `file:<name>`, the hash staying in
  content_hash) where one file name has one source, so that a new version of a file retracts what it no
  longer says.
- BI views `field_values` and `conflicts` (SQL frozen in migrations/frozen/bi_views_0007.json).
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from migrations import frozen

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGACY_KEY = "coopdb:before-statements"
RECORD_TYPES = ("forum", "organisation", "membership", "project", "agreement")

# entity -> (table, fields, [(collection, child table, parent column, columns)])
ENTITIES = {
    "project": ("projects", (
        "title", "description", "sector", "sector_code", "status", "intent", "flow_type", "flow_class",
        "framework_forum_id", "committed_on", "committed_precision", "committed_estimated", "started_on",
        "started_precision", "started_estimated", "completed_on", "completed_precision", "completed_estimated",
        "amount", "currency", "amount_year", "amount_estimated", "amount_usd_nominal", "amount_usd_constant",
        "usd_base_year", "capacity", "capacity_unit", "location_name", "admin_area", "latitude", "longitude",
        "location_narrative", "is_regional", "recipient_region"), [
        ("participants", "project_countries", "project_id", ("country_id", "role")),
        ("organisations", "project_organisations", "project_id", ("organisation_id", "role")),
        ("names", "project_names", "project_id", ("lang", "name", "kind", "note")),
        ("status_events", "project_status_events", "project_id", ("status", "reached_on", "reached_precision")),
        ("links", "project_links", "project_id", ("related_project_id", "kind")),
    ]),
    "agreement": ("agreements", (
        "title", "kind", "status", "description", "target", "forum_id", "signed_on", "signed_precision",
        "in_force_on", "in_force_precision", "terminated_on", "terminated_precision"), [
        ("parties", "agreement_parties", "agreement_id", ("country_id", "role")),
        ("forum_parties", "agreement_forums", "agreement_id", ("forum_id", "role")),
        ("organisation_parties", "agreement_organisations", "agreement_id", ("organisation_id", "role")),
        ("subjects", "agreement_subjects", "agreement_id", ("subject",)),
        ("projects", "agreement_projects", "agreement_id", ("project_id",)),
    ]),
    "forum": ("forums", (
        "name", "kind", "acronym", "founded_on", "founded_precision", "dissolved_on", "dissolved_precision",
        "description", "website"), [
        ("names", "forum_names", "forum_id", ("lang", "name", "kind", "note")),
    ]),
    "organisation": ("organisations", ("name", "acronym", "kind", "country_id"), [
        ("names", "organisation_names", "organisation_id", ("lang", "name", "kind", "note")),
    ]),
    "membership": ("memberships", ("started_precision", "ended_on", "ended_precision", "note"), []),
}


def _encode(value):
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _sort_key(entry):
    return tuple((x is None, str(x)) for x in entry)


def _dumps(data) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column('sources', sa.Column(
        'priority', sa.Integer(), server_default='0', nullable=False,
        comment="Precedence of the source's statements: higher wins before dates are compared (default 0; see "
                "docs/provenance.md)."))
    op.create_table(
        'statements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_type', sa.String(length=24), nullable=False,
                  comment='Kind of the record: project, agreement, forum, organisation, membership.'),
        sa.Column('record_id', sa.Integer(), nullable=False,
                  comment='id of the record in the table named by record_type.'),
        sa.Column('source_id', sa.Integer(), nullable=False, comment='The source that makes the statement.'),
        sa.Column('data', sa.Text(), nullable=False,
                  comment='JSON object: field -> value the source gives (null: the source clears the field on '
                          'purpose); a child collection (participants, names, ...) -> the list of rows it lists.'),
        sa.Column('field_runs', sa.Text(), nullable=False,
                  comment="JSON object: field -> id of the import run that gave the field its present value (the "
                          "'newest import' of the precedence)."),
        sa.Column('locator', sa.String(length=200), nullable=False,
                  comment="Where in the source: 'line 19', 'row 1234', 'article line 5'; '' when unknown."),
        sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False,
                  comment='When an import first saw the statement (UTC).'),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False,
                  comment='When an import last saw the statement (UTC).'),
        sa.Column('last_seen_run_id', sa.Integer(), nullable=True, comment='Import run that last saw the statement.'),
        sa.Column('created_run_id', sa.Integer(), nullable=True,
                  comment='Import run that first inserted this row (NULL when written by hand).'),
        sa.Column('updated_run_id', sa.Integer(), nullable=True, comment='Import run that last changed a value in this row.'),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False,
                  comment='When the row was first inserted (UTC).'),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False,
                  comment='When a value in the row last changed (UTC); set by the importers, not by a trigger.'),
        sa.CheckConstraint("record_type = 'forum' OR record_type = 'organisation' OR record_type = 'membership' OR "
                           "record_type = 'project' OR record_type = 'agreement'",
                           name=op.f('ck_statements_record_type')),
        sa.ForeignKeyConstraint(['created_run_id'], ['import_runs.id'],
                                name=op.f('fk_statements_created_run_id_import_runs')),
        sa.ForeignKeyConstraint(['last_seen_run_id'], ['import_runs.id'],
                                name=op.f('fk_statements_last_seen_run_id_import_runs')),
        sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_statements_source_id_sources')),
        sa.ForeignKeyConstraint(['updated_run_id'], ['import_runs.id'],
                                name=op.f('fk_statements_updated_run_id_import_runs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statements')),
        sa.UniqueConstraint('record_type', 'record_id', 'source_id',
                            name=op.f('uq_statements_record_type_record_id_source_id')),
        comment="What one source says about one record: every field value it gives and every child row "
                "(participant, party, name, link) it lists, with where in the source and when it was seen. The "
                "typed tables are the current view derived from these by the precedence in docs/provenance.md; "
                "`coopdb explain` shows them.",
    )
    op.create_index(op.f('ix_statements_created_run_id'), 'statements', ['created_run_id'], unique=False)
    op.create_index(op.f('ix_statements_source_id'), 'statements', ['source_id'], unique=False)
    op.create_index(op.f('ix_statements_updated_run_id'), 'statements', ['updated_run_id'], unique=False)
    _rename_file_sources(bind)
    _backfill(bind)
    frozen.run(bind, "bi_views_0007", "create")


def _rename_file_sources(bind) -> None:
    rows = bind.execute(sa.text("SELECT id, key, title FROM sources WHERE key LIKE 'file:sha256:%'")).all()
    by_title: dict[str, list] = {}
    for row in rows:
        if row.title:
            by_title.setdefault(row.title, []).append(row)
    taken = {r[0] for r in bind.execute(sa.text("SELECT key FROM sources WHERE key NOT LIKE 'file:sha256:%'"))}
    for title, group in by_title.items():
        key = f"file:{title}"[:500]
        if len(group) == 1 and key not in taken:
            bind.execute(sa.text("UPDATE sources SET key = :key WHERE id = :id"), {"key": key, "id": group[0].id})


def _backfill(bind) -> None:
    now = dt.datetime.now(dt.UTC)
    legacy_id = None
    statements = sa.table("statements", *(sa.column(c) for c in (
        "record_type", "record_id", "source_id", "data", "field_runs", "locator", "first_seen_at", "last_seen_at",
        "created_at", "updated_at")))
    for record_type, (table, fields, collections) in ENTITIES.items():
        children: dict[int, dict[str, list]] = {}
        for name, child, parent, columns in collections:
            query = f"SELECT {parent}, {', '.join(columns)} FROM {child}"
            for row in bind.execute(sa.text(query)):
                entry = [_encode(v) for v in row[1:]]
                children.setdefault(row[0], {}).setdefault(name, []).append(entry)
        rows = []
        query = f"SELECT id, created_run_id, updated_run_id, {', '.join(fields)} FROM {table}"
        for row in bind.execute(sa.text(query)).mappings():
            data = {f: _encode(row[f]) for f in fields if row[f] is not None}
            for name, listed in children.get(row["id"], {}).items():
                data[name] = sorted(listed, key=_sort_key)
            run = row["updated_run_id"] or row["created_run_id"] or 0
            if legacy_id is None:
                legacy_id = _legacy_source(bind)
            source_id = legacy_id
            rows.append({"record_type": record_type, "record_id": row["id"], "source_id": source_id,
                         "data": _dumps(data), "field_runs": _dumps({k: run for k in data}), "locator": "",
                         "first_seen_at": now, "last_seen_at": now, "created_at": now, "updated_at": now})
            if len(rows) >= 5000:
                bind.execute(statements.insert(), rows)
                rows = []
        if rows:
            bind.execute(statements.insert(), rows)


def _legacy_source(bind) -> int:
    found = bind.execute(sa.text("SELECT id FROM sources WHERE key = :k"), {"k": LEGACY_KEY}).scalar()
    if found is not None:
        return found
    bind.execute(sa.text(
        "INSERT INTO sources (key, kind, title, notes, priority, created_at, updated_at) "
        "VALUES (:k, 'other', :title, :notes, -1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
        {"k": LEGACY_KEY, "title": "Values stored before statements",
         "notes": "The values every record had when the database moved to statements (migration 0007). "
                  "Priority -1: any source that states a field again wins, and its child rows count only "
                  "until another source lists that collection."})
    return bind.execute(sa.text("SELECT id FROM sources WHERE key = :k"), {"k": LEGACY_KEY}).scalar_one()


def downgrade() -> None:
    bind = op.get_bind()
    frozen.run(bind, "bi_views_0007", "drop")
    op.drop_index(op.f('ix_statements_updated_run_id'), table_name='statements')
    op.drop_index(op.f('ix_statements_source_id'), table_name='statements')
    op.drop_index(op.f('ix_statements_created_run_id'), table_name='statements')
    op.drop_table('statements')
    if bind.dialect.name == "sqlite":
        frozen.run(bind, "bi_views_0002", "drop")
        with op.batch_alter_table('sources') as batch:
            batch.drop_column('priority')
        frozen.run(bind, "bi_views_0002", "create")
    else:
        op.drop_column('sources', 'priority')
