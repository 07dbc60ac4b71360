"""The audit trail: who did what to whose data."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # (actor, action) of what this unit of work recorded: the anomaly watch recounts an
        # actor's reads only when their update recorded one.
        self.recorded: list[tuple[int | None, str]] = []

    async def record(
        self,
        actor_id: int | None,
        action: str,
        subject_type: str | None = None,
        subject_id: object = None,
        **details: object,
    ) -> None:
        self.recorded.append((actor_id, action))
        self._session.add(
            AuditEntry(
                actor_id=actor_id,
                action=action,
                subject_type=subject_type,
                subject_id=None if subject_id is None else str(subject_id),
                details=details,
            )
        )

    async def for_subject(self, subject_type: str, subject_id: object) -> list[AuditEntry]:
        result = await self._session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.subject_type == subject_type, AuditEntry.subject_id == str(subject_id)
            )
            .order_by(AuditEntry.id)
        )
        return list(result)
