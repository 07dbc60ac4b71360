"""Organisations, elections, municipal formations and their electoral districts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.models import Election, ElectoralDistrict, MunicipalFormation, Organisation
from bot.db.repositories.reference import ReferenceCache, ReferenceSnapshot


class GeographyRepository:
    def __init__(self, session: AsyncSession, reference: ReferenceCache | None = None) -> None:
        self._session = session
        self._reference = reference or ReferenceCache()

    async def reference(self) -> ReferenceSnapshot:
        """Organisations, the current election's id, formations and districts, as plain
        values kept by the process (see bot.db.repositories.reference)."""
        return await self._reference.snapshot(self._session)

    async def organisations(self) -> list[Organisation]:
        result = await self._session.scalars(
            select(Organisation).order_by(Organisation.sort_order, Organisation.name)
        )
        return list(result)

    async def organisation(self, organisation_id: int) -> Organisation | None:
        return await self._session.get(Organisation, organisation_id)

    async def organisation_by_code(self, code: str) -> Organisation | None:
        return await self._session.scalar(select(Organisation).where(Organisation.code == code))

    async def upsert_organisation(
        self, code: str, name: str, name_en: str | None, order: int
    ) -> None:
        existing = await self.organisation_by_code(code)
        if existing is None:
            self._session.add(
                Organisation(code=code, name=name, name_en=name_en, sort_order=order)
            )
        else:
            existing.name, existing.name_en, existing.sort_order = name, name_en, order
        await self._session.flush()

    async def current_election(self) -> Election | None:
        return await self._session.scalar(
            select(Election).where(Election.is_current.is_(True)).order_by(Election.id.desc())
        )

    async def election_by_code(self, code: str) -> Election | None:
        return await self._session.scalar(select(Election).where(Election.code == code))

    async def add(self, row: Election | MunicipalFormation | ElectoralDistrict) -> None:
        self._session.add(row)
        await self._session.flush()

    async def formations(
        self, election_id: int, *, with_districts: bool = False
    ) -> list[MunicipalFormation]:
        query = (
            select(MunicipalFormation)
            .where(MunicipalFormation.election_id == election_id)
            .order_by(MunicipalFormation.name)
        )
        if with_districts:
            query = query.options(selectinload(MunicipalFormation.districts))
        return list(await self._session.scalars(query))

    def stage(self, row: MunicipalFormation) -> None:
        """Add without flushing: bulk imports flush once."""
        self._session.add(row)

    async def formation(self, formation_id: int) -> MunicipalFormation | None:
        return await self._session.scalar(
            select(MunicipalFormation)
            .options(selectinload(MunicipalFormation.districts))
            .where(MunicipalFormation.id == formation_id)
        )

    async def formation_by_name(self, election_id: int, name: str) -> MunicipalFormation | None:
        return await self._session.scalar(
            select(MunicipalFormation)
            .options(selectinload(MunicipalFormation.districts))
            .where(MunicipalFormation.election_id == election_id, MunicipalFormation.name == name)
        )

    async def district(self, district_id: int) -> ElectoralDistrict | None:
        return await self._session.scalar(
            select(ElectoralDistrict)
            .options(selectinload(ElectoralDistrict.formation))
            .where(ElectoralDistrict.id == district_id)
        )
