"""The per-user lock shared by the instances (Redis), kept alive while its update runs.

aiogram's RedisEventIsolation takes a lock with a fixed expiry. A short expiry frees a user
quickly when the instance holding the lock died; but under load an update can take longer than
that, the lock expires mid-update (another instance may then start the same user's next
update), and releasing it raises LockNotOwnedError after the update was already committed —
the webhook answered 500 and Telegram delivered a handled update again (seen in
bench/cluster.py). Here a watchdog renews the lock while the update runs, so the expiry only
ever applies to a dead instance, and a lock that was lost anyway is released without an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from aiogram.fsm.storage.base import BaseEventIsolation, KeyBuilder, StorageKey
from redis.asyncio import Redis
from redis.exceptions import LockNotOwnedError, RedisError

log = logging.getLogger(__name__)


class RenewedRedisIsolation(BaseEventIsolation):
    def __init__(self, redis: Redis, key_builder: KeyBuilder, timeout: float) -> None:
        self.redis = redis
        self.key_builder = key_builder
        self.timeout = timeout

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock = self.redis.lock(self.key_builder.build(key, "lock"), timeout=self.timeout)
        started = asyncio.get_running_loop().time()
        await lock.acquire()
        waited = asyncio.get_running_loop().time() - started
        if waited > 1:
            log.info("waited %.1f s for a user lock", waited)
        done = asyncio.Event()
        watchdog = asyncio.create_task(self._renew(lock, done))
        try:
            yield None
        finally:
            # Stopped by an event, never cancelled: a cancel that reached a renewal inside
            # redis-py was swallowed there and left the update waiting for ever (bench/cluster.py).
            done.set()
            # It stops at once unless a renewal is under way; that one ends with the command
            # timeout at worst. The update never waits longer than that on it.
            await asyncio.wait({watchdog}, timeout=self.timeout)
            try:
                await lock.release()
            except LockNotOwnedError:
                log.warning("a user lock expired before its update finished")

    async def _renew(self, lock: Any, done: asyncio.Event) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), self.timeout / 3)
            if done.is_set():
                return
            try:
                await lock.reacquire()  # back to the full expiry
            except RedisError as error:
                # Lost (the event loop stalled past the expiry) or Redis is struggling: the
                # update goes on; only its protection against a parallel one is weaker.
                log.warning("user lock not renewed: %s", type(error).__name__)
                return

    async def close(self) -> None:
        pass
