"""The declarative base, the naming convention and the columns every imported table shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import CheckConstraint, DateTime, Integer, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def vocabulary_sql(column: str, values: Iterable[str]) -> str:
    """`column = 'a' OR column = 'b' ...`: the condition of a vocabulary CHECK (NULL passes, as in any CHECK).

    Not `column IN (...)`: SQLite evaluates a CHECK with an IN list by building a temporary index of the
    list for every row written, which made each vocabulary cost about 2 µs per row (an import writing a
    project with its participants and citation paid for 8 of them). Equality chains cost next to
    nothing on SQLite and PostgreSQL alike. Migration 0003 rewrote the CHECKs of older databases.
    """
    return " OR ".join(f"{column} = '" + v.replace("'", "''") + "'" for v in values)


def vocabulary_check(column: str, values: Iterable[str], name: str | None = None) -> CheckConstraint:
    """A named CHECK that keeps `column` inside a closed vocabulary (NULL allowed)."""
    values = tuple(values)
    return CheckConstraint(vocabulary_sql(column, values), name=name or column,
                           info={"vocabulary": (column, values)})


class Tracked:
    """Provenance columns: which import run created the row, which last changed it, and when.

    The run ids are indexed but not foreign keys: PostgreSQL checked such a key for every row written (a
    third of its time in a first import, docs/performance.md). `import_runs` is append-only instead (migration
    0014: a trigger refuses to delete a run or change its id), so a run id, once written, keeps its run.
    """

    @declared_attr
    def created_run_id(cls) -> Mapped[int | None]:
        return mapped_column(
            Integer,
            index=True,
            comment="Import run that first inserted this row (NULL when written by hand).",
        )

    @declared_attr
    def updated_run_id(cls) -> Mapped[int | None]:
        return mapped_column(
            Integer,
            index=True,
            comment="Import run that last changed a value in this row.",
        )

    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True),
        server_default=func.current_timestamp(),
        default=utcnow,
        comment="When the row was first inserted (UTC).",
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True),
        server_default=func.current_timestamp(),
        default=utcnow,
        comment="When a value in the row last changed (UTC); set by the importers, not by a trigger.",
    )


TRACKING_COLUMNS = ("created_run_id", "updated_run_id", "created_at", "updated_at")


def code_column(comment: str) -> Mapped[str]:
    return mapped_column(String(64), nullable=False, unique=True, comment=comment)
