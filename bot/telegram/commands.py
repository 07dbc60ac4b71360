"""Command menus (setMyCommands) per role and language: everyone sees the public commands;
admins and coordinators also see theirs, in their own chat scope."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat

from bot.i18n import LOCALES, Catalog

PUBLIC = (
    "start",
    "quest",
    "documents",
    "fund",
    "ask",
    "faq",
    "team",
    "materials",
    "resources",
    "canvass",
    "menu",
    "settings",
    "help",
    "language",
    "privacy",
    "forget_me",
    "cancel",
    "supporters",
)
COORDINATOR: tuple[str, ...] = (
    "pending",
    "questions",
    "stats",
    "map",
    "candidates",
    "candidate",
    "broadcast",
    "broadcast_status",
    "export",
    "funds",
    "import_supporters",
    "export_supporters",
    "supporters_review",
    "canvass_flags",
    "import_addresses",
    "pin",
)
ADMIN = (
    "admin",
    "grant_coordinator",
    "revoke_coordinator",
    "reload_quests",
    "election",
    "election_set",
    "audit",
    "pin_reset",
    "wipe",
    "wipe_confirm",
    "wipe_cancel",
)


def _commands(catalog: Catalog, locale: str, names: tuple[str, ...]) -> list[BotCommand]:
    return [
        BotCommand(command=name, description=catalog.text(locale, f"cmd-{name.replace('_', '-')}"))
        for name in names
    ]


async def set_public_commands(bot: Bot, catalog: Catalog) -> None:
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(_commands(catalog, catalog.fallback, PUBLIC), scope=scope)
    for locale in LOCALES:
        await bot.set_my_commands(
            _commands(catalog, locale, PUBLIC), scope=scope, language_code=locale
        )


async def set_staff_commands(
    bot: Bot, catalog: Catalog, user_id: int, *, admin: bool, remove: bool = False
) -> None:
    scope = BotCommandScopeChat(chat_id=user_id)
    names = PUBLIC + COORDINATOR + (ADMIN if admin else ())
    for locale in (None, *LOCALES):
        if remove:
            await bot.delete_my_commands(scope=scope, language_code=locale)
        else:
            await bot.set_my_commands(
                _commands(catalog, locale or catalog.fallback, names),
                scope=scope,
                language_code=locale,
            )
