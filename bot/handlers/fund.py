"""The electoral fund in Telegram: /fund for the candidate (bank details, the donation link and
card, the ledger, statements, returns, the summary), the donation link a supporter opens, and
/funds for coordinators. The rules are in bot.services.fund*; these handlers read like the
dialogs they are."""

from __future__ import annotations

import asyncio
import contextlib
import html
from datetime import date
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.config import Settings
from bot.db.models import Candidate
from bot.db.models.fund import DonorType, EntryKind, Flag, FundAccount, FundEntry
from bot.db.uow import UnitOfWork
from bot.documents import fund as printables
from bot.handlers.deeplinks import deep_link
from bot.handlers.pin_gate import register, require_pin
from bot.handlers.quest import QuestHolder, service_for, today_in
from bot.handlers.views import callback_message
from bot.i18n import Markup, Translator
from bot.services import anomalies, directory, names, validation
from bot.services import fund as ledger
from bot.services import fund_checks as checks
from bot.services import fund_donor as donor_rules
from bot.services import fund_qr as qr
from bot.services import fund_statement as statements
from bot.services.crypto import FieldCipher
from bot.services.deeplinks import DeepLink, build_link
from bot.services.errors import InputError
from bot.services.roles import Actor
from bot.telegram.filters import IsStaff
from bot.telegram.keyboards import button

router = Router(name="fund")
LINK_KIND = "don"
MAX_LIST = 40  # lines in one message of /funds
MAX_RETURNS = 15  # donations in one message of the returns list, each with its buttons


class FundCb(CallbackData, prefix="fund"):
    action: str  # setup, skip, save, redo, share, don, spend, import, returns, entry, ret,
    # pdf, xlsx, dtype, dstat, today, menu
    n: int = 0


class DonorCb(CallbackData, prefix="dn"):
    step: str  # q (an eligibility question), data, nodata
    n: int = 0
    yes: bool = False


class FundForm(StatesGroup):
    payee = State()
    bic = State()
    account = State()
    corr = State()
    bank = State()
    inn = State()
    kpp = State()
    confirm = State()
    amount = State()
    day = State()
    donor_type = State()
    donor_name = State()
    donor_id = State()  # birth date (citizen) or ИНН (organisation)
    donor_status = State()
    note = State()
    statement = State()


class DonorForm(StatesGroup):
    eligibility = State()
    amount = State()
    choice = State()
    details = State()


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
DONOR_TYPES = (
    DonorType.CITIZEN,
    DonorType.LEGAL,
    DonorType.OWN,
    DonorType.PARTY,
    DonorType.UNKNOWN,
)
DONOR_TYPE_LABELS = {
    DonorType.CITIZEN: "fund-donor-citizen",
    DonorType.LEGAL: "fund-donor-legal",
    DonorType.OWN: "fund-donor-own",
    DonorType.PARTY: "fund-donor-party",
    DonorType.UNKNOWN: "fund-donor-unknown",
}
FLAG_LABELS = {
    Flag.ANONYMOUS: "fund-flag-anonymous",
    Flag.OVER_CAP: "fund-flag-over-cap",
    Flag.INELIGIBLE: "fund-flag-ineligible",
}

FLAG_SHORT = {
    Flag.ANONYMOUS: "fund-flag-anonymous-short",
    Flag.OVER_CAP: "fund-flag-over-cap-short",
    Flag.INELIGIBLE: "fund-flag-ineligible-short",
}


def _text(t: Translator, key: str, **params: object) -> str:
    """A message whose id comes from a table above (tests check every table's ids exist)."""
    return t(key, **params)


def _markup(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=list(rows))


async def _candidate(uow: UnitOfWork, actor: Actor) -> Candidate | None:
    if not actor.is_registered_candidate:
        return None
    return await uow.candidates.by_user(actor.user_id)


# --- the fund screen -------------------------------------------------------------------------


@router.message(Command("fund"))
async def on_fund(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    await _open_fund(message, state, uow, cipher, quest_holder, t, actor, settings)


@router.callback_query(FundCb.filter(F.action == "menu"))
async def on_menu(
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
    message = callback_message(callback)
    await _open_fund(message, state, uow, cipher, quest_holder, t, actor, settings)


async def _open_fund(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    """The fund screen, from /fund or a "back" button; a fund dialog in progress is left."""
    candidate = await _candidate(uow, actor)
    if candidate is None:
        await message.answer(t("fund-candidates-only"))
        return
    await state.set_state(None)
    # A dialog left with /cancel may have kept a donor's name in its (encrypted) data: gone.
    await state.update_data(fund_entry=None, fund_details=None)
    await _sync_quest(uow, cipher, quest_holder, candidate, t, settings)
    await send_fund_screen(message, uow, t, candidate)


async def _sync_quest(
    uow: UnitOfWork,
    cipher: FieldCipher,
    holder: QuestHolder,
    candidate: Candidate,
    t: Translator,
    settings: Settings,
) -> None:
    """Details saved while the quest's "open the fund" task was still locked count once the
    task opens: the quest hears about it the next time the fund is opened."""
    account = await uow.fund.account(candidate.id)
    if account is not None and account.verified_at is not None:
        quest = await service_for(uow, cipher, holder, candidate, t.locale, settings)
        await quest.report_action_done("fund")


async def send_fund_screen(
    message: Message, uow: UnitOfWork, t: Translator, candidate: Candidate
) -> None:
    account = await uow.fund.account(candidate.id)
    if account is None:
        await message.answer(
            t("fund-intro-new"),
            reply_markup=_markup([button(t("fund-button-setup"), FundCb(action="setup"))]),
        )
        return
    election = await uow.geography.current_election()
    summary = await ledger.summary(uow, candidate, election)
    open_returns = summary.totals.flagged_open
    await message.answer(
        _summary_text(t, summary),
        reply_markup=_markup(
            [button(t("fund-button-share"), FundCb(action="share"))],
            [
                button(t("fund-button-donation"), FundCb(action="don")),
                button(t("fund-button-spending"), FundCb(action="spend")),
            ],
            [button(t("fund-button-import"), FundCb(action="import"))],
            [button(t("fund-button-returns", count=open_returns), FundCb(action="returns"))],
            [
                button(t("fund-button-pdf"), FundCb(action="pdf")),
                button(t("fund-button-xlsx"), FundCb(action="xlsx")),
            ],
            [button(t("fund-button-edit"), FundCb(action="setup"))],
        ),
    )


def _summary_text(t: Translator, summary: ledger.Summary) -> str:
    unset = t("fund-not-set")
    lines = [
        t(
            "fund-summary",
            raised=ledger.rub(summary.totals.raised_kop),
            spent=ledger.rub(summary.totals.spent_kop),
            returned=ledger.rub(summary.totals.returned_kop),
            balance=ledger.rub(summary.balance_kop),
            limit=ledger.rub(summary.limit_kop) if summary.limit_kop is not None else unset,
            cap=ledger.rub(summary.cap_citizen_kop)
            if summary.cap_citizen_kop is not None
            else unset,
        )
    ]
    if summary.totals.flagged_open:
        lines.append(
            t(
                "fund-summary-flagged",
                count=summary.totals.flagged_open,
                amount=ledger.rub(summary.totals.to_return_kop),
            )
        )
    if summary.over_limit:
        lines.append(t("fund-over-limit"))
    return "\n\n".join(lines)


# --- bank details ----------------------------------------------------------------------------


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
    candidate = await _candidate(uow, actor)
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
            markup = _markup([button(t("fund-button-skip"), FundCb(action="skip"))])
        await message.answer(_text(t, SETUP_PROMPTS[following]), reply_markup=markup)
        return
    await state.set_state(FundForm.confirm)
    await message.answer(
        t("fund-confirm-details") + "\n\n" + _details_text(t, details),
        reply_markup=_markup(
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
    candidate = await _candidate(uow, actor)
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


# --- the donation link and card --------------------------------------------------------------


def _account_details(account: FundAccount) -> checks.BankDetails:
    return ledger.details_of(account)


async def _district_label(uow: UnitOfWork, candidate: Candidate, t: Translator) -> str:
    district_id = candidate.district_id
    district = await uow.geography.district(district_id) if district_id else None
    if district is None:
        return ""
    return t("fund-district", formation=district.formation.name, number=district.number)


@router.callback_query(FundCb.filter(F.action == "share"))
async def on_share(
    callback: CallbackQuery,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    await callback.answer()
    candidate = await _candidate(uow, actor)
    account = await uow.fund.account(candidate.id) if candidate else None
    if candidate is None or account is None:
        await callback_message(callback).answer(t("fund-not-opened"))
        return
    username = (await bot.me()).username or ""
    link = build_link(username, LINK_KIND, account.token)
    details = _account_details(account)
    name = await names.full_name(uow, cipher, candidate) or ""
    payload = qr.build_payload(details, purpose=qr.purpose(name))
    district = await _district_label(uow, candidate, t)
    election = await uow.geography.current_election()
    cap_kop = (await ledger.summary(uow, candidate, election)).cap_citizen_kop
    card = printables.CardContent(
        title=t("fund-card-title"),
        candidate=name,
        district=html.unescape(district),
        qr_png=b"",
        qr_caption=t("fund-card-qr-caption"),
        details=[
            (t("fund-field-payee"), details.payee_name),
            (t("fund-field-account"), details.account),
            (t("fund-field-bank"), details.bank_name),
            (t("fund-field-bic"), details.bic),
            (t("fund-field-corr"), details.corr_account),
            *([(t("fund-field-inn"), details.payee_inn)] if details.payee_inn else []),
        ],
        link_label=t("fund-card-link"),
        link=link,
        rules_title=t("fund-card-rules-title"),
        rules=html.unescape(
            t(
                "fund-card-rules",
                cap=ledger.rub(cap_kop) if cap_kop is not None else t("fund-not-set"),
            )
        ).split("\n"),
        footer=t("fund-card-footer"),
    )
    png, pdf = await asyncio.to_thread(_render_card, payload, card)
    await callback_message(callback).answer_photo(
        BufferedInputFile(png, filename="donation-qr.png"),
        caption=t("fund-share-caption", link=link),
    )
    await callback_message(callback).answer_document(
        BufferedInputFile(pdf, filename="donation-card.pdf"), caption=t("fund-card-caption")
    )


def _render_card(payload: str, card: printables.CardContent) -> tuple[bytes, bytes]:
    png = qr.render_png(payload)
    pdf = printables.donation_card_pdf(printables.CardContent(**{**card.__dict__, "qr_png": png}))
    return png, pdf


# --- recording by hand -----------------------------------------------------------------------


@router.callback_query(FundCb.filter(F.action.in_({"don", "spend"})))
async def on_record(
    callback: CallbackQuery,
    callback_data: FundCb,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
) -> None:
    await callback.answer()
    candidate = await _candidate(uow, actor)
    if candidate is None or await uow.fund.account(candidate.id) is None:
        await callback_message(callback).answer(t("fund-not-opened"))
        return
    await state.set_state(FundForm.amount)
    await state.update_data(fund_entry={"kind": callback_data.action})
    donation = callback_data.action == "don"
    key = "fund-ask-donation-amount" if donation else "fund-ask-spend-amount"
    await callback_message(callback).answer(t(key))


async def _entry_data(state: FSMContext) -> dict[str, Any]:
    return dict((await state.get_data()).get("fund_entry") or {})


@router.message(FundForm.amount, F.text, ~F.text.startswith("/"))
async def on_amount(message: Message, state: FSMContext, t: Translator) -> None:
    try:
        amount = ledger.parse_money(message.text or "")
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    entry = await _entry_data(state)
    entry["amount"] = amount
    await state.update_data(fund_entry=entry)
    await state.set_state(FundForm.day)
    await message.answer(
        t("fund-ask-day"),
        reply_markup=_markup([button(t("fund-button-today"), FundCb(action="today"))]),
    )


@router.message(FundForm.day, F.text, ~F.text.startswith("/"))
async def on_day(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    try:
        day = ledger.parse_day(message.text or "")
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    await _after_day(message, state, uow, cipher, t, actor, settings, day)


@router.callback_query(FundCb.filter(F.action == "today"), FundForm.day)
async def on_today(
    callback: CallbackQuery,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    await callback.answer()
    day = today_in(settings)
    await _after_day(callback_message(callback), state, uow, cipher, t, actor, settings, day)


async def _after_day(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
    day: date,
) -> None:
    entry = await _entry_data(state)
    entry["day"] = day.isoformat()
    await state.update_data(fund_entry=entry)
    if entry.get("kind") == "spend":
        await state.set_state(FundForm.note)
        await message.answer(t("fund-ask-spend-note"))
        return
    await state.set_state(FundForm.donor_type)
    rows = [
        [button(_text(t, DONOR_TYPE_LABELS[kind]), FundCb(action="dtype", n=index))]
        for index, kind in enumerate(DONOR_TYPES)
    ]
    await message.answer(t("fund-ask-donor-type"), reply_markup=_markup(*rows))


@router.message(FundForm.note, F.text, ~F.text.startswith("/"))
async def on_spend_note(
    message: Message, state: FSMContext, uow: UnitOfWork, cipher: FieldCipher, t: Translator,
    actor: Actor,
) -> None:  # fmt: skip
    candidate = await _candidate(uow, actor)
    entry = await _entry_data(state)
    text = (message.text or "").strip()
    if candidate is None or not text:
        await message.answer(t("fund-ask-spend-note"))
        return
    await ledger.record_spending(
        uow, cipher, candidate,
        amount_kop=int(entry.get("amount", 0)), booked_on=date.fromisoformat(entry["day"]),
        note=text, actor_id=actor.user_id,
    )  # fmt: skip
    await state.set_state(None)
    await state.update_data(fund_entry=None)
    await message.answer(
        t("fund-spending-recorded", amount=ledger.rub(int(entry.get("amount", 0)))),
        reply_markup=_markup([button(t("fund-button-back"), FundCb(action="menu"))]),
    )


@router.callback_query(FundCb.filter(F.action == "dtype"), FundForm.donor_type)
async def on_donor_type(
    callback: CallbackQuery,
    callback_data: FundCb,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    await callback.answer()
    if not 0 <= callback_data.n < len(DONOR_TYPES):
        return
    kind = DONOR_TYPES[callback_data.n]
    entry = await _entry_data(state)
    entry["donor_type"] = kind.value
    await state.update_data(fund_entry=entry)
    message = callback_message(callback)
    if kind in (DonorType.OWN, DonorType.UNKNOWN):
        await _record_donation(message, state, uow, cipher, t, actor, settings)
        return
    await state.set_state(FundForm.donor_name)
    key = {
        DonorType.CITIZEN: "fund-ask-donor-name",
        DonorType.LEGAL: "fund-ask-org-name",
        DonorType.PARTY: "fund-ask-party-name",
    }[kind]
    await message.answer(t(key))


@router.message(FundForm.donor_name, F.text, ~F.text.startswith("/"))
async def on_donor_name(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    entry = await _entry_data(state)
    kind = DonorType(entry.get("donor_type", DonorType.UNKNOWN.value))
    try:
        if kind is DonorType.CITIZEN:
            name = validation.normalise_full_name(message.text or "")
        else:
            name = " ".join((message.text or "").split())[:200]
            if len(name) < 2:
                raise InputError("fund-error-donor-name")
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    entry["donor_name"] = name
    await state.update_data(fund_entry=entry)
    if kind is DonorType.PARTY:
        await _ask_status(message, state, t)
        return
    await state.set_state(FundForm.donor_id)
    key = "fund-ask-donor-birth" if kind is DonorType.CITIZEN else "fund-ask-org-inn"
    await message.answer(t(key))


@router.message(FundForm.donor_id, F.text, ~F.text.startswith("/"))
async def on_donor_id(message: Message, state: FSMContext, t: Translator) -> None:
    entry = await _entry_data(state)
    kind = DonorType(entry.get("donor_type", DonorType.UNKNOWN.value))
    try:
        if kind is DonorType.CITIZEN:
            entry["donor_birth"] = validation.parse_date(message.text or "").isoformat()
        else:
            entry["donor_inn"] = checks.normalise_payee_inn(message.text or "")
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    await state.update_data(fund_entry=entry)
    await _ask_status(message, state, t)


async def _ask_status(message: Message, state: FSMContext, t: Translator) -> None:
    await state.set_state(FundForm.donor_status)
    await message.answer(
        t("fund-ask-donor-status"),
        reply_markup=_markup(
            [button(t("fund-status-complete"), FundCb(action="dstat", n=0))],
            [button(t("fund-status-incomplete"), FundCb(action="dstat", n=1))],
            [button(t("fund-status-ineligible"), FundCb(action="dstat", n=2))],
        ),
    )


@router.callback_query(FundCb.filter(F.action == "dstat"), FundForm.donor_status)
async def on_donor_status(
    callback: CallbackQuery,
    callback_data: FundCb,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    await callback.answer()
    if callback_data.n not in (0, 1, 2):
        return
    entry = await _entry_data(state)
    entry["complete"] = callback_data.n != 1
    entry["eligible"] = callback_data.n != 2
    await state.update_data(fund_entry=entry)
    await _record_donation(callback_message(callback), state, uow, cipher, t, actor, settings)


async def _record_donation(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    candidate = await _candidate(uow, actor)
    entry = await _entry_data(state)
    if candidate is None or "amount" not in entry or "day" not in entry:
        await state.set_state(None)
        await message.answer(t("fund-dialog-expired"))
        return
    birth = entry.get("donor_birth")
    donor = ledger.Donor(
        DonorType(entry.get("donor_type", DonorType.UNKNOWN.value)),
        name=entry.get("donor_name"),
        birth_date=date.fromisoformat(birth) if birth else None,
        inn=entry.get("donor_inn"),
        complete=bool(entry.get("complete", True)),
        eligible=bool(entry.get("eligible", True)),
    )
    recorded = await ledger.record_donation(
        uow, cipher, candidate, await uow.geography.current_election(),
        amount_kop=int(entry["amount"]), booked_on=date.fromisoformat(entry["day"]),
        donor=donor, actor_id=actor.user_id, tz=settings.tz,
    )  # fmt: skip
    # The donor's details leave the dialog state now that they are stored encrypted.
    await state.set_state(None)
    await state.update_data(fund_entry=None)
    lines = [t("fund-donation-recorded", amount=ledger.rub(recorded.entry.amount_kop))]
    if recorded.entry.flag is not None:
        lines.append(_flag_text(t, recorded.entry, today_in(settings)))
    if recorded.over_limit:
        lines.append(t("fund-over-limit"))
    await message.answer(
        "\n\n".join(lines),
        reply_markup=_markup([button(t("fund-button-back"), FundCb(action="menu"))]),
    )


def _flag_text(t: Translator, entry: FundEntry, today: date) -> str:
    assert entry.flag is not None and entry.return_due is not None
    left = (entry.return_due - today).days
    return _text(
        t,
        FLAG_LABELS[entry.flag],
        amount=ledger.rub(entry.return_kop),
        date=entry.return_due.strftime("%d.%m.%Y"),
        left=t("fund-days-left", days=left) if left >= 0 else t("fund-overdue", days=-left),
    )


# --- returns ---------------------------------------------------------------------------------


@router.callback_query(FundCb.filter(F.action == "returns"))
async def on_returns(
    callback: CallbackQuery,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    await callback.answer()
    candidate = await _candidate(uow, actor)
    if candidate is None:
        return
    flagged = await uow.fund.flagged(candidate.id)
    if not flagged:
        await callback_message(callback).answer(t("fund-returns-none"))
        return
    today = today_in(settings)
    lines = [t("fund-returns-head", count=len(flagged))]
    rows = []
    for entry in flagged[:MAX_RETURNS]:
        line = _entry_line(t, ledger.view_entry(entry, cipher))
        lines.append(line + "\n" + _flag_text(t, entry, today))
        rows.append(_entry_buttons(t, entry))
    if len(flagged) > MAX_RETURNS:  # the most urgent first; the rest once these are done
        lines.append(t("fund-returns-more", count=len(flagged) - MAX_RETURNS))
    await callback_message(callback).answer("\n\n".join(lines), reply_markup=_markup(*rows))


def _entry_buttons(t: Translator, entry: FundEntry) -> list[InlineKeyboardButton]:
    buttons = [button(t("fund-button-returned", n=entry.id), FundCb(action="ret", n=entry.id))]
    if entry.flag is Flag.ANONYMOUS:
        buttons.append(button(t("fund-button-complete"), FundCb(action="clear", n=entry.id)))
    return buttons


def _donor_label(t: Translator, donor_type: DonorType | None) -> str:
    return _text(t, DONOR_TYPE_LABELS[donor_type]) if donor_type else ""


def _entry_line(t: Translator, view: ledger.EntryView) -> str:
    who = view.donor_name or _donor_label(t, view.donor_type)
    return t(
        "fund-entry-line",
        n=view.id,
        date=view.booked_on.strftime("%d.%m.%Y"),
        amount=ledger.rub(view.amount_kop),
        who=who or "—",
    )


@router.callback_query(FundCb.filter(F.action == "entry"))
async def on_entry(
    callback: CallbackQuery,
    callback_data: FundCb,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    """One flagged donation: where a return reminder's button leads."""
    candidate = await _candidate(uow, actor)
    try:
        if candidate is None:
            raise InputError("fund-error-entry")
        entry = await ledger.owned_entry(uow, candidate, callback_data.n)
    except InputError as error:
        await callback.answer(t(error.code), show_alert=True)
        return
    await callback.answer()
    text = _entry_line(t, ledger.view_entry(entry, cipher))
    rows = [[button(t("fund-button-back"), FundCb(action="menu"))]]
    if entry.flag is not None and entry.returned_at is None:
        text += "\n" + _flag_text(t, entry, today_in(settings))
        rows.insert(0, _entry_buttons(t, entry))
    elif entry.returned_at is not None:
        text += "\n" + t("fund-entry-returned")
    await callback_message(callback).answer(text, reply_markup=_markup(*rows))


@router.callback_query(FundCb.filter(F.action == "ret"))
async def on_returned(
    callback: CallbackQuery, callback_data: FundCb, uow: UnitOfWork, t: Translator, actor: Actor
) -> None:
    candidate = await _candidate(uow, actor)
    try:
        if candidate is None:
            raise InputError("fund-error-entry")
        entry = await ledger.mark_returned(uow, candidate, callback_data.n, actor.user_id)
    except InputError as error:
        await callback.answer(t(error.code), show_alert=True)
        return
    await callback.answer(t("fund-marked-returned", n=entry.id))
    await callback_message(callback).answer(
        t("fund-marked-returned", n=entry.id),
        reply_markup=_markup([button(t("fund-button-back"), FundCb(action="menu"))]),
    )


@router.callback_query(FundCb.filter(F.action == "clear"))
async def on_clear(
    callback: CallbackQuery, callback_data: FundCb, uow: UnitOfWork, t: Translator, actor: Actor
) -> None:
    candidate = await _candidate(uow, actor)
    try:
        if candidate is None:
            raise InputError("fund-error-entry")
        entry = await ledger.clear_anonymous(uow, candidate, callback_data.n, actor.user_id)
    except InputError as error:
        await callback.answer(t(error.code), show_alert=True)
        return
    await callback.answer()
    await callback_message(callback).answer(
        t("fund-flag-cleared", n=entry.id),
        reply_markup=_markup([button(t("fund-button-back"), FundCb(action="menu"))]),
    )


# --- statements ------------------------------------------------------------------------------


@router.callback_query(FundCb.filter(F.action == "import"))
async def on_import(
    callback: CallbackQuery, state: FSMContext, uow: UnitOfWork, t: Translator, actor: Actor
) -> None:
    await callback.answer()
    candidate = await _candidate(uow, actor)
    if candidate is None or await uow.fund.account(candidate.id) is None:
        await callback_message(callback).answer(t("fund-not-opened"))
        return
    await state.set_state(FundForm.statement)
    await callback_message(callback).answer(
        t("fund-import-ask", limit=statements.MAX_BYTES // (1024 * 1024))
    )


@router.message(FundForm.statement, F.document)
async def on_statement(
    message: Message,
    state: FSMContext,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    candidate = await _candidate(uow, actor)
    document = message.document
    assert document is not None
    if candidate is None:
        await state.set_state(None)
        return
    if (document.file_size or 0) > statements.MAX_BYTES:
        await message.answer(t("fund-import-too-big", limit=statements.MAX_BYTES // (1024 * 1024)))
        return
    try:
        downloaded = await bot.download(document.file_id)
    except TelegramAPIError:
        await message.answer(t("fund-import-download"))
        return
    data = downloaded.read() if downloaded else b""
    try:
        statement = await asyncio.to_thread(
            statements.read_statement, data, document.file_name or ""
        )
    except statements.StatementError as error:
        await message.answer(_statement_errors(t, error))
        return  # the dialog stays: the fixed file can be sent right away
    try:
        report = await statements.import_statement(
            uow, cipher, candidate, await uow.geography.current_election(), statement,
            actor_id=actor.user_id, tz=settings.tz,
        )  # fmt: skip
    except statements.StatementError as error:
        await message.answer(_statement_errors(t, error))
        return
    await state.set_state(None)
    lines = [
        t(
            "fund-import-done",
            donations=report.donations,
            spending=report.spending,
            duplicates=report.duplicates,
        )
    ]
    if report.flagged:
        lines.append(t("fund-import-flagged", count=report.flagged))
    if report.over_limit:
        lines.append(t("fund-over-limit"))
    summary = await ledger.summary(uow, candidate, await uow.geography.current_election())
    open_returns = summary.totals.flagged_open  # this file's and earlier ones still open
    await message.answer(
        "\n\n".join(lines),
        reply_markup=_markup(
            [button(t("fund-button-returns", count=open_returns), FundCb(action="returns"))],
            [button(t("fund-button-back"), FundCb(action="menu"))],
        ),
    )


MAX_ERRORS_SHOWN = 15


def _statement_errors(t: Translator, error: statements.StatementError) -> str:
    lines = [t("fund-import-failed")]
    for problem in error.errors[:MAX_ERRORS_SHOWN]:
        reason = t(problem.code, value=problem.value, limit=statements.MAX_BYTES // (1024 * 1024),
                   rows=statements.MAX_ROWS)  # fmt: skip
        if problem.row:
            reason = t("fund-import-row", row=problem.row, reason=Markup(reason))
        lines.append(reason)
    if len(error.errors) > MAX_ERRORS_SHOWN:
        lines.append(t("fund-import-more", count=len(error.errors) - MAX_ERRORS_SHOWN))
    lines.append(t("fund-import-nothing"))
    return "\n".join(lines)


@router.message(FundForm.statement)
async def on_statement_other(message: Message, t: Translator) -> None:
    await message.answer(t("fund-import-ask", limit=statements.MAX_BYTES // (1024 * 1024)))


# --- the summary for the financial report ----------------------------------------------------


@router.callback_query(FundCb.filter(F.action.in_({"pdf", "xlsx"})))
async def on_report(
    callback: CallbackQuery,
    callback_data: FundCb,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
) -> None:
    """Every donor's name and details: a stolen session must not take them, so the PIN
    first (candidates set one with /pin). The file itself stays a plain PDF/XLSX: it is
    the report printed for the election commission."""
    await callback.answer()
    if await _candidate(uow, actor) is None:
        return
    await require_pin(
        callback_message(callback),
        state,
        uow,
        t,
        "fund_report",
        callback_data.action,
        actor.user_id,
    )


async def _run_report(message: Message, args: str, data: dict[str, Any]) -> None:
    uow: UnitOfWork = data["uow"]
    cipher: FieldCipher = data["cipher"]
    t: Translator = data["t"]
    actor: Actor = data["actor"]
    candidate = await _candidate(uow, actor)
    if candidate is None or args not in ("pdf", "xlsx"):
        return
    election = await uow.geography.current_election()
    summary = await ledger.summary(uow, candidate, election)
    entries = [ledger.view_entry(e, cipher) for e in await uow.fund.entries(candidate.id)]
    candidate_name = await names.full_name(uow, cipher, candidate)
    content = _ledger_content(
        t, candidate_name, summary, entries, election.name if election else ""
    )
    render = printables.summary_pdf if args == "pdf" else printables.summary_xlsx
    file = await asyncio.to_thread(render, content)
    await uow.audit.record(
        actor.user_id, "fund_exported", "candidate", candidate.id, format=args, rows=len(entries)
    )
    await message.answer_document(
        BufferedInputFile(file, filename=f"fund-{candidate.id}.{args}"),
        caption=t("fund-report-caption"),
    )


def _ledger_content(
    t: Translator,
    name: str | None,
    summary: ledger.Summary,
    entries: list[ledger.EntryView],
    election: str,
) -> printables.LedgerContent:
    rows: list[tuple[str, ...]] = []
    raw: list[tuple[object, ...]] = []
    for e in entries:
        kind = t("fund-kind-donation" if e.kind is EntryKind.DONATION else "fund-kind-spending")
        who = e.donor_name or _donor_label(t, e.donor_type)
        flag = ""
        if e.flag is not None and e.return_due is not None:
            state = t("fund-report-returned") if e.returned else e.return_due.strftime("%d.%m.%Y")
            flag = f"{_text(t, FLAG_SHORT[e.flag])}: {ledger.rub(e.return_kop)} ({state})"
        day = e.booked_on.strftime("%d.%m.%Y")
        rows.append((day, kind, who, ledger.rub(e.amount_kop), e.note or "", flag))
        raw.append((day, kind, who, e.amount_kop / 100, e.note or "", flag))
    unset = t("fund-not-set")
    totals = [
        (t("fund-report-raised"), ledger.rub(summary.totals.raised_kop)),
        (t("fund-report-spent"), ledger.rub(summary.totals.spent_kop)),
        (t("fund-report-returned-total"), ledger.rub(summary.totals.returned_kop)),
        (t("fund-report-to-return"), ledger.rub(summary.totals.to_return_kop)),
        (t("fund-report-balance"), ledger.rub(summary.balance_kop)),
        (t("fund-report-limit"),
         ledger.rub(summary.limit_kop) if summary.limit_kop is not None else unset),
    ]  # fmt: skip
    return printables.LedgerContent(
        title=html.unescape(t("fund-report-title", name=name or "")),
        subtitle=election,
        totals=totals,
        header=tuple(t("fund-report-header").split("|")),
        rows=rows,
        raw_rows=raw,
        totals_sheet=t("fund-report-sheet-totals"),
        entries_sheet=t("fund-report-sheet-entries"),
        empty=t("fund-report-empty"),
    )


# --- the supporter who opens a donation link -------------------------------------------------


@deep_link(LINK_KIND)
async def donation_link(
    link: DeepLink,
    message: Message,
    *,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    **_: Any,
) -> bool:
    account = await uow.fund.account_by_token(link.argument)
    candidate = await uow.quest.candidate(account.candidate_id) if account else None
    if account is None or candidate is None or account.verified_at is None:
        await message.answer(t("fund-donate-unknown"))
        return True
    # Only the link's token and the dialog's position are kept; nothing about the person.
    await state.set_state(DonorForm.eligibility)
    await state.update_data(don_token=account.token, don_step=0, don_amount=None)
    district = await _district_label(uow, candidate, t)
    organisation = (
        await uow.geography.organisation(candidate.organisation_id)
        if candidate.organisation_id
        else None
    )
    await message.answer(
        t(
            "fund-donate-card",
            name=await names.full_name(uow, cipher, candidate) or "",
            district=district or "—",
            organisation=organisation.name if organisation else "—",
        )
        + "\n\n"
        + t("fund-donate-rules")
    )
    await _ask_eligibility(message, t, 0)
    return True


async def _end_donor_dialog(state: FSMContext) -> None:
    """The donation dialog's keys go; another dialog's data of the same person stays (a
    candidate may open their own link to try it)."""
    await state.set_state(None)
    data = await state.get_data()
    await state.set_data({k: v for k, v in data.items() if not k.startswith("don_")})


def _eligibility_markup(t: Translator, index: int) -> InlineKeyboardMarkup:
    return _markup(
        [
            button(t("fund-yes"), DonorCb(step="q", n=index, yes=True)),
            button(t("fund-no"), DonorCb(step="q", n=index, yes=False)),
        ]
    )


async def _ask_eligibility(message: Message, t: Translator, index: int) -> None:
    question = donor_rules.QUESTIONS[index]
    await message.answer(
        t("fund-donate-question", number=index + 1, total=len(donor_rules.QUESTIONS))
        + "\n"
        + _text(t, question.ask),
        reply_markup=_eligibility_markup(t, index),
    )


async def _donor_account(
    uow: UnitOfWork, state: FSMContext
) -> tuple[FundAccount, Candidate] | None:
    token = str((await state.get_data()).get("don_token") or "")
    account = await uow.fund.account_by_token(token) if token else None
    candidate = await uow.quest.candidate(account.candidate_id) if account else None
    return (account, candidate) if account and candidate else None


@router.callback_query(DonorCb.filter(F.step == "q"))
async def on_eligibility(
    callback: CallbackQuery,
    callback_data: DonorCb,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
) -> None:
    await callback.answer()
    message = callback_message(callback)
    found = await _donor_account(uow, state)
    if found is None or await state.get_state() != DonorForm.eligibility.state:
        await message.answer(t("fund-donate-expired"))
        return
    expected = int((await state.get_data()).get("don_step") or 0)
    if callback_data.n != expected or not 0 <= expected < len(donor_rules.QUESTIONS):
        return  # an old button pressed again: the current question is already on screen
    if not callback_data.yes:
        await _end_donor_dialog(state)
        await message.answer(_text(t, donor_rules.QUESTIONS[expected].refusal))
        return
    if expected + 1 < len(donor_rules.QUESTIONS):
        await state.update_data(don_step=expected + 1)
        await _ask_eligibility(message, t, expected + 1)
        return
    await state.set_state(DonorForm.amount)
    summary = await ledger.summary(uow, found[1], await uow.geography.current_election())
    cap = summary.cap_citizen_kop
    await message.answer(
        t("fund-donate-amount", cap=ledger.rub(cap))
        if cap is not None
        else t("fund-donate-amount-nocap")
    )


@router.message(DonorForm.amount, F.text, ~F.text.startswith("/"))
async def on_donor_amount(
    message: Message, state: FSMContext, uow: UnitOfWork, t: Translator
) -> None:
    found = await _donor_account(uow, state)
    if found is None:
        await _end_donor_dialog(state)
        await message.answer(t("fund-donate-expired"))
        return
    summary = await ledger.summary(uow, found[1], await uow.geography.current_election())
    try:
        amount = ledger.parse_money(message.text or "")
        donor_rules.check_amount(amount, summary.cap_citizen_kop)
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    await state.update_data(don_amount=amount)
    await state.set_state(DonorForm.choice)
    await message.answer(
        t("fund-donate-details-offer"),
        reply_markup=_markup(
            [button(t("fund-donate-give-details"), DonorCb(step="data"))],
            [button(t("fund-donate-no-details"), DonorCb(step="nodata"))],
        ),
    )


@router.callback_query(DonorCb.filter(F.step == "data"), DonorForm.choice)
async def on_donor_wants_details(
    callback: CallbackQuery, state: FSMContext, t: Translator
) -> None:
    await callback.answer()
    await state.set_state(DonorForm.details)
    await callback_message(callback).answer(t("fund-donate-details-ask"))


@router.callback_query(DonorCb.filter(F.step == "nodata"), DonorForm.choice)
async def on_donor_no_details(
    callback: CallbackQuery, state: FSMContext, uow: UnitOfWork, cipher: FieldCipher, t: Translator
) -> None:
    await callback.answer()
    await _send_donor_qr(callback_message(callback), state, uow, cipher, t, None)


@router.message(DonorForm.details, F.text, ~F.text.startswith("/"))
async def on_donor_details(
    message: Message, state: FSMContext, uow: UnitOfWork, cipher: FieldCipher, t: Translator
) -> None:
    election = await uow.geography.current_election()
    try:
        payer = donor_rules.parse_payer(
            message.text or "", election.election_day if election else None
        )
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    except donor_rules.NotEligible as refusal:
        await _end_donor_dialog(state)
        await _forget_message(message)
        await message.answer(t(refusal.code))
        return
    await _forget_message(message)
    await _send_donor_qr(message, state, uow, cipher, t, payer)


async def _forget_message(message: Message) -> None:
    """The donor's details served their purpose: the bot asks Telegram to drop them too."""
    with contextlib.suppress(TelegramAPIError):  # too old or already gone: nothing to do
        await message.delete()


async def _send_donor_qr(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    payer: qr.Payer | None,
) -> None:
    found = await _donor_account(uow, state)
    amount = int((await state.get_data()).get("don_amount") or 0)
    # Whatever happens next, the dialog is over and its data goes.
    await _end_donor_dialog(state)
    if found is None or amount <= 0:
        await message.answer(t("fund-donate-expired"))
        return
    account, candidate = found
    name = await names.full_name(uow, cipher, candidate) or ""
    payload = qr.build_payload(
        ledger.details_of(account),
        purpose=qr.purpose(name, citizenship=payer.citizenship if payer else None),
        amount_kop=amount,
        payer=payer,
    )
    png = await asyncio.to_thread(qr.render_png, payload)
    caption = t(
        "fund-donate-qr" if payer else "fund-donate-qr-anonymous",
        amount=ledger.rub(amount),
        name=name,
    )
    await message.answer_photo(BufferedInputFile(png, filename="donation.png"), caption=caption)


TEXT_STATES = (
    *SETUP_STATES.values(),
    FundForm.amount,
    FundForm.day,
    FundForm.donor_name,
    FundForm.donor_id,
    FundForm.note,
    DonorForm.amount,
    DonorForm.details,
)


@router.message(StateFilter(*TEXT_STATES), ~F.text)
async def on_not_text(message: Message, t: Translator) -> None:
    """A photo or sticker where a typed answer is expected: the dialog keeps its place."""
    await message.answer(t("fund-text-expected"))


BUTTON_STATES = (
    FundForm.confirm,
    FundForm.donor_type,
    FundForm.donor_status,
    DonorForm.eligibility,
    DonorForm.choice,
)


@router.message(StateFilter(*BUTTON_STATES))
async def on_use_buttons(message: Message, t: Translator) -> None:
    """A message where the dialog waits for a button: the dialog keeps its place."""
    await message.answer(t("fund-donate-use-buttons"))


# --- coordinators ----------------------------------------------------------------------------


@router.message(Command("funds"), IsStaff())
async def on_funds(
    message: Message,
    command: CommandObject,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    try:
        filters = directory.parse_filters((command.args or "").split())
        rows = await directory.rows(uow, directory.scope_of(actor), filters)
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    if not rows:
        await message.answer(t("directory-empty"))
        return
    found = await ledger.statuses(uow, [row.candidate for row in rows], today_in(settings))
    found.sort(key=lambda s: (-s.overdue, -s.flagged_open, not s.opened, s.candidate.id))
    opened = sum(1 for s in found if s.opened)
    lines = [t("fund-funds-head", count=len(found), opened=opened)]
    shown = await names.full_names(uow, cipher, [s.candidate for s in found[:MAX_LIST]])
    lines += [status_line(t, s, shown.get(s.candidate.id)) for s in found[:MAX_LIST]]
    if len(found) > MAX_LIST:
        lines.append(t("fund-funds-more", count=len(found) - MAX_LIST))
    await uow.audit.record(
        actor.user_id, "fund_status_viewed", "candidates", None, rows=len(found)
    )
    await message.answer("\n".join(lines))


def status_line(t: Translator, status: ledger.FundStatus, name: str | None) -> str:
    name = html.escape(name or str(status.candidate.id))
    return t(
        "fund-status-line",
        name=Markup(name),
        opened=t("fund-status-opened" if status.opened else "fund-status-not-opened"),
        verified="✅" if status.verified else "—",
        raised=ledger.rub(status.raised_kop),
        flagged=status.flagged_open,
        overdue=status.overdue,
    )


async def card_line(uow: UnitOfWork, t: Translator, candidate: Candidate, today: date) -> str:
    """One line for the coordinators' candidate card."""
    status = (await ledger.statuses(uow, [candidate], today))[0]
    return t("fund-card-line") + " " + status_line(t, status, None).split(" — ", 1)[-1]


# --- the return reminder (kind "fund_return" in the reminder outbox) -------------------------


async def render_return_reminder(
    uow: UnitOfWork, t: Translator, payload: dict[str, object], today: date
) -> tuple[str, InlineKeyboardMarkup] | None:
    entry_id = payload.get("entry")
    entry = await uow.fund.entry(entry_id) if isinstance(entry_id, int) else None
    if not ledger.return_still_relevant(payload, entry, today):
        return None
    assert entry is not None
    text = "⏰ " + t("fund-reminder-return") + "\n" + _flag_text(t, entry, today)
    return text, _markup([button(t("fund-reminder-open"), FundCb(action="entry", n=entry.id))])


register("fund_report", _run_report, lambda actor: actor.is_registered_candidate)
# Donors' names leave in the fund report; the staff's status list spans many candidates.
anomalies.watch("fund_exported")
anomalies.watch("fund_exported", anomalies.EXPORTS)
anomalies.watch("fund_status_viewed")
