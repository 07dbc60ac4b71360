"""RateLimitedSender against the fake Telegram over real HTTP, with flood limits on.

Time is simulated: the emulator and the sender share one clock that only the sender's `sleep`
moves, so minutes of Telegram time pass in milliseconds and the emulator judges the sender's
pace by the same clock the sender keeps. A request takes no simulated time: `sleep` first
waits until no request is in flight, otherwise a fast-forwarded clock would make the emulator
see a burst of requests that were really sent one by one.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import build_bot
from bot.telegram.emulator import BotAction, BotApiEmulator
from bot.telegram.request_guard import RequestGuard
from bot.telegram.sender import Outcome, RateLimitedSender, SendResult
from tests.conftest import TOKEN, make_settings
from tests.fake_telegram import FakeTelegramServer

START = 1000.0


class SimulatedTime:
    """A clock that only moves when someone sleeps, and a request counter to keep it honest."""

    def __init__(self) -> None:
        self.now = START
        self.in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        # A deadline, not a duration: two tasks sleeping at once must not add up their waits.
        deadline = self.now + max(seconds, 0.0)
        await self._idle.wait()
        self.now = max(self.now, deadline)
        await asyncio.sleep(0)

    def request_started(self) -> None:
        self.in_flight += 1
        self._idle.clear()

    def request_finished(self) -> None:
        self.in_flight -= 1
        if self.in_flight == 0:
            self._idle.set()


class CountRequests(BaseRequestMiddleware):
    def __init__(self, time: SimulatedTime) -> None:
        self.time = time

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        self.time.request_started()
        try:
            return await make_request(bot, method)
        finally:
            self.time.request_finished()


@dataclass
class World:
    time: SimulatedTime
    server: FakeTelegramServer
    bot: Bot
    # (simulated time, chat id, text) of every message the emulator accepted.
    delivered: list[tuple[float, int, str]] = field(default_factory=list)

    @property
    def emulator(self) -> BotApiEmulator:
        return self.server.emulator

    def sender(self, **kwargs: Any) -> RateLimitedSender:
        return RateLimitedSender(self.bot, clock=self.time.clock, sleep=self.time.sleep, **kwargs)

    def user(self, user_id: int) -> int:
        """A user who has written to the bot, so that their private chat exists."""
        self.emulator.add_user(user_id, f"User {user_id}")
        self.emulator.user_sends_text(user_id, "/start")
        return user_id

    def times(self, chat_id: int | None = None) -> list[float]:
        return [at for at, chat, _ in self.delivered if chat_id in (None, chat)]

    def unexpected_errors(self) -> list[dict[str, Any]]:
        """Errors the emulator answered on its own (a 429 from its flood control, say)."""
        return [
            envelope for _, envelope, injected in self.emulator.error_responses if not injected
        ]


@pytest.fixture
async def world() -> AsyncIterator[World]:
    time = SimulatedTime()
    emulator = BotApiEmulator(token=TOKEN, rate_limits=True, clock=time.clock)
    server = FakeTelegramServer(emulator)
    await server.start()
    # A plain bot, without the production RequestGuard: the sender's own 429 handling is tested.
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
    session.middleware(CountRequests(time))
    bot = Bot(TOKEN, session=session)
    result = World(time, server, bot)

    def record(action: BotAction) -> None:
        if action.kind == "message" and action.message is not None:
            result.delivered.append((time.now, action.chat_id or 0, action.message["text"]))

    emulator.subscribe(record)
    try:
        yield result
    finally:
        await bot.session.close()
        await server.stop()


async def test_many_chats_go_at_the_global_rate_without_a_single_429(world: World) -> None:
    chats = [world.user(1000 + n) for n in range(100)]
    sender = world.sender(per_second=25, burst=5)

    results = await asyncio.gather(*(sender.send(chat, f"напоминание {chat}") for chat in chats))

    assert all(result.outcome is Outcome.SENT for result in results), results
    assert all(result.message_id is not None for result in results)
    for chat in chats:
        assert [m["text"] for m in world.emulator.bot_messages(chat)] == [f"напоминание {chat}"]
    assert world.unexpected_errors() == []
    # The burst goes at once, every other message waits for its token.
    elapsed = max(world.times()) - START
    assert elapsed >= (100 - 5) / 25 - 1e-9
    assert elapsed <= 100 / 25
    # Never more than rate + burst in any one-second window (Telegram's window is ~30).
    times = sorted(world.times())
    busiest = max(sum(1 for t in times if start <= t < start + 1) for start in times)
    assert busiest <= 25 + 5


async def test_one_chat_is_spaced_and_ordered_while_other_chats_go_on(world: World) -> None:
    chat, other, third = world.user(1), world.user(2), world.user(3)
    sender = world.sender(per_second=25, per_chat_interval=1.0)

    results = await asyncio.gather(
        *(sender.send(chat, f"часть {n}") for n in range(5)),
        sender.send(other, "другому"),
        sender.send(third, "третьему"),
    )

    assert [result.outcome for result in results] == [Outcome.SENT] * 7
    # Queued calls to one chat keep their order and go per_chat_interval apart.
    texts = [m["text"] for m in world.emulator.bot_messages(chat)]
    assert texts == [f"часть {n}" for n in range(5)]
    times = world.times(chat)
    assert [b - a for a, b in itertools.pairwise(times)] == pytest.approx([1.0] * 4)
    # A chat that has to wait holds up nobody else.
    assert world.times(other) == [START]
    assert world.times(third) == [START]
    assert world.unexpected_errors() == []


async def test_sequential_sends_to_one_chat_wait_only_what_is_left_of_the_interval(
    world: World,
) -> None:
    chat = world.user(1)
    sender = world.sender(per_chat_interval=1.5)

    assert (await sender.send(chat, "раз")).outcome is Outcome.SENT
    world.time.now += 1.0  # the caller did something else meanwhile
    assert (await sender.send(chat, "два")).outcome is Outcome.SENT

    assert world.times(chat) == pytest.approx([START, START + 1.5])


async def test_429_pauses_every_sender_and_the_message_still_goes(world: World) -> None:
    chats = [world.user(100 + n) for n in range(10)]
    # burst=1: one request in flight at a time, so the 429 is known before the next token.
    sender = world.sender(per_second=25, burst=1)
    world.emulator.inject_error(
        "sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3
    )

    results = await asyncio.gather(*(sender.send(chat, "текст") for chat in chats))

    assert [result.outcome for result in results] == [Outcome.SENT] * 10
    # Exactly one message per chat: the 429'd one was retried, nothing went twice.
    assert [len(world.emulator.bot_messages(chat)) for chat in chats] == [1] * 10
    # Nobody, the retried message included, went before the pause was over.
    assert min(world.times()) >= START + 3
    assert sender.paused_until == START + 3
    injected = [envelope for _, envelope, injected in world.emulator.error_responses if injected]
    assert [envelope["error_code"] for envelope in injected] == [429]
    assert world.unexpected_errors() == []


async def test_429_twice_in_a_row_fails_after_one_retry(world: World) -> None:
    chat, other = world.user(1), world.user(2)
    sender = world.sender()
    world.emulator.inject_error(
        "sendMessage", 429, "Too Many Requests: retry after 2", retry_after=2, times=2
    )

    failed = await sender.send(chat, "текст")
    after = await sender.send(other, "после")

    assert failed.outcome is Outcome.FAILED
    assert failed.error == "Too Many Requests: retry after 2"
    assert world.emulator.bot_messages(chat) == []
    # Two pauses of 2 s: the retry waited the first, the next message the second.
    assert after.outcome is Outcome.SENT
    assert world.times(other) == [pytest.approx(START + 4)]


async def test_blocked_user_is_reported_and_nobody_else_is_affected(world: World) -> None:
    chats = [world.user(10 + n) for n in range(5)]
    world.emulator.block_bot(chats[2])
    sender = world.sender()

    results = await asyncio.gather(*(sender.send(chat, "привет") for chat in chats))

    assert results[2] == SendResult(
        Outcome.BLOCKED, error="Forbidden: bot was blocked by the user"
    )
    assert [results[n].outcome for n in (0, 1, 3, 4)] == [Outcome.SENT] * 4
    assert world.emulator.bot_messages(chats[2]) == []
    assert [len(world.emulator.bot_messages(chats[n])) for n in (0, 1, 3, 4)] == [1] * 4
    # No pause and no waiting: the five fit in the burst, all at the start.
    assert sender.paused_until == -math.inf
    assert world.times() == [START] * 4


async def test_chat_not_found_is_blocked_other_bad_requests_fail(world: World) -> None:
    known = world.user(1)
    sender = world.sender()

    stranger = await sender.send(424242, "привет")  # never wrote to the bot
    empty = await sender.send(known, "   ")  # Telegram trims it to nothing

    assert stranger == SendResult(Outcome.BLOCKED, error="Bad Request: chat not found")
    assert empty == SendResult(Outcome.FAILED, error="Bad Request: message text is empty")
    assert (await sender.send(known, "нормально")).outcome is Outcome.SENT


async def test_server_error_fails_without_retrying_and_the_sender_goes_on(world: World) -> None:
    chat = world.user(1)
    sender = world.sender()
    world.emulator.inject_error("sendMessage", 500, "Internal Server Error")

    failed = await sender.send(chat, "раз")
    sent = await sender.send(chat, "два")

    assert failed == SendResult(Outcome.FAILED, error="Internal Server Error")
    assert sent.outcome is Outcome.SENT
    assert [m["text"] for m in world.emulator.bot_messages(chat)] == ["два"]


async def test_keyboard_is_sent_with_the_message(world: World) -> None:
    chat = world.user(1)
    sender = world.sender()
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Готово", callback_data="done:1")]]
    )

    result = await sender.send(chat, "Задание", reply_markup=markup)

    assert result.outcome is Outcome.SENT
    [message] = world.emulator.bot_messages(chat)
    assert message["message_id"] == result.message_id
    assert message["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "done:1"


async def test_network_error_fails() -> None:
    time = SimulatedTime()
    # Nothing listens on port 9 (discard) here: the connection is refused.
    session = AiohttpSession(api=TelegramAPIServer.from_base("http://127.0.0.1:9"))
    bot = Bot(TOKEN, session=session)
    try:
        sender = RateLimitedSender(bot, clock=time.clock, sleep=time.sleep)
        result = await sender.send(1, "текст")
    finally:
        await bot.session.close()

    assert result.outcome is Outcome.FAILED
    assert result.error


@pytest.mark.parametrize(("failures", "outcome"), [(3, Outcome.SENT), (4, Outcome.FAILED)])
async def test_with_the_production_request_guard_5xx_fails_only_after_its_retries(
    tmp_path: Path, failures: int, outcome: Outcome
) -> None:
    time = SimulatedTime()
    emulator = BotApiEmulator(token=TOKEN, rate_limits=True, clock=time.clock)
    guard_waits: list[float] = []

    async def record_wait(seconds: float) -> None:
        guard_waits.append(seconds)

    async with FakeTelegramServer(emulator) as server:
        settings = make_settings(tmp_path, bot_api_url=server.base_url)
        bot = build_bot(settings, guard=RequestGuard(sleep=record_wait))
        try:
            emulator.add_user(7, "Семь")
            emulator.user_sends_text(7, "/start")
            emulator.inject_error("sendMessage", 502, "Bad Gateway", times=failures)
            sender = RateLimitedSender(bot, clock=time.clock, sleep=time.sleep)
            result = await sender.send(7, "текст")
        finally:
            await bot.session.close()

    assert result.outcome is outcome
    assert len(emulator.bot_messages(7)) == (1 if outcome is Outcome.SENT else 0)
    assert guard_waits == [0.5, 1.0, 2.0]  # the guard's backoff, then it gives up or succeeds


async def test_logs_name_chats_and_outcomes_never_the_text(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    chat = world.user(1)
    world.emulator.block_bot(blocked := world.user(2))
    world.emulator.inject_error("sendMessage", 500, "Internal Server Error")
    sender = world.sender()
    secret = "Паспорт 4010 123456"

    with caplog.at_level(logging.DEBUG, logger="bot.telegram.sender"):
        await sender.send(chat, secret)  # fails: the injected 500
        await sender.send(chat, secret)
        await sender.send(blocked, secret)

    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 3
    assert all(secret not in message and "4010" not in message for message in messages)
    assert str(chat) in messages[0]
    assert str(chat) in messages[1]
    assert str(blocked) in messages[2]
