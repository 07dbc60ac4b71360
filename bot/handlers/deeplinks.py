"""Deep links arrive as `/start <payload>` and are routed here, in one place.

Each part of the bot that hands out links registers its kind with `@deep_link("kind")`;
the handler gets the parsed link and the usual handler arguments and returns True when it
took care of the start. Unknown kinds and malformed payloads fall back to the plain /start.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.db.uow import UnitOfWork
from bot.i18n import Translator
from bot.services.deeplinks import DeepLink
from bot.services.roles import Actor

DeepLinkHandler = Callable[..., Awaitable[bool]]
_handlers: dict[str, DeepLinkHandler] = {}


def deep_link(kind: str) -> Callable[[DeepLinkHandler], DeepLinkHandler]:
    def register(handler: DeepLinkHandler) -> DeepLinkHandler:
        if kind in _handlers:
            raise ValueError(f"deep link kind {kind!r} registered twice")
        _handlers[kind] = handler
        return handler

    return register


async def dispatch(link: DeepLink, message: Message, **context: Any) -> bool:
    handler = _handlers.get(link.kind)
    return bool(handler and await handler(link, message, **context))


def registered_kinds() -> frozenset[str]:
    return frozenset(_handlers)


@deep_link("org")
async def organisation_invite(
    link: DeepLink,
    message: Message,
    *,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
    **_: Any,
) -> bool:
    """A member organisation's invitation: its candidates skip the organisation question."""
    organisation = await uow.geography.organisation_by_code(link.argument)
    if organisation is None or actor.is_registered_candidate:
        return False
    # Only the organisation's code is kept, in the dialog state: nothing about the person.
    await state.update_data(invited_org=organisation.code)
    name = organisation.name_en if t.locale == "en" and organisation.name_en else organisation.name
    await message.answer(t("invite-organisation", name=name))
    return False  # the ordinary start goes on: greeting and consent
