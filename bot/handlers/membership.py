"""Telegram tells the bot when a person blocks it or comes back (my_chat_member). Shtab
remembers it, so reminders and broadcasts skip them meanwhile — and records nothing about
someone who never consented."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import ChatMemberUpdated

from bot.db.uow import UnitOfWork
from bot.services.clock import utcnow

router = Router(name="membership")


@router.my_chat_member()
async def on_membership(update: ChatMemberUpdated, uow: UnitOfWork) -> None:
    if update.chat.type != "private":
        return
    user = await uow.users.get(update.from_user.id)
    if user is None:
        return
    status = update.new_chat_member.status
    if status == "kicked":
        user.blocked_at = utcnow()
    elif status == "member":
        user.blocked_at = None
