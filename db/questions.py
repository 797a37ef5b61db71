"""Example questions answered over the schema; `coopdb quickstart` prints one of them.

Each function returns plain rows (named tuples) so that the CLI, tests and notebooks use them alike.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import Engine, select

from db.models import Country, Forum, Membership

# Roles that count as belonging to a forum; observers, dialogue partners and applicants do not.
BELONGING_ROLES = ("founding_member", "member", "partner_country", "associate")


class Joined(NamedTuple):
    started_on: dt.date
    precision: str
    role: str

    @property
    def year(self) -> int:
        return self.started_on.year


class SharedForum(NamedTuple):
    forum: str  # forum code
    name: str
    first: Joined  # when the first country joined
    second: Joined  # when the second country joined


def forums_shared(engine: Engine, first: str = "CHN", second: str = "KAZ") -> list[SharedForum]:
    """Forums both countries (by coopdb code, e.g. CHN and KAZ) belong to today, with when each
    joined: the earliest start of its belonging memberships there (a role in BELONGING_ROLES), if
    one of them has not ended. Ordered by the later of the two joining dates, then forum code."""
    query = (
        select(Forum.code, Forum.name, Country.code.label("country"), Membership.role,
               Membership.started_on, Membership.started_precision, Membership.ended_on)
        .join(Membership, Membership.forum_id == Forum.id)
        .join(Country, Country.id == Membership.country_id)
        .where(Country.code.in_((first, second)), Membership.role.in_(BELONGING_ROLES))
        .order_by(Forum.code, Membership.started_on)
    )
    joined: dict[tuple[str, str], Joined] = {}
    current: set[tuple[str, str]] = set()
    names: dict[str, str] = {}
    with engine.connect() as conn:
        for row in conn.execute(query):
            key = (row.code, row.country)
            names[row.code] = row.name
            joined.setdefault(key, Joined(row.started_on, row.started_precision, row.role))
            if row.ended_on is None:
                current.add(key)
    shared = [
        SharedForum(code, names[code], joined[(code, first)], joined[(code, second)])
        for code in names
        if (code, first) in current and (code, second) in current
    ]
    return sorted(shared, key=lambda s: (max(s.first.started_on, s.second.started_on), s.forum))
