"""The webhook endpoint and the health endpoint.

An update is acknowledged (HTTP 200) only after the dispatcher handled it, and its unit of
work committed the dialog step together with the update's id (`processed_updates`). When the
process dies or the database fails mid-update, Telegram gets no 200 and delivers the update
again — to this instance or another — and the id makes the second delivery a no-op if the
first one got as far as its commit. aiogram's own handler is not used: after 55 seconds it
answers 200 and finishes the update in the background, where a crash would lose it.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError
from sqlalchemy import text

if TYPE_CHECKING:
    from bot.app import Shtab

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
HEALTH_TIMEOUT = 3.0
MAX_UPDATE_BYTES = 1024 * 1024  # Telegram's updates are a few KB; this is no upload endpoint


class DurableWebhook:
    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret: str) -> None:
        self._dispatcher = dispatcher
        self._bot = bot
        self._secret = secret.encode()

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):  # constant time: no timing oracle
            return web.Response(status=401, text="Unauthorized")
        if (request.content_length or 0) > MAX_UPDATE_BYTES:
            return web.Response(status=413)
        try:
            raw = json.loads(await request.read())
        except ValueError:
            return web.Response(status=400, text="expected a JSON update")
        if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
            return web.Response(status=400, text="expected a JSON update")
        try:
            update = Update.model_validate(raw, context={"bot": self._bot})
        except ValidationError as error:
            # It would fail the same way every time: acknowledge it, or Telegram retries forever.
            log.warning("update %s does not parse (%d errors), dropped", raw["update_id"],
                      error.error_count())  # fmt: skip
            return web.json_response({})
        try:
            result = await self._dispatcher.feed_update(self._bot, update)
            if isinstance(result, TelegramMethod):
                await self._bot(result)
        except Exception:
            # Not acknowledged: Telegram delivers it again, and it is handled then, once.
            log.exception("update %s not handled, left for redelivery", update.update_id)
            return web.Response(status=500)
        return web.json_response({})


async def health(app: Shtab) -> tuple[bool, dict[str, str]]:
    """Whether this instance can reach its database and (when configured) Redis."""
    report: dict[str, str] = {}

    async def database() -> None:
        async with app.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def redis() -> None:
        await app.redis.ping()

    checks: dict[str, Any] = {"database": database}
    if app.redis is not None:
        checks["redis"] = redis
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check(), HEALTH_TIMEOUT)
            report[name] = "ok"
        except Exception as error:  # any failure is "unreachable"; its type says enough
            report[name] = f"unreachable ({type(error).__name__})"
    if app.redis is None:
        report["redis"] = "not configured"
    healthy = all(value in ("ok", "not configured") for value in report.values())
    return healthy, report


def add_health_route(web_app: web.Application, app: Shtab) -> None:
    async def handle(_: web.Request) -> web.Response:
        healthy, report = await health(app)
        body = {"status": "ok" if healthy else "unavailable", **report}
        return web.json_response(body, status=200 if healthy else 503)

    web_app.router.add_get(HEALTH_PATH, handle)
