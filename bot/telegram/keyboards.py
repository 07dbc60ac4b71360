"""Keyboards of the dialogs; texts come from the catalogue, data from callbacks.py."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.i18n import Translator
from bot.services.geography import FormationMatch
from bot.telegram.callbacks import (
    ConfirmCb,
    ConsentCb,
    DistrictCb,
    EditCb,
    ForgetCb,
    FormationCb,
    LanguageCb,
    MenuCb,
    OrganisationCb,
    QuestCb,
    SkipEmailCb,
)

REMOVE = ReplyKeyboardRemove()
EDITABLE_FIELDS = ("full_name", "phone", "email", "organisation", "district")


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    """An inline button that sends `data` back when pressed."""
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def consent(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(t("button-consent-agree"), ConsentCb(agree=True, lang=t.locale))],
            [button(t("button-consent-decline"), ConsentCb(agree=False, lang=t.locale))],
        ]
    )


def share_contact(t: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=t("button-share-contact"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def skip_email(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[button(t("button-skip-email"), SkipEmailCb())]])


def organisations(options: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(name, OrganisationCb(id=oid))] for oid, name in options]
    )


def formations(matches: list[FormationMatch]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(f"{m.name} ({m.admin_district})", FormationCb(id=m.id))] for m in matches
        ]
    )


def districts(t: Translator, options: list[tuple[int, int, int]]) -> InlineKeyboardMarkup:
    """options: (district id, number, seats)."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(t("button-district", number=number, seats=seats), DistrictCb(id=did))]
            for did, number, seats in options
        ]
    )


def summary(t: Translator) -> InlineKeyboardMarkup:
    rows = [
        [button(t(f"button-edit-{name.replace('_', '-')}"), EditCb(field=name))]
        for name in EDITABLE_FIELDS
    ]
    rows.append([button(t("button-confirm"), ConfirmCb())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def languages() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button("Русский", LanguageCb(code="ru")),
                button("English", LanguageCb(code="en")),
            ]
        ]
    )


def forget(t: Translator, step: int) -> InlineKeyboardMarkup:
    yes = "button-forget-yes" if step == 1 else "button-forget-final"
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(t(yes), ForgetCb(step=step))],
            [button(t("button-forget-keep"), ForgetCb(step=0))],
        ]
    )


def menu(t: Translator, registered: bool, candidate: bool = False) -> InlineKeyboardMarkup:
    rows = []
    if candidate:
        rows.append([button(t("button-menu-quest"), QuestCb(action="stages"))])
    if not registered:
        rows.append([button(t("button-menu-continue"), MenuCb(action="continue"))])
    rows.append([button(t("button-menu-privacy"), MenuCb(action="privacy"))])
    rows.append([button(t("button-menu-language"), MenuCb(action="language"))])
    rows.append([button(t("button-menu-help"), MenuCb(action="help"))])
    return InlineKeyboardMarkup(inline_keyboard=rows)
