"""Fixtures: a real SQLite file per test (copied from a migrated template), the fake Telegram
Bot API over real HTTP, the bot polling it exactly as in production, and virtual users.

PostgreSQL and Redis tests use the servers on this machine; they are skipped with a reason
when unreachable, and required when SHTAB_REQUIRE_SERVICES=1 (CI sets it).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest
from aiogram import Bot
from aiogram.utils.backoff import BackoffConfig
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Shtab, ShtabDispatcher, build_app, build_bot
from bot.config import Settings, load_settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.db.uow import UnitOfWorkFactory
from bot.i18n import Catalog
from bot.services.geography import ensure_demo_data
from bot.telegram.emulator import BotApiEmulator
from bot.telegram.request_guard import RequestGuard
from tests.fake_telegram import FakeTelegramServer, VirtualUser

TOKEN = "123456:TEST_TOKEN_for_shtab_tests"
DATA_KEY = "mYrVVdqK9Yv0J3VJ3P6y1G1mB3s8U9k3n8c9b2q1Y0k="
ADMIN_ID = 900001
PIN = "470219"  # the staff PIN the helpers set and type
POSTGRES_URL = os.environ.get(
    "SHTAB_TEST_POSTGRES_URL", "postgresql+asyncpg://root@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("SHTAB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("SHTAB_REQUIRE_SERVICES") == "1"

_user_ids = itertools.count(100)


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    if _reachable(host, port):
        return
    reason = f"{name} is not reachable at {host}:{port}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason}, and SHTAB_REQUIRE_SERVICES=1 requires it")
    pytest.skip(reason)


async def _seed(database_url: str) -> None:
    engine = create_engine(database_url)
    async with UnitOfWorkFactory(create_session_factory(engine))() as uow:
        await ensure_demo_data(uow)
    await engine.dispose()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated and seeded database; each test gets a copy (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "shtab.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    asyncio.run(_seed(url))
    return path


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": TOKEN,
        "data_key": DATA_KEY,
        "admin_ids": str(ADMIN_ID),
        "data_dir": data_dir,
        "database_url": f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}",
        "scheduler": False,  # reminder jobs are driven by the tests, with a frozen clock
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def data_dir(tmp_path: Path, sqlite_template: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    shutil.copy(sqlite_template, directory / "shtab.db")
    return directory


@pytest.fixture
async def engine(data_dir: Path) -> AsyncIterator[AsyncEngine]:
    """The seeded SQLite database of `data_dir`, for tests of services without the bot."""
    engine = create_engine(f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}")
    yield engine
    await engine.dispose()


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramServer]:
    server = FakeTelegramServer(BotApiEmulator(token=TOKEN))
    await server.start()
    yield server
    await server.stop()


T = TypeVar("T")


@dataclass
class RunningBot:
    app: Shtab
    telegram: FakeTelegramServer
    settings: Settings
    bot: Bot
    # Waits the request guard asked for (429 retry_after, 5xx backoff), recorded not slept.
    waits: list[float] = field(default_factory=list)
    # Telegram errors a test provokes on purpose; any other one fails the test at teardown.
    expected_errors: set[str] = field(default_factory=set)
    # Staff whose PIN is set in this test (see `gated`).
    pins: set[int] = field(default_factory=set)

    def unexpected_errors(self) -> list[tuple[str, dict[str, object]]]:
        return [
            (method, envelope)
            for method, envelope, injected in self.emulator.error_responses
            if not injected
            and not any(part in str(envelope.get("description")) for part in self.expected_errors)
        ]

    @property
    def emulator(self) -> BotApiEmulator:
        return self.telegram.emulator

    @contextmanager
    def recorded(self, identifier: str, keep: Callable[..., T]) -> Iterator[list[T]]:
        """What `keep` makes of each of the database engine's `identifier` events (e.g.
        "before_cursor_execute", "commit") while the block runs."""
        seen: list[T] = []

        def note(*args: object) -> None:
            seen.append(keep(*args))

        engine = self.app.engine.sync_engine
        event.listen(engine, identifier, note)
        try:
            yield seen
        finally:
            event.remove(engine, identifier, note)

    async def settled(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Until the updates the bot has taken are handled to their end (the last commit)."""
        dispatcher = self.app.dispatcher
        assert isinstance(dispatcher, ShtabDispatcher)
        await asyncio.wait_for(dispatcher.idle.wait(), timeout)

    def user(self, *, language_code: str = "ru", first_name: str = "Мария") -> VirtualUser:
        return VirtualUser(
            self.emulator, next(_user_ids), first_name=first_name, language_code=language_code
        )

    def admin(self) -> VirtualUser:
        return VirtualUser(self.emulator, ADMIN_ID, first_name="Админ", language_code="ru")

    async def coordinator(self, scope: str = "", admin: VirtualUser | None = None) -> VirtualUser:
        """A person who consented and was made a coordinator by an admin, e.g. scope
        "org:civic" or 'mf:"Гавань"'; no scope is the whole coalition."""
        user = self.user(first_name="Олег")
        await user.send("/start")
        await user.expect("Согласие на обработку")
        await user.press("Согласен")
        await user.expect("Шаг 1 из 5")
        admin = admin or self.admin()
        await self.gated(admin, f"/grant_coordinator {user.user_id} {scope}".strip())
        await admin.expect("назначен координатором")
        return user

    async def set_pin(self, user: VirtualUser, pin: str = PIN) -> None:
        """Staff set their PIN through the dialog (/pin)."""
        await user.send("/pin")
        await user.expect("🔐")
        await user.send(pin)
        await user.expect("PIN")
        await user.send(pin)
        await user.expect("✅")
        self.pins.add(user.user_id)

    async def gated(self, user: VirtualUser, command: str, pin: str = PIN) -> None:
        """A command behind the PIN gate: set the PIN if needed, send it when asked."""
        if user.user_id not in self.pins:
            await self.set_pin(user)
        await user.send(command)
        await user.expect("🔐")
        await user.send(pin)


# Polling's own backoff after a failed getUpdates, shortened so tests don't wait seconds.
FAST_BACKOFF = BackoffConfig(min_delay=0.01, max_delay=0.05, factor=1.5, jitter=0.1)


async def start_bot(settings: Settings, telegram: FakeTelegramServer) -> AsyncIterator[RunningBot]:
    app = build_app(settings)
    waits: list[float] = []

    async def record_wait(seconds: float) -> None:
        waits.append(seconds)

    bot = build_bot(settings, guard=RequestGuard(sleep=record_wait))
    polling = asyncio.create_task(
        app.dispatcher.start_polling(
            bot, handle_signals=False, polling_timeout=5, backoff_config=FAST_BACKOFF
        )
    )
    running_bot = RunningBot(app, telegram, settings, bot, waits)
    try:
        await telegram.emulator.wait_for_poller()
        yield running_bot
        assert not running_bot.unexpected_errors(), running_bot.unexpected_errors()
    finally:
        await app.dispatcher.stop_polling()
        telegram.emulator.release_pollers()
        await asyncio.wait_for(polling, 10)
        await bot.session.close()
        await app.close()


@pytest.fixture
async def running(data_dir: Path, telegram: FakeTelegramServer) -> AsyncIterator[RunningBot]:
    settings = make_settings(data_dir, bot_api_url=telegram.base_url)
    async for running_bot in start_bot(settings, telegram):
        yield running_bot


@pytest.fixture
def postgres_url() -> Iterator[str]:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    asyncio.run(_reset_postgres(POSTGRES_URL))
    upgrade(POSTGRES_URL)
    asyncio.run(_seed(POSTGRES_URL))
    yield POSTGRES_URL


async def _reset_postgres(url: str) -> None:
    from sqlalchemy import text

    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture
def redis_url() -> Iterator[str]:
    require_service("Redis", "127.0.0.1", 6379)
    from redis import Redis

    client = Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


UserFactory = Callable[..., VirtualUser]
