"""Candidates' questions to the staff, and the FAQ built from the answers."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Candidate,
    ElectoralDistrict,
    FaqEntry,
    Question,
    QuestionStatus,
    RoleGrant,
    RoleName,
)


class QuestionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, question: Question) -> Question:
        self._session.add(question)
        await self._session.flush()
        return question

    async def get(self, question_id: int) -> Question | None:
        return await self._session.get(Question, question_id)

    async def get_for_update(self, question_id: int) -> Question | None:
        """The question, locked on PostgreSQL: two staff members answering at once see one
        open question between them, not one each."""
        return await self._session.scalar(
            select(Question)
            .where(Question.id == question_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def open_in_scope(
        self, organisation_ids: set[int] | None, formation_ids: set[int] | None, limit: int
    ) -> list[tuple[Question, Candidate]]:
        """Open questions, oldest first, of candidates within a scope (None, None: all)."""
        query = (
            select(Question, Candidate)
            .join(Candidate, Candidate.id == Question.candidate_id)
            .outerjoin(ElectoralDistrict, ElectoralDistrict.id == Candidate.district_id)
            .where(Question.status == QuestionStatus.OPEN)
            .order_by(Question.asked_at, Question.id)
            .limit(limit)
        )
        if organisation_ids is not None or formation_ids is not None:
            conditions = []
            if organisation_ids:
                conditions.append(Candidate.organisation_id.in_(organisation_ids))
            if formation_ids:
                conditions.append(ElectoralDistrict.formation_id.in_(formation_ids))
            if not conditions:
                return []
            query = query.where(or_(*conditions))
        rows = (await self._session.execute(query)).all()
        return [(question, candidate) for question, candidate in rows]

    async def for_candidate(self, candidate_id: int) -> list[Question]:
        result = await self._session.scalars(
            select(Question).where(Question.candidate_id == candidate_id).order_by(Question.id)
        )
        return list(result)

    async def coordinators_covering(
        self, organisation_id: int | None, formation_id: int | None
    ) -> list[int]:
        """Users whose coordinator grant covers a candidate of this organisation and
        formation: a grant for either of them, or one for the whole coalition."""
        conditions = [RoleGrant.organisation_id.is_(None) & RoleGrant.formation_id.is_(None)]
        if organisation_id is not None:
            conditions.append(RoleGrant.organisation_id == organisation_id)
        if formation_id is not None:
            conditions.append(RoleGrant.formation_id == formation_id)
        result = await self._session.scalars(
            select(RoleGrant.user_id)
            .where(RoleGrant.role == RoleName.COORDINATOR, or_(*conditions))
            .distinct()
            .order_by(RoleGrant.user_id)
        )
        return list(result)

    async def add_faq(self, entry: FaqEntry) -> FaqEntry:
        self._session.add(entry)
        await self._session.flush()
        return entry

    async def faq_entries(self) -> list[FaqEntry]:
        """Every FAQ entry, newest first (the FAQ is small: it is read by people)."""
        result = await self._session.scalars(
            select(FaqEntry).order_by(FaqEntry.created_at.desc(), FaqEntry.id.desc())
        )
        return list(result)
