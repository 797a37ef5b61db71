"""A small dataset written for the BI tests: China, Kazakhstan and Indonesia; SCO, BRICS and the Belt and
Road Initiative; five projects, four agreements, two sources with citations and mentions. Core inserts only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Connection, insert

from db import bi
from db.models import Base

T = Base.metadata.tables
D = dt.date


def load(conn: Connection) -> dict[str, int]:
    """Insert the dataset; returns ids by a short name (countries by code, projects and agreements by code)."""
    ids: dict[str, int] = {}

    def add(table: str, key: str | None = None, /, **values) -> int:
        new_id = conn.execute(insert(T[table]).values(values).returning(T[table].c.id)).scalar_one()
        if key:
            ids[key] = new_id
        return new_id

    asia = {"region_code": "142", "region": "Asia"}
    add("countries", "CHN", code="CHN", alpha2="CN", alpha3="CHN", numeric="156", name="China", kind="sovereign",
        subregion="Eastern Asia", **asia)
    add("countries", "KAZ", code="KAZ", alpha2="KZ", alpha3="KAZ", numeric="398", name="Kazakhstan",
        kind="sovereign", subregion="Central Asia", **asia)
    add("countries", "IDN", code="IDN", alpha2="ID", alpha3="IDN", numeric="360", name="Indonesia",
        kind="sovereign", subregion="South-eastern Asia", **asia)

    add("forums", "SCO", code="SCO", name="Shanghai Cooperation Organisation", acronym="SCO",
        kind="intergovernmental_organisation", founded_on=D(2001, 6, 15), founded_precision="day")
    add("forums", "BRICS", code="BRICS", name="BRICS", acronym="BRICS", kind="informal_grouping")
    add("forums", "BRI", code="BRI", name="Belt and Road Initiative", acronym="BRI", kind="initiative")

    def member(forum, country, role, started, precision, ended=None, ended_precision=None):
        return add("memberships", f"{forum}:{country}:{role}", forum_id=ids[forum], country_id=ids[country],
                   role=role, started_on=started, started_precision=precision, ended_on=ended,
                   ended_precision=ended_precision)

    member("SCO", "CHN", "founding_member", D(2001, 6, 15), "day")
    member("SCO", "KAZ", "founding_member", D(2001, 6, 15), "day")
    member("BRICS", "CHN", "founding_member", D(2009, 1, 1), "year")
    member("BRICS", "IDN", "applicant", D(2024, 10, 24), "day", D(2025, 1, 5), "day")
    member("BRICS", "IDN", "member", D(2025, 1, 6), "day")
    member("BRI", "CHN", "founding_member", D(2013, 1, 1), "year")
    member("BRI", "KAZ", "partner_country", D(2013, 9, 1), "month")
    member("BRI", "IDN", "partner_country", D(2015, 1, 1), "year")

    def project(code, title, sector, committed=None, precision=None, framework="BRI", **more):
        return add("projects", code, code=code, title=title, sector=sector, committed_on=committed,
                   committed_precision=precision, framework_forum_id=ids[framework] if framework else None, **more)

    project("KZ-ZHANATAS-WIND", "Zhanatas wind farm", "ENERGY", D(2019, 1, 1), "year", status="operational",
            amount=Decimal("1550000000.00"), currency="CNY", amount_year=2019,
            amount_usd_nominal=Decimal("224500000.00"), capacity=Decimal("100"), capacity_unit="MW",
            location_name="Zhanatas", admin_area="Zhambyl", latitude=Decimal("43.566700"),
            longitude=Decimal("69.750000"))
    project("KZ-TURGUSUN-HPP", "Turgusun hydropower plant", "ENERGY", D(2018, 6, 12), "day", status="operational",
            capacity=Decimal("24.9"), capacity_unit="MW", admin_area="East Kazakhstan")
    project("CN-KZ-LIANYUNGANG", "China-Kazakhstan (Lianyungang) Logistics Cooperation Base",
            "TRANSPORT AND STORAGE", D(2014, 5, 19), "day", status="operational")
    project("ID-JAKARTA-BANDUNG-HSR", "Jakarta-Bandung high-speed railway", "TRANSPORT AND STORAGE",
            D(2015, 10, 16), "day", status="operational", amount=Decimal("7300000000.00"), currency="USD",
            amount_year=2015, amount_usd_nominal=Decimal("7300000000.00"), capacity=Decimal("142.3"),
            capacity_unit="km")
    project("KZ-LUBAN-WORKSHOP", "Luban Workshop", "EDUCATION", framework=None)

    for code, country, role in [
        ("KZ-ZHANATAS-WIND", "KAZ", "host"), ("KZ-ZHANATAS-WIND", "CHN", "financier"),
        ("KZ-TURGUSUN-HPP", "KAZ", "host"), ("KZ-TURGUSUN-HPP", "CHN", "builder"),
        ("CN-KZ-LIANYUNGANG", "CHN", "host"), ("CN-KZ-LIANYUNGANG", "KAZ", "partner"),
        ("ID-JAKARTA-BANDUNG-HSR", "IDN", "host"), ("ID-JAKARTA-BANDUNG-HSR", "CHN", "financier"),
        ("ID-JAKARTA-BANDUNG-HSR", "CHN", "builder"),
        ("KZ-LUBAN-WORKSHOP", "KAZ", "host"), ("KZ-LUBAN-WORKSHOP", "CHN", "partner"),
    ]:
        add("project_countries", f"{code}:{country}:{role}", project_id=ids[code], country_id=ids[country],
            role=role)

    def agreement(code, title, kind, parties, **more):
        add("agreements", code, code=code, title=title, kind=kind, **more)
        for country, role in parties:
            add("agreement_parties", f"{code}:{country}", agreement_id=ids[code], country_id=ids[country], role=role)

    both = [("CHN", "party"), ("KAZ", "party")]
    agreement("CN-KZ-TRADE-TARGET", "Joint target to double bilateral trade", "target", both,
              status="announced", target="double bilateral trade", signed_on=D(2023, 5, 17), signed_precision="day")
    agreement("CN-KZ-TOURISM-YEARS", "Reciprocal Years of Tourism", "programme", both,
              in_force_on=D(2025, 1, 1), in_force_precision="year")
    agreement("SCO-CHARTER", "Charter of the Shanghai Cooperation Organisation", "treaty",
              [("CHN", "signatory"), ("KAZ", "signatory")], status="in_force", signed_on=D(2002, 6, 7),
              signed_precision="day", in_force_on=D(2003, 9, 19), in_force_precision="day", forum_id=ids["SCO"])
    agreement("CN-ID-MOU-2015", "Memorandum on infrastructure cooperation", "memorandum", [],
              signed_on=D(2015, 3, 1), signed_precision="month", amount=Decimal("629000000"), currency="USD",
              instrument_count=17)

    add("sources", "article", key="sha256:" + "a" * 64, kind="news_article",
        title="Kazakhstan dan Tiongkok perkuat kerja sama", publisher="Example News", language="id",
        url="https://news.example.org/kz-cn", published_on=D(2025, 6, 10), published_precision="day")
    add("sources", "dataset", key="aiddata-gcdf-3.0", kind="dataset", title="Global Chinese Development Finance 3.0",
        publisher="AidData", language="en", published_on=D(2023, 11, 1), published_precision="month")

    def cite(source, record_type, record, locator, quote=None):
        add("citations", source_id=ids[source], record_type=record_type, record_id=ids[record], locator=locator,
            quote=quote)

    cite("article", "project", "KZ-ZHANATAS-WIND", "line 12", "the wind farm at Zhanatas runs at 100 MW")
    cite("dataset", "project", "KZ-ZHANATAS-WIND", "row 42")
    cite("article", "agreement", "CN-KZ-TRADE-TARGET", "line 8", "both sides aim to double trade")
    cite("article", "membership", "SCO:KAZ:founding_member", "line 20")
    cite("dataset", "project_country", "ID-JAKARTA-BANDUNG-HSR:CHN:financier", "row 7")

    # statements: the two sources disagree on the wind farm's capacity (a conflict), agree on its title
    def state(source, record, data, locator):
        add("statements", record_type="project", record_id=ids[record], source_id=ids[source], data=data,
            field_runs='{"capacity": 0, "title": 0}', locator=locator, first_seen_at=dt.datetime(2025, 6, 10,
            tzinfo=dt.UTC), last_seen_at=dt.datetime(2025, 6, 10, tzinfo=dt.UTC))

    state("article", "KZ-ZHANATAS-WIND", '{"capacity": "100", "title": "Zhanatas wind farm"}', "line 12")
    state("dataset", "KZ-ZHANATAS-WIND", '{"capacity": "99.5", "title": "Zhanatas wind farm"}', "row 42")
    add("identifiers", record_type="project", record_id=ids["KZ-ZHANATAS-WIND"], scheme="aiddata", value="42",
        source_id=ids["dataset"])

    # events: a summit of a forum, and the opening of a project, stated by the article
    add("events", "EV-SCO-SUMMIT-2024", code="EV-SCO-SUMMIT-2024", kind="summit", title="SCO summit in Astana",
        occurred_on=D(2024, 7, 4), occurred_precision="day", place_name="Astana", country_id=ids["KAZ"],
        forum_id=ids["SCO"])
    add("events", "EV-ZHANATAS-OPENING", code="EV-ZHANATAS-OPENING", kind="opening",
        title="Zhanatas wind farm opened", occurred_on=D(2021, 6, 1), occurred_precision="month",
        project_id=ids["KZ-ZHANATAS-WIND"])
    # who took part (the summit's host and a member; a visit of Indonesia's leader to Kazakhstan) and what was
    # signed there
    add("events", "EV-IDN-KAZ-VISIT-2026", code="EV-IDN-KAZ-VISIT-2026", kind="visit",
        title="Visit of Indonesia to Kazakhstan", occurred_on=D(2026, 3, 1), occurred_precision="month",
        place_name="Astana", country_id=ids["KAZ"])
    for event, country, role in (("EV-SCO-SUMMIT-2024", "KAZ", "host"), ("EV-SCO-SUMMIT-2024", "CHN", "participant"),
                                 ("EV-IDN-KAZ-VISIT-2026", "KAZ", "host"), ("EV-IDN-KAZ-VISIT-2026", "IDN", "visitor")):
        add("event_countries", event_id=ids[event], country_id=ids[country], role=role)
    add("event_agreements", event_id=ids["EV-SCO-SUMMIT-2024"], agreement_id=ids["CN-KZ-TRADE-TARGET"])
    add("statements", record_type="event", record_id=ids["EV-SCO-SUMMIT-2024"], source_id=ids["article"],
        data='{"kind": "summit", "occurred_on": "2024-07-04", "occurred_precision": "day"}',
        field_runs='{"kind": 0, "occurred_on": 0}', locator="line 3",
        first_seen_at=dt.datetime(2025, 6, 10, tzinfo=dt.UTC), last_seen_at=dt.datetime(2025, 6, 10, tzinfo=dt.UTC))

    def mention(entity_type, entity, start, text, sentence_index, sentence):
        add("mentions", source_id=ids["article"], entity_type=entity_type, entity_id=ids[entity],
            sentence_index=sentence_index, start_char=start, end_char=start + len(text), matched_text=text,
            sentence=sentence)

    first = "China and Kazakhstan agreed to double trade."
    second = "Tiongkok supports the wind farm PLTB Zhanatas in Kazakhstan."
    third = "Both are members of the SCO."
    mention("country", "CHN", 0, "China", 0, first)
    mention("country", "KAZ", 10, "Kazakhstan", 0, first)
    mention("country", "CHN", 46, "Tiongkok", 1, second)
    mention("project", "KZ-ZHANATAS-WIND", 78, "PLTB Zhanatas", 1, second)
    mention("country", "KAZ", 95, "Kazakhstan", 1, second)
    mention("forum", "SCO", 131, "SCO", 2, third)
    mention("country", "CHN", 140, "China", 2, "China again.")
    bi.refresh_country_pairs(conn)  # as every import does
    return ids
