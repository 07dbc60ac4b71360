"""/export candidates|canvass|supporters|donations [csv] [pseudo|plain]: a file of the
candidates in the coordinator's scope, their canvass notes, the supporters they may see, or
their fund ledgers, after the coordinator's PIN. By default an AES-encrypted ZIP whose
password is shown once; `pseudo` gives a file without names and with masked contacts;
`plain` an open file, with a warning. Built in a worker thread; the export is written to
the audit log with its kind, size and mode, not its contents."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, Message

from bot.db.models.fund import EntryKind
from bot.db.uow import UnitOfWork
from bot.handlers.canvass_views import outcome_name, topic_name
from bot.handlers.fund_views import DONOR_TYPE_LABELS, FLAG_SHORT
from bot.handlers.pin_gate import register, require_pin
from bot.i18n import Translator
from bot.services import directory, export, export_campaign, names, supporters
from bot.services.canvass_line import OUTCOMES, TOPICS
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.export_protect import Mode, encrypted_zip, new_password, pseudonymise
from bot.services.keyring import preload_people
from bot.services.roles import Actor
from bot.services.validation import mask_email, mask_phone
from bot.telegram.filters import IsStaff

router = Router(name="export")
router.message.filter(IsStaff())
WHAT = ("candidates", "canvass", "supporters", "donations")
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
    kind, as_csv, mode = words[0], "csv" in words[1:], _mode(words)
    if kind == "supporters":
        table = await _supporters(uow, cipher, actor, mode)
    else:
        table = await _campaign_table(kind, uow, cipher, t, actor, mode)
    if table is None or not table.rows:
        await message.answer(t("export-empty"))
        return
    if as_csv:
        content = await asyncio.to_thread(export.render_csv, table)
    else:
        content = await asyncio.to_thread(export.render_xlsx, table, _sheet(t, kind))
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    name = f"{kind}-{stamp}.{'csv' if as_csv else 'xlsx'}"
    await send_safely(
        message,
        t,
        content,
        name,
        mode,
        caption=_caption(t, kind, len(table.rows)),
        # The supporters' service writes its own audit entry (supporters_exported).
        audit=None
        if kind == "supporters"
        else Audited(uow, actor.user_id, kind, None, len(table.rows)),
    )


def _sheet(t: Translator, kind: str) -> str:
    return {
        "candidates": t("export-candidates-sheet"),
        "canvass": t("export-canvass-sheet"),
        "supporters": t("export-supporters-sheet"),
        "donations": t("export-donations-sheet"),
    }[kind]


def _caption(t: Translator, kind: str, count: int) -> str:
    return {
        "candidates": t("export-candidates-caption", count=count),
        "canvass": t("export-canvass-caption", count=count),
        "supporters": t("export-supporters-caption", count=count),
        "donations": t("export-donations-caption", count=count),
    }[kind]


async def _campaign_table(
    kind: str, uow: UnitOfWork, cipher: FieldCipher, t: Translator, actor: Actor, mode: Mode
) -> export.Table | None:
    """Candidates, their canvass notes or their fund ledgers: always within the actor's
    scope (the directory's one rule), pseudonymised on request."""
    rows = await directory.rows(uow, directory.scope_of(actor), directory.Filters())
    if not rows:
        return None
    await preload_people(uow, cipher, [row.candidate.user_id for row in rows])
    found = await names.full_names(uow, cipher, [row.candidate for row in rows])
    header = tuple(
        {
            "candidates": t("export-candidates-header"),
            "canvass": t("export-canvass-header"),
            "donations": t("export-donations-header"),
        }[kind].split("|")
    )
    pseudo = mode is Mode.PSEUDONYMISED
    if kind == "canvass":
        table = await export_campaign.canvass_table(
            uow,
            cipher,
            rows,
            found,
            header,
            {o: outcome_name(t, o) for o in OUTCOMES},
            {x: topic_name(t, x) for x in TOPICS},
        )
        return export_campaign.pseudonymised_canvass(table, cipher) if pseudo else table
    if kind == "donations":
        labels = {
            EntryKind.DONATION.value: t("fund-kind-donation"),
            EntryKind.SPENDING.value: t("fund-kind-spending"),
        }
        labels |= {kind.value: t(key) for kind, key in DONOR_TYPE_LABELS.items()}
        labels |= {flag.value: t(key) for flag, key in FLAG_SHORT.items()}
        table = await export_campaign.donations_table(uow, cipher, rows, found, header, labels)
        return export_campaign.pseudonymised_donations(table, cipher) if pseudo else table
    table = export.candidates_table(rows, cipher, header, found)
    if pseudo:
        # A stable pseudonym: the same person is the same line in every export.
        table = pseudonymise(
            table,
            {
                1: lambda line: "К-" + cipher.blind_index(f"pseudonym:candidate:{line[0]}")[:8],
                5: lambda line: mask_phone(str(line[5])) if line[5] else "",
                6: lambda line: mask_email(str(line[6])) if line[6] else "",
            },
        )
    return table


async def _supporters(
    uow: UnitOfWork, cipher: FieldCipher, actor: Actor, mode: Mode
) -> export.Table | None:
    """The supporters feature's own export (its visibility rule, its `sources` column, its
    audit entry), only in the formats /export offers."""
    seen = await supporters.visibility(uow, actor)
    if seen is None:
        return None
    table = await supporters.export_table(uow, cipher, seen, actor.user_id, "export", mode.value)
    if mode is Mode.PSEUDONYMISED:
        table = await asyncio.to_thread(supporters.pseudonymised, table, cipher)
    return table


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
