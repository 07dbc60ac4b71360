"""Sending many messages without tripping Telegram's flood control.

Telegram allows about 30 messages a second per bot and about one a second per private chat
(short bursts tolerated); over that it answers 429 with `retry_after`, and a bot that keeps
pushing gets longer bans. Reminders (and later broadcasts) go through `RateLimitedSender`:

- one global token bucket, `per_second` with a small `burst`, shared by every concurrent
  caller. Waiting for a token happens under an `asyncio.Lock`, which wakes waiters in FIFO
  order, so callers are served fairly and never all wake at once to stampede;
- a minimum interval between two messages to the same chat. Messages to one chat queue on that
  chat's own lock (held through the request, so they also arrive in order), and a chat that
  must wait never holds up the others;
- a 429 pauses the whole sender, not only the caller: Telegram's limit is per bot, so every
  other caller would get the same answer. The message is retried once after the pause;
- errors become a `SendResult`: BLOCKED (403, or "chat not found": the user is gone, retrying
  cannot help) or FAILED (worth retrying later). The caller decides what to do with the row.

Time is read and waited through the injected `clock` and `sleep`, so tests run in simulated
time. Message texts may be personal data and are never logged: only chat ids and outcomes.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardMarkup

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Per-chat "next allowed" times are kept only while they are in the future; stale ones are
# swept every this many sends so a long-running bot does not remember every chat forever.
_SWEEP_EVERY = 1000
_EPSILON = 1e-9


class Outcome(enum.StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"  # 403 or "chat not found": the user cannot be reached, don't retry
    FAILED = "failed"  # anything else: worth retrying later


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    message_id: int | None = None
    error: str | None = None


class RateLimitedSender:
    """Sends messages at most `per_second` overall and one per `per_chat_interval` per chat."""

    def __init__(
        self,
        bot: Bot,
        *,
        per_second: float = 25.0,
        per_chat_interval: float = 1.0,
        burst: float = 5.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if per_second <= 0 or burst < 1 or per_chat_interval < 0:
            raise ValueError("per_second must be > 0, burst >= 1, per_chat_interval >= 0")
        self.bot = bot
        self.per_second = per_second
        self.per_chat_interval = per_chat_interval
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = burst
        self._stamp = clock()
        self._paused_until = -math.inf
        self._global_lock = asyncio.Lock()
        self._chat_locks: dict[int, tuple[asyncio.Lock, int]] = {}
        self._chat_next: dict[int, float] = {}
        self._sends = 0

    @property
    def paused_until(self) -> float:
        """Clock time until which a 429 holds every send back (-inf when not paused)."""
        return self._paused_until

    async def send(
        self, chat_id: int, text: str, reply_markup: InlineKeyboardMarkup | None = None
    ) -> SendResult:
        with self._chat_lock(chat_id) as lock:
            async with lock:
                result = await self._send_with_retry(chat_id, text, reply_markup)
        self._sweep()
        if result.outcome is Outcome.SENT:
            log.debug("chat %s: sent message %s", chat_id, result.message_id)
        elif result.outcome is Outcome.BLOCKED:
            log.info("chat %s: blocked (%s)", chat_id, result.error)
        else:
            log.warning("chat %s: failed (%s)", chat_id, result.error)
        return result

    async def _send_with_retry(
        self, chat_id: int, text: str, reply_markup: InlineKeyboardMarkup | None
    ) -> SendResult:
        for attempt in (1, 2):
            await self._wait_for_chat(chat_id)
            await self._take_token()
            self._chat_next[chat_id] = self._clock() + self.per_chat_interval
            try:
                message = await self.bot.send_message(chat_id, text, reply_markup=reply_markup)
            except TelegramRetryAfter as error:
                self._pause(error.retry_after, chat_id)
                if attempt == 2:
                    # aiogram rewrites the description into a long sentence; keep Telegram's.
                    error_text = f"Too Many Requests: retry after {error.retry_after}"
                    return SendResult(Outcome.FAILED, error=error_text)
                continue
            except TelegramForbiddenError as error:
                return SendResult(Outcome.BLOCKED, error=_describe(error))
            except TelegramBadRequest as error:
                # "chat not found": the user never started the bot or deleted the account.
                outcome = Outcome.BLOCKED if "chat not found" in error.message else Outcome.FAILED
                return SendResult(outcome, error=_describe(error))
            except TelegramAPIError as error:
                # 5xx, network errors and the rest: the message may go through later.
                return SendResult(Outcome.FAILED, error=_describe(error))
            return SendResult(Outcome.SENT, message_id=message.message_id)
        raise AssertionError("unreachable: the second attempt always returns")

    def _pause(self, retry_after: float, chat_id: int) -> None:
        until = self._clock() + retry_after
        if until > self._paused_until:
            self._paused_until = until
        log.warning("chat %s: 429, every send paused for %s s", chat_id, retry_after)

    async def _wait_for_chat(self, chat_id: int) -> None:
        # Only the holder of this chat's lock gets here, so this is the only waiter for it.
        wait = self._chat_next.get(chat_id, -math.inf) - self._clock()
        if wait > 0:
            await self._sleep(wait)

    async def _take_token(self) -> None:
        # The lock is held while sleeping on purpose: the next caller in line gets the next
        # token, and only one task at a time watches the clock.
        async with self._global_lock:
            while True:
                now = self._clock()
                if now < self._paused_until:
                    await self._sleep(self._paused_until - now)
                    continue
                self._tokens = min(
                    self.burst, self._tokens + (now - self._stamp) * self.per_second
                )
                self._stamp = now
                # The tolerance absorbs float rounding: a wait of 1e-17 s would not move a clock
                # reading 1000.0 at all, and the loop would spin forever.
                if self._tokens >= 1 - _EPSILON:
                    self._tokens = max(self._tokens - 1, 0.0)
                    return
                await self._sleep((1 - self._tokens) / self.per_second)

    @contextmanager
    def _chat_lock(self, chat_id: int) -> Iterator[asyncio.Lock]:
        # Locks are reference-counted and dropped when no caller needs them any more.
        lock, users = self._chat_locks.get(chat_id, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._chat_locks[chat_id] = (lock, users + 1)
        try:
            yield lock
        finally:
            lock, users = self._chat_locks[chat_id]
            if users == 1:
                del self._chat_locks[chat_id]
            else:
                self._chat_locks[chat_id] = (lock, users - 1)

    def _sweep(self) -> None:
        self._sends += 1
        if self._sends % _SWEEP_EVERY:
            return
        now = self._clock()
        self._chat_next = {chat: at for chat, at in self._chat_next.items() if at > now}


def _describe(error: TelegramAPIError) -> str:
    return error.message
