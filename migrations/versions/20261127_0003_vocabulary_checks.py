"""Vocabulary CHECKs as equality chains; CURRENT_TIMESTAMP as the default of created_at/updated_at

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 23:40:00

Rules for a coopdb migration (read before you commit one):
- One concern per revision, with a downgrade() that really undoes it (tests walk down and up).
- Generate against PostgreSQL, then read every line: a rename must be a rename, not drop + add.
- SQLite needs batch mode: alter columns and constraints inside `with op.batch_alter_table(...)`.
- Constraints get their names from the naming convention in db/base.py; never name one by hand.
- Data fixes use Core SQL (sa.table/sa.column or op.execute), never the ORM models, which move on.
- Views are SQL kept in db/views/ and created/dropped here; autogenerate never sees them.
- A changed vocabulary in db/vocab.py means altering its CHECK here.

Why: SQLite evaluates `col IN ('a', 'b', ...)` inside a CHECK by building a temporary index of the list
for every row it writes (about 2 µs a row per CHECK); `col = 'a' OR col = 'b' ...` accepts and refuses
exactly the same values (NULL included) at next to no cost. Same text on PostgreSQL, so that both
backends keep one schema. The defaults: `now()` is not an SQLite function, so an INSERT by hand that
left created_at out failed on SQLite; CURRENT_TIMESTAMP works on both.

The vocabularies are frozen below as they were at this revision (a later vocabulary change is a later
revision). On SQLite each table is rebuilt (batch mode) with foreign keys off, as SQLite's own
procedure for table changes asks (db.migrate turns them off and checks them before committing); the
BI views are dropped first and re-created afterwards.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import frozen

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> [(constraint, column, values)] as of this revision
VOCABULARIES: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    'import_runs': [
        ('ck_import_runs_status', 'status', ('running', 'succeeded', 'failed', 'rejected', 'dry_run')),
    ],
    'countries': [
        ('ck_countries_kind', 'kind', ('sovereign', 'territory', 'former', 'other')),
    ],
    'forums': [
        ('ck_forums_dissolved_precision', 'dissolved_precision', ('day', 'month', 'year')),
        ('ck_forums_founded_precision', 'founded_precision', ('day', 'month', 'year')),
        ('ck_forums_kind', 'kind', ('intergovernmental_organisation', 'informal_grouping', 'initiative', 'summit_mechanism', 'dialogue_mechanism', 'other')),
    ],
    'sources': [
        ('ck_sources_kind', 'kind', ('news_article', 'dataset', 'official_document', 'web_page', 'academic', 'other')),
        ('ck_sources_published_precision', 'published_precision', ('day', 'month', 'year')),
    ],
    'agreements': [
        ('ck_agreements_in_force_precision', 'in_force_precision', ('day', 'month', 'year')),
        ('ck_agreements_kind', 'kind', ('treaty', 'memorandum', 'joint_statement', 'programme', 'target', 'contract', 'loan_agreement', 'other')),
        ('ck_agreements_signed_precision', 'signed_precision', ('day', 'month', 'year')),
        ('ck_agreements_status', 'status', ('announced', 'signed', 'in_force', 'implemented', 'terminated', 'expired')),
        ('ck_agreements_terminated_precision', 'terminated_precision', ('day', 'month', 'year')),
    ],
    'citations': [
        ('ck_citations_record_type', 'record_type', ('country', 'forum', 'membership', 'organisation', 'project', 'project_country', 'project_organisation', 'project_link', 'agreement', 'agreement_party', 'agreement_project')),
    ],
    'country_names': [
        ('ck_country_names_kind', 'kind', ('short', 'official', 'common', 'alias', 'former', 'abbreviation', 'acronym', 'dataset')),
    ],
    'forum_names': [
        ('ck_forum_names_kind', 'kind', ('short', 'official', 'common', 'alias', 'former', 'abbreviation', 'acronym', 'dataset')),
    ],
    'memberships': [
        ('ck_memberships_ended_precision', 'ended_precision', ('day', 'month', 'year')),
        ('ck_memberships_role', 'role', ('member', 'founding_member', 'observer', 'dialogue_partner', 'partner_country', 'applicant', 'associate')),
        ('ck_memberships_started_precision', 'started_precision', ('day', 'month', 'year')),
    ],
    'mentions': [
        ('ck_mentions_entity_type', 'entity_type', ('country', 'forum', 'organisation', 'project', 'agreement')),
    ],
    'organisations': [
        ('ck_organisations_kind', 'kind', ('government_agency', 'state_owned_enterprise', 'private_company', 'bank', 'university', 'ngo', 'multilateral', 'other')),
    ],
    'projects': [
        ('ck_projects_committed_precision', 'committed_precision', ('day', 'month', 'year')),
        ('ck_projects_completed_precision', 'completed_precision', ('day', 'month', 'year')),
        ('ck_projects_started_precision', 'started_precision', ('day', 'month', 'year')),
        ('ck_projects_status', 'status', ('pledged', 'agreed', 'under_construction', 'completed', 'operational', 'suspended', 'cancelled')),
    ],
    'agreement_parties': [
        ('ck_agreement_parties_role', 'role', ('party', 'signatory', 'host', 'guarantor', 'depositary')),
    ],
    'organisation_names': [
        ('ck_organisation_names_kind', 'kind', ('short', 'official', 'common', 'alias', 'former', 'abbreviation', 'acronym', 'dataset')),
    ],
    'project_countries': [
        ('ck_project_countries_role', 'role', ('host', 'recipient', 'financier', 'builder', 'operator', 'partner')),
    ],
    'project_links': [
        ('ck_project_links_kind', 'kind', ('parent', 'umbrella', 'linked', 'phase', 'related')),
    ],
    'project_names': [
        ('ck_project_names_kind', 'kind', ('short', 'official', 'common', 'alias', 'former', 'abbreviation', 'acronym', 'dataset')),
    ],
    'project_organisations': [
        ('ck_project_organisations_role', 'role', ('financier', 'cofinancier', 'builder', 'operator', 'partner', 'implementing_agency', 'receiving_agency', 'funding_agency', 'accountable_agency', 'guarantor', 'insurer')),
    ],
    'project_status_events': [
        ('ck_project_status_events_reached_precision', 'reached_precision', ('day', 'month', 'year')),
        ('ck_project_status_events_status', 'status', ('pledged', 'agreed', 'under_construction', 'completed', 'operational', 'suspended', 'cancelled')),
    ],
}
TIMESTAMPED = ('countries', 'forums', 'sources', 'agreements', 'citations', 'country_codes', 'country_names', 'forum_codes', 'forum_names', 'memberships', 'mentions', 'organisations', 'projects', 'agreement_parties', 'agreement_projects', 'agreement_subjects', 'organisation_names', 'project_countries', 'project_links', 'project_names', 'project_organisations', 'project_status_events')


def _chain(column: str, values: tuple[str, ...]) -> str:
    return " OR ".join(f"{column} = '{v}'" for v in values)


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _rewrite(condition, default: str) -> None:
    tables = [*VOCABULARIES, *[t for t in TIMESTAMPED if t not in VOCABULARIES]]
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        frozen.run(bind, "bi_views_0002", "drop")
        for table in tables:
            with op.batch_alter_table(table, recreate="always") as batch:
                for name, column, values in VOCABULARIES.get(table, []):
                    batch.drop_constraint(op.f(name), type_="check")
                    batch.create_check_constraint(op.f(name), condition(column, values))
                if table in TIMESTAMPED:
                    for column in ("created_at", "updated_at"):
                        batch.alter_column(column, existing_type=sa.DateTime(timezone=True), existing_nullable=False,
                                           server_default=sa.text(default))
        frozen.run(bind, "bi_views_0002", "create")
        return
    for table in tables:
        for name, column, values in VOCABULARIES.get(table, []):
            op.drop_constraint(op.f(name), table, type_="check")
            op.create_check_constraint(op.f(name), table, condition(column, values))
        if table in TIMESTAMPED:
            for column in ("created_at", "updated_at"):
                op.alter_column(table, column, server_default=sa.text(default))


def upgrade() -> None:
    _rewrite(_chain, "CURRENT_TIMESTAMP")


def downgrade() -> None:
    _rewrite(_in_list, "now()")
