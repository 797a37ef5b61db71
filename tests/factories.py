"""One minimal valid row in every table, inserted in dependency order with Core SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert

from db.models import Base

T = Base.metadata.tables
DAY = dt.date(2024, 7, 3)
NOW = dt.datetime(2024, 7, 3, 12, 0, tzinfo=dt.UTC)


def minimal_rows() -> dict[str, dict[str, Any]]:
    """Rows without ids; foreign keys are filled in by `insert_minimal_rows`."""
    return {
        "import_runs": {"importer": "test", "status": "succeeded", "started_at": NOW},
        "countries": {"code": "KAZ", "alpha2": "KZ", "alpha3": "KAZ", "numeric": "398", "name": "Kazakhstan",
                      "kind": "sovereign"},
        "country_names": {"lang": "id", "name": "Kazakstan", "kind": "common", "normalized": "kazakstan"},
        "country_codes": {"scheme": "cow_ccode", "code": "705"},
        "country_pair_totals": {"shared_projects": 1, "shared_agreements": 0, "shared_forums": 1,
                                "first_year": 2001, "last_year": 2019},
        "forums": {"code": "SCO", "name": "Shanghai Cooperation Organisation",
                   "kind": "intergovernmental_organisation"},
        "forum_names": {"lang": "ru", "name": "ШОС", "kind": "acronym", "normalized": "шос"},
        "forum_codes": {"scheme": "cow_igo", "code": "SCO"},
        "memberships": {"role": "founding_member", "started_on": dt.date(2001, 6, 15), "started_precision": "day"},
        "organisations": {"code": "CDB", "name": "China Development Bank", "kind": "bank"},
        "organisation_names": {"lang": "en", "name": "CDB", "kind": "acronym", "normalized": "cdb"},
        "projects": {"code": "KZ-ZHANATAS-WIND", "title": "Zhanatas wind farm", "status": "operational"},
        "project_names": {"lang": "id", "name": "PLTB Zhanatas", "kind": "common", "normalized": "pltb zhanatas"},
        "project_status_events": {"status": "operational", "reached_on": DAY, "reached_precision": "day"},
        "project_countries": {"role": "host"},
        "project_organisations": {"role": "financier"},
        "project_links": {"kind": "related"},
        "agreements": {"code": "CN-KZ-TRADE-TARGET", "title": "Double bilateral trade", "kind": "target"},
        "agreement_parties": {"role": "party"},
        "agreement_forums": {"role": "party"},
        "agreement_organisations": {"role": "signatory"},
        "agreement_subjects": {"subject": "trade"},
        "agreement_projects": {},
        "events": {"code": "KAZ-CHN-STATE-VISIT-2024", "kind": "visit", "title": "State visit"},
        "event_countries": {"role": "host"},
        "event_agreements": {},
        "sources": {"key": "sha256:abc", "kind": "news_article", "language": "id"},
        "citations": {"record_type": "project", "field": "", "locator": "line 8"},
        "statements": {"record_type": "project", "data": '{"title": "Zhanatas"}', "field_runs": '{"title": 0}',
                       "locator": "line 8"},
        "mentions": {"entity_type": "country", "sentence_index": 0, "start_char": 10, "end_char": 20,
                     "matched_text": "Kazakhstan"},
        "import_rejects": {"reason": "expected a date"},
        "identifiers": {"record_type": "project", "scheme": "aiddata", "value": "39556"},
        "same_as": {"record_type": "project", "code": "KZ-ZHANATAS-OLD", "merged_id": 999, "detail": "{}"},
    }


def insert_minimal_rows(conn: Connection) -> dict[str, dict[str, Any]]:
    rows = minimal_rows()
    ids: dict[str, int] = {}

    def add(table: str, **refs: Any) -> None:
        values = {**rows[table], **refs}
        rows[table] = values
        ids[table] = conn.execute(insert(T[table]).values(values).returning(T[table].c.id)).scalar_one()

    add("import_runs")
    add("countries")
    add("country_names", country_id=ids["countries"])
    add("country_codes", country_id=ids["countries"])
    add("country_pair_totals", country_id=ids["countries"], partner_id=ids["countries"])
    add("forums")
    add("forum_names", forum_id=ids["forums"])
    add("forum_codes", forum_id=ids["forums"])
    add("memberships", forum_id=ids["forums"], country_id=ids["countries"])
    add("organisations", country_id=ids["countries"])
    add("organisation_names", organisation_id=ids["organisations"])
    add("projects", framework_forum_id=ids["forums"])
    second_project = conn.execute(
        insert(T["projects"]).values(code="KZ-TURGUSUN-HPP", title="Turgusun hydropower plant")
        .returning(T["projects"].c.id)
    ).scalar_one()
    add("project_names", project_id=ids["projects"])
    add("project_status_events", project_id=ids["projects"])
    add("project_countries", project_id=ids["projects"], country_id=ids["countries"])
    add("project_organisations", project_id=ids["projects"], organisation_id=ids["organisations"])
    add("project_links", project_id=ids["projects"], related_project_id=second_project)
    add("agreements", forum_id=ids["forums"])
    add("agreement_parties", agreement_id=ids["agreements"], country_id=ids["countries"])
    add("agreement_forums", agreement_id=ids["agreements"], forum_id=ids["forums"])
    add("agreement_organisations", agreement_id=ids["agreements"], organisation_id=ids["organisations"])
    add("agreement_subjects", agreement_id=ids["agreements"])
    add("agreement_projects", agreement_id=ids["agreements"], project_id=ids["projects"])
    add("events", country_id=ids["countries"], project_id=ids["projects"], agreement_id=ids["agreements"],
        forum_id=ids["forums"])
    add("event_countries", event_id=ids["events"], country_id=ids["countries"])
    add("event_agreements", event_id=ids["events"], agreement_id=ids["agreements"])
    add("sources")
    add("citations", source_id=ids["sources"], record_id=ids["projects"])
    add("mentions", source_id=ids["sources"], entity_id=ids["countries"])
    add("statements", source_id=ids["sources"], record_id=ids["projects"])
    add("import_rejects", run_id=ids["import_runs"])
    add("identifiers", source_id=ids["sources"], record_id=ids["projects"])
    add("same_as", record_id=ids["projects"], run_id=ids["import_runs"])
    return rows
