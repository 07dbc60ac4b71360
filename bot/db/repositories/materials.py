"""Leaflets, their files, print runs and the directory of designers and print houses."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.materials import Leaflet, LeafletVersion, MaterialResource, PrintRun


class MaterialsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, row: Leaflet | LeafletVersion | PrintRun | MaterialResource) -> None:
        self._session.add(row)
        await self._session.flush()

    # --- leaflets

    async def leaflet(self, leaflet_id: int) -> Leaflet | None:
        return await self._session.get(Leaflet, leaflet_id)

    async def leaflets(self, candidate_id: int) -> list[Leaflet]:
        result = await self._session.scalars(
            select(Leaflet).where(Leaflet.candidate_id == candidate_id).order_by(Leaflet.id)
        )
        return list(result)

    async def count_leaflets(self, candidate_id: int) -> int:
        result = await self._session.scalar(
            select(func.count()).select_from(Leaflet).where(Leaflet.candidate_id == candidate_id)
        )
        return int(result or 0)

    async def version(self, version_id: int) -> LeafletVersion | None:
        return await self._session.get(LeafletVersion, version_id)

    async def versions(self, leaflet_id: int) -> list[LeafletVersion]:
        result = await self._session.scalars(
            select(LeafletVersion)
            .where(LeafletVersion.leaflet_id == leaflet_id)
            .order_by(LeafletVersion.number)
        )
        return list(result)

    async def has_final(self, candidate_id: int) -> bool:
        found = await self._session.scalar(
            select(LeafletVersion.id)
            .join(Leaflet, Leaflet.id == LeafletVersion.leaflet_id)
            .where(Leaflet.candidate_id == candidate_id, LeafletVersion.final.is_(True))
            .limit(1)
        )
        return found is not None

    # --- print runs

    async def run(self, run_id: int) -> PrintRun | None:
        return await self._session.get(PrintRun, run_id)

    async def runs(self, candidate_id: int) -> list[PrintRun]:
        result = await self._session.scalars(
            select(PrintRun).where(PrintRun.candidate_id == candidate_id).order_by(PrintRun.id)
        )
        return list(result)

    async def run_of_version(self, version_id: int) -> PrintRun | None:
        return await self._session.scalar(
            select(PrintRun).where(PrintRun.version_id == version_id)
        )

    # --- the directory

    async def resource(self, resource_id: int) -> MaterialResource | None:
        return await self._session.get(MaterialResource, resource_id)

    async def resources(self) -> list[MaterialResource]:
        result = await self._session.scalars(
            select(MaterialResource).order_by(MaterialResource.kind, MaterialResource.name)
        )
        return list(result)

    async def remove_resource(self, resource_id: int) -> bool:
        result = await self._session.execute(
            delete(MaterialResource).where(MaterialResource.id == resource_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
