"""Hypothesis throws random updates at the dispatcher through the real webhook: texts (unicode,
control characters, huge), commands with garbage arguments, odd files, foreign contacts,
forged callbacks, edited messages and update types the bot has never heard of.

Nothing may raise (every delivery is answered 200 and nothing is logged at ERROR), the bot
may not call Telegram wrongly, a registered candidate's data stays as it was, and afterwards
the bot still answers everyone.

The bot runs on its own event loop in a thread, so that hypothesis drives a plain function;
updates made by the fake Telegram (messages, files, callback taps) are POSTed by the test
itself, and answered synchronously by the webhook.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import WEBHOOK_PATH, Shtab, build_app, build_bot, build_webhook_app
from bot.db.models import Candidate
from bot.services import names
from bot.telegram.commands import ADMIN, COORDINATOR, PUBLIC
from bot.telegram.emulator import BotApiEmulator
from bot.telegram.webhook import SECRET_HEADER
from tests.conftest import TOKEN, make_settings
from tests.fake_telegram import FakeTelegramServer, VirtualUser
from tests.fake_telegram.webhook import WebhookPusher
from tests.test_registration import register

SECRET = "fuzz_secret"
REGISTERED, MIDWAY, STRANGER = 7001, 7002, 7003
# Callback prefixes the bot uses. The registered candidate's own taps on "forget", "edit",
# "confirm" and "consent" are their own decisions about their data, not garbage: left out.
SAFE_PREFIXES = (
    "org",
    "mf",
    "ed",
    "skipmail",
    "lang",
    "menu",
    "q",
    "set",
    "dir",
    "bc",
    "qa",
    "rv",
)
ANY_PREFIXES = (*SAFE_PREFIXES, "forget", "edit", "confirm", "consent")


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class BotInThread:
    """The webhook app, the fake Telegram and the users, on a loop of their own."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.ids = itertools.count(10**9)  # update ids of hand-made updates
        self.statuses: list[int] = []

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=120)

    async def start(self) -> None:
        self.telegram = FakeTelegramServer(BotApiEmulator(token=TOKEN))
        await self.telegram.start()
        settings = make_settings(
            self.data_dir,
            bot_api_url=self.telegram.base_url,
            webhook_url="https://shtab.example.org",
            webhook_secret=SECRET,
        )
        self.app: Shtab = build_app(settings)
        self.bot = build_bot(settings)
        self.server = TestServer(build_webhook_app(self.app, self.bot))
        await self.server.start_server()
        self.url = str(self.server.make_url(WEBHOOK_PATH))
        self.http = aiohttp.ClientSession()
        self.users = {
            REGISTERED: VirtualUser(self.emulator, REGISTERED, first_name="Мария"),
            MIDWAY: VirtualUser(self.emulator, MIDWAY, first_name="Олег"),
            STRANGER: VirtualUser(self.emulator, STRANGER, first_name="Гость", language_code="en"),
        }
        async with self.pushing():
            await register(self.users[REGISTERED])
            midway = self.users[MIDWAY]
            await midway.send("/start")
            await midway.expect("Согласие на обработку")
            await midway.press("Согласен")
            await midway.expect("Шаг 1 из 5")

    @property
    def emulator(self) -> BotApiEmulator:
        return self.telegram.emulator

    def pushing(self) -> Any:
        bot = self

        class Pushing:
            async def __aenter__(self) -> None:
                self.pusher = WebhookPusher(bot.emulator, [bot.url], SECRET)
                await self.pusher.start()

            async def __aexit__(self, *exc: object) -> None:
                try:
                    await self.pusher.idle()
                finally:
                    await self.pusher.stop()

        return Pushing()

    async def post(self, update: dict[str, Any]) -> None:
        async with self.http.post(self.url, json=update, headers={SECRET_HEADER: SECRET}) as r:
            self.statuses.append(r.status)

    async def deliver_made(self) -> None:
        """POST what the fake Telegram queued (a user's message or tap), then forget it."""
        for pending in await self.emulator.webhook_batch(timeout=0):
            await self.post(pending.update)
            self.emulator.acknowledge(pending)

    async def candidate(self) -> dict[str, Any]:
        async with self.app.session_factory() as session:
            from sqlalchemy import select

            row = await session.scalar(select(Candidate).where(Candidate.user_id == REGISTERED))
            assert row is not None
        async with self.app.uow_factory() as uow:
            name = await names.full_name(uow, self.app.cipher, row)
            return {
                "name": name,
                "phone": self.app.cipher.decrypt(row.phone_enc),
                "email": self.app.cipher.decrypt(row.email_enc),
                "status": row.status,
                "district": row.district_id,
                "organisation": row.organisation_id,
            }

    async def stop(self) -> None:
        await self.http.close()
        await self.server.close()
        await self.bot.session.close()
        await self.app.close()
        await self.telegram.stop()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


# --------------------------------------------------------------------------- strategies

texts = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=4000, max_size=12000),
    st.sampled_from(["", " ", "\u200b", "\x00", "‮RTL", "<b>не закрыт", "&amp;", "👍🏽" * 50,
                     "'; DROP TABLE users; --", "=HYPERLINK(\"x\")", "+7 (999) 000-00-00"]),
)  # fmt: skip
commands = st.builds(
    lambda name, tail: f"/{name} {tail}".rstrip(),
    st.sampled_from(PUBLIC + COORDINATOR + ADMIN + ("start@shtab_test_bot", "unknown")),
    st.one_of(st.just(""), st.text(max_size=80), st.sampled_from(["org-green", "x" * 200])),
)
callback_data = st.one_of(
    st.text(max_size=64),
    st.builds(lambda p, rest: f"{p}:{rest}", st.sampled_from(ANY_PREFIXES), st.text(max_size=40)),
)
safe_callback_data = st.one_of(
    st.text(max_size=64).filter(lambda d: d.split(":")[0] not in ANY_PREFIXES[-4:]),
    st.builds(lambda p, rest: f"{p}:{rest}", st.sampled_from(SAFE_PREFIXES), st.text(max_size=40)),
)
file_names = st.one_of(
    st.text(min_size=1, max_size=60), st.sampled_from(["../../etc/passwd", "a.exe", "x" * 250])
)
mime_types = st.sampled_from(["application/pdf", "image/jpeg", "application/x-msdownload",
                              "text/csv", "", "application/octet-stream"])  # fmt: skip
unknown_kinds = st.sampled_from(
    ["brand_new_kind", "message_reaction", "poll", "chat_boost", "business_message", "purchase"]
)


@st.composite
def actions(draw: st.DrawFn) -> tuple[str, int, Any]:
    user = draw(st.sampled_from([REGISTERED, MIDWAY, STRANGER]))
    kind = draw(st.sampled_from(
        ["text", "command", "callback", "document", "photo", "sticker", "contact", "location",
         "edited", "unknown"]
    ))  # fmt: skip
    if kind == "command" and user == REGISTERED:
        kind = "text"  # a registered candidate's commands would be their own decisions
    if kind == "text":
        text = draw(texts)
        return kind, user, ("." + text if user == REGISTERED and text.startswith("/") else text)
    if kind == "command":
        return kind, user, draw(commands)
    if kind == "callback":
        data = draw(safe_callback_data if user == REGISTERED else callback_data)
        return kind, user, (data, draw(st.integers(min_value=-5, max_value=60)))
    if kind == "document":
        size = draw(st.sampled_from([0, 1, 4096]))
        return kind, user, (draw(st.binary(min_size=size, max_size=size)), draw(file_names),
                            draw(mime_types))  # fmt: skip
    if kind == "photo":
        return kind, user, draw(st.binary(max_size=64))
    if kind == "contact":
        return kind, user, (draw(st.text(max_size=30)),
                            draw(st.sampled_from([None, user, REGISTERED, 1])))  # fmt: skip
    if kind == "location":
        return kind, user, (draw(st.floats(-1e6, 1e6)), draw(st.floats(-1e6, 1e6)))
    if kind == "edited":
        return kind, user, draw(texts)
    if kind == "unknown":
        return kind, user, draw(unknown_kinds)
    return kind, user, None


async def perform(bot: BotInThread, kind: str, user: int, value: Any) -> None:
    emulator = bot.emulator
    if kind in ("text", "command"):
        emulator.user_sends_text(user, value)
    elif kind == "callback":
        data, message_id = value
        emulator.user_presses(user, message_id, data)
    elif kind == "document":
        emulator.user_sends_document(user, *value)
    elif kind == "photo":
        emulator.user_sends_photo(user, value)
    elif kind == "sticker":
        emulator.user_sends_sticker(user)
    elif kind == "contact":
        phone, owner = value
        emulator.user_sends_contact(user, phone or "0", "Кто-то", owner)
    elif kind == "location":
        emulator.user_sends_location(user, *value)
    elif kind == "edited":
        messages = list(emulator.messages.get(user, {}).values())
        original = messages[-1] if messages else {"message_id": 1, "chat": emulator.chats[user]}
        edited = {**original, "from": emulator.users[user], "date": 1, "edit_date": 2,
                  "text": value}  # fmt: skip
        await bot.post({"update_id": next(bot.ids), "edited_message": edited})
        return
    elif kind == "unknown":
        await bot.post(
            {
                "update_id": next(bot.ids),
                value: {"from": emulator.users[user], "date": 1, "weird": [1, {"a": None}]},
            }
        )
        return
    await bot.deliver_made()


# --------------------------------------------------------------------------- the test


@pytest.fixture
def bot_in_thread(data_dir: Path) -> Iterator[BotInThread]:
    bot = BotInThread(data_dir)
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        bot.run(bot.start())
        bot.errors = errors  # type: ignore[attr-defined]
        yield bot
        bot.run(bot.stop())
    finally:
        logging.getLogger().removeHandler(errors)
        bot.close()


def test_random_updates_break_nothing(bot_in_thread: BotInThread) -> None:
    bot = bot_in_thread
    before = bot.run(bot.candidate())

    @settings(
        max_examples=120,
        deadline=None,
        database=None,
        derandomize=True,  # the same examples on every run: CI is never flaky
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(actions(), min_size=1, max_size=4))
    def throw(batch: list[tuple[str, int, Any]]) -> None:
        for kind, user, value in batch:
            bot.run(perform(bot, kind, user, value))
        assert set(bot.statuses) <= {200}, bot.statuses
        errors = bot.errors.records  # type: ignore[attr-defined]
        assert not errors, [(r.getMessage(), r.exc_text) for r in errors]
        assert bot.run(bot.candidate()) == before

    replies_before = sum(len(bot.emulator.bot_messages(user)) for user in bot.users)
    throw()
    replies = sum(len(bot.emulator.bot_messages(user)) for user in bot.users) - replies_before
    assert replies > 50  # the garbage reached the handlers, which answered it
    telegram_errors = [e for e in bot.emulator.error_responses if not e[2]]
    assert not telegram_errors, telegram_errors[:5]

    async def still_answers() -> None:
        async with bot.pushing():
            for user in bot.users.values():
                user.drain()
                await user.send("/help")
                await user.expect("Команд" if user.user_id != STRANGER else "ommand")
            registered = bot.users[REGISTERED]
            await registered.send("/quest")
            await registered.expect("Этап")

    bot.run(still_answers())
    assert bot.run(bot.candidate()) == before
