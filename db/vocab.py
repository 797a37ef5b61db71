"""Closed vocabularies. Models turn each into a named CHECK; importers validate against them.

Changing one of these lists changes the schema: it needs a migration that alters the CHECK.
"""

DATE_PRECISIONS = ("day", "month", "year")

COUNTRY_KINDS = ("sovereign", "territory", "former", "other")
NAME_KINDS = ("short", "official", "common", "alias", "former", "abbreviation", "acronym", "dataset")

FORUM_KINDS = (
    "intergovernmental_organisation",
    "informal_grouping",
    "initiative",
    "summit_mechanism",
    "dialogue_mechanism",
    "other",
)
MEMBERSHIP_ROLES = (
    "member",
    "founding_member",
    "observer",
    "dialogue_partner",
    "partner_country",
    "applicant",
    "associate",
)

PROJECT_STATUSES = (
    "pledged",
    "agreed",
    "under_construction",
    "completed",
    "operational",
    "suspended",
    "cancelled",
)
PROJECT_COUNTRY_ROLES = ("host", "recipient", "financier", "builder", "operator", "partner")
PROJECT_ORGANISATION_ROLES = (
    "financier",
    "cofinancier",
    "builder",
    "operator",
    "partner",
    "implementing_agency",
    "receiving_agency",
    "funding_agency",
    "accountable_agency",
    "guarantor",
    "insurer",
)
PROJECT_LINK_KINDS = ("parent", "umbrella", "linked", "phase", "related")
ORGANISATION_KINDS = (
    "government_agency",
    "state_owned_enterprise",
    "private_company",
    "bank",
    "university",
    "ngo",
    "multilateral",
    "other",
)

AGREEMENT_KINDS = (
    "treaty",
    "memorandum",
    "joint_statement",
    "programme",
    "target",
    "contract",
    "loan_agreement",
    "other",
)
AGREEMENT_STATUSES = ("announced", "signed", "in_force", "implemented", "terminated", "expired")
AGREEMENT_PARTY_ROLES = ("party", "signatory", "host", "guarantor", "depositary")
EVENT_KINDS = (
    "signing",
    "opening",
    "visit",
    "summit",
    "meeting",
    "construction_start",
    "construction_completion",
    "other",
)
# How a country takes part in an event: the host (where it happens), a visiting country (the guest of a state
# or official visit), or another participant (a summit's members, a meeting's other side)
EVENT_COUNTRY_ROLES = ("host", "visitor", "participant")

SOURCE_KINDS = ("news_article", "dataset", "official_document", "web_page", "academic", "other")
RECORD_TYPES = (
    "country",
    "forum",
    "membership",
    "organisation",
    "project",
    "project_country",
    "project_organisation",
    "project_link",
    "agreement",
    "agreement_party",
    "agreement_project",
    "event",
)
MENTION_ENTITY_TYPES = ("country", "forum", "organisation", "project", "agreement")

RUN_STATUSES = ("running", "succeeded", "failed", "rejected", "dry_run", "interrupted")
# Records whose values are statements (db.models.Statement; importers/entities.py declares each)
STATEMENT_RECORD_TYPES = ("forum", "organisation", "membership", "project", "agreement", "event", "source")
# Records that may carry external identifiers and be merged (db.models.Identifier, db.models.SameAs)
IDENTIFIER_RECORD_TYPES = ("forum", "organisation", "project", "agreement", "event")
