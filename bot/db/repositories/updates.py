"""Processed update ids: Telegram may deliver an update twice; it is handled once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ProcessedUpdate


class ProcessedUpdates:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def claim(self, bot_id: int, update_id: int) -> bool:
        """True the first time an update id is seen; the primary key makes it atomic."""
        async with self._session_factory() as session:
            session.add(ProcessedUpdate(bot_id=bot_id, update_id=update_id))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return False
            return True

    async def prune(self, older_than: datetime) -> int:
        """Telegram keeps updates 24 hours at most; older ids cannot come back."""
        async with self._session_factory() as session:
            result = await session.execute(
                delete(ProcessedUpdate).where(ProcessedUpdate.at < older_than)
            )
            await session.commit()
            return result.rowcount or 0  # type: ignore[attr-defined]
