"""The bank details of the fund's account: a form the candidate fills in field by field
(each checked as it comes: the BIC, the accounts' control keys), confirms and saves."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.config import Settings
from bot.db.uow import UnitOfWork
from bot.handlers.fund_views import (
    FundCb,
    FundForm,
    keyboard,
    own_candidate,
    send_fund_screen,
    table_text,
)
from bot.handlers.quest import QuestHolder, service_for
from bot.handlers.views import callback_message
from bot.i18n import Translator
from bot.services import fund as ledger
from bot.services import fund_checks as checks
from bot.services import names
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.roles import Actor
from bot.telegram.keyboards import button

router = Router(name="fund_details")

# The details dialog: state, catalogue prompt, the validator of that field.
SETUP_STEPS = ("payee", "bic", "account", "corr", "bank", "inn", "kpp")
SETUP_STATES = {name: getattr(FundForm, name) for name in SETUP_STEPS}
SETUP_PROMPTS = {
    "payee": "fund-ask-payee",
    "bic": "fund-ask-bic",
    "account": "fund-ask-account",
    "corr": "fund-ask-corr",
    "bank": "fund-ask-bank",
    "inn": "fund-ask-inn",
    "kpp": "fund-ask-kpp",
}
OPTIONAL_STEPS = ("inn", "kpp")


@router.callback_query(FundCb.filter(F.action == "setup"))
async def on_setup(
    callback: CallbackQuery,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    await callback.answer()
    candidate = await own_candidate(uow, actor)
    if candidate is None:
        await callback_message(callback).answer(t("fund-candidates-only"))
        return
    await state.set_state(FundForm.payee)
    await state.update_data(fund_details={})
    await callback_message(callback).answer(
        t("fund-setup-intro")
        + "\n\n"
        + t("fund-ask-payee", name=await names.full_name(uow, cipher, candidate) or "")
    )


def _validate(step: str, raw: str, data: dict[str, str]) -> str:
    if step == "payee":
        return checks.normalise_payee(raw)
    if step == "bic":
        return checks.normalise_bic(raw)
    if step == "account":
        return checks.normalise_account(raw, data["bic"])
    if step == "corr":
        return checks.normalise_corr_account(raw, data["bic"])
    if step == "bank":
        return checks.normalise_bank_name(raw)
    if step == "inn":
        return checks.normalise_payee_inn(raw)
    return checks.normalise_kpp(raw)


async def _current_step(state: FSMContext) -> str | None:
    current = await state.get_state()
    return next((name for name, s in SETUP_STATES.items() if s.state == current), None)


@router.message(StateFilter(*SETUP_STATES.values()), F.text, ~F.text.startswith("/"))
async def on_setup_answer(
    message: Message, state: FSMContext, uow: UnitOfWork, t: Translator, actor: Actor
) -> None:
    step = await _current_step(state)
    if step is None:
        return
    data = await state.get_data()
    details = {str(k): str(v) for k, v in dict(data.get("fund_details") or {}).items()}
    try:
        details[step] = _validate(step, message.text or "", details)
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    except KeyError:  # the BIC is missing from a stale dialog: start over
        await state.set_state(FundForm.bic)
        await message.answer(t("fund-ask-bic"))
        return
    await state.update_data(fund_details=details)
    await _next_setup_step(message, state, t, step, details)


async def _next_setup_step(
    message: Message, state: FSMContext, t: Translator, step: str, details: dict[str, str]
) -> None:
    index = SETUP_STEPS.index(step)
    if index + 1 < len(SETUP_STEPS):
        following = SETUP_STEPS[index + 1]
        await state.set_state(SETUP_STATES[following])
        markup = None
        if following in OPTIONAL_STEPS:
            markup = keyboard([button(t("fund-button-skip"), FundCb(action="skip"))])
        await message.answer(table_text(t, SETUP_PROMPTS[following]), reply_markup=markup)
        return
    await state.set_state(FundForm.confirm)
    await message.answer(
        t("fund-confirm-details") + "\n\n" + _details_text(t, details),
        reply_markup=keyboard(
            [button(t("fund-button-save"), FundCb(action="save"))],
            [button(t("fund-button-redo"), FundCb(action="setup"))],
        ),
    )


def _details_text(t: Translator, details: dict[str, str]) -> str:
    missing = t("fund-not-given")
    return t(
        "fund-details",
        payee=details.get("payee", ""),
        bic=details.get("bic", ""),
        account=details.get("account", ""),
        corr=details.get("corr", ""),
        bank=details.get("bank", ""),
        inn=details.get("inn") or missing,
        kpp=details.get("kpp") or missing,
    )


@router.callback_query(FundCb.filter(F.action == "skip"))
async def on_skip(callback: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await callback.answer()
    step = await _current_step(state)
    if step not in OPTIONAL_STEPS:
        return  # a stale button: the dialog has moved on
    data = await state.get_data()
    details = {str(k): str(v) for k, v in dict(data.get("fund_details") or {}).items()}
    details.pop(step, None)
    await state.update_data(fund_details=details)
    await _next_setup_step(callback_message(callback), state, t, step, details)


@router.callback_query(FundCb.filter(F.action == "save"), FundForm.confirm)
async def on_save(
    callback: CallbackQuery,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    await callback.answer()
    candidate = await own_candidate(uow, actor)
    if candidate is None:
        return
    data = await state.get_data()
    given = {str(k): str(v) for k, v in dict(data.get("fund_details") or {}).items()}
    details = checks.BankDetails(
        payee_name=given.get("payee", ""),
        bic=given.get("bic", ""),
        account=given.get("account", ""),
        corr_account=given.get("corr", ""),
        bank_name=given.get("bank", ""),
        payee_inn=given.get("inn"),
        kpp=given.get("kpp"),
    )
    quest = await service_for(uow, cipher, quest_holder, candidate, t.locale, settings)
    try:
        await ledger.save_account(uow, candidate, details, actor.user_id, quest)
    except InputError as error:
        await callback_message(callback).answer(t(error.code, **error.params))
        return
    await state.set_state(None)
    await state.update_data(fund_details=None)
    await callback_message(callback).answer(t("fund-details-saved"))
    await send_fund_screen(callback_message(callback), uow, t, candidate)
