"""Callback data of inline buttons. Each prefix is short: Telegram allows 64 bytes."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class ConsentCb(CallbackData, prefix="consent"):
    agree: bool
    # The language travels in the button: before consent nothing, not even it, is stored.
    lang: str


class OrganisationCb(CallbackData, prefix="org"):
    id: int


class FormationCb(CallbackData, prefix="mf"):
    id: int


class DistrictCb(CallbackData, prefix="ed"):
    id: int


class EditCb(CallbackData, prefix="edit"):
    field: str


class ConfirmCb(CallbackData, prefix="confirm"):
    pass


class SkipEmailCb(CallbackData, prefix="skipmail"):
    pass


class LanguageCb(CallbackData, prefix="lang"):
    code: str


class ForgetCb(CallbackData, prefix="forget"):
    step: int  # 1 = first "yes", 2 = the final "yes"; 0 = keep my data


class MenuCb(CallbackData, prefix="menu"):
    action: str


class QuestCb(CallbackData, prefix="q"):
    action: str  # stages, stage, about, task, page, read, tick, yn, ch, skip, appr
    task: str = ""  # "stage.task", at most 48 characters (the loader checks)
    n: int = 0  # a stage, page, item or choice index


class SettingsCb(CallbackData, prefix="set"):
    action: str  # mute, quiet
    value: str  # a reminder kind, or "start-end" minutes


class DirectoryCb(CallbackData, prefix="dir"):
    action: str  # page, card, write
    n: int  # a page number or a candidate id
