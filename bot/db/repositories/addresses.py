"""The election's address list."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.addresses import Building


class AddressRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, building_id: int) -> Building | None:
        return await self._session.get(Building, building_id)

    async def by_key(self, election_id: int, address_key: str) -> Building | None:
        return await self._session.scalar(
            select(Building).where(
                Building.election_id == election_id, Building.address_key == address_key
            )
        )

    async def by_keys(self, election_id: int, keys: Sequence[str]) -> dict[str, Building]:
        found: dict[str, Building] = {}
        # Chunks keep the IN list under SQLite's bound-parameter limit.
        for start in range(0, len(keys), 500):
            rows = await self._session.scalars(
                select(Building).where(
                    Building.election_id == election_id,
                    Building.address_key.in_(keys[start : start + 500]),
                )
            )
            found.update((b.address_key, b) for b in rows)
        return found

    async def in_district(self, district_id: int) -> list[Building]:
        rows = await self._session.scalars(
            select(Building)
            .where(Building.district_id == district_id)
            .order_by(Building.street, Building.house, Building.block)
        )
        return list(rows)

    async def streets(self, election_id: int, district_id: int | None = None) -> list[str]:
        """Normalised street names (the first part of the key), for fuzzy matching."""
        query = select(Building.address_key).where(Building.election_id == election_id)
        if district_id is not None:
            query = query.where(Building.district_id == district_id)
        keys = await self._session.scalars(query)
        return sorted({key.split("|", 1)[0] for key in keys})

    async def placements(self, election_id: int) -> dict[str, tuple[int, int | None, int | None]]:
        """address key → (building id, district id, formation id) of every building: what a
        bulk import matches thousands of addresses against, in one query."""
        rows = await self._session.execute(
            select(
                Building.address_key, Building.id, Building.district_id, Building.formation_id
            ).where(Building.election_id == election_id)
        )
        return {
            key: (building, district, formation) for key, building, district, formation in rows
        }

    async def needing_review(self, election_id: int, limit: int = 50) -> list[Building]:
        rows = await self._session.scalars(
            select(Building)
            .where(Building.election_id == election_id, Building.needs_review.is_(True))
            .order_by(Building.id)
            .limit(limit)
        )
        return list(rows)

    def add(self, building: Building) -> None:
        self._session.add(building)
