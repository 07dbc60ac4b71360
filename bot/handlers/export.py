"""/export candidates [csv]: a file of the candidates in the coordinator's scope. Built in a
worker thread; the export is written to the audit log with its size, not its contents."""

from __future__ import annotations

import asyncio

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message

from bot.db.uow import UnitOfWork
from bot.i18n import Translator
from bot.services import directory, export
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.roles import Actor
from bot.telegram.filters import IsStaff

router = Router(name="export")
router.message.filter(IsStaff())
WHAT = ("candidates",)


@router.message(Command("export"))
async def on_export(
    message: Message,
    command: CommandObject,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    words = (command.args or "").split()
    if not words or words[0] not in WHAT or not set(words[1:]) <= {"csv", "xlsx"}:
        await message.answer(t("export-usage"))
        return
    as_csv = "csv" in words[1:]
    rows = await directory.rows(uow, directory.scope_of(actor), directory.Filters())
    if not rows:
        await message.answer(t("directory-empty"))
        return
    header = tuple(t("export-candidates-header").split("|"))
    table = export.candidates_table(rows, cipher, header)
    if as_csv:
        data = await asyncio.to_thread(export.render_csv, table)
    else:
        data = await asyncio.to_thread(export.render_xlsx, table, t("export-candidates-sheet"))
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    name = f"candidates-{stamp}.{'csv' if as_csv else 'xlsx'}"
    await uow.audit.record(
        actor.user_id, "export", "candidates", None, rows=len(rows), format=name.rsplit(".")[-1]
    )
    await message.answer_document(
        BufferedInputFile(data, filename=name),
        caption=t("export-caption", count=len(rows)),
    )
