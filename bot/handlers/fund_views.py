"""What the fund's dialogs share: the callback data, the dialogs' states, the tables of
labels (tests check that every id in them exists), the fund screen. No handlers here; the
dialogs are bot.handlers.fund and the fund_* modules next to it."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.db.models import Candidate
from bot.db.models.fund import DonorType, Flag, FundAccount
from bot.db.uow import UnitOfWork
from bot.i18n import Translator
from bot.services import fund as ledger
from bot.services.roles import Actor
from bot.telegram.keyboards import button


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


def table_text(t: Translator, key: str, **params: object) -> str:
    """A message whose id comes from a table above (tests check every table's ids exist)."""
    return t(key, **params)


def keyboard(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=list(rows))


async def own_candidate(uow: UnitOfWork, actor: Actor) -> Candidate | None:
    if not actor.is_registered_candidate:
        return None
    return await uow.candidates.by_user(actor.user_id)


async def with_open_account(
    uow: UnitOfWork, actor: Actor, message: Message, t: Translator
) -> tuple[Candidate, FundAccount] | None:
    """The candidate and their fund account for a button that needs one; without an
    opened account the person is told so (in `message`'s chat) and gets None."""
    candidate = await own_candidate(uow, actor)
    account = await uow.fund.account(candidate.id) if candidate else None
    if candidate is None or account is None:
        await message.answer(t("fund-not-opened"))
        return None
    return candidate, account


async def send_fund_screen(
    message: Message, uow: UnitOfWork, t: Translator, candidate: Candidate
) -> None:
    account = await uow.fund.account(candidate.id)
    if account is None:
        await message.answer(
            t("fund-intro-new"),
            reply_markup=keyboard([button(t("fund-button-setup"), FundCb(action="setup"))]),
        )
        return
    election = await uow.geography.current_election()
    summary = await ledger.summary(uow, candidate, election)
    open_returns = summary.totals.flagged_open
    await message.answer(
        _summary_text(t, summary),
        reply_markup=keyboard(
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


def donor_label(t: Translator, donor_type: DonorType | None) -> str:
    return table_text(t, DONOR_TYPE_LABELS[donor_type]) if donor_type else ""
