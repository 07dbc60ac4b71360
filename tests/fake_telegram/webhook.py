"""Telegram's side of a webhook: pushes the emulator's updates to one or more bot instances
over real HTTP, the way Telegram does behind a load balancer.

- Every update is POSTed with `X-Telegram-Bot-Api-Secret-Token`; only a 200 acknowledges it.
  Anything else (an error status, a refused connection, a reset mid-request) means the update
  is delivered again later — to the next instance in turn, as a load balancer would.
- One user's updates go one at a time, in order; different users' go in parallel, up to
  `max_connections` (Telegram's own default is 40).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import Counter
from typing import Any

import aiohttp

from bot.telegram.emulator import BotApiEmulator

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _user_of(update: dict[str, Any]) -> int:
    for value in update.values():
        if isinstance(value, dict):
            sender = value.get("from") or value.get("user") or value.get("chat")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                return int(sender["id"])
    return 0


class WebhookPusher:
    def __init__(
        self,
        emulator: BotApiEmulator,
        targets: list[str],
        secret: str | None,
        *,
        max_connections: int = 40,
        retry_delay: float = 0.05,
    ) -> None:
        self.emulator = emulator
        self.targets = list(targets)
        self.secret = secret
        self.retry_delay = retry_delay
        self._slots = asyncio.Semaphore(max_connections)
        self._turn = itertools.cycle(range(len(self.targets)))
        self._busy_users: set[int] = set()
        self._in_flight: set[int] = set()  # id() of the pending update objects being pushed
        self.pushing_since: dict[int, float] = {}  # update_id -> loop time its push began
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self.acknowledged: Counter[int] = Counter()  # update_id -> 200s received
        self.failures = 0  # answers other than 200, refused or broken connections
        self.statuses: Counter[int] = Counter()
        self.errors: Counter[str] = Counter()  # connection-level failures by exception type
        self._failed = asyncio.Event()
        self._wake = asyncio.Event()  # a push finished: its user may have a next update

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90))
        self._runner = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()

    async def _run(self) -> None:
        while True:
            batch = await self.emulator.webhook_batch(timeout=0.2)
            started = False
            for pending in batch:
                user = _user_of(pending.update)
                if id(pending) in self._in_flight or user in self._busy_users:
                    continue
                self._in_flight.add(id(pending))
                self._busy_users.add(user)
                task = asyncio.create_task(self._push(pending, user))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                started = True
            if batch and not started:
                # Everything pending is in flight or waits for its user's previous update.
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), 0.05)

    async def _push(self, pending: Any, user: int) -> None:
        self.pushing_since[pending.update_id] = asyncio.get_running_loop().time()
        try:
            while True:
                status = await self._post(pending.update)
                if status == 200:
                    self.acknowledged[pending.update_id] += 1
                    self.emulator.acknowledge(pending)
                    return
                self.failures += 1
                self._failed.set()
                await asyncio.sleep(self.retry_delay)  # Telegram's backoff before a retry
        finally:
            self.pushing_since.pop(pending.update_id, None)
            self._in_flight.discard(id(pending))
            self._busy_users.discard(user)
            self._wake.set()

    async def _post(self, update: dict[str, Any]) -> int:
        assert self._session is not None
        target = self.targets[next(self._turn)]
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        async with self._slots:
            try:
                async with self._session.post(target, json=update, headers=headers) as response:
                    await response.read()
                    self.statuses[response.status] += 1
                    return response.status
            except (TimeoutError, aiohttp.ClientError, OSError) as error:
                self.errors[type(error).__name__] += 1
                return 0

    async def failed(self, times: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until deliveries failed `times` times in all."""
        async with asyncio.timeout(timeout):
            while self.failures < times:
                self._failed.clear()
                await self._failed.wait()

    async def idle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until every update was acknowledged (for tests and the bench)."""
        async with asyncio.timeout(timeout):
            while self.emulator.pending_updates or self._in_flight:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), 0.05)
