"""The webhook over real HTTP: the secret, redelivery, a failing database, and instances killed
with SIGKILL mid-dialog — alone on SQLite, and two behind one URL on PostgreSQL + Redis.

Telegram's side is `WebhookPusher`: it POSTs the fake Telegram's updates to the instances in
turn and delivers again whatever was not answered with a 200."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.app import WEBHOOK_PATH, build_app, build_bot, build_webhook_app
from bot.config import ConfigError
from bot.telegram.emulator import BotAction
from bot.telegram.webhook import HEALTH_PATH, SECRET_HEADER
from tests.conftest import DATA_KEY, TOKEN, RunningBot, make_settings
from tests.fake_telegram import FakeTelegramServer, VirtualUser
from tests.fake_telegram.webhook import WebhookPusher

REPO = Path(__file__).resolve().parent.parent
SECRET = "hook_S3cret-token"
STARTUP_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def served(data_dir: Path, telegram: FakeTelegramServer) -> AsyncIterator[str]:
    """The webhook app in this process (on SQLite); yields the webhook URL."""
    settings = make_settings(
        data_dir,
        bot_api_url=telegram.base_url,
        webhook_url="https://shtab.example.org",
        webhook_secret=SECRET,
    )
    app = build_app(settings)
    bot = build_bot(settings)
    server = TestServer(build_webhook_app(app, bot))
    await server.start_server()
    try:
        yield str(server.make_url(WEBHOOK_PATH))
    finally:
        await server.close()
        await bot.session.close()
        await app.close()


async def test_the_secret_is_required_and_checked(
    served: str, telegram: FakeTelegramServer, data_dir: Path
) -> None:
    VirtualUser(telegram.emulator, 501)
    telegram.emulator.user_sends_text(501, "/start")
    update = telegram.emulator.last_update
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}):
            async with http.post(served, json=update, headers=headers) as response:
                assert response.status == 401
        ok = {SECRET_HEADER: SECRET}
        async with http.post(served, data=b"{not json", headers=ok) as response:
            assert response.status == 400
        async with http.post(served, json=[1, 2], headers=ok) as response:
            assert response.status == 400
    assert telegram.emulator.bot_messages(501) == []  # nothing forged got through
    settings = make_settings(data_dir, webhook_url="https://shtab.example.org")
    app = build_app(settings)
    try:
        with pytest.raises(ConfigError, match="WEBHOOK_SECRET"):
            build_webhook_app(app, build_bot(settings))
    finally:
        await app.close()


async def test_a_redelivered_update_is_handled_once_even_at_the_same_time(
    served: str, telegram: FakeTelegramServer
) -> None:
    user = VirtualUser(telegram.emulator, 502, first_name="Вера")
    telegram.emulator.user_sends_text(502, "/start")
    update = telegram.emulator.last_update
    headers = {SECRET_HEADER: SECRET}
    async with aiohttp.ClientSession() as http:

        async def deliver() -> int:
            async with http.post(served, json=update, headers=headers) as response:
                return response.status

        statuses = await asyncio.gather(*(deliver() for _ in range(5)))
        assert statuses == [200] * 5
        assert await deliver() == 200  # and once more later
    await user.expect("Согласие на обработку")
    await user.quiet()
    greetings = [m for m in user.transcript if "Согласие на обработку" in m.get("text", "")]
    assert len(greetings) == 1


async def test_a_failing_database_leaves_the_update_for_redelivery(
    served: str, telegram: FakeTelegramServer, data_dir: Path
) -> None:
    emulator = telegram.emulator
    pusher = WebhookPusher(emulator, [served], SECRET, retry_delay=0.02)
    user = VirtualUser(emulator, 503, first_name="Анна")
    database = sqlite3.connect(data_dir / "shtab.db")
    await pusher.start()
    try:
        await user.send("/start")
        await user.expect("Согласие на обработку")
        # The table every update writes disappears: the update's commit fails.
        database.execute("ALTER TABLE processed_updates RENAME TO processed_updates_away")
        database.commit()
        await user.press("Согласен")
        await pusher.failed(2)
        assert pusher.statuses[500] >= 2 and emulator.pending_updates
        database.execute("ALTER TABLE processed_updates_away RENAME TO processed_updates")
        database.commit()
        await user.expect("Шаг 1 из 5", timeout=10)  # the redelivery is handled
        await pusher.idle()
        await user.send("Кузнецова Анна Игоревна")
        await user.expect("Шаг 2 из 5")
    finally:
        await pusher.stop()
        database.close()
    step_one = [m for m in user.transcript if "Шаг 1 из 5" in m.get("text", "")]
    assert len(step_one) == 1


# ------------------------------------------------------------------ separate processes


class Instance:
    """`python -m bot webhook` as its own process, on its own port."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.env = {**env, "WEBHOOK_PORT": str(self.port)}
        self.process: asyncio.subprocess.Process | None = None
        self.logs = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{WEBHOOK_PATH}"

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "webhook",
            cwd=REPO, env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        health = f"http://127.0.0.1:{self.port}{HEALTH_PATH}"
        async with aiohttp.ClientSession() as http, asyncio.timeout(STARTUP_TIMEOUT):
            while True:
                assert self.process.returncode is None, await self.stop()
                try:
                    async with http.get(health) as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)  # polling a process that is starting up

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> str:
        self.kill()
        if self.process is not None:
            await asyncio.wait_for(self.process.wait(), 10)
            assert self.process.stderr is not None
            # Bounded: a child that inherited the pipe would otherwise hold EOF back forever.
            with contextlib.suppress(TimeoutError):
                self.logs += (await asyncio.wait_for(self.process.stderr.read(), 10)).decode()
            self.process = None
        return self.logs


def instance_env(telegram: FakeTelegramServer, data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": telegram.base_url,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}",
        "DATA_KEY": DATA_KEY,
        "WEBHOOK_URL": "https://shtab.example.org",
        "WEBHOOK_SECRET": SECRET,
        "SCHEDULER": "false",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def kill_when(emulator_action_text: str, instances: list[Instance]) -> Any:
    """A subscriber that SIGKILLs the instances the moment the bot sends a text containing
    the given words: the message is out, the update not yet acknowledged."""

    def on_action(action: BotAction) -> None:
        if emulator_action_text in str(action.params.get("text", "")):
            for instance in instances:
                instance.kill()

    return on_action


async def run_dialog_through_kills(
    telegram: FakeTelegramServer, instances: list[Instance]
) -> VirtualUser:
    emulator = telegram.emulator
    pusher = WebhookPusher(emulator, [i.url for i in instances], SECRET, retry_delay=0.05)
    user = VirtualUser(emulator, 4343, first_name="Анна")
    for instance in instances:
        await instance.start()
    await pusher.start()
    try:
        await user.send("/start")
        await user.expect("Согласие на обработку", timeout=10)
        await user.press("Согласен")
        await user.expect("Шаг 1 из 5", timeout=10)
        # 1. Killed mid-update: "Шаг 2" reached Telegram, the webhook call got no 200.
        unsubscribe = emulator.subscribe(kill_when("Шаг 2 из 5", instances))
        await user.send("Кузнецова Анна Игоревна")
        await user.expect("Шаг 2 из 5", timeout=10)
        unsubscribe()
        for instance in instances:
            await instance.stop()
        # 2. Answered while every instance is down: Telegram keeps it and retries.
        await user.share_contact()
        for instance in instances:
            await instance.start()
        # (On Redis the killed instance's lock on this user expires first: REDIS_LOCK_SECONDS.)
        await user.expect("Шаг 3 из 5", timeout=STARTUP_TIMEOUT)
        await user.send("anna@example.org")
        await user.expect("Шаг 4 из 5", timeout=10)
        await pusher.idle()
        assert pusher.failures > 0  # the kills really cut deliveries off
    except (AssertionError, TimeoutError) as failure:
        logs = "".join([await i.stop() for i in instances])
        raise AssertionError(f"{failure!r}\n{user.format_transcript()}\n{logs[-4000:]}") from None
    finally:
        await pusher.stop()
        for instance in instances:
            await instance.stop()
    for step in ("Шаг 1 из 5", "Шаг 2 из 5", "Шаг 3 из 5", "Шаг 4 из 5"):
        assert len([m for m in user.transcript if step in m.get("text", "")]) == 1, step
    assert "Traceback" not in "".join(i.logs for i in instances)
    return user


@pytest.mark.slow
async def test_a_killed_instance_loses_nothing_and_repeats_nothing(
    telegram: FakeTelegramServer, data_dir: Path
) -> None:
    instance = Instance(instance_env(telegram, data_dir))
    await run_dialog_through_kills(telegram, [instance])


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
async def test_two_instances_behind_one_url_on_postgres_and_redis(
    telegram: FakeTelegramServer, data_dir: Path, postgres_url: str, redis_url: str
) -> None:
    env = instance_env(telegram, data_dir, DATABASE_URL=postgres_url, REDIS_URL=redis_url)
    instances = [Instance(env), Instance(env)]
    await run_dialog_through_kills(telegram, instances)


async def test_health_reports_what_is_unreachable(
    served: str, data_dir: Path, telegram: FakeTelegramServer
) -> None:
    health_url = served.replace(WEBHOOK_PATH, HEALTH_PATH)
    async with aiohttp.ClientSession() as http:
        async with http.get(health_url) as response:
            assert response.status == 200
            assert await response.json() == {
                "status": "ok", "database": "ok", "redis": "not configured"
            }  # fmt: skip
        # An instance whose Redis and database are gone (nothing listens on port 1).
        settings = make_settings(
            data_dir,
            bot_api_url=telegram.base_url,
            database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",
            redis_url="redis://127.0.0.1:1/0",
            data_key=DATA_KEY,
        )
        app = build_app(settings)
        runner = await _serve_health_for_test(app)
        try:
            async with http.get(runner) as response:
                assert response.status == 503
                body = await response.json()
            assert body["status"] == "unavailable"
            assert body["database"].startswith("unreachable")
            assert body["redis"].startswith("unreachable")
        finally:
            await app.close()


async def _serve_health_for_test(app: Any) -> str:
    """The polling mode's own /healthz server (HEALTH_PORT)."""
    from bot.app import _serve_health

    app.settings.health_port = free_port()
    runner = await _serve_health(app)
    app.closers.append(runner.cleanup)
    return f"http://127.0.0.1:{app.settings.health_port}{HEALTH_PATH}"


async def test_a_callback_answered_too_late_still_moves_the_dialog(running: RunningBot) -> None:
    # Under load (or after a redelivery) the update comes after Telegram's ~15 s for answering
    # the tap: the answer fails, the dialog must not.
    running.expected_errors.add("query is too old")
    user = running.user()
    await user.send("/start")
    await user.expect("Согласие на обработку")
    running.emulator.callback_query_ttl = -1.0  # every tap has expired by the time it's answered
    await user.press("Согласен")
    await user.expect("Шаг 1 из 5")
    assert not [m for m in user.transcript if "что-то пошло не так" in m.get("text", "").lower()]
    assert any("query is too old" in str(e[1]) for e in running.emulator.error_responses)


@pytest.mark.redis
async def test_a_user_lock_outlives_its_expiry_while_the_update_runs(redis_url: str) -> None:
    from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
    from redis.asyncio import Redis

    from bot.telegram.locks import RenewedRedisIsolation

    redis = Redis.from_url(redis_url)
    first = RenewedRedisIsolation(redis, DefaultKeyBuilder(with_destiny=True), timeout=0.2)
    second = RenewedRedisIsolation(redis, DefaultKeyBuilder(with_destiny=True), timeout=0.2)
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    try:
        async with first.lock(key):  # a slow update on one instance
            with pytest.raises(TimeoutError):  # five expiries later, still its own
                async with asyncio.timeout(1.0), second.lock(key):
                    pass
        async with asyncio.timeout(1.0), second.lock(key):  # free once the update finished
            pass
    finally:
        await redis.aclose()


async def test_a_tap_on_a_message_telegram_no_longer_has(running: RunningBot) -> None:
    # Older than 48 hours or deleted: Telegram sends the tap with an inaccessible message.
    user = running.user()
    await user.send("/menu")
    await user.expect("")
    await user.press_data("menu:help", message_id=9999)
    await user.expect_answer("устарело")
    await user.quiet()
    assert not [m for m in user.transcript if "что-то пошло не так" in m.get("text", "").lower()]
    await user.send("/help")
    await user.expect("Команды")
