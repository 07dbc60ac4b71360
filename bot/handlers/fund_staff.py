"""The funds for coordinators: /funds lists their candidates' funds, the most urgent first,
and the line of the fund on a candidate's card (bot.handlers.directory)."""

from __future__ import annotations

import html
from datetime import date

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.config import Settings
from bot.db.models import Candidate
from bot.db.uow import UnitOfWork
from bot.handlers.quest import today_in
from bot.i18n import Markup, Translator
from bot.services import anomalies, directory, names
from bot.services import fund as ledger
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.roles import Actor
from bot.telegram.filters import IsStaff

router = Router(name="fund_staff")
MAX_LIST = 40  # lines in one message of /funds


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


# The staff's status list spans many candidates.
anomalies.watch("fund_status_viewed")
