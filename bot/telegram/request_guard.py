"""Every request the bot makes passes here: Telegram's limits are kept before sending, and
429/5xx/network failures are ridden out instead of losing a message.

- A text over 4096 characters (after HTML parsing) is never sent: it is split into several
  messages at line breaks, the keyboard going with the last one.
- 429 waits `retry_after`; 5xx and network errors retry with backoff. getUpdates is retried
  only on 429: aiogram's polling loop has its own backoff for the rest.
- Answering a callback query too late (Telegram allows about 15 s: a queue of updates under
  load, or a redelivery after a crash) only fails to stop the button's spinner; it must not
  fail the update, whose real answer is the message that follows. It is logged and skipped.
- Before anything leaves for Telegram, the update's unit of work is committed: polling
  confirms an update as soon as it is taken, so a crash must never leave the user looking at
  "step 3" while the database still says "step 2". (It also frees SQLite's write lock for
  the length of the network call.) A button's answer is the exception: before any change it
  shows nothing stored and goes at once, inside the transaction; after a change it waits for
  the update's next commit (before its next message, or at its end) and goes right after
  it, so that an update stays one transaction whatever order its handler answers in.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiogram.client.default import Default
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    GetUpdates,
    Response,
    SendMessage,
)

from bot.db.uow import current_uow
from bot.telegram.session import response_model

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.client.session.middlewares.base import NextRequestMiddlewareType
    from aiogram.methods import TelegramMethod
    from aiogram.methods.base import TelegramType

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
MAX_RETRY_AFTER = 120
_TAG = re.compile(r"<[^>]+>")

Sleeper = Callable[[float], Awaitable[None]]


def visible_length(text: str, parse_mode: str | None) -> int:
    """What Telegram counts: the text after entity parsing."""
    if parse_mode and parse_mode.upper() == "HTML":
        return len(html.unescape(_TAG.sub("", text)))
    return len(text)


def split_plain(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split at line breaks (or spaces, or anywhere as a last resort) into parts <= limit."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut])
        rest = rest[cut:].lstrip("\n ")
    if rest:
        parts.append(rest)
    return parts


def _promises_nothing(answer: AnswerCallbackQuery) -> bool:
    """A bare answer only stops the button's spinner: still worth sending if the update
    fails after it. A toast, an alert or a link speaks of what the handler did."""
    return not (answer.text or answer.show_alert or answer.url)


class RequestGuard(BaseRequestMiddleware):
    def __init__(self, *, retries: int = 3, sleep: Sleeper = asyncio.sleep) -> None:
        self._retries = retries
        self._sleep = sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        response_model(method)  # built once and kept, whichever session parses the answer
        uow = current_uow.get()
        if isinstance(method, AnswerCallbackQuery):
            answer = method
            if uow is not None and await uow.holds_writes():
                uow.after_commit(
                    lambda: self._answer_late(make_request, bot, answer),
                    after_rollback_too=_promises_nothing(answer),
                )
                return True  # type: ignore[return-value]
            return await self._answer(make_request, bot, answer)
        if uow is not None and not isinstance(method, GetUpdates):
            await uow.commit()
        if isinstance(method, SendMessage | EditMessageText):
            parse_mode = method.parse_mode
            if isinstance(parse_mode, Default):
                parse_mode = bot.default.parse_mode
            mode = str(parse_mode or "")
            if visible_length(method.text, mode) > MESSAGE_LIMIT:
                return await self._send_split(make_request, bot, method, mode)
        return await self._with_retries(make_request, bot, method)

    async def _answer(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: AnswerCallbackQuery,
    ) -> Response[Any]:
        try:
            return await self._with_retries(make_request, bot, method)
        except TelegramBadRequest as error:
            if "query is too old" not in error.message:
                raise
            log.info("callback query answered too late, skipped")
            # The chain passes results, not envelopes: what Telegram's "ok" would carry.
            return True  # type: ignore[return-value]

    async def _answer_late(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: AnswerCallbackQuery,
    ) -> None:
        """An answer held for the commit: what it confirms is stored now, and a failure to
        stop a spinner must not fail the update (or the message waiting behind it)."""
        try:
            await self._answer(make_request, bot, method)
        except Exception:
            log.warning("callback query answer after the commit failed", exc_info=True)

    async def _with_retries(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        attempt = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                attempt += 1
                if attempt > self._retries or error.retry_after > MAX_RETRY_AFTER:
                    raise
                log.warning("%s: 429, waiting %s s", type(method).__name__, error.retry_after)
                await self._sleep(error.retry_after)
            except (TelegramServerError, TelegramNetworkError) as error:
                attempt += 1
                if isinstance(method, GetUpdates) or attempt > self._retries:
                    raise
                delay = 0.5 * 2 ** (attempt - 1)
                log.warning("%s failed (%s), retry in %.1f s", type(method).__name__, error, delay)
                await self._sleep(delay)

    async def _send_split(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: SendMessage | EditMessageText,
        parse_mode: str,
    ) -> Response[Any]:
        # Markup cannot be split safely, so the parts go as plain text: readable, never lost.
        plain = (
            html.unescape(_TAG.sub("", method.text))
            if parse_mode.upper() == "HTML"
            else (method.text)
        )
        log.error("message of %d characters split to keep Telegram's limit", len(plain))
        parts = split_plain(plain)
        response: Response[Any] | None = None
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if isinstance(method, EditMessageText) and index == 0:
                piece: TelegramMethod[Any] = method.model_copy(
                    update={
                        "text": part,
                        "parse_mode": None,
                        "reply_markup": method.reply_markup if last else None,
                    }
                )
            else:
                chat_id = method.chat_id
                piece = SendMessage(
                    chat_id=chat_id,  # type: ignore[arg-type]
                    text=part,
                    parse_mode=None,
                    reply_markup=method.reply_markup if last else None,
                )
            response = await self._with_retries(make_request, bot, piece)
        assert response is not None
        return response
