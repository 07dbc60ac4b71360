"""Reminder dispatch at Telegram's rate: N due reminders, two dispatchers, each sent once.

    python bench/reminders.py [--count 10000] [--batch 200] [--per-second 25] [--postgres]

A fresh database (a SQLite file migrated with `bot.db.migrate.upgrade`, or with --postgres the
server's `test` database, its schema dropped and recreated) gets N people and N PENDING
reminders of kind "test" due now. The fake Telegram (tests/fake_telegram) runs in this
process with its flood limits ON and the real clock, and every person has written /start to
the bot, so each chat exists. Two ReminderDispatchers, instances "a" and "b", drain the outbox
concurrently on the same database, as two bot instances would.

Each instance has its own RateLimitedSender with half of --per-second: two processes cannot
share one token bucket, so the bot's budget is split between them (--shared-sender gives both
one sender instead, as two dispatchers in one process would). Sends go through the production
RequestGuard, and every 429 the fake Telegram answers is counted and reported.

The last line is machine-readable (see bench/README.md). Exit status 1 when a reminder was
lost or sent twice.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# Run as a script, the repository root is not on sys.path; the fake Telegram lives in tests/.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncConnection  # noqa: E402

from bot.app import build_app, build_bot  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.db.engine import create_engine  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.models import NotificationSettings, Reminder, ReminderStatus, User  # noqa: E402
from bot.telegram.sender import RateLimitedSender  # noqa: E402
from tests.fake_telegram import BotApiEmulator, FakeTelegramServer  # noqa: E402

BOT_TOKEN = "123456:TEST_TOKEN_for_shtab_bench"
POSTGRES_URL = "postgresql+asyncpg://root@127.0.0.1:5432/test"
FIRST_USER_ID = 10_000_000
INSERT_CHUNK = 1000
INSTANCES = ("a", "b")
# Settings the bot would pick up from the caller's environment and that change what is measured.
FOREIGN_SETTINGS = ("REDIS_URL", "ADMIN_IDS", "WEBHOOK_URL", "WEBHOOK_SECRET", "TIMEZONE")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="due reminders (10000)")
    parser.add_argument("--batch", type=int, default=200, help="rows one run_once claims (200)")
    parser.add_argument(
        "--per-second", type=float, default=25.0, help="the bot's whole sending budget (25)"
    )
    parser.add_argument(
        "--shared-sender", action="store_true", help="both dispatchers share one sender"
    )
    parser.add_argument("--postgres", action="store_true", help=f"use {POSTGRES_URL}")
    return parser.parse_args(argv)


async def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def insert_people(connection: AsyncConnection, user_ids: list[int], now: datetime) -> None:
    """Users and their settings, in bulk. Quiet hours are off for everyone: with the default
    22:00-09:00 a run in the evening would move every message to the morning and measure
    nothing."""
    for start in range(0, len(user_ids), INSERT_CHUNK):
        chunk = user_ids[start : start + INSERT_CHUNK]
        await connection.execute(
            insert(User),
            [
                {
                    "id": uid,
                    "locale": "ru",
                    "consent_at": now,
                    "consent_version": "bench",
                    "created_at": now,
                    "last_seen_at": now,
                }
                for uid in chunk
            ],
        )
        await connection.execute(
            insert(NotificationSettings),
            [{"user_id": uid, "muted": [], "quiet_start": 0, "quiet_end": 0} for uid in chunk],
        )


async def seed(url: str, user_ids: list[int], now: datetime) -> None:
    """People, their settings and one due reminder each, in bulk (the bench times sending)."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        await insert_people(connection, user_ids, now)
        for start in range(0, len(user_ids), INSERT_CHUNK):
            chunk = user_ids[start : start + INSERT_CHUNK]
            await connection.execute(
                insert(Reminder),
                [
                    {
                        "key": f"bench:{uid}",
                        "user_id": uid,
                        "kind": "test",
                        "due_at": now - timedelta(seconds=1),
                        "payload": {"text": f"⏰ Напоминание №{uid}"},
                        "status": ReminderStatus.PENDING,
                        "attempts": 0,
                        "created_at": now,
                    }
                    for uid in chunk
                ],
            )
    await engine.dispose()


async def count_statuses(url: str) -> dict[str, int]:
    engine = create_engine(url)
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(Reminder.status, func.count()).group_by(Reminder.status)
        )
        result = {str(status): int(count) for status, count in rows}
    await engine.dispose()
    return result


async def run(args: argparse.Namespace, url: str, data_dir: Path) -> int:
    user_ids = list(range(FIRST_USER_ID, FIRST_USER_ID + args.count))
    await seed(url, user_ids, datetime.now(UTC))

    emulator = BotApiEmulator(token=BOT_TOKEN, rate_limits=True)
    for uid in user_ids:
        emulator.add_user(uid, f"Кандидат {uid}")
        emulator.user_sends_text(uid, "/start")  # the chat exists once the person wrote
    async with FakeTelegramServer(emulator) as server:
        settings = load_settings(
            bot_token=BOT_TOKEN,
            data_key=Fernet.generate_key().decode(),
            data_dir=data_dir,
            database_url=url,
            bot_api_url=server.base_url,
            scheduler=False,
        )
        app = build_app(settings)
        bot = build_bot(settings)
        try:
            if args.shared_sender:
                shared = RateLimitedSender(bot, per_second=args.per_second)
                senders = [shared] * len(INSTANCES)
            else:
                share = args.per_second / len(INSTANCES)
                senders = [RateLimitedSender(bot, per_second=share) for _ in INSTANCES]
            dispatchers = []
            for instance, sender in zip(INSTANCES, senders, strict=True):
                dispatcher, _planner = app.reminder_jobs(bot, instance=instance, sender=sender)
                dispatcher._batch = args.batch  # reminder_jobs has no parameter for it
                dispatchers.append(dispatcher)

            print(
                f"{args.count} due reminders, dispatchers {', '.join(INSTANCES)}, "
                f"{'one shared sender' if args.shared_sender else 'a sender each'} at "
                f"{args.per_second:g}/s in all, {'PostgreSQL' if args.postgres else 'SQLite'}",
                flush=True,
            )
            progress = asyncio.create_task(report_progress(emulator, args.count))
            started = time.perf_counter()
            stats = await asyncio.gather(*(d.drain() for d in dispatchers))
            wall = time.perf_counter() - started
            progress.cancel()
        finally:
            await bot.session.close()
            await app.close()

    per_chat = Counter({uid: len(emulator.bot_messages(uid)) for uid in user_ids})
    delivered = sum(1 for n in per_chat.values() if n > 0)
    duplicated = sum(1 for n in per_chat.values() if n > 1)
    messages = sum(per_chat.values())
    lost = args.count - delivered
    statuses = await count_statuses(url)
    throttled = sum(
        1 for _, envelope, _ in emulator.error_responses if envelope.get("error_code") == 429
    )
    rate = messages / wall if wall > 0 else 0.0
    for instance, stat in zip(INSTANCES, stats, strict=True):
        print(
            f"dispatcher {instance}: sent={stat.sent} dropped={stat.dropped} "
            f"rescheduled={stat.rescheduled} failed={stat.failed}"
        )
    print(f"database: {dict(sorted(statuses.items()))}")
    print(f"fake Telegram: {messages} messages in {wall:.1f} s, {throttled} answered 429")
    print(
        f"RESULT due={args.count} sent={statuses.get(ReminderStatus.SENT.value, 0)} "
        f"lost={lost} duplicated={duplicated} rate_per_s={rate:.1f}",
        flush=True,
    )
    return 1 if lost or duplicated else 0


async def report_progress(emulator: BotApiEmulator, total: int) -> None:
    started = time.perf_counter()
    while True:
        await asyncio.sleep(30)
        done = sum(1 for action in emulator.actions if action.kind == "message")
        elapsed = time.perf_counter() - started
        print(f"  {elapsed:4.0f} s: {done}/{total} sent ({done / elapsed:.1f}/s)", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for name in FOREIGN_SETTINGS:
        os.environ.pop(name, None)
    # The dispatcher logs every failure; the bench's own lines are the report.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory(prefix="shtab-bench-") as tmp:
        data_dir = Path(tmp)
        if args.postgres:
            url = POSTGRES_URL
            asyncio.run(reset_postgres(url))
        else:
            url = f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}"
        upgrade(url)  # synchronous: before the event loop, as at the bot's start-up
        return asyncio.run(run(args, url, data_dir))


if __name__ == "__main__":
    sys.exit(main())
