"""All models, imported so that `Base.metadata` knows every table."""

from db.base import Base
from db.models.agreements import (
    Agreement,
    AgreementForum,
    AgreementOrganisation,
    AgreementParty,
    AgreementProject,
    AgreementSubject,
)
from db.models.countries import Country, CountryCode, CountryName, CountryPairTotal
from db.models.events import Event, EventAgreement, EventCountry
from db.models.forums import Forum, ForumCode, ForumName, Membership
from db.models.identity import Identifier, SameAs
from db.models.projects import (
    Organisation,
    OrganisationName,
    Project,
    ProjectCountry,
    ProjectLink,
    ProjectName,
    ProjectOrganisation,
    ProjectStatusEvent,
)
from db.models.runs import ImportReject, ImportRun
from db.models.sources import Citation, Mention, Source, Statement

__all__ = [
    "Agreement",
    "AgreementForum",
    "AgreementOrganisation",
    "AgreementParty",
    "AgreementProject",
    "AgreementSubject",
    "Base",
    "Citation",
    "Country",
    "CountryCode",
    "CountryName",
    "CountryPairTotal",
    "Event",
    "EventAgreement",
    "EventCountry",
    "Forum",
    "ForumCode",
    "ForumName",
    "Identifier",
    "ImportReject",
    "ImportRun",
    "Membership",
    "Mention",
    "Organisation",
    "OrganisationName",
    "Project",
    "ProjectCountry",
    "ProjectLink",
    "ProjectName",
    "ProjectOrganisation",
    "ProjectStatusEvent",
    "SameAs",
    "Source",
    "Statement",
]
