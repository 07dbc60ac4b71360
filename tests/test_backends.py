"""The bot as its own process, killed with SIGKILL mid-dialog; and the production backends
(PostgreSQL + Redis) driving the same dialogs as the embedded default."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.services import names
from tests.conftest import DATA_KEY, TOKEN, RunningBot, make_settings, start_bot
from tests.fake_telegram import FakeTelegramServer, VirtualUser
from tests.test_materials import CONTACTS, POINTS, build_until_points
from tests.test_registration import register

REPO = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 60  # importing aiogram alone takes seconds on this machine


async def spawn_bot(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        cwd=REPO, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def kill(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGKILL)
    await process.wait()


class BotProcess:
    """`python -m bot run` as its own process, SIGKILLed and started again at will."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: asyncio.subprocess.Process | None = None
        self.logs = ""  # stderr of every run so far
        self.returncode: int | None = None  # of the last run killed

    async def start(self) -> None:
        self.process = await spawn_bot(self.env)

    async def kill(self) -> str:
        """SIGKILL (if still running); returns what this run wrote to stderr."""
        if self.process is None:
            return ""
        process, self.process = self.process, None
        await kill(process)
        self.returncode = process.returncode
        assert process.stderr is not None
        errors = (await process.stderr.read()).decode()
        self.logs += errors
        return errors


@asynccontextmanager
async def bot_process(env: dict[str, str]) -> AsyncIterator[BotProcess]:
    """A bot process that is killed at the end; a failed assertion comes with its logs."""
    bot = BotProcess(env)
    await bot.start()
    try:
        yield bot
    except AssertionError as failure:
        await bot.kill()
        raise AssertionError(f"{failure}\n--- bot logs ---\n{bot.logs[-4000:]}") from None
    finally:
        await bot.kill()


def bot_env(telegram: FakeTelegramServer, data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": telegram.base_url,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}",
        "DATA_KEY": DATA_KEY,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@pytest.fixture(params=["sqlite", "postgres+redis"])
def backend_env(request: pytest.FixtureRequest, data_dir: Path) -> dict[str, str]:
    if request.param == "sqlite":
        return {}
    postgres_url = request.getfixturevalue("postgres_url")
    redis_url = request.getfixturevalue("redis_url")
    return {"DATABASE_URL": postgres_url, "REDIS_URL": redis_url}


@pytest.mark.slow
async def test_sigkill_mid_registration_resumes_at_the_same_step(
    telegram: FakeTelegramServer, data_dir: Path, backend_env: dict[str, str]
) -> None:
    emulator = telegram.emulator
    user = VirtualUser(emulator, 4242, first_name="Анна")
    async with bot_process(bot_env(telegram, data_dir, **backend_env)) as bot:
        await emulator.wait_for_poller(timeout=STARTUP_TIMEOUT)
        await user.send("/start")
        await user.expect("Согласие на обработку")
        await user.press("Согласен")
        await user.expect("Шаг 1 из 5")
        await user.send("Кузнецова Анна Игоревна")
        await user.expect("Шаг 2 из 5")
        await bot.kill()
        assert bot.returncode == -signal.SIGKILL  # killed mid-dialog, not exited
        await user.share_contact()  # answered while the bot is down: Telegram keeps it
        await bot.start()
        await user.expect("Шаг 3 из 5", timeout=STARTUP_TIMEOUT)
        await user.send("anna@example.org")
        await user.expect("Шаг 4 из 5")
        last_run_errors = await bot.kill()
    step_two = [m for m in user.transcript if "Шаг 2 из 5" in m.get("text", "")]
    assert len(step_two) == 1  # nothing before the kill was handled a second time
    assert "Traceback" not in last_run_errors, last_run_errors


@pytest.mark.slow
async def test_sigkill_mid_leaflet_builder_resumes_at_the_same_question(
    telegram: FakeTelegramServer, data_dir: Path
) -> None:
    """Not registration alone: any dialog's step is committed before its question is sent."""
    user = VirtualUser(telegram.emulator, 4343, first_name="Ольга")
    async with bot_process(bot_env(telegram, data_dir)) as bot:
        await telegram.emulator.wait_for_poller(timeout=STARTUP_TIMEOUT)
        await register(user)
        await build_until_points(user, others="Есть, их письменные согласия у меня")
        await bot.kill()
        assert bot.returncode == -signal.SIGKILL
        await user.send(POINTS)  # answered while the bot is down
        await bot.start()
        await user.expect("Как с вами связаться", timeout=STARTUP_TIMEOUT)
        await user.send(CONTACTS)
        card = await user.expect("Листовка №1")
        last_run_errors = await bot.kill()
    assert "на фото есть другие люди" in card["text"]  # answered before the kill
    texts = [message.get("text", "") for message in user.transcript]
    for question in ("Пришлите фото", "коротко о себе", "пунктов программы"):
        assert sum(question in text for text in texts) == 1, question  # nothing asked again
    assert "Traceback" not in last_run_errors, last_run_errors


@pytest.fixture
async def running_production(
    data_dir: Path, telegram: FakeTelegramServer, postgres_url: str, redis_url: str
) -> AsyncIterator[RunningBot]:
    settings = make_settings(
        data_dir, bot_api_url=telegram.base_url, database_url=postgres_url, redis_url=redis_url
    )
    async for running_bot in start_bot(settings, telegram):
        yield running_bot


@pytest.mark.postgres
@pytest.mark.redis
async def test_registration_on_postgres_and_redis(running_production: RunningBot) -> None:
    running = running_production
    user = running.user()
    await register(user)
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(user.user_id)
        assert candidate is not None
        name = await names.full_name(uow, running.app.cipher, candidate)
    assert name == "Иванова Мария Сергеевна"
    assert running.app.cipher.decrypt(candidate.phone_enc) == user.phone


@pytest.mark.postgres
@pytest.mark.redis
async def test_dialog_state_in_redis_is_encrypted_and_erased(
    running_production: RunningBot, redis_url: str
) -> None:
    from redis.asyncio import Redis

    running = running_production
    user = running.user()
    await user.send("/start org-green")
    await user.expect("Согласие на обработку")
    await user.press("Согласен")
    await user.expect("Шаг 1 из 5")
    redis = Redis.from_url(redis_url)
    try:
        keys = [key.decode() for key in await redis.keys(f"*{user.user_id}*")]
        data_keys = [key for key in keys if key.endswith(":data")]
        assert data_keys, keys
        raw = await redis.get(data_keys[0])
        assert raw is not None and b"green" not in raw  # encrypted at rest
        await user.send("/forget_me")
        await user.expect("Удалить все ваши данные")
        await user.press("Да, удалить")
        await user.expect("Это необратимо")
        await user.press("Удалить навсегда")
        await user.expect("все ваши данные удалены")
        await user.send("/help")  # a later update: the erasing one has released its lock
        await user.expect("Команды")
        leftovers = [k for k in await redis.keys(f"*{user.user_id}*") if not k.endswith(b":lock")]
        assert leftovers == []
    finally:
        await redis.aclose()
