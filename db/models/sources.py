"""Where facts come from: sources, the citations that tie records to them, and mentions in texts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Tracked, utcnow, vocabulary_check
from db.vocab import DATE_PRECISIONS, MENTION_ENTITY_TYPES, RECORD_TYPES, SOURCE_KINDS, STATEMENT_RECORD_TYPES


class Source(Tracked, Base):
    __tablename__ = "sources"
    __table_args__ = (
        vocabulary_check("kind", SOURCE_KINDS),
        vocabulary_check("published_precision", DATE_PRECISIONS),
        {"comment": "Where facts come from: news articles, data set releases, official documents and "
                    "web pages."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(
        String(500), nullable=False, unique=True,
        comment="Natural key: the URL, 'sha256:<hash>' of an article's text, or a data set release "
        "code such as 'aiddata-gcdf-1.0'.",
    )
    kind: Mapped[str] = mapped_column(
        String(20), nullable=False,
        comment="news_article, dataset, official_document, web_page, academic or other.",
    )
    title: Mapped[str | None] = mapped_column(String(500), comment="Title of the article, document or data set.")
    publisher: Mapped[str | None] = mapped_column(String(300), comment="Publisher or outlet.")
    author: Mapped[str | None] = mapped_column(String(300), comment="Author(s), where known.")
    url: Mapped[str | None] = mapped_column(String(2000), comment="Address where the source can be read.")
    language: Mapped[str | None] = mapped_column(String(16), comment="BCP 47 language tag of the source.")
    published_on: Mapped[dt.date | None] = mapped_column(
        Date, comment="Publication date; read with published_precision."
    )
    published_precision: Mapped[str | None] = mapped_column(String(8), comment="day, month or year.")
    published_estimated: Mapped[bool | None] = mapped_column(
        comment="True when published_on was worked out rather than printed on the source."
    )
    licence: Mapped[str | None] = mapped_column(String(200), comment="Licence or terms of use.")
    content_hash: Mapped[str | None] = mapped_column(
        String(80), index=True, comment="sha256 of the text or file, to recognise the same source again."
    )
    content: Mapped[str | None] = mapped_column(
        Text, comment="Full text of an article, kept so that quotes and mentions can be shown."
    )
    notes: Mapped[str | None] = mapped_column(Text, comment="Remarks on the source and its reliability.")
    priority: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0",
        comment="Precedence of the source's statements: higher wins before dates are compared (default 0; "
        "see docs/provenance.md).",
    )


class Citation(Tracked, Base):
    __tablename__ = "citations"
    __table_args__ = (
        UniqueConstraint("source_id", "record_type", "record_id", "field", "locator"),
        vocabulary_check("record_type", RECORD_TYPES),
        {"comment": "Which source supports which record (and, where known, which field of it), with a "
                    "locator such as a line or row and an optional quote. A fact seen in several sources "
                    "has several citations."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), nullable=False, index=True)
    record_type: Mapped[str] = mapped_column(
        String(24), nullable=False,
        comment="Table of the cited record, in the singular: project, agreement, membership, forum, ...",
    )
    record_id: Mapped[int] = mapped_column(
        Integer, nullable=False, comment="id of the cited row in the table named by record_type."
    )
    field: Mapped[str] = mapped_column(
        String(64), nullable=False, default="",
        comment="Column the source supports; '' when it supports the record as a whole.",
    )
    locator: Mapped[str] = mapped_column(
        String(200), nullable=False, default="",
        comment="Where in the source: 'line 19', 'row 1234', 'sheet X row 5', 'p. 4'; '' when unknown.",
    )
    quote: Mapped[str | None] = mapped_column(Text, comment="The supporting words, where given.")
    first_seen_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), comment="When an import first saw this citation (UTC)."
    )
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), comment="When an import last saw this citation (UTC)."
    )


class Statement(Tracked, Base):
    __tablename__ = "statements"
    __table_args__ = (
        UniqueConstraint("record_type", "record_id", "source_id"),
        vocabulary_check("record_type", STATEMENT_RECORD_TYPES),
        {"comment": "What one source says about one record: every field value it gives and every child row "
                    "(participant, party, name, link) it lists, with where in the source and when it was "
                    "seen. The typed tables are the current view derived from these by the precedence in "
                    "docs/provenance.md; `coopdb explain` shows them."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(
        String(24), nullable=False,
        comment="Kind of the record: project, agreement, event, forum, organisation, membership, source.",
    )
    record_id: Mapped[int] = mapped_column(
        Integer, nullable=False, comment="id of the record in the table named by record_type."
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id"), nullable=False, index=True, comment="The source that makes the statement."
    )
    data: Mapped[str] = mapped_column(
        Text, nullable=False,
        comment="JSON object: field -> value the source gives (null: the source clears the field on purpose); "
        "a child collection (participants, names, ...) -> the list of rows it lists.",
    )
    field_runs: Mapped[str] = mapped_column(
        Text, nullable=False,
        comment="JSON object: field -> id of the import run that gave the field its present value (the "
        "'newest import' of the precedence).",
    )
    locator: Mapped[str] = mapped_column(
        String(200), nullable=False, default="",
        comment="Where in the source: 'line 19', 'row 1234', 'article line 5'; '' when unknown.",
    )
    first_seen_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, comment="When an import first saw the statement (UTC)."
    )
    last_seen_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow, comment="When an import last saw the statement (UTC)."
    )
    last_seen_run_id: Mapped[int | None] = mapped_column(
        Integer, comment="Import run that last saw the statement."
    )


class Mention(Tracked, Base):
    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("source_id", "start_char", "entity_type", "entity_id"),
        vocabulary_check("entity_type", MENTION_ENTITY_TYPES),
        {"comment": "A known country, forum, organisation, project or agreement named in a source's "
                    "text: where (sentence and character span) and by which name."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), nullable=False, index=True)
    entity_type: Mapped[str] = mapped_column(
        String(16), nullable=False, comment="country, forum, organisation, project or agreement."
    )
    entity_id: Mapped[int] = mapped_column(
        Integer, nullable=False, comment="id of the named row in the table named by entity_type."
    )
    sentence_index: Mapped[int] = mapped_column(
        Integer, nullable=False, comment="0-based number of the sentence in the source's text."
    )
    line: Mapped[int | None] = mapped_column(Integer, comment="1-based line of the text where the mention starts.")
    start_char: Mapped[int] = mapped_column(
        Integer, nullable=False, comment="0-based offset of the first character in the source's content."
    )
    end_char: Mapped[int] = mapped_column(
        Integer, nullable=False, comment="0-based offset just past the last character."
    )
    matched_text: Mapped[str] = mapped_column(String(300), nullable=False, comment="The text as written.")
    matched_name: Mapped[str | None] = mapped_column(
        String(300), comment="The known name or alias that matched it."
    )
    sentence: Mapped[str | None] = mapped_column(Text, comment="The sentence containing the mention.")
