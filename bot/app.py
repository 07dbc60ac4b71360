"""Builds the bot once: database, storage, dispatcher with its middlewares and routers, and the
ways to run it (long polling, webhook, local console)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import signal
import socket
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError
from aiogram.webhook.aiohttp_server import setup_application
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
from bot.logging_setup import handler_var, role_var, update_id_var
from bot.quests.loader import Quest, load_quest
from bot.services.clock import utcnow
from bot.services.crypto import DecryptionError, FieldCipher
from bot.services.geography import ensure_demo_data
from bot.services.keyring import Keyring, KeysUnavailable
from bot.telegram.commands import set_public_commands, set_staff_commands
from bot.telegram.middlewares import (
    ContextMiddleware,
    HandlerNameMiddleware,
    InaccessibleMessageGuard,
)
from bot.telegram.request_guard import RequestGuard
from bot.telegram.routing import gate_observers, inline_sync_filters
from bot.telegram.session import JsonBotSession
from bot.telegram.watch import WatchMiddleware
from bot.telegram.webhook import MAX_UPDATE_BYTES, DurableWebhook, add_health_route

log = logging.getLogger("bot")
REDIS_LOCK_SECONDS = 10
REDIS_CONNECTIONS = 200  # per instance
REDIS_POOL_WAIT = 30.0  # seconds an update may wait for a Redis connection
REDIS_COMMAND_TIMEOUT = 10.0


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
    redis: Any = None  # the shared Redis client when REDIS_URL is set (health checks)

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


# Updates handled at once when polling: as many as Telegram would push to a webhook at once
# at most (setWebhook's max_connections). More only wait for the database's write lock or
# pool, holding memory; and while they are in flight the next updates wait at Telegram and
# arrive in batches of up to 100, one getUpdates call each instead of one per update. Not
# fewer: one person's updates are handled one after another, so their burst (20 canvass
# notes queued offline arrive at once) holds that many places while it waits; with a small
# limit such a burst of slow requests would hold up everyone else.
UPDATES_IN_FLIGHT = 100


class ShtabDispatcher(Dispatcher):
    """Every update is handled inside one unit of work, opened where it enters."""

    def __init__(
        self, *, uow_factory: UnitOfWorkFactory, keyring: Keyring | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._uow_factory = uow_factory
        self._keyring = keyring
        # Updates being handled now, and the most there were at once since start.
        self.in_flight = 0
        self.peak_in_flight = 0
        self.idle = asyncio.Event()  # set while no update is being handled
        self.idle.set()

    async def start_polling(self, *bots: Bot, **kwargs: Any) -> None:
        kwargs.setdefault("tasks_concurrency_limit", UPDATES_IN_FLIGHT)
        await super().start_polling(*bots, **kwargs)

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        if self._keyring is not None:
            await self._keyring.ensure_loaded()  # normally done at start-up already
        try:
            update.event_type  # noqa: B018 - raises for a type this aiogram does not know
        except UpdateTypeLookupError:
            # aiogram would warn with the whole update, names included: say only that.
            log.info("update %s of an unknown type skipped", update.update_id)
            return UNHANDLED
        # The log context of this update (bot.logging_setup); each update is its own task.
        update_token = update_id_var.set(update.update_id)
        role_token, handler_token = role_var.set(None), handler_var.set(None)
        started = time.perf_counter()
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        self.idle.clear()
        try:
            async with self._uow_factory() as uow:
                result = await super().feed_update(bot, update, uow=uow, **kwargs)
            log.debug("update handled in %.1f ms", (time.perf_counter() - started) * 1000)
            return result
        except IntegrityError:
            # The final commit lost a race with another delivery of the same update.
            log.warning("update %s: concurrent duplicate dropped", update.update_id)
            return None
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                self.idle.set()
            update_id_var.reset(update_token)
            role_var.reset(role_token)
            handler_var.reset(handler_token)


def _storage(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], cipher: FieldCipher
) -> tuple[BaseStorage, BaseEventIsolation, list[Any], Any]:
    if not settings.redis_url:
        return SqlStorage(session_factory, cipher), SimpleEventIsolation(), [], None
    from aiogram.fsm.storage.redis import RedisStorage
    from redis.asyncio import BlockingConnectionPool, Redis

    from bot.telegram.locks import RenewedRedisIsolation

    # Waits for a free connection instead of failing the update when all are busy (redis-py's
    # default pool raises at 100 connections in use: seen under 1,000 people at once).
    redis = Redis(
        connection_pool=BlockingConnectionPool.from_url(
            settings.redis_url,
            max_connections=REDIS_CONNECTIONS,
            timeout=REDIS_POOL_WAIT,
            # A command Redis never answers fails after this long instead of hanging forever.
            socket_timeout=REDIS_COMMAND_TIMEOUT,
            socket_connect_timeout=REDIS_COMMAND_TIMEOUT,
        )
    )
    storage = RedisStorage(
        redis,
        key_builder=DefaultKeyBuilder(with_destiny=True),
        # Dialog data is personal data: encrypted in Redis as in SQL.
        json_dumps=lambda value: cipher.encrypt(json.dumps(value, ensure_ascii=False)) or "",
        json_loads=lambda value: json.loads(cipher.decrypt(_text(value)) or "{}"),
    )
    # A crashed instance leaves its per-user lock behind; it expires after this long, so the
    # user waits seconds, not aiogram's default minute. A live update keeps renewing it.
    isolation = RenewedRedisIsolation(
        redis, DefaultKeyBuilder(with_destiny=True), timeout=REDIS_LOCK_SECONDS
    )
    return storage, isolation, [storage.close], redis


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
    storage, isolation, closers, redis = _storage(settings, session_factory, cipher)
    dispatcher = ShtabDispatcher(
        uow_factory=uow_factory, keyring=keyring, storage=storage, events_isolation=isolation
    )
    dispatcher["keyring"] = keyring
    dispatcher.update.outer_middleware(ContextMiddleware(settings, catalog, cipher))
    dispatcher.update.outer_middleware(WatchMiddleware(settings, catalog))
    dispatcher.callback_query.outer_middleware(InaccessibleMessageGuard())
    handler_names = HandlerNameMiddleware()
    for name, observer in dispatcher.observers.items():
        if name not in ("update", "error"):
            observer.middleware(handler_names)  # inner: runs once the handler is chosen
    # A broken quest file stops start-up here with every error (QuestError).
    dispatcher["quest_holder"] = QuestHolder(quest or load_quest())
    dispatcher.include_router(build_router())
    gate_observers(dispatcher)
    inline_sync_filters(dispatcher)
    app = Shtab(settings, engine, session_factory, uow_factory, cipher, catalog, dispatcher)
    app.keyring = keyring
    app.closers.extend(closers)
    app.redis = redis

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
        # Instances started together would seed twice: one seeds, the others then see it.
        await uow.operations.wait_exclusively("startup.seed")
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
        session = JsonBotSession(api=TelegramAPIServer.from_base(settings.bot_api_url))
    session.middleware(guard or RequestGuard())
    assert settings.bot_token is not None, "polling and webhook need BOT_TOKEN"
    token = settings.bot_token.get_secret_value()
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode="HTML"))


# The young generation is collected after this many new container objects instead of 700:
# an update allocates a few thousand (pydantic models of the update and of each Bot API
# answer, SQL rows, coroutine frames), so the default collected several times per update.
YOUNG_GC_THRESHOLD = 10_000


def settle_heap() -> None:
    """Hide what start-up built from the garbage collector, once the bot is about to serve.

    Modules, ORM mappers, aiogram's ~300 pydantic types, catalogues and quest data are some
    480,000 objects that live as long as the process. Every full collection walked all of
    them (250 ms with the event loop stopped, every second or two under load: about 0.9 ms
    of CPU per update, a fifth of all). Frozen, they are skipped; only what updates
    allocate is collected, and the young generation less often (bench/README.md)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GC_THRESHOLD, 20, 50)


async def run_polling(settings: Settings) -> None:
    app = build_app(settings)
    bot = build_bot(settings)
    health_runner = await _serve_health(app) if settings.health_port else None
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        settle_heap()
        await app.dispatcher.start_polling(
            bot, allowed_updates=app.dispatcher.resolve_used_update_types()
        )
    finally:
        if health_runner is not None:
            await health_runner.cleanup()
        await bot.session.close()
        await app.close()


async def _serve_health(app: Shtab) -> web.AppRunner:
    """/healthz alone, for polling mode (webhook mode serves it next to the webhook)."""
    web_app = web.Application()
    add_health_route(web_app, app)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, app.settings.webhook_host, app.settings.health_port).start()
    return runner


WEBHOOK_PATH = "/webhook"


def build_webhook_app(app: Shtab, bot: Bot) -> web.Application:
    """The aiohttp application that receives Telegram's webhook calls, and /healthz."""
    settings = app.settings
    if settings.webhook_secret is None:
        # Without it anyone who finds the URL can forge updates from any user.
        raise ConfigError("WEBHOOK_SECRET: required for `python -m bot webhook`")
    secret = settings.webhook_secret.get_secret_value()
    web_app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    # Telegram gets its 200 only after the update was handled and committed (see
    # bot.telegram.webhook), so a crash mid-update makes Telegram deliver it again.
    webhook = DurableWebhook(app.dispatcher, bot, secret)
    web_app.router.add_post(WEBHOOK_PATH, webhook.handle)
    add_health_route(web_app, app)
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


def _dump_tasks() -> None:
    """SIGUSR1: log where every task of this instance is waiting (a stuck update, say)."""
    import io

    for task in asyncio.all_tasks():
        stack = io.StringIO()
        task.print_stack(limit=12, file=stack)
        log.warning("task %s:\n%s", task.get_name(), stack.getvalue())


async def run_webhook(settings: Settings) -> None:
    if not settings.webhook_url:
        raise ConfigError("WEBHOOK_URL: required for `python -m bot webhook`")
    app = build_app(settings)
    bot = build_bot(settings)
    with contextlib.suppress(NotImplementedError):  # no signals on Windows
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, _dump_tasks)
    runner = web.AppRunner(build_webhook_app(app, bot), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
    log.info("webhook listening on %s:%s", settings.webhook_host, settings.webhook_port)
    settle_heap()
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
