"""The coalition's pooled supporter base: people, the source records they were merged from,
the imports, and the pairs of possible duplicates waiting for a person to decide.

Everything that identifies a supporter is encrypted (`_enc`); exact look-up and deduplication
use blind indexes (keyed hashes of the normalised value), never the plain text.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, UtcDateTime, _now


class Supporter(Base):
    """One person, however many organisations' lists they appear in."""

    __tablename__ = "supporters"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Set when the person signed up in the bot themselves (or came back to it): /forget_me
    # erases the row through it.
    user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    name_enc: Mapped[str | None] = mapped_column(Text)
    # Of the canonical name key (folded, ё as е, parts sorted, diminutives expanded).
    # name, address and birth indexes are compared in memory by the import's matcher, never
    # searched in SQL: no database index to maintain on every insert.
    name_index: Mapped[str | None] = mapped_column(String(64))
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    email_enc: Mapped[str | None] = mapped_column(Text)
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    address_enc: Mapped[str | None] = mapped_column(Text)
    # Of the building's address key (street|house|block): the same building, not the flat.
    address_index: Mapped[str | None] = mapped_column(String(64))
    birth_enc: Mapped[str | None] = mapped_column(Text)
    birth_index: Mapped[str | None] = mapped_column(String(64))
    building_id: Mapped[int | None] = mapped_column(
        ForeignKey("buildings.id", ondelete="SET NULL")
    )
    formation_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipal_formations.id", ondelete="SET NULL"), index=True
    )
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("electoral_districts.id", ondelete="SET NULL"), index=True
    )
    # The merged consent per purpose (the strictest of the sources, or the person's own word)
    # and the organisation that obtained it.
    consent_contact: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    consent_volunteer: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    consent_news: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    contact_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    volunteer_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    news_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class SupporterImport(Base):
    """One imported file: who, for which organisation, and what came of it (counts only)."""

    __tablename__ = "supporter_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    file_name: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    merged: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    to_review: Mapped[int] = mapped_column(Integer, default=0)
    unassigned: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class SupporterSource(Base):
    """A row of an organisation's file (or a sign-up in the bot, or a canvass visit) that was
    merged into a supporter. `key` is `organisation:external_id`, unique: importing the same
    file again finds every row already there."""

    __tablename__ = "supporter_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    supporter_id: Mapped[int] = mapped_column(
        ForeignKey("supporters.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(120), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("supporter_imports.id", ondelete="SET NULL")
    )
    # Keyed hash of the normalised row: an unchanged row is skipped on re-import.
    row_hash: Mapped[str] = mapped_column(String(64))
    # What the source says per purpose: True, False, or None when it says nothing.
    consent_contact: Mapped[bool | None] = mapped_column(Boolean)
    consent_volunteer: Mapped[bool | None] = mapped_column(Boolean)
    consent_news: Mapped[bool | None] = mapped_column(Boolean)
    # Tags, source event and date as the organisation recorded them, as JSON (encrypted:
    # where a person was seen says what they believe).
    details_enc: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class SupporterMatch(Base):
    """Two supporters who may be one person: a coordinator merges them or keeps both."""

    __tablename__ = "supporter_matches"
    __table_args__ = (UniqueConstraint("supporter_id", "other_id", name="pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supporter_id: Mapped[int] = mapped_column(
        ForeignKey("supporters.id", ondelete="CASCADE"), index=True
    )
    other_id: Mapped[int] = mapped_column(
        ForeignKey("supporters.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    resolved_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
