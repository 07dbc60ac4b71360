"""Scheduled protection work: sealing the audit log into its chain, and the retention purge.
Both are safe to run on every instance at once (the chain head is locked; purges are
idempotent deletes)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.db.uow import UnitOfWorkFactory
from bot.services import audit_chain, retention
from bot.services.keyring import Keyring

log = logging.getLogger(__name__)


class ProtectionJobs:
    def __init__(self, uow_factory: UnitOfWorkFactory, keyring: Keyring) -> None:
        self._uow_factory = uow_factory
        self._keyring = keyring

    async def seal(self) -> int:
        await self._keyring.ensure_loaded()
        key = self._keyring.audit_key
        if key is None:
            return 0  # wiped: nothing can be sealed any more
        async with self._uow_factory() as uow:
            return await audit_chain.seal(uow, key)

    async def purge(self) -> dict[str, int]:
        async with self._uow_factory() as uow:
            counts = await retention.purge_due(uow)
        if counts:
            log.info("retention purge: %s", counts)
        return counts


def add_jobs(scheduler: AsyncIOScheduler, jobs: ProtectionJobs) -> None:
    scheduler.add_job(
        jobs.seal, "interval", minutes=1, id="protection.seal",
        max_instances=1, coalesce=True,
    )  # fmt: skip
    scheduler.add_job(
        jobs.purge, "interval", hours=6, id="protection.purge",
        next_run_time=datetime.now(UTC), max_instances=1, coalesce=True,
    )  # fmt: skip
