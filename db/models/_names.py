"""The shape shared by every `*_names` table: one name of one record in one language."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Tracked


class NameRow(Tracked):
    lang: Mapped[str] = mapped_column(
        String(16),
        nullable=False,
        comment="BCP 47 language tag of the name ('en', 'id', 'ru', 'zh', 'kk', ...); 'und' when unknown.",
    )
    name: Mapped[str] = mapped_column(String(300), nullable=False, comment="The name as written.")
    kind: Mapped[str] = mapped_column(
        String(16),
        nullable=False,
        default="common",
        comment="short, official, common, alias, former, abbreviation, acronym or dataset (a spelling "
        "found in a data set).",
    )
    normalized: Mapped[str] = mapped_column(
        String(300),
        nullable=False,
        index=True,
        comment="The name folded for matching (lower case, no accents or punctuation); used by resolvers.",
    )
    note: Mapped[str | None] = mapped_column(
        String(300), comment="Where this spelling occurs or why it is listed."
    )
