"""The outer middleware every update passes: handled once, by a known actor, in their language.

The update's unit of work is opened earlier, where the update enters the dispatcher
(`bot.app.ShtabDispatcher`), so aiogram's own FSM middleware reads the dialog state in the same
transaction. aiogram's outer middlewares (errors, user context, FSM with event isolation) run
before this one."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User
from sqlalchemy.exc import IntegrityError

from bot.config import Settings
from bot.db.uow import UnitOfWork
from bot.i18n import Catalog
from bot.logging_setup import handler_var, role_var
from bot.services.crypto import FieldCipher
from bot.services.roles import Actor, ActorQuery, resolve_actor

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def role_of(actor: Actor) -> str:
    """The one word the logs say about who acted: never who they are."""
    if actor.is_admin:
        return "admin"
    if actor.is_staff:
        return "coordinator"
    if actor.candidate_status is not None:
        return f"candidate-{actor.candidate_status.value}"
    return "consented" if actor.consented else "stranger"


class HandlerNameMiddleware(BaseMiddleware):
    """Names the chosen handler for the logs (module.function)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chosen = data.get("handler")
        callback = getattr(chosen, "callback", None)
        if callback is not None:
            module = getattr(callback, "__module__", "").rsplit(".", 1)[-1]
            handler_var.set(f"{module}.{getattr(callback, '__name__', '?')}")
        return await handler(event, data)


class InaccessibleMessageGuard(BaseMiddleware):
    """A tap on a button whose message Telegram no longer gives the bot (older than 48 hours,
    or deleted) carries no message to edit or answer under: the handlers all need one, so the
    tap is answered here, in the user's language, and goes no further (found by the fuzz test:
    every such tap ended in an apology)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, CallbackQuery) and not isinstance(event.message, Message):
            translate = data.get("t")
            if translate is not None:
                await event.answer(translate("error-old-message"), show_alert=True)
            return None
        return await handler(event, data)


class ContextMiddleware(BaseMiddleware):
    """Opens the unit of work, resolves the actor and their language, and keeps a failing
    handler from costing the user anything: its writes roll back, the earlier ones stay, and
    the user gets an apology in their language with the way back."""

    def __init__(self, settings: Settings, catalog: Catalog, cipher: FieldCipher) -> None:
        self._settings = settings
        self._catalog = catalog
        self._cipher = cipher

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        uow: UnitOfWork = data["uow"]  # opened by ShtabDispatcher.feed_update
        user: User | None = data.get("event_from_user")
        bot: Bot = data["bot"]
        locale = self._settings.default_locale
        try:
            # A second delivery of this update fails at its first commit, which comes before
            # anything is sent: it rolls back and says nothing.
            uow.record_update(bot.id, event.update_id)
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
                role_var.set(role_of(actor))
            data.update(
                t=self._catalog.translator(locale),
                cipher=self._cipher,
                settings=self._settings,
                catalog=self._catalog,
            )
            result = await handler(event, data)
            # Committed here, while aiogram's event isolation still holds this user's lock
            # (ShtabDispatcher closes the unit of work only after it is released): the
            # user's next update must find everything this one wrote, its dialog state
            # included. Seen as a StaleDataError on fsm_records when a command followed
            # the end of a dialog quickly.
            await uow.commit()
            return result
        except IntegrityError:
            await uow.rollback()
            if not await uow.updates.seen(bot.id, event.update_id):
                raise  # a real constraint violation, not a redelivered update
            uow.drop_update_record()
            log.info("update %s already handled, skipped", event.update_id)
            return None
        except Exception:
            log.exception("update %s failed", event.update_id)
            await uow.rollback()
            # Marked handled all the same: a redelivery would fail the same way.
            uow.record_update(bot.id, event.update_id)
            await self._apologise(bot, event, locale)
            return None

    async def _apologise(self, bot: Bot, update: Update, locale: str) -> None:
        text = self._catalog.text(locale, "error-internal")
        try:
            if isinstance(update.callback_query, CallbackQuery):
                # Not answered here: the handler may have answered it before failing, and a
                # second answer is an error. The message below is what the user needs.
                message = update.callback_query.message
                chat_id = message.chat.id if message else update.callback_query.from_user.id
            elif isinstance(update.message, Message):
                chat_id = update.message.chat.id
            else:
                return
            await bot.send_message(chat_id, text)
        except Exception:  # the apology must never raise over the original error
            log.exception("could not apologise for update %s", update.update_id)
