"""Coordination between instances that share one database."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class OperationsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def hold_exclusively(self, name: str) -> bool:
        """Whether this unit of work may run the job `name` now, no other instance running it.

        PostgreSQL: a transaction-level advisory lock, released by the commit or rollback —
        and by the server when the instance dies, so a crash never leaves it held. SQLite is
        the one-machine setup, where one process runs the jobs: always True.
        """
        bind = self._session.bind
        if bind is None or bind.dialect.name != "postgresql":
            return True
        held = await self._session.scalar(select(func.pg_try_advisory_xact_lock(lock_key(name))))
        return bool(held)

    async def wait_exclusively(self, name: str) -> None:
        """Like hold_exclusively, but wait for the instance that holds it to finish."""
        bind = self._session.bind
        if bind is not None and bind.dialect.name == "postgresql":
            await self._session.execute(select(func.pg_advisory_xact_lock(lock_key(name))))
