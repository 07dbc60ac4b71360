"""Admin commands. The router is guarded by IsAdmin: for anyone else these commands do not
exist, and they get the unknown-command answer of the fallback router."""

from __future__ import annotations

import shlex
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.db.uow import UnitOfWork
from bot.handlers.pin_gate import register, require_pin
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
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
) -> None:
    """/grant_coordinator <user id> [org:<code>]... [mf:"<formation name>"]..., after the
    admin's PIN."""
    if _grant_args(command.args or "") is None:
        await message.answer(t("grant-usage"))
        return
    await require_pin(message, state, uow, t, "grant_coordinator", command.args or "")


def _grant_args(args: str) -> tuple[int, list[str], list[str]] | None:
    try:
        words = shlex.split(args)
    except ValueError:
        return None
    if not words or not words[0].isdigit():
        return None
    organisations = [w.removeprefix("org:") for w in words[1:] if w.startswith("org:")]
    formations = [w.removeprefix("mf:") for w in words[1:] if w.startswith("mf:")]
    if len(organisations) + len(formations) != len(words) - 1:
        return None
    return int(words[0]), organisations, formations


async def _run_grant(message: Message, args: str, data: dict[str, Any]) -> None:
    t: Translator = data["t"]
    bot: Bot = data["bot"]
    parsed = _grant_args(args)
    if parsed is None:
        await message.answer(t("grant-usage"))
        return
    user_id, organisations, formations = parsed
    try:
        scopes = await roles.grant_coordinator(
            data["uow"], data["actor"].user_id, user_id, organisations, formations
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
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
) -> None:
    arg = (command.args or "").strip()
    if not arg.isdigit():
        await message.answer(t("revoke-usage"))
        return
    await require_pin(message, state, uow, t, "revoke_coordinator", arg)


async def _run_revoke(message: Message, args: str, data: dict[str, Any]) -> None:
    t: Translator = data["t"]
    user_id = int(args)
    removed = await roles.revoke_coordinator(data["uow"], data["actor"].user_id, user_id)
    if removed:
        await set_staff_commands(data["bot"], t.catalog, user_id, admin=False, remove=True)
    await message.answer(t("revoke-done", user_id=user_id, count=removed))


def _is_admin(actor: Actor) -> bool:
    return actor.is_admin


register("grant_coordinator", _run_grant, _is_admin)
register("revoke_coordinator", _run_revoke, _is_admin)
