"""The last router: whatever nothing else took gets a clear answer, and no state changes."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.handlers.states import Screen
from bot.i18n import Translator
from bot.telegram.filters import IsCommand

router = Router(name="fallback")


@router.message(IsCommand())
async def on_unknown_command(message: Message, t: Translator) -> None:
    await message.answer(t("unknown-command"))


@router.message(Screen.buttons)
async def on_typed_on_a_screen(message: Message, t: Translator) -> None:
    # Nothing changes: the screen and its buttons stay where they are.
    await message.answer(t("use-buttons-here"))


@router.message()
async def on_anything(message: Message, t: Translator) -> None:
    await message.answer(t("not-understood"))


@router.callback_query()
async def on_stale_button(callback: CallbackQuery, t: Translator) -> None:
    # A button from an old message, or forged data: say so, change nothing.
    await callback.answer(t("stale-button"), show_alert=True)
