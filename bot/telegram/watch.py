"""Watches staff and candidates reading personal data (see `bot.services.anomalies`):
refuses reads over a limit, and tells the admins once per hour."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update

from bot.config import Settings
from bot.db.uow import UnitOfWork
from bot.i18n import Catalog, Translator
from bot.services import anomalies
from bot.services.roles import Actor

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class WatchMiddleware(BaseMiddleware):
    def __init__(self, settings: Settings, catalog: Catalog) -> None:
        self._settings = settings
        self._catalog = catalog

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        actor: Actor | None = data.get("actor")
        if actor is None or not isinstance(event, Update):
            return await handler(event, data)
        # Someone without a role (a stranger, or a candidate still registering) reads nobody's
        # data but their own: no audit counting for them (it was 4 queries a button).
        if not actor.roles:
            return await handler(event, data)
        # Staff read other people's data with every update; a candidate pages through their
        # district's supporters and exports residents' notes with commands and buttons only
        # (their plain messages are dialog answers: not counted, and not slowed down).
        if not actor.is_staff and not _reads(event):
            return await handler(event, data)
        uow: UnitOfWork = data["uow"]
        t: Translator = data["t"]
        result = None
        before = await anomalies.counts(uow, actor.user_id)
        if anomalies.over(before) is not None and _reads(event):
            await _slow_down(event, data["bot"], t)
        else:
            result = await handler(event, data)
        alert = await anomalies.check(uow, actor.user_id, before)
        if alert is not None:
            await self._report(data["bot"], alert)
        return result

    async def _report(self, bot: Bot, alert: anomalies.Alert) -> None:
        text = self._catalog.text(
            self._settings.default_locale,
            "anomaly-alert",
            actor=str(alert.actor_id),
            count=alert.count,
            minutes=alert.window_minutes,
            rule=alert.rule,
        )
        for admin_id in sorted(self._settings.admin_ids - {alert.actor_id}):
            with contextlib.suppress(TelegramAPIError):
                await bot.send_message(admin_id, text)


def _reads(update: Update) -> bool:
    """Commands and buttons may read data; a plain message in a dialog (a PIN, an answer)
    goes through, so a blocked coordinator can still finish what they typed."""
    if update.callback_query is not None:
        return True
    text = update.message.text if update.message else None
    return bool(text and text.startswith("/"))


async def _slow_down(update: Update, bot: Bot, t: Translator) -> None:
    with contextlib.suppress(TelegramAPIError):
        if update.callback_query is not None:
            await bot.answer_callback_query(
                update.callback_query.id, t("anomaly-slow-down"), show_alert=True
            )
        elif update.message is not None:
            await bot.send_message(update.message.chat.id, t("anomaly-slow-down"))
