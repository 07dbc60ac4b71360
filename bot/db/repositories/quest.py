"""Quest progress rows and the coordinators' queue of tasks waiting for them."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Candidate, ElectoralDistrict, TaskProgress, TaskStatus


class QuestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def progress(self, candidate_id: int) -> list[TaskProgress]:
        result = await self._session.scalars(
            select(TaskProgress).where(TaskProgress.candidate_id == candidate_id)
        )
        return list(result)

    async def add(self, row: TaskProgress) -> None:
        self._session.add(row)
        await self._session.flush()

    async def waiting(
        self,
        organisation_ids: set[int] | None,
        formation_ids: set[int] | None,
        limit: int = 20,
        candidate_id: int | None = None,
    ) -> list[tuple[TaskProgress, Candidate]]:
        """Tasks waiting for a coordinator, oldest first, within the coordinator's scope
        (None means no restriction on that axis); only one candidate's with `candidate_id`."""
        query = (
            select(TaskProgress, Candidate)
            .join(Candidate, Candidate.id == TaskProgress.candidate_id)
            .outerjoin(ElectoralDistrict, ElectoralDistrict.id == Candidate.district_id)
            .where(TaskProgress.status == TaskStatus.WAITING)
            .order_by(TaskProgress.updated_at, TaskProgress.id)
            .limit(limit)
        )
        if candidate_id is not None:
            query = query.where(TaskProgress.candidate_id == candidate_id)
        if organisation_ids is not None or formation_ids is not None:
            conditions = []
            if organisation_ids:
                conditions.append(Candidate.organisation_id.in_(organisation_ids))
            if formation_ids:
                conditions.append(ElectoralDistrict.formation_id.in_(formation_ids))
            if not conditions:
                return []
            query = query.where(or_(*conditions))
        return [(row, candidate) for row, candidate in (await self._session.execute(query)).all()]

    async def get(self, progress_id: int) -> TaskProgress | None:
        return await self._session.get(TaskProgress, progress_id)

    async def candidate(self, candidate_id: int) -> Candidate | None:
        return await self._session.get(Candidate, candidate_id)
