"""The ledger by hand: a donation (with its donor, checked against the rules) or a spending
recorded in a few questions; the donations to return, one donation's card, marking one
returned or its donor's details complete, and the return reminder's text."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.db.models.fund import DonorType, Flag, FundEntry
from bot.db.uow import UnitOfWork
from bot.handlers.fund_views import (
    DONOR_TYPE_LABELS,
    DONOR_TYPES,
    FLAG_LABELS,
    FundCb,
    FundForm,
    donor_label,
    keyboard,
    own_candidate,
    table_text,
    with_open_account,
)
from bot.handlers.quest import today_in
from bot.handlers.views import callback_message
from bot.i18n import Translator
from bot.services import fund as ledger
from bot.services import fund_checks as checks
from bot.services import validation
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.roles import Actor
from bot.telegram.keyboards import button

router = Router(name="fund_ledger")
MAX_RETURNS = 15  # donations in one message of the returns list, each with its buttons


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
    if await with_open_account(uow, actor, callback_message(callback), t) is None:
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
        reply_markup=keyboard([button(t("fund-button-today"), FundCb(action="today"))]),
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
        [button(table_text(t, DONOR_TYPE_LABELS[kind]), FundCb(action="dtype", n=index))]
        for index, kind in enumerate(DONOR_TYPES)
    ]
    await message.answer(t("fund-ask-donor-type"), reply_markup=keyboard(*rows))


@router.message(FundForm.note, F.text, ~F.text.startswith("/"))
async def on_spend_note(
    message: Message, state: FSMContext, uow: UnitOfWork, cipher: FieldCipher, t: Translator,
    actor: Actor,
) -> None:  # fmt: skip
    candidate = await own_candidate(uow, actor)
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
        reply_markup=keyboard([button(t("fund-button-back"), FundCb(action="menu"))]),
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
        reply_markup=keyboard(
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
    candidate = await own_candidate(uow, actor)
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
        reply_markup=keyboard([button(t("fund-button-back"), FundCb(action="menu"))]),
    )


def _flag_text(t: Translator, entry: FundEntry, today: date) -> str:
    assert entry.flag is not None and entry.return_due is not None
    left = (entry.return_due - today).days
    return table_text(
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
    candidate = await own_candidate(uow, actor)
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
    await callback_message(callback).answer("\n\n".join(lines), reply_markup=keyboard(*rows))


def _entry_buttons(t: Translator, entry: FundEntry) -> list[InlineKeyboardButton]:
    buttons = [button(t("fund-button-returned", n=entry.id), FundCb(action="ret", n=entry.id))]
    if entry.flag is Flag.ANONYMOUS:
        buttons.append(button(t("fund-button-complete"), FundCb(action="clear", n=entry.id)))
    return buttons


def _entry_line(t: Translator, view: ledger.EntryView) -> str:
    who = view.donor_name or donor_label(t, view.donor_type)
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
    candidate = await own_candidate(uow, actor)
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
    await callback_message(callback).answer(text, reply_markup=keyboard(*rows))


# What a flagged entry's resolving buttons do: the ledger's change and the confirmation.
_RESOLUTIONS = {
    "ret": (ledger.mark_returned, "fund-marked-returned"),
    "clear": (ledger.clear_anonymous, "fund-flag-cleared"),
}


@router.callback_query(FundCb.filter(F.action.in_(_RESOLUTIONS)))
async def on_resolved(
    callback: CallbackQuery, callback_data: FundCb, uow: UnitOfWork, t: Translator, actor: Actor
) -> None:
    """A flagged donation returned to the donor, or an anonymous one cleared."""
    change, confirmation = _RESOLUTIONS[callback_data.action]
    candidate = await own_candidate(uow, actor)
    try:
        if candidate is None:
            raise InputError("fund-error-entry")
        entry = await change(uow, candidate, callback_data.n, actor.user_id)
    except InputError as error:
        await callback.answer(t(error.code), show_alert=True)
        return
    await callback.answer(t(confirmation, n=entry.id))
    await callback_message(callback).answer(
        t(confirmation, n=entry.id),
        reply_markup=keyboard([button(t("fund-button-back"), FundCb(action="menu"))]),
    )


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
    return text, keyboard([button(t("fund-reminder-open"), FundCb(action="entry", n=entry.id))])
