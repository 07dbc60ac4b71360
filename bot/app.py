"""Builds the bot once: database, storage, dispatcher with its middlewares and routers, and the
ways to run it (long polling, webhook, local console)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from pydantic import SecretStr
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import ConfigError, Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.fsm_storage import SqlStorage
from bot.db.uow import UnitOfWorkFactory
from bot.handlers import build_router
from bot.handlers.quest import QuestHolder
from bot.i18n import Catalog
from bot.quests.loader import Quest, load_quest
from bot.services.clock import utcnow
from bot.services.crypto import DecryptionError, FieldCipher
from bot.services.geography import ensure_demo_data
from bot.services.keyring import Keyring, KeysUnavailable
from bot.telegram.commands import set_public_commands, set_staff_commands
from bot.telegram.middlewares import ContextMiddleware
from bot.telegram.request_guard import RequestGuard
from bot.telegram.watch import WatchMiddleware

log = logging.getLogger("bot")
REDIS_LOCK_SECONDS = 10


@dataclass
class Shtab:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    uow_factory: UnitOfWorkFactory
    cipher: FieldCipher
    catalog: Catalog
    dispatcher: Dispatcher
    closers: list[Any] = field(default_factory=list)
    scheduler: Any = None
    keyring: Keyring | None = None

    def reminder_jobs(self, bot: Bot, instance: str = "", sender: Any = None) -> tuple[Any, Any]:
        """The dispatcher and planner of reminders, sending through a rate-limited sender."""
        from bot.telegram.reminders import ReminderDispatcher, ReminderPlanner
        from bot.telegram.sender import RateLimitedSender

        holder = self.dispatcher["quest_holder"]
        dispatcher = ReminderDispatcher(
            uow_factory=self.uow_factory,
            sender=sender or RateLimitedSender(bot, per_second=self.settings.send_rate),
            catalog=self.catalog,
            quest_holder=holder,
            settings=self.settings,
            cipher=self.cipher,
            instance=instance or f"{socket.gethostname()}:{os.getpid()}",
        )
        planner = ReminderPlanner(
            uow_factory=self.uow_factory,
            quest_holder=holder,
            settings=self.settings,
            cipher=self.cipher,
        )
        return dispatcher, planner

    def start_reminders(self, bot: Bot) -> None:
        from bot.telegram.reminders import start_scheduler

        dispatcher, planner = self.reminder_jobs(bot)
        self.scheduler = start_scheduler(dispatcher, planner)
        if self.keyring is not None:
            from bot.telegram.protection_jobs import ProtectionJobs, add_jobs

            add_jobs(self.scheduler, ProtectionJobs(self.uow_factory, self.keyring))

    async def close(self) -> None:
        for closer in self.closers:
            await closer()
        await self.engine.dispose()


class ShtabDispatcher(Dispatcher):
    """Every update is handled inside one unit of work, opened where it enters."""

    def __init__(
        self, *, uow_factory: UnitOfWorkFactory, keyring: Keyring | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._uow_factory = uow_factory
        self._keyring = keyring

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        if self._keyring is not None:
            await self._keyring.ensure_loaded()  # normally done at start-up already
        try:
            async with self._uow_factory() as uow:
                return await super().feed_update(bot, update, uow=uow, **kwargs)
        except IntegrityError:
            # The final commit lost a race with another delivery of the same update.
            log.warning("update %s: concurrent duplicate dropped", update.update_id)
            return None


def _storage(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], cipher: FieldCipher
) -> tuple[BaseStorage, BaseEventIsolation, list[Any]]:
    if not settings.redis_url:
        return SqlStorage(session_factory, cipher), SimpleEventIsolation(), []
    from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
    from redis.asyncio import Redis

    redis = Redis.from_url(settings.redis_url)
    storage = RedisStorage(
        redis,
        key_builder=DefaultKeyBuilder(with_destiny=True),
        # Dialog data is personal data: encrypted in Redis as in SQL.
        json_dumps=lambda value: cipher.encrypt(json.dumps(value, ensure_ascii=False)) or "",
        json_loads=lambda value: json.loads(cipher.decrypt(_text(value)) or "{}"),
    )
    # A crashed instance leaves its per-user lock behind; it expires after this long, so the
    # user waits seconds, not aiogram's default minute. Handlers finish in milliseconds.
    isolation = RedisEventIsolation(
        redis,
        key_builder=DefaultKeyBuilder(with_destiny=True),
        lock_kwargs={"timeout": REDIS_LOCK_SECONDS},
    )
    return storage, isolation, [storage.close]


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def build_app(
    settings: Settings, catalog: Catalog | None = None, quest: Quest | None = None
) -> Shtab:
    engine = create_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    uow_factory = UnitOfWorkFactory(session_factory)
    # DATA_KEY is the master key; `cipher` encrypts under the coalition's data key.
    keyring = Keyring(settings.data_keys, uow_factory)
    cipher = keyring.cipher
    catalog = catalog or Catalog()
    storage, isolation, closers = _storage(settings, session_factory, cipher)
    dispatcher = ShtabDispatcher(
        uow_factory=uow_factory, keyring=keyring, storage=storage, events_isolation=isolation
    )
    dispatcher["keyring"] = keyring
    dispatcher.update.outer_middleware(ContextMiddleware(settings, catalog, cipher))
    dispatcher.update.outer_middleware(WatchMiddleware(settings, catalog))
    # A broken quest file stops start-up here with every error (QuestError).
    dispatcher["quest_holder"] = QuestHolder(quest or load_quest())
    dispatcher.include_router(build_router())
    app = Shtab(settings, engine, session_factory, uow_factory, cipher, catalog, dispatcher)
    app.keyring = keyring
    app.closers.extend(closers)

    async def startup(bot: Bot) -> None:
        await on_startup(app, bot)
        if settings.scheduler:
            app.start_reminders(bot)

    async def shutdown() -> None:
        if app.scheduler is not None:
            app.scheduler.shutdown(wait=False)
            app.scheduler = None

    dispatcher.shutdown.register(shutdown)

    dispatcher.startup.register(startup)
    return app


async def on_startup(app: Shtab, bot: Bot) -> None:
    if app.keyring is not None:
        try:
            await app.keyring.ensure_loaded()
        except DecryptionError:
            raise ConfigError(
                "DATA_KEY: it cannot unwrap the data keys in this database (a wrong key, or the "
                "old key removed before `python -m bot rotate-keys` ran)"
            ) from None
        except KeysUnavailable as error:
            raise ConfigError(f"DATA_KEY: {error}") from None
    async with app.uow_factory() as uow:
        if await ensure_demo_data(uow):
            log.info("loaded the demo election (St. Petersburg, invented districts)")
        await uow.updates.prune(utcnow() - timedelta(days=2))
    await set_public_commands(bot, app.catalog)
    for admin_id in app.settings.admin_ids:
        try:
            await set_staff_commands(bot, app.catalog, admin_id, admin=True)
        except TelegramAPIError as error:
            # An admin who never opened the bot has no chat yet; their menu comes later.
            log.warning("no command menu for admin %s: %s", admin_id, error)
    me = await bot.get_me()
    log.info("Shtab is running as @%s", me.username)


def build_bot(
    settings: Settings, session: BaseSession | None = None, guard: RequestGuard | None = None
) -> Bot:
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.bot_api_url))
    session.middleware(guard or RequestGuard())
    assert settings.bot_token is not None, "polling and webhook need BOT_TOKEN"
    token = settings.bot_token.get_secret_value()
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode="HTML"))


async def run_polling(settings: Settings) -> None:
    app = build_app(settings)
    bot = build_bot(settings)
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        await app.dispatcher.start_polling(
            bot, allowed_updates=app.dispatcher.resolve_used_update_types()
        )
    finally:
        await bot.session.close()
        await app.close()


WEBHOOK_PATH = "/webhook"


def build_webhook_app(app: Shtab, bot: Bot) -> web.Application:
    """The aiohttp application that receives Telegram's webhook calls."""
    settings = app.settings
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    web_app = web.Application()
    # handle_in_background=False: Telegram gets its 200 only after the update was handled,
    # so a crash mid-update makes Telegram deliver it again (and dedupe keeps it single).
    SimpleRequestHandler(
        app.dispatcher, bot, secret_token=secret, handle_in_background=False
    ).register(web_app, path=WEBHOOK_PATH)
    setup_application(web_app, app.dispatcher, bot=bot)

    async def set_hook(_: web.Application) -> None:
        assert settings.webhook_url is not None
        await bot.set_webhook(
            settings.webhook_url.rstrip("/") + WEBHOOK_PATH,
            secret_token=secret,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
        )

    web_app.on_startup.append(set_hook)
    return web_app


async def run_webhook(settings: Settings) -> None:
    if not settings.webhook_url:
        raise ConfigError("WEBHOOK_URL: required for `python -m bot webhook`")
    app = build_app(settings)
    bot = build_bot(settings)
    runner = web.AppRunner(build_webhook_app(app, bot))
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
    log.info("webhook listening on %s:%s", settings.webhook_host, settings.webhook_port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await app.close()


async def run_console(settings: Settings) -> None:
    from bot.telegram.console import CONSOLE_TOKEN
    from bot.telegram.console import run_console as console

    app = build_app(settings)
    console_settings = settings.model_copy(update={"bot_token": SecretStr(CONSOLE_TOKEN)})
    try:
        await console(
            app.dispatcher,
            files_dir=settings.data_dir / "console-files",
            bot_factory=lambda session: build_bot(console_settings, session),
        )
    finally:
        await app.close()
