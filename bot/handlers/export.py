"""/export candidates [csv] [pseudo|plain]: a file of the candidates in the coordinator's
scope, after the coordinator's PIN. By default an AES-encrypted ZIP whose password is shown
once; `pseudo` gives a file without names and with masked contacts; `plain` an open file,
with a warning. Built in a worker thread; the export is written to the audit log with its
size and mode, not its contents."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, Message

from bot.db.uow import UnitOfWork
from bot.handlers.pin_gate import register, require_pin
from bot.i18n import Translator
from bot.services import directory, export, names
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.export_protect import Mode, encrypted_zip, new_password, pseudonymise
from bot.services.keyring import preload_people
from bot.services.roles import Actor
from bot.services.validation import mask_email, mask_phone
from bot.telegram.filters import IsStaff

router = Router(name="export")
router.message.filter(IsStaff())
WHAT = ("candidates",)
OPTIONS = {"csv", "xlsx", Mode.PSEUDONYMISED.value, Mode.PLAIN.value}


def _valid(words: list[str]) -> bool:
    options = set(words[1:])
    return (
        bool(words)
        and words[0] in WHAT
        and options <= OPTIONS
        and not {Mode.PSEUDONYMISED.value, Mode.PLAIN.value} <= options
    )


@router.message(Command("export"))
async def on_export(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
) -> None:
    words = (command.args or "").split()
    if not _valid(words):
        await message.answer(t("export-usage"))
        return
    await require_pin(message, state, uow, t, "export", " ".join(words))


def _mode(words: list[str]) -> Mode:
    for mode in (Mode.PSEUDONYMISED, Mode.PLAIN):
        if mode.value in words:
            return mode
    return Mode.ENCRYPTED


async def _run_export(message: Message, args: str, data: dict[str, Any]) -> None:
    uow: UnitOfWork = data["uow"]
    cipher: FieldCipher = data["cipher"]
    t: Translator = data["t"]
    actor: Actor = data["actor"]
    words = args.split()
    if not _valid(words):
        await message.answer(t("export-usage"))
        return
    as_csv, mode = "csv" in words[1:], _mode(words)
    rows = await directory.rows(uow, directory.scope_of(actor), directory.Filters())
    if not rows:
        await message.answer(t("directory-empty"))
        return
    await preload_people(uow, cipher, [row.candidate.user_id for row in rows])
    header = tuple(t("export-candidates-header").split("|"))
    found = await names.full_names(uow, cipher, [row.candidate for row in rows])
    table = export.candidates_table(rows, cipher, header, found)
    if mode is Mode.PSEUDONYMISED:
        # A stable pseudonym: the same person is the same line in every export.
        table = pseudonymise(
            table,
            {
                1: lambda line: "К-" + cipher.blind_index(f"pseudonym:candidate:{line[0]}")[:8],
                5: lambda line: mask_phone(str(line[5])) if line[5] else "",
                6: lambda line: mask_email(str(line[6])) if line[6] else "",
            },
        )
    if as_csv:
        content = await asyncio.to_thread(export.render_csv, table)
    else:
        content = await asyncio.to_thread(export.render_xlsx, table, t("export-candidates-sheet"))
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    name = f"candidates-{stamp}.{'csv' if as_csv else 'xlsx'}"
    await send_safely(
        message,
        t,
        content,
        name,
        mode,
        caption=t("export-caption", count=len(rows)),
        audit=Audited(uow, actor.user_id, "candidates", None, len(rows)),
    )


def mode_of(words: list[str]) -> Mode:
    """The export mode a command's words ask for; encrypted unless `pseudo` or `plain`."""
    return _mode(words)


@dataclass(frozen=True)
class Audited:
    """How a safe export is written to the audit log (action "export")."""

    uow: UnitOfWork
    actor_id: int
    subject_type: str
    subject_id: int | None
    rows: int
    action: str = "export"


async def send_safely(
    message: Message,
    t: Translator,
    content: bytes,
    name: str,
    mode: Mode,
    *,
    caption: str,
    audit: Audited | None,
) -> None:
    """The one way a file of personal data leaves: an AES ZIP whose password is shown once
    (default), or as built (pseudonymised by the caller, or plain after a warning); audited
    with its mode and size, never its contents (audit=None: the caller's service did)."""
    password = None
    if mode is Mode.ENCRYPTED:
        password = new_password()
        content = await asyncio.to_thread(encrypted_zip, name, content, password)
        name = name.rsplit(".", 1)[0] + ".zip"
    if audit is not None:
        await audit.uow.audit.record(
            audit.actor_id,
            audit.action,
            audit.subject_type,
            audit.subject_id,
            rows=audit.rows,
            format=name.rsplit(".")[-1],
            mode=mode.value,
        )
    if mode is Mode.PLAIN:
        await message.answer(t("export-plain-warning"))
    await message.answer_document(BufferedInputFile(content, filename=name), caption=caption)
    if password is not None:
        await message.answer(t("export-password", password=password))


register("export", _run_export, lambda actor: actor.is_staff)
