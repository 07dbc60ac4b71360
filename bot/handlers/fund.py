"""The electoral fund in Telegram. /fund opens the candidate's fund screen; each dialog that
starts from it has a module of its own, on a router included here:

- bot.handlers.fund_details: the bank details of the fund's account;
- bot.handlers.fund_link: the donation link and card, and the supporter who opens the link;
- bot.handlers.fund_ledger: donations and spending recorded by hand, returns to donors;
- bot.handlers.fund_files: a bank statement read into the ledger, the financial report;
- bot.handlers.fund_staff: /funds for coordinators.

What the dialogs share is in bot.handlers.fund_views. Here: the fund screen, and what every
fund dialog answers to a message of the wrong kind. The rules are in bot.services.fund*; these
handlers read like the dialogs they are."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.config import Settings
from bot.db.models import Candidate
from bot.db.uow import UnitOfWork
from bot.handlers import fund_details, fund_files, fund_ledger, fund_link, fund_staff
from bot.handlers.fund_details import SETUP_STATES
from bot.handlers.fund_views import DonorForm, FundCb, FundForm, own_candidate, send_fund_screen
from bot.handlers.quest import QuestHolder, service_for
from bot.handlers.views import callback_message
from bot.i18n import Translator
from bot.services.crypto import FieldCipher
from bot.services.roles import Actor

router = Router(name="fund")
# aiogram tries this router's own handlers first, then these routers' in this order. /funds
# comes last: a coordinator who types it in the middle of a fund dialog gets that dialog's
# reminder to press a button or send the file.
router.include_routers(
    fund_details.router, fund_link.router, fund_ledger.router, fund_files.router, fund_staff.router
)


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
    candidate = await own_candidate(uow, actor)
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


# --- what every fund dialog answers to a message of the wrong kind ---------------------------
# Tried before the dialogs' own handlers (on the routers included above), which take none of
# the messages these take.


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
