"""Door-to-door canvassing: a candidate's volunteers, their invite links and the notes they
take at each door.

Least data: a volunteer gives a display name only (a pseudonym will do), kept encrypted. A
resident's name and phone are stored only after the canvasser confirmed the resident's
explicit consent, encrypted, with a blind index of the normalised phone for dedup. Notes and
voice notes may hold anything and are encrypted too. The location a canvasser shares is not
kept: only its distance to the building, which is what the quality check needs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, UtcDateTime, _now


class CanvassInvite(Base):
    """A candidate's invite link for volunteers. The token is a secret capability: stored
    encrypted (to show the link again) with a blind index to find it."""

    __tablename__ = "canvass_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    token_enc: Mapped[str] = mapped_column(Text)
    token_index: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CanvassVolunteer(Base):
    """Someone who canvasses for a candidate (the candidate themself has a row too)."""

    __tablename__ = "canvass_volunteers"
    __table_args__ = (UniqueConstraint("candidate_id", "user_id", name="candidate_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    display_name_enc: Mapped[str | None] = mapped_column(Text)
    is_candidate: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # "The last building used": one tap to go on where the canvasser stopped.
    last_building_id: Mapped[int | None] = mapped_column(
        ForeignKey("buildings.id", ondelete="SET NULL")
    )


class CanvassVisit(Base):
    """One door: what happened there. `confirmed` is False for a one-line note shown back
    and not yet confirmed; only confirmed notes count anywhere."""

    __tablename__ = "canvass_visits"
    __table_args__ = (
        Index("ix_canvass_visits_candidate_building", "candidate_id", "building_id"),
        Index("ix_canvass_visits_candidate_created", "candidate_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    # Kept when the volunteer leaves (/forget_me): the campaign's notes stay, anonymous.
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("canvass_volunteers.id", ondelete="SET NULL"), index=True
    )
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"))
    apartment: Mapped[str | None] = mapped_column(String(12))
    outcome: Mapped[str] = mapped_column(String(16))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    note_enc: Mapped[str | None] = mapped_column(Text)
    voice_file_enc: Mapped[str | None] = mapped_column(Text)  # Telegram file_id of a voice note
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up_done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    contact_name_enc: Mapped[str | None] = mapped_column(Text)
    contact_phone_enc: Mapped[str | None] = mapped_column(Text)
    contact_phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    contact_consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    distance_m: Mapped[int | None] = mapped_column(Integer)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(8), default="form")  # form | line
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    # The Telegram message the note came from: keeps a burst in the order it was typed.
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
