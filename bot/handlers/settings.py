"""/settings: which reminders to receive and when to be left alone (quiet hours)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.db.models import NotificationSettings
from bot.db.uow import UnitOfWork
from bot.handlers.views import callback_message
from bot.i18n import Translator
from bot.services.reminders import MUTABLE_KINDS, QUIET_END, QUIET_START
from bot.services.roles import Actor
from bot.telegram.callbacks import SettingsCb

router = Router(name="settings")
# Quiet-hour choices offered as buttons: (start, end) in minutes after local midnight.
QUIET_CHOICES = ((22 * 60, 9 * 60), (23 * 60, 8 * 60), (21 * 60, 10 * 60), (0, 0))


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _quiet_label(t: Translator, start: int, end: int) -> str:
    return t("settings-quiet-off") if start == end else f"{_clock(start)}–{_clock(end)}"


def _screen(t: Translator, row: NotificationSettings) -> tuple[str, InlineKeyboardMarkup]:
    muted = set(row.muted or [])
    rows = [
        [
            InlineKeyboardButton(
                text=("🔕 " if kind in muted else "🔔 ") + t(f"settings-kind-{kind}"),
                callback_data=SettingsCb(action="mute", value=kind).pack(),
            )
        ]
        for kind in MUTABLE_KINDS
    ]
    rows.append(
        [
            InlineKeyboardButton(
                text=("✅ " if (row.quiet_start, row.quiet_end) == choice else "")
                + _quiet_label(t, *choice),
                callback_data=SettingsCb(action="quiet", value=f"{choice[0]}-{choice[1]}").pack(),
            )
            for choice in QUIET_CHOICES
        ]
    )
    text = t("settings-screen", quiet=_quiet_label(t, row.quiet_start, row.quiet_end))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


async def _settings(uow: UnitOfWork, user_id: int) -> NotificationSettings:
    row = await uow.reminders.settings(user_id)
    if row is None:
        row = NotificationSettings(
            user_id=user_id, muted=[], quiet_start=QUIET_START, quiet_end=QUIET_END
        )
    return row


@router.message(Command("settings"))
async def on_settings(message: Message, uow: UnitOfWork, t: Translator, actor: Actor) -> None:
    if not actor.consented:
        await message.answer(t("privacy-nothing"))
        return
    text, markup = _screen(t, await _settings(uow, actor.user_id))
    await message.answer(text, reply_markup=markup)


@router.callback_query(SettingsCb.filter())
async def on_change(
    callback: CallbackQuery,
    callback_data: SettingsCb,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
) -> None:
    if not actor.consented:
        await callback.answer(t("stale-button"), show_alert=True)
        return
    row = await _settings(uow, actor.user_id)
    if callback_data.action == "mute" and callback_data.value in MUTABLE_KINDS:
        muted = set(row.muted or []) ^ {callback_data.value}
        row.muted = sorted(muted)
    elif callback_data.action == "quiet" and callback_data.value in {
        f"{start}-{end}" for start, end in QUIET_CHOICES
    }:
        start, end = (int(part) for part in callback_data.value.split("-"))
        row.quiet_start, row.quiet_end = start, end
    else:
        await callback.answer(t("stale-button"), show_alert=True)
        return
    await uow.reminders.save_settings(row)
    await callback.answer(t("settings-saved"))
    text, markup = _screen(t, row)
    await callback_message(callback).edit_text(text, reply_markup=markup)
