"""The baseline for bench/registration.py: the least work a database-backed aiogram bot can do.

For every text message it inserts one row (the update id) into SQLite and answers with one
message. It runs exactly like Shtab does (own process, long polling, aiohttp session, the same
SQLAlchemy async + aiosqlite stack and the same SQLite pragmas), so the ratio of the two bots'
throughput shows what Shtab's dialog costs on top of the unavoidable per-update work.

Environment: BOT_TOKEN, BOT_API_URL (the fake Telegram), BASELINE_DB (a SQLite file path),
BASELINE_POOL: "single" (default, one connection) or "pooled" (SQLAlchemy's default pool),
BASELINE_TUNED: "1" to apply Shtab's process settings (bot.app.settle_heap, and at most
UPDATES_IN_FLIGHT updates in flight), so that only the bots' own work is compared.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message, Update
from sqlalchemy import Column, Integer, MetaData, Table, event, insert
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

metadata = MetaData()
seen = Table("seen_updates", metadata, Column("update_id", Integer, primary_key=True))


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Shtab's own pragmas (bot/db/engine.py): otherwise the baseline would measure a
    # different fsync policy rather than a lighter bot.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def build_engine(path: str, *, single_connection: bool) -> AsyncEngine:
    # One connection means one writer at a time, queued in the event loop; several pooled
    # connections (SQLAlchemy's default, and Shtab's) contend for SQLite's write lock and
    # back off in its busy handler, which makes throughput swing from run to run.
    options: dict[str, Any] = {"pool_size": 1, "max_overflow": 0} if single_connection else {}
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}", **options)
    event.listen(engine.sync_engine, "connect", _pragmas)
    return engine


def build_dispatcher(engine: AsyncEngine) -> Dispatcher:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def on_message(message: Message, event_update: Update) -> None:
        # One write transaction per update: the floor any bot that records its updates pays.
        async with engine.begin() as connection:
            await connection.execute(insert(seen).values(update_id=event_update.update_id))
        await message.answer(f"принято #{event_update.update_id}")

    return dispatcher


async def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    single = os.environ.get("BASELINE_POOL", "single") == "single"
    engine = build_engine(os.environ["BASELINE_DB"], single_connection=single)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["BOT_API_URL"]))
    bot = Bot(
        os.environ["BOT_TOKEN"],
        session=session,
        default=DefaultBotProperties(parse_mode="HTML"),  # as Shtab sends
    )
    dispatcher = build_dispatcher(engine)
    polling: dict[str, Any] = {}
    if os.environ.get("BASELINE_TUNED") == "1":
        from bot.app import UPDATES_IN_FLIGHT, settle_heap

        settle_heap()
        polling["tasks_concurrency_limit"] = UPDATES_IN_FLIGHT
    try:
        await dispatcher.start_polling(bot, allowed_updates=["message"], **polling)
    finally:
        await bot.session.close()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
