"""The fund's files: a bank statement (CSV or XLSX) read into the ledger, all of it or
nothing, and the summary for the financial report (PDF or XLSX, behind the PIN)."""

from __future__ import annotations

import asyncio
import html
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.config import Settings
from bot.db.models.fund import EntryKind
from bot.db.uow import UnitOfWork
from bot.documents import fund as printables
from bot.handlers.fund_views import (
    FLAG_SHORT,
    FundCb,
    FundForm,
    donor_label,
    keyboard,
    own_candidate,
    table_text,
    with_open_account,
)
from bot.handlers.pin_gate import register, require_pin
from bot.handlers.views import callback_message
from bot.i18n import Markup, Translator
from bot.services import anomalies, names
from bot.services import fund as ledger
from bot.services import fund_statement as statements
from bot.services.crypto import FieldCipher
from bot.services.roles import Actor
from bot.telegram.keyboards import button

router = Router(name="fund_files")


# --- statements ------------------------------------------------------------------------------


@router.callback_query(FundCb.filter(F.action == "import"))
async def on_import(
    callback: CallbackQuery, state: FSMContext, uow: UnitOfWork, t: Translator, actor: Actor
) -> None:
    await callback.answer()
    if await with_open_account(uow, actor, callback_message(callback), t) is None:
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
    candidate = await own_candidate(uow, actor)
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
        reply_markup=keyboard(
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
    if await own_candidate(uow, actor) is None:
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
    candidate = await own_candidate(uow, actor)
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
        who = e.donor_name or donor_label(t, e.donor_type)
        flag = ""
        if e.flag is not None and e.return_due is not None:
            state = t("fund-report-returned") if e.returned else e.return_due.strftime("%d.%m.%Y")
            flag = f"{table_text(t, FLAG_SHORT[e.flag])}: {ledger.rub(e.return_kop)} ({state})"
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


register("fund_report", _run_report, lambda actor: actor.is_registered_candidate)
# Donors' names leave in the fund report.
anomalies.watch("fund_exported")
anomalies.watch("fund_exported", anomalies.EXPORTS)
