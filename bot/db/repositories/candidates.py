"""Candidates: the registration card and its look-ups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.models import Candidate, CandidateStatus, ElectoralDistrict


class CandidateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # One update asks for the same person's card several times; the repository lives as
        # long as the update's unit of work, so remembering it is safe.
        self._by_user: dict[int, Candidate | None] = {}

    async def by_user(self, user_id: int) -> Candidate | None:
        if user_id not in self._by_user:
            self._by_user[user_id] = await self._session.scalar(
                select(Candidate).where(Candidate.user_id == user_id)
            )
        return self._by_user[user_id]

    def remember(self, user_id: int, candidate: Candidate | None) -> None:
        self._by_user[user_id] = candidate

    def forget(self, user_id: int) -> None:
        self._by_user.pop(user_id, None)

    async def add(self, candidate: Candidate) -> Candidate:
        self._session.add(candidate)
        await self._session.flush()
        self._by_user[candidate.user_id] = candidate
        return candidate

    async def by_phone_index(self, phone_index: str) -> Candidate | None:
        return await self._session.scalar(
            select(Candidate).where(Candidate.phone_index == phone_index)
        )

    async def registered(self) -> list[Candidate]:
        result = await self._session.scalars(
            select(Candidate)
            .where(Candidate.status == CandidateStatus.REGISTERED)
            .order_by(Candidate.id)
        )
        return list(result)

    async def stalled_count(self, before: datetime) -> int:
        """Registered candidates whose last step forward (or registration) is before `before`."""
        last = func.coalesce(Candidate.last_progress_at, Candidate.registered_at)
        result = await self._session.scalar(
            select(func.count())
            .select_from(Candidate)
            .where(Candidate.status == CandidateStatus.REGISTERED, last < before)
        )
        return int(result or 0)

    async def count_registered(self) -> int:
        result = await self._session.scalar(
            select(func.count())
            .select_from(Candidate)
            .where(Candidate.status == CandidateStatus.REGISTERED)
        )
        return int(result or 0)

    async def district_with_formation(self, district_id: int) -> ElectoralDistrict | None:
        return await self._session.scalar(
            select(ElectoralDistrict)
            .options(selectinload(ElectoralDistrict.formation))
            .where(ElectoralDistrict.id == district_id)
        )
