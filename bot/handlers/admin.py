"""Admin commands. The router is guarded by IsAdmin: for anyone else these commands do not
exist, and they get the unknown-command answer of the fallback router."""

from __future__ import annotations

import shlex

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.db.uow import UnitOfWork
from bot.i18n import Translator
from bot.services import roles
from bot.services.errors import InputError
from bot.services.roles import Actor
from bot.telegram.commands import set_staff_commands
from bot.telegram.filters import IsAdmin

router = Router(name="admin")
router.message.filter(IsAdmin())
router.callback_query.filter(IsAdmin())


@router.message(Command("admin"))
async def on_admin(message: Message, t: Translator) -> None:
    await message.answer(t("help-admin"))


@router.message(Command("grant_coordinator"))
async def on_grant(
    message: Message,
    command: CommandObject,
    bot: Bot,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
) -> None:
    """/grant_coordinator <user id> [org:<code>]... [mf:"<formation name>"]..."""
    try:
        words = shlex.split(command.args or "")
    except ValueError:
        words = []
    if not words or not words[0].isdigit():
        await message.answer(t("grant-usage"))
        return
    user_id = int(words[0])
    organisations = [w.removeprefix("org:") for w in words[1:] if w.startswith("org:")]
    formations = [w.removeprefix("mf:") for w in words[1:] if w.startswith("mf:")]
    if len(organisations) + len(formations) != len(words) - 1:
        await message.answer(t("grant-usage"))
        return
    try:
        scopes = await roles.grant_coordinator(
            uow, actor.user_id, user_id, organisations, formations
        )
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    await set_staff_commands(bot, t.catalog, user_id, admin=False)
    await message.answer(t("grant-done", user_id=user_id, scopes=len(scopes)))


@router.message(Command("revoke_coordinator"))
async def on_revoke(
    message: Message,
    command: CommandObject,
    bot: Bot,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
) -> None:
    arg = (command.args or "").strip()
    if not arg.isdigit():
        await message.answer(t("revoke-usage"))
        return
    removed = await roles.revoke_coordinator(uow, actor.user_id, int(arg))
    if removed:
        await set_staff_commands(bot, t.catalog, int(arg), admin=False, remove=True)
    await message.answer(t("revoke-done", user_id=int(arg), count=removed))
