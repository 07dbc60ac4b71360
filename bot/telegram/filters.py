"""Role filters. An admin command that a non-admin types falls through to the unknown-command
answer: the bot does not reveal that the command exists."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import Message, TelegramObject

from bot.services.roles import Actor


class IsAdmin(Filter):
    async def __call__(self, event: TelegramObject, actor: Actor | None = None) -> bool:
        return actor is not None and actor.is_admin


class IsStaff(Filter):
    async def __call__(self, event: TelegramObject, actor: Actor | None = None) -> bool:
        return actor is not None and actor.is_staff


class NotConsented(Filter):
    async def __call__(self, event: TelegramObject, actor: Actor | None = None) -> bool:
        return actor is None or not actor.consented


class IsCommand(Filter):
    """A message that starts with "/" (known commands are matched before this is asked)."""

    async def __call__(self, message: Message) -> bool:
        return bool(message.text and message.text.startswith("/"))
