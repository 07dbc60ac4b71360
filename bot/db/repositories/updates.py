"""Processed update ids: Telegram may deliver an update twice; it is handled once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ProcessedUpdate


class UpdateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def seen(self, bot_id: int, update_id: int) -> bool:
        found = await self._session.scalar(
            select(ProcessedUpdate.update_id).where(
                ProcessedUpdate.bot_id == bot_id, ProcessedUpdate.update_id == update_id
            )
        )
        return found is not None

    async def prune(self, older_than: datetime) -> int:
        """Telegram keeps updates 24 hours at most; older ids cannot come back."""
        result = await self._session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.at < older_than)
        )
        return result.rowcount or 0  # type: ignore[attr-defined]
