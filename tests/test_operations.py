"""Operations: `backup` / `restore` of the embedded SQLite while the bot writes, `migrate-data`
to the real PostgreSQL with counts and checksums, and the reminder planner run by two
instances at once on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import Shtab
from bot.db.models import AuditEntry, Candidate, Reminder
from bot.db.transfer import TransferError, backup, migrate_data, restore
from bot.services import names
from tests.conftest import (
    DATA_KEY,
    POSTGRES_URL,
    RunningBot,
    _reset_postgres,
    make_settings,
    require_service,
    start_bot,
)
from tests.fake_telegram import FakeTelegramServer
from tests.test_registration import register

REPO = Path(__file__).resolve().parent.parent


async def cli(*args: str, data_dir: Path, **env: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        cwd=REPO,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DATA_DIR": str(data_dir),
            "DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}",
            "DATA_KEY": DATA_KEY,
            "LOG_LEVEL": "WARNING",
            **env,
        },
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def candidates(running: RunningBot) -> list[Candidate]:
    async with running.app.session_factory() as session:
        return list(await session.scalars(select(Candidate)))


async def candidate_names(running: RunningBot) -> set[str | None]:
    async with running.app.uow_factory() as uow:
        rows = list(await uow.session.scalars(select(Candidate)))
        return set((await names.full_names(uow, running.app.cipher, rows)).values())


async def test_backup_while_the_bot_writes_and_restore(
    running: RunningBot, data_dir: Path, tmp_path: Path
) -> None:
    first = running.user()
    await register(first, name="Кузнецова Анна Игоревна")
    # Registrations go on while the backup is taken, in another thread, from the live file.
    others = [running.user() for _ in range(4)]
    writing = asyncio.gather(*(register(user) for user in others))
    report = await asyncio.to_thread(backup, running.settings.database_url, tmp_path / "b")
    await writing
    assert report.path.parent == tmp_path / "b" and report.path.stat().st_mode & 0o077 == 0
    assert 1 <= report.rows["candidates"] <= 5 and report.rows["processed_updates"] > 0
    with sqlite3.connect(report.path) as copy:
        # One moment of the database: no candidate without their user, no half-registration.
        orphans = copy.execute(
            "SELECT count(*) FROM candidates WHERE user_id NOT IN (SELECT id FROM users)"
        ).fetchone()
        assert orphans == (0,)
    with pytest.raises(TransferError, match="exists"):
        backup(running.settings.database_url, report.path)

    # Restore into a fresh machine's data directory, by the command line, and run on it.
    fresh = tmp_path / "fresh"
    code, out, err = await cli("restore", str(report.path), data_dir=fresh)
    assert code == 0, err
    assert f"restored {fresh / 'shtab.db'}" in out
    with sqlite3.connect(fresh / "shtab.db") as restored:
        names = restored.execute("SELECT count(*) FROM candidates").fetchone()[0]
    assert names == report.rows["candidates"]
    code, out, err = await cli("restore", str(tmp_path / "nothing.db"), data_dir=fresh)
    assert code == 1 and "no such file" in err
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    code, out, err = await cli("restore", str(junk), data_dir=fresh)
    assert code == 1 and "not a readable SQLite database" in err
    assert (fresh / "shtab.db").stat().st_size > 0  # a bad file changed nothing


async def test_backup_by_the_command_line(data_dir: Path, tmp_path: Path) -> None:
    code, out, err = await cli("backup", str(tmp_path / "one.db"), data_dir=data_dir)
    assert code == 0, err
    assert "integrity ok" in out and "key is not in it" in out
    report, kept = await asyncio.to_thread(
        restore, tmp_path / "one.db", f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}"
    )
    assert kept is not None and kept.exists()  # the replaced database is kept
    assert report.rows["municipal_formations"] > 100  # the demo data came back


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    asyncio.run(_reset_postgres(POSTGRES_URL))
    yield POSTGRES_URL


async def test_migrate_data_to_postgres_loses_nothing(
    data_dir: Path, telegram: FakeTelegramServer, empty_postgres: str
) -> None:
    on_sqlite = start_bot(make_settings(data_dir, bot_api_url=telegram.base_url), telegram)
    running = await anext(on_sqlite)
    users = [running.user() for _ in range(3)]
    for index, user in enumerate(users):
        await register(user, name=f"Иванова Мария {'ABC'[index]}")
    await users[0].send("/quest")
    await users[0].expect("Этап")
    before = await candidate_names(running)
    async with running.app.uow_factory() as uow:
        audits_before = await uow.session.scalar(select(func.count()).select_from(AuditEntry))
    await on_sqlite.aclose()  # the old instance stops; the copy is taken from its file
    code, out, err = await cli("migrate-data", "--to", empty_postgres, data_dir=data_dir)
    assert code == 0, err + out
    assert "counts and checksums match" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.endswith(" ok")}
    assert {"users", "candidates", "processed_updates", "municipal_formations"} <= set(lines)
    assert "DIFFERENT" not in out
    # Again: the target is not empty any more, so nothing is copied twice.
    code, out, err = await cli("migrate-data", "--to", empty_postgres, data_dir=data_dir)
    assert code == 1 and "not empty" in err

    # The coalition runs on PostgreSQL now: the candidates are there, readable, and new rows
    # get ids after the copied ones (the sequences were reset).
    settings = make_settings(data_dir, bot_api_url=telegram.base_url, database_url=empty_postgres)
    async for moved in start_bot(settings, telegram):
        assert await candidate_names(moved) == before and len(before) == 3
        phone = moved.app.cipher.decrypt((await candidates(moved))[0].phone_enc)
        assert phone is not None and phone.startswith("+7")
        newcomer = moved.user()
        await register(newcomer, name="Петрова Ольга Николаевна")
        async with moved.app.uow_factory() as uow:
            audits = await uow.session.scalar(select(func.count()).select_from(AuditEntry))
        assert audits is not None and audits_before is not None and audits >= audits_before
        assert len(await candidates(moved)) == 4


async def test_migrate_data_refuses_what_it_cannot_do(data_dir: Path) -> None:
    url = f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}"
    with pytest.raises(TransferError, match="itself"):
        await migrate_data(url, url, say=lambda _: None)
    with pytest.raises(TransferError, match="SQLite"):
        await migrate_data("postgresql+asyncpg://x@127.0.0.1/y", url, say=lambda _: None)
    with pytest.raises(TransferError, match="not empty"):
        # The other SQLite file is a copy of this one: full of demo data already.
        other = data_dir / "other.db"
        await asyncio.to_thread(backup, url, other)
        await migrate_data(url, f"sqlite+aiosqlite:///{other}", say=lambda _: None)


@pytest.fixture
async def on_postgres(
    data_dir: Path, telegram: FakeTelegramServer, postgres_url: str
) -> AsyncIterator[RunningBot]:
    settings = make_settings(data_dir, bot_api_url=telegram.base_url, database_url=postgres_url)
    async for running_bot in start_bot(settings, telegram):
        yield running_bot


@pytest.mark.postgres
async def test_two_instances_plan_reminders_once(on_postgres: RunningBot) -> None:
    running = on_postgres
    for index in range(3):
        await register(running.user(), name=f"Сидорова Анна {'ABC'[index]}")
    # Two instances' planners at the same moment, each with its own connections.
    planners = [running.app.reminder_jobs(running.bot, instance=name)[1] for name in "ab"]
    added = await asyncio.gather(*(planner.plan_all() for planner in planners))
    async with running.app.session_factory() as session:
        rows = list(await session.scalars(select(Reminder.key)))
    assert sum(added) == len(rows) > 0
    assert len(rows) == len(set(rows))
    assert await planners[0].plan_all() == 0  # nothing new to plan


async def test_instances_started_together_migrate_and_seed_once(
    empty_postgres: str, data_dir: Path
) -> None:
    from bot.app import build_app
    from bot.db.models import Election
    from bot.services.geography import ensure_demo_data

    # Three instances' start-up migrations on an empty database, at the same moment.
    results = await asyncio.gather(
        *(cli("migrate", data_dir=data_dir, DATABASE_URL=empty_postgres) for _ in range(3))
    )
    assert [code for code, _, _ in results] == [0, 0, 0], results
    # And their start-up seeding (what on_startup does first).
    apps = [build_app(make_settings(data_dir, database_url=empty_postgres)) for _ in range(3)]

    async def seed(app: Shtab) -> None:
        async with app.uow_factory() as uow:
            await uow.operations.wait_exclusively("startup.seed")
            await ensure_demo_data(uow)

    try:
        await asyncio.gather(*(seed(app) for app in apps))
        async with apps[0].session_factory() as session:
            assert await session.scalar(select(func.count()).select_from(Election)) == 1
    finally:
        for app in apps:
            await app.close()


def test_env_example_lists_every_setting() -> None:
    from bot.config import Settings

    documented = {
        line.split("=", 1)[0]
        for line in (REPO / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert {name.upper() for name in Settings.model_fields} == documented
