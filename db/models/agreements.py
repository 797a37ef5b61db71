"""Agreements: treaties, memoranda, joint statements, programmes and targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Tracked, vocabulary_check
from db.vocab import AGREEMENT_KINDS, AGREEMENT_PARTY_ROLES, AGREEMENT_STATUSES, DATE_PRECISIONS


class Agreement(Tracked, Base):
    __tablename__ = "agreements"
    __table_args__ = (
        vocabulary_check("kind", AGREEMENT_KINDS),
        vocabulary_check("status", AGREEMENT_STATUSES),
        vocabulary_check("signed_precision", DATE_PRECISIONS),
        vocabulary_check("in_force_precision", DATE_PRECISIONS),
        vocabulary_check("terminated_precision", DATE_PRECISIONS),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("instrument_count >= 1", name="instrument_count_positive"),
        {"comment": "Treaties, memoranda, joint statements, cooperation programmes and commitments "
                    "such as trade targets."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(
        String(120), nullable=False, unique=True, comment="Stable coopdb code of the agreement."
    )
    title: Mapped[str] = mapped_column(String(500), nullable=False, comment="Title in English.")
    kind: Mapped[str] = mapped_column(
        String(16), nullable=False,
        comment="treaty, memorandum, joint_statement, programme, target, contract, loan_agreement or other.",
    )
    status: Mapped[str | None] = mapped_column(
        String(16), comment="announced, signed, in_force, implemented, terminated or expired."
    )
    description: Mapped[str | None] = mapped_column(Text, comment="What the agreement says or commits to.")
    target: Mapped[str | None] = mapped_column(
        Text, comment="For targets and commitments: what is to be reached (e.g. 'double bilateral trade')."
    )
    signed_on: Mapped[dt.date | None] = mapped_column(Date, comment="Signing date; read with signed_precision.")
    signed_precision: Mapped[str | None] = mapped_column(String(8), comment="day, month or year.")
    in_force_on: Mapped[dt.date | None] = mapped_column(
        Date, comment="Entry into force (or start of a programme); read with in_force_precision."
    )
    in_force_precision: Mapped[str | None] = mapped_column(String(8), comment="day, month or year.")
    terminated_on: Mapped[dt.date | None] = mapped_column(
        Date, comment="Termination or expiry date; read with terminated_precision."
    )
    terminated_precision: Mapped[str | None] = mapped_column(String(8), comment="day, month or year.")
    forum_id: Mapped[int | None] = mapped_column(
        ForeignKey("forums.id"), index=True, comment="Forum under which the agreement was made, where any."
    )
    amount: Mapped[Decimal | None] = mapped_column(
        Numeric(20, 2), comment="Value of the agreement (or of the agreements it stands for) in currency, as the "
        "source reports it: 629000000 for '17 agreements worth $629 million'.",
    )
    currency: Mapped[str | None] = mapped_column(String(3), comment="ISO 4217 code of amount (USD, CNY).")
    instrument_count: Mapped[int | None] = mapped_column(
        Integer, comment="How many agreements this record stands for when a source reports several signed "
        "together without naming each (17 for '17 agreements worth $629 million'); NULL for one agreement.",
    )


class AgreementParty(Tracked, Base):
    __tablename__ = "agreement_parties"
    __table_args__ = (
        UniqueConstraint("agreement_id", "country_id", "role"),
        vocabulary_check("role", AGREEMENT_PARTY_ROLES),
        {"comment": "Countries party to an agreement and their role."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), nullable=False, index=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(
        String(16), nullable=False, comment="party, signatory, host, guarantor or depositary."
    )


class AgreementForum(Tracked, Base):
    __tablename__ = "agreement_forums"
    __table_args__ = (
        UniqueConstraint("agreement_id", "forum_id", "role"),
        vocabulary_check("role", AGREEMENT_PARTY_ROLES),
        {"comment": "Forums and blocs party to an agreement in their own right (the European Union, "
                    "ASEAN, EFTA, the Eurasian Economic Union) and their role."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), nullable=False, index=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(
        String(16), nullable=False, comment="party, signatory, host, guarantor or depositary."
    )


class AgreementOrganisation(Tracked, Base):
    __tablename__ = "agreement_organisations"
    __table_args__ = (
        UniqueConstraint("agreement_id", "organisation_id", "role"),
        vocabulary_check("role", AGREEMENT_PARTY_ROLES),
        {"comment": "Organisations (banks, companies, agencies) party to an agreement and their role."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), nullable=False, index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(
        String(16), nullable=False, comment="party, signatory, host, guarantor or depositary."
    )


class AgreementSubject(Tracked, Base):
    __tablename__ = "agreement_subjects"
    __table_args__ = (
        UniqueConstraint("agreement_id", "subject"),
        {"comment": "Subjects an agreement covers (trade, tourism, culture, energy, ...)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), nullable=False, index=True)
    subject: Mapped[str] = mapped_column(String(100), nullable=False, comment="Subject, lower case.")


class AgreementProject(Tracked, Base):
    __tablename__ = "agreement_projects"
    __table_args__ = (
        UniqueConstraint("agreement_id", "project_id"),
        {"comment": "Projects an agreement covers."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), nullable=False, index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
