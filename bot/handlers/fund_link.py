"""The donation link: the card the candidate shares (a QR code with the payment details and
a printable PDF), and the supporter who opens the link, answers the eligibility questions and
gets a QR code for their bank app. Nothing about the supporter is kept."""

from __future__ import annotations

import asyncio
import contextlib
import html
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message

from bot.db.models import Candidate
from bot.db.models.fund import FundAccount
from bot.db.uow import UnitOfWork
from bot.documents import fund as printables
from bot.handlers.deeplinks import deep_link
from bot.handlers.fund_views import (
    DonorCb,
    DonorForm,
    FundCb,
    keyboard,
    table_text,
    with_open_account,
)
from bot.handlers.views import callback_message
from bot.i18n import Translator
from bot.services import fund as ledger
from bot.services import fund_checks as checks
from bot.services import fund_donor as donor_rules
from bot.services import fund_qr as qr
from bot.services import names
from bot.services.crypto import FieldCipher
from bot.services.deeplinks import DeepLink, build_link
from bot.services.errors import InputError
from bot.services.roles import Actor
from bot.telegram.keyboards import button

router = Router(name="fund_link")
LINK_KIND = "don"


# --- the card the candidate shares -----------------------------------------------------------


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
    found = await with_open_account(uow, actor, callback_message(callback), t)
    if found is None:
        return
    candidate, account = found
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
    return keyboard(
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
        + table_text(t, question.ask),
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
        await message.answer(table_text(t, donor_rules.QUESTIONS[expected].refusal))
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
        reply_markup=keyboard(
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
