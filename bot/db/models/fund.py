"""The electoral fund: bank details, donations and spending.

The account's details are printed on every donation card and QR code, so they are stored in
clear. What identifies donors is not: their names and details are encrypted (`_enc`), and a
blind index of the normalised name and birth date (or an organisation's ИНН) lets the per-donor
cap be checked across donations without reading anyone's name. Rows go with the candidate
(ON DELETE CASCADE), so /forget_me erases the ledger too.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, UtcDateTime, _now


class FundAccount(Base):
    __tablename__ = "fund_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), unique=True
    )
    payee_name: Mapped[str] = mapped_column(String(160))
    bic: Mapped[str] = mapped_column(String(9))
    account: Mapped[str] = mapped_column(String(20))
    corr_account: Mapped[str] = mapped_column(String(20))
    bank_name: Mapped[str] = mapped_column(String(45))
    payee_inn: Mapped[str | None] = mapped_column(String(12))
    kpp: Mapped[str | None] = mapped_column(String(9))
    # The donation link's argument: random, so the link reveals nothing about the candidate.
    token: Mapped[str] = mapped_column(String(24), unique=True)
    # Set when every control key checked out; details typed before a check existed stay None.
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class EntryKind(enum.StrEnum):
    DONATION = "donation"
    SPENDING = "spending"


class DonorType(enum.StrEnum):
    CITIZEN = "citizen"
    LEGAL = "legal"  # an organisation
    OWN = "own"  # the candidate's own money
    PARTY = "party"  # the nominating party
    UNKNOWN = "unknown"  # no donor data: anonymous


class Flag(enum.StrEnum):
    """Why (part of) a donation must leave the fund within the return period."""

    ANONYMOUS = "anonymous"  # to the budget
    OVER_CAP = "over_cap"  # the excess back to the donor
    INELIGIBLE = "ineligible"  # all of it back to the donor


class FundEntry(Base):
    __tablename__ = "fund_entries"
    __table_args__ = (
        UniqueConstraint("candidate_id", "import_key", name="candidate_import"),
        Index("ix_fund_entries_candidate_donor", "candidate_id", "donor_index"),
        Index("ix_fund_entries_return_due", "return_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    kind: Mapped[EntryKind] = mapped_column(Enum(EntryKind, native_enum=False, length=16))
    amount_kop: Mapped[int] = mapped_column(BigInteger)
    booked_on: Mapped[date] = mapped_column(Date)  # the day it reached (or left) the account
    donor_type: Mapped[DonorType | None] = mapped_column(
        Enum(DonorType, native_enum=False, length=16)
    )
    donor_name_enc: Mapped[str | None] = mapped_column(Text)
    # JSON of what else identifies the donor (birth date, ИНН), encrypted.
    donor_details_enc: Mapped[str | None] = mapped_column(Text)
    donor_index: Mapped[str | None] = mapped_column(String(64))
    # The payment's purpose or the spending's description: may name people, so encrypted.
    note_enc: Mapped[str | None] = mapped_column(Text)
    flag: Mapped[Flag | None] = mapped_column(Enum(Flag, native_enum=False, length=16))
    return_kop: Mapped[int] = mapped_column(BigInteger, default=0)
    return_due: Mapped[date | None] = mapped_column(Date)
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    source: Mapped[str] = mapped_column(String(16), default="manual")  # manual, statement
    # A keyed hash of a statement row: the same statement uploaded twice adds nothing.
    import_key: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
