"""Read-only queries behind the coordinators' /stats and /map: candidates in a scope, their
quest statuses in bulk, and the current election's districts. Nothing here writes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Candidate,
    CandidateStatus,
    ElectoralDistrict,
    MunicipalFormation,
    TaskProgress,
    TaskStatus,
)

# SQLite builds before 3.32 allow 999 bound parameters; batches stay well below that.
BATCH = 500


@dataclass(frozen=True)
class CandidateFacts:
    """What statistics need about a candidate: no name, phone or answers (no personal data
    leaves the database for a count)."""

    id: int
    status: CandidateStatus
    organisation_id: int | None
    district_id: int | None
    formation_id: int | None
    quest_points: int
    registered_at: datetime | None
    last_progress_at: datetime | None


@dataclass(frozen=True)
class DistrictFacts:
    id: int
    number: int
    seats: int
    formation_id: int
    formation: str
    admin_district: str


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def candidates(
        self, organisation_ids: set[int] | None, formation_ids: set[int] | None
    ) -> list[CandidateFacts]:
        """Candidates (drafts too) in a coordinator's scope: their organisation is one of
        `organisation_ids` or their district lies in one of `formation_ids`. None, None is the
        whole coalition; the same rule as the /pending queue."""
        query = (
            select(
                Candidate.id,
                Candidate.status,
                Candidate.organisation_id,
                Candidate.district_id,
                ElectoralDistrict.formation_id,
                Candidate.quest_points,
                Candidate.registered_at,
                Candidate.last_progress_at,
            )
            .outerjoin(ElectoralDistrict, ElectoralDistrict.id == Candidate.district_id)
            .order_by(Candidate.id)
        )
        if organisation_ids is not None or formation_ids is not None:
            conditions: list[ColumnElement[bool]] = []
            if organisation_ids:
                conditions.append(Candidate.organisation_id.in_(organisation_ids))
            if formation_ids:
                conditions.append(ElectoralDistrict.formation_id.in_(formation_ids))
            if not conditions:
                return []
            query = query.where(or_(*conditions))
        rows = (await self._session.execute(query)).all()
        return [CandidateFacts(*row) for row in rows]

    async def statuses(self, candidate_ids: Iterable[int]) -> dict[int, dict[str, TaskStatus]]:
        """{candidate id: {task id: status}}. Statuses only: they decide what is open or done,
        and leaving `data_enc` alone means no answer is decrypted to count people."""
        ids = list(candidate_ids)
        found: dict[int, dict[str, TaskStatus]] = {candidate_id: {} for candidate_id in ids}
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            rows = await self._session.execute(
                select(TaskProgress.candidate_id, TaskProgress.task_id, TaskProgress.status).where(
                    TaskProgress.candidate_id.in_(batch)
                )
            )
            for candidate_id, task_id, status in rows.all():
                found[candidate_id][task_id] = status
        return found

    async def districts(
        self, election_id: int, formation_ids: set[int] | None = None
    ) -> list[DistrictFacts]:
        """The election's districts (only those of `formation_ids` when given), by formation
        name and number."""
        query = (
            select(
                ElectoralDistrict.id,
                ElectoralDistrict.number,
                ElectoralDistrict.seats,
                MunicipalFormation.id,
                MunicipalFormation.name,
                MunicipalFormation.admin_district,
            )
            .join(MunicipalFormation, MunicipalFormation.id == ElectoralDistrict.formation_id)
            .where(MunicipalFormation.election_id == election_id)
            .order_by(MunicipalFormation.name, ElectoralDistrict.number)
        )
        if formation_ids is not None:
            query = query.where(MunicipalFormation.id.in_(formation_ids))
        rows = (await self._session.execute(query)).all()
        return [DistrictFacts(*row) for row in rows]

    async def formation_names(self, formation_ids: Iterable[int]) -> dict[int, str]:
        ids = list(set(formation_ids))
        names: dict[int, str] = {}
        for start in range(0, len(ids), BATCH):
            rows = await self._session.execute(
                select(MunicipalFormation.id, MunicipalFormation.name).where(
                    MunicipalFormation.id.in_(ids[start : start + BATCH])
                )
            )
            names.update({formation_id: name for formation_id, name in rows.all()})
        return names
