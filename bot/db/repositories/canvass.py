"""Canvassing: invites, volunteers and the notes taken at doors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Candidate, CandidateStatus, ElectoralDistrict, MunicipalFormation
from bot.db.models.addresses import Building
from bot.db.models.canvass import CanvassInvite, CanvassVisit, CanvassVolunteer


class CanvassRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # ---------------------------------------------------------------- invites

    async def invite_by_index(self, token_index: str) -> CanvassInvite | None:
        return await self._session.scalar(
            select(CanvassInvite).where(
                CanvassInvite.token_index == token_index, CanvassInvite.revoked_at.is_(None)
            )
        )

    async def active_invite(self, candidate_id: int) -> CanvassInvite | None:
        return await self._session.scalar(
            select(CanvassInvite)
            .where(CanvassInvite.candidate_id == candidate_id, CanvassInvite.revoked_at.is_(None))
            .order_by(CanvassInvite.id.desc())
            .limit(1)
        )

    # ---------------------------------------------------------------- volunteers

    async def membership(self, candidate_id: int, user_id: int) -> CanvassVolunteer | None:
        return await self._session.scalar(
            select(CanvassVolunteer).where(
                CanvassVolunteer.candidate_id == candidate_id, CanvassVolunteer.user_id == user_id
            )
        )

    async def latest_membership(self, user_id: int) -> tuple[CanvassVolunteer, Candidate] | None:
        """The campaign a volunteer canvasses for now: the latest they joined and were not
        removed from, of a candidate still registered."""
        row = (
            await self._session.execute(
                select(CanvassVolunteer, Candidate)
                .join(Candidate, Candidate.id == CanvassVolunteer.candidate_id)
                .where(
                    CanvassVolunteer.user_id == user_id,
                    CanvassVolunteer.removed_at.is_(None),
                    CanvassVolunteer.is_candidate.is_(False),
                    Candidate.status == CandidateStatus.REGISTERED,
                )
                .order_by(CanvassVolunteer.joined_at.desc(), CanvassVolunteer.id.desc())
                .limit(1)
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def memberships_of(self, user_id: int) -> list[CanvassVolunteer]:
        """The teams a person volunteers in (their own campaign not counted)."""
        rows = await self._session.scalars(
            select(CanvassVolunteer).where(
                CanvassVolunteer.user_id == user_id, CanvassVolunteer.is_candidate.is_(False)
            )
        )
        return list(rows)

    async def notes_by(self, memberships: list[CanvassVolunteer]) -> int:
        if not memberships:
            return 0
        count = await self._session.scalar(
            select(func.count())
            .select_from(CanvassVisit)
            .where(CanvassVisit.volunteer_id.in_([m.id for m in memberships]))
        )
        return int(count or 0)

    async def election_of_district(self, district_id: int) -> int | None:
        return await self._session.scalar(
            select(MunicipalFormation.election_id)
            .join(ElectoralDistrict, ElectoralDistrict.formation_id == MunicipalFormation.id)
            .where(ElectoralDistrict.id == district_id)
        )

    async def volunteers(self, candidate_id: int) -> list[CanvassVolunteer]:
        rows = await self._session.scalars(
            select(CanvassVolunteer)
            .where(CanvassVolunteer.candidate_id == candidate_id)
            .order_by(CanvassVolunteer.id)
        )
        return list(rows)

    async def volunteer(self, volunteer_id: int) -> CanvassVolunteer | None:
        return await self._session.get(CanvassVolunteer, volunteer_id)

    def add(self, row: CanvassInvite | CanvassVolunteer | CanvassVisit) -> None:
        self._session.add(row)

    async def flush(self) -> None:
        await self._session.flush()

    # ---------------------------------------------------------------- visits

    async def visit(self, visit_id: int) -> CanvassVisit | None:
        return await self._session.get(CanvassVisit, visit_id)

    async def delete_visit(self, visit: CanvassVisit) -> None:
        await self._session.delete(visit)

    async def visits(self, candidate_id: int, *, confirmed: bool = True) -> list[CanvassVisit]:
        rows = await self._session.scalars(
            select(CanvassVisit)
            .where(CanvassVisit.candidate_id == candidate_id, CanvassVisit.confirmed == confirmed)
            .order_by(CanvassVisit.created_at, CanvassVisit.id)
        )
        return list(rows)

    async def building_visits(
        self, candidate_id: int, building_id: int, limit: int = 200
    ) -> list[CanvassVisit]:
        rows = await self._session.scalars(
            select(CanvassVisit)
            .where(
                CanvassVisit.candidate_id == candidate_id,
                CanvassVisit.building_id == building_id,
                CanvassVisit.confirmed.is_(True),
            )
            .order_by(CanvassVisit.created_at.desc(), CanvassVisit.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def recent_by_volunteer(self, volunteer_id: int, since: datetime) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(CanvassVisit)
            .where(CanvassVisit.volunteer_id == volunteer_id, CanvassVisit.created_at >= since)
        )
        return int(count or 0)

    async def count(self, candidate_id: int) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(CanvassVisit)
            .where(CanvassVisit.candidate_id == candidate_id, CanvassVisit.confirmed.is_(True))
        )
        return int(count or 0)

    async def follow_ups(self, candidate_id: int, limit: int = 30) -> list[CanvassVisit]:
        rows = await self._session.scalars(
            select(CanvassVisit)
            .where(
                CanvassVisit.candidate_id == candidate_id,
                CanvassVisit.confirmed.is_(True),
                CanvassVisit.follow_up.is_(True),
                CanvassVisit.follow_up_done_at.is_(None),
            )
            .order_by(CanvassVisit.created_at, CanvassVisit.id)
            .limit(limit)
        )
        return list(rows)

    async def with_contacts(self, candidate_id: int) -> list[CanvassVisit]:
        rows = await self._session.scalars(
            select(CanvassVisit)
            .where(
                CanvassVisit.candidate_id == candidate_id,
                CanvassVisit.confirmed.is_(True),
                CanvassVisit.contact_consent_at.is_not(None),
                CanvassVisit.contact_phone_enc.is_not(None),
            )
            .order_by(CanvassVisit.id)
        )
        return list(rows)

    async def with_phone(self, candidate_id: int, phone_index: str) -> list[CanvassVisit]:
        rows = await self._session.scalars(
            select(CanvassVisit).where(
                CanvassVisit.candidate_id == candidate_id,
                CanvassVisit.contact_phone_index == phone_index,
            )
        )
        return list(rows)

    async def flagged_counts(self, candidate_ids: list[int] | None) -> dict[int, int]:
        """Flagged notes per candidate. JSON has no portable "not empty" test, so the flags
        are read and counted here; only short lists travel."""
        query = select(CanvassVisit.candidate_id, CanvassVisit.flags).where(
            CanvassVisit.confirmed.is_(True)
        )
        if candidate_ids is not None:
            query = query.where(CanvassVisit.candidate_id.in_(candidate_ids))
        counts: dict[int, int] = {}
        for candidate_id, flags in await self._session.execute(query):
            if flags:
                counts[candidate_id] = counts.get(candidate_id, 0) + 1
        return counts

    async def buildings(self, ids: set[int]) -> dict[int, Building]:
        found: dict[int, Building] = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            rows = await self._session.scalars(
                select(Building).where(Building.id.in_(ordered[start : start + 500]))
            )
            found.update((b.id, b) for b in rows)
        return found

    async def erase_contact(self, visit: CanvassVisit) -> None:
        visit.contact_name_enc = None
        visit.contact_phone_enc = None
        visit.contact_phone_index = None
        visit.contact_consent_at = None

    async def delete_orphan_building(self, building_id: int) -> None:
        """A building a canvasser added for review, whose only note was cancelled."""
        used = await self._session.scalar(
            select(func.count())
            .select_from(CanvassVisit)
            .where(CanvassVisit.building_id == building_id)
        )
        if not used:
            await self._session.execute(
                delete(Building).where(Building.id == building_id, Building.needs_review.is_(True))
            )
