"""Outer middlewares: each update is handled once, inside one unit of work, by a known actor.

Order (registered in app.py): dedupe, then context. aiogram's own outer middlewares (errors,
user context, FSM with event isolation) run before them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User

from bot.config import Settings
from bot.db.repositories.updates import ProcessedUpdates
from bot.db.uow import UnitOfWorkFactory
from bot.i18n import Catalog
from bot.services.crypto import FieldCipher
from bot.services.roles import ActorQuery, resolve_actor

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DedupeUpdatesMiddleware(BaseMiddleware):
    """Telegram (or a webhook retry) may deliver an update twice: the second is dropped."""

    def __init__(self, processed: ProcessedUpdates) -> None:
        self._processed = processed

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        bot: Bot = data["bot"]
        if not await self._processed.claim(bot.id, event.update_id):
            log.info("update %s already handled, skipped", event.update_id)
            return None
        return await handler(event, data)


class ContextMiddleware(BaseMiddleware):
    """Opens the unit of work, resolves the actor and their language, and keeps a failing
    handler from costing the user anything: its writes roll back, the earlier ones stay, and
    the user gets an apology in their language with the way back."""

    def __init__(
        self,
        settings: Settings,
        uow_factory: UnitOfWorkFactory,
        catalog: Catalog,
        cipher: FieldCipher,
    ) -> None:
        self._settings = settings
        self._uow_factory = uow_factory
        self._catalog = catalog
        self._cipher = cipher

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        user: User | None = data.get("event_from_user")
        locale = self._settings.default_locale
        try:
            async with self._uow_factory() as uow:
                if user is not None:
                    actor = await resolve_actor(
                        uow,
                        ActorQuery(
                            user.id,
                            user.language_code,
                            self._settings.admin_ids,
                            self._settings.default_locale,
                        ),
                    )
                    locale = actor.locale
                    data["actor"] = actor
                data.update(
                    uow=uow,
                    t=self._catalog.translator(locale),
                    cipher=self._cipher,
                    settings=self._settings,
                    catalog=self._catalog,
                )
                return await handler(event, data)
        except Exception:
            log.exception("update %s failed", event.update_id)
            await self._apologise(data["bot"], event, locale)
            return None

    async def _apologise(self, bot: Bot, update: Update, locale: str) -> None:
        text = self._catalog.text(locale, "error-internal")
        try:
            if isinstance(update.callback_query, CallbackQuery):
                await update.callback_query.answer()
                message = update.callback_query.message
                chat_id = message.chat.id if message else update.callback_query.from_user.id
            elif isinstance(update.message, Message):
                chat_id = update.message.chat.id
            else:
                return
            await bot.send_message(chat_id, text)
        except Exception:  # the apology must never raise over the original error
            log.exception("could not apologise for update %s", update.update_id)
