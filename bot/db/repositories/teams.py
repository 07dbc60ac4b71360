"""District teams: who agreed to be seen by the other candidates of their district."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Candidate, CandidateStatus
from bot.db.models.console import TeamMember


class TeamRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def member(self, candidate_id: int) -> TeamMember | None:
        return await self._session.get(TeamMember, candidate_id)

    async def join(self, candidate_id: int, district_id: int, share_contact: bool) -> TeamMember:
        row = await self.member(candidate_id)
        if row is None:
            row = TeamMember(
                candidate_id=candidate_id, district_id=district_id, share_contact=share_contact
            )
            self._session.add(row)
        else:
            row.district_id, row.share_contact = district_id, share_contact
        await self._session.flush()
        return row

    async def leave(self, candidate_id: int) -> bool:
        result = await self._session.execute(
            delete(TeamMember).where(TeamMember.candidate_id == candidate_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def of_district(self, district_id: int) -> list[tuple[Candidate, TeamMember]]:
        """Registered candidates of exactly this district who joined its team (and are still
        in it), in the order they joined. Nobody of another district, ever."""
        rows = await self._session.execute(
            select(Candidate, TeamMember)
            .join(TeamMember, TeamMember.candidate_id == Candidate.id)
            .where(
                Candidate.district_id == district_id,
                TeamMember.district_id == district_id,
                Candidate.status == CandidateStatus.REGISTERED,
            )
            .order_by(TeamMember.joined_at, Candidate.id)
        )
        return [(candidate, member) for candidate, member in rows.all()]
