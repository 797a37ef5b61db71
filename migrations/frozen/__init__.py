"""SQL that revisions run, frozen as it was when each revision was written.

A revision never imports the live view SQL of db/views (which later revisions change): the BI views as a
revision created them are kept here as JSON lists of statements per dialect, so that a database migrates
from empty at any later revision. Files here are never edited; a revision that changes views adds its own.
"""

from __future__ import annotations

import json
from importlib import resources

from sqlalchemy import Connection


def statements(name: str, dialect: str, action: str) -> list[str]:
    """The frozen `action` ("create" or "drop") statements of `name` (e.g. "bi_views_0002") for `dialect`."""
    text = resources.files(__package__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)[dialect][action]


def run(bind: Connection, name: str, action: str) -> None:
    for statement in statements(name, bind.dialect.name, action):
        bind.exec_driver_sql(statement)  # no parameters: '%' and ':' in the SQL are taken literally
