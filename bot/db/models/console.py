"""The coordinators' console and what candidates share with each other: district teams."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import Base, UtcDateTime, _now


class TeamMember(Base):
    """A candidate's consent to be seen by the other candidates of their electoral district
    (/team): name and organisation; their Telegram contact only with `share_contact`. The row
    is the consent: deleting it (leaving the team, /forget_me) withdraws it. It is given for
    one district: a candidate who moves to another district is in no team until they join
    the new one (the look-ups require this district to be the candidate's current one)."""

    __tablename__ = "team_members"

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    district_id: Mapped[int] = mapped_column(
        ForeignKey("electoral_districts.id", ondelete="CASCADE"), index=True
    )
    share_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
