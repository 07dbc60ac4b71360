"""Nomination answers, packages and their generated versions."""

from __future__ import annotations

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from bot.db.models import Candidate, ElectoralDistrict
from bot.db.models.documents import (
    NominationAnswer,
    NominationDocument,
    NominationPackage,
    PackageStatus,
)


class DocumentsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def answers(self, candidate_id: int) -> dict[str, NominationAnswer]:
        rows = await self._session.scalars(
            select(NominationAnswer).where(NominationAnswer.candidate_id == candidate_id)
        )
        return {row.field: row for row in rows}

    def add_answer(self, row: NominationAnswer) -> None:
        self._session.add(row)

    async def delete_answers(self, candidate_id: int, fields: set[str]) -> None:
        if fields:
            await self._session.execute(
                delete(NominationAnswer).where(
                    NominationAnswer.candidate_id == candidate_id,
                    NominationAnswer.field.in_(fields),
                )
            )

    async def package(self, candidate_id: int) -> NominationPackage | None:
        return await self._session.scalar(
            select(NominationPackage).where(NominationPackage.candidate_id == candidate_id)
        )

    async def package_by_id(self, package_id: int) -> NominationPackage | None:
        return await self._session.get(NominationPackage, package_id)

    async def add_package(self, package: NominationPackage) -> None:
        self._session.add(package)
        await self._session.flush()

    def add_document(self, document: NominationDocument) -> None:
        self._session.add(document)

    async def documents(self, candidate_id: int, version: int) -> list[NominationDocument]:
        rows = await self._session.scalars(
            select(NominationDocument)
            .where(
                NominationDocument.candidate_id == candidate_id,
                NominationDocument.version == version,
            )
            .order_by(NominationDocument.id)
        )
        return list(rows)

    async def history(self, candidate_id: int) -> list[NominationDocument]:
        """Every stored document, newest version first (content deferred: not loaded here)."""
        rows = await self._session.scalars(
            select(NominationDocument)
            .options(defer(NominationDocument.content_enc))
            .where(NominationDocument.candidate_id == candidate_id)
            .order_by(NominationDocument.version.desc(), NominationDocument.id)
        )
        return list(rows)

    async def count(self, candidate_id: int) -> tuple[int, int]:
        """(answers, stored documents) of a candidate: what /privacy reports."""
        answers = await self._session.scalar(
            select(func.count())
            .select_from(NominationAnswer)
            .where(NominationAnswer.candidate_id == candidate_id)
        )
        documents = await self._session.scalar(
            select(func.count())
            .select_from(NominationDocument)
            .where(NominationDocument.candidate_id == candidate_id)
        )
        return int(answers or 0), int(documents or 0)

    async def submitted(
        self, organisation_ids: set[int] | None, formation_ids: set[int] | None, limit: int = 20
    ) -> list[tuple[NominationPackage, Candidate]]:
        """Packages waiting for a coordinator, oldest first, within the scope sets of
        bot.services.directory.scope_sets (None, None: everyone)."""
        query = (
            select(NominationPackage, Candidate)
            .join(Candidate, Candidate.id == NominationPackage.candidate_id)
            .outerjoin(ElectoralDistrict, ElectoralDistrict.id == Candidate.district_id)
            .where(NominationPackage.status == PackageStatus.SUBMITTED)
            .order_by(NominationPackage.submitted_at)
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
        return [(row, candidate) for row, candidate in (await self._session.execute(query)).all()]

    async def erase(self, candidate_id: int) -> None:
        """Everything of the candidate's nomination (/forget_me). The foreign keys cascade
        too; deleting explicitly does not depend on that."""
        for model in (NominationDocument, NominationAnswer, NominationPackage):
            await self._session.execute(delete(model).where(model.candidate_id == candidate_id))
