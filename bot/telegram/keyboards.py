"""Keyboards of the dialogs; texts come from the catalogue, data from callbacks.py."""

from __future__ import annotations

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


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def consent(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(t("button-consent-agree"), ConsentCb(agree=True, lang=t.locale).pack())],
            [_button(t("button-consent-decline"), ConsentCb(agree=False, lang=t.locale).pack())],
        ]
    )


def share_contact(t: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=t("button-share-contact"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def skip_email(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[_button(t("button-skip-email"), SkipEmailCb().pack())]]
    )


def organisations(options: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[_button(name, OrganisationCb(id=oid).pack())] for oid, name in options]
    )


def formations(matches: list[FormationMatch]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(f"{m.name} ({m.admin_district})", FormationCb(id=m.id).pack())]
            for m in matches
        ]
    )


def districts(t: Translator, options: list[tuple[int, int, int]]) -> InlineKeyboardMarkup:
    """options: (district id, number, seats)."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(t("button-district", number=number, seats=seats), DistrictCb(id=did).pack())]
            for did, number, seats in options
        ]
    )


def summary(t: Translator) -> InlineKeyboardMarkup:
    rows = [
        [_button(t(f"button-edit-{name.replace('_', '-')}"), EditCb(field=name).pack())]
        for name in EDITABLE_FIELDS
    ]
    rows.append([_button(t("button-confirm"), ConfirmCb().pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def languages() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button("Русский", LanguageCb(code="ru").pack()),
                _button("English", LanguageCb(code="en").pack()),
            ]
        ]
    )


def forget(t: Translator, step: int) -> InlineKeyboardMarkup:
    yes = "button-forget-yes" if step == 1 else "button-forget-final"
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(t(yes), ForgetCb(step=step).pack())],
            [_button(t("button-forget-keep"), ForgetCb(step=0).pack())],
        ]
    )


def menu(t: Translator, registered: bool, candidate: bool = False) -> InlineKeyboardMarkup:
    rows = []
    if candidate:
        rows.append([_button(t("button-menu-quest"), QuestCb(action="stages").pack())])
    if not registered:
        rows.append([_button(t("button-menu-continue"), MenuCb(action="continue").pack())])
    rows.append([_button(t("button-menu-privacy"), MenuCb(action="privacy").pack())])
    rows.append([_button(t("button-menu-language"), MenuCb(action="language").pack())])
    rows.append([_button(t("button-menu-help"), MenuCb(action="help").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)
