"""The candidate's canvass office: the district summary with its chart, where to come back,
the get-out-the-vote list, quality flags, volunteers and the invite link, exports, the
address list upload, and erasing a resident who withdrew consent. Coordinators: the address
list of a district in their scope (/import_addresses) and the flags (/canvass_flags)."""

from __future__ import annotations

import asyncio
import html
import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.config import Settings
from bot.db.uow import UnitOfWork
from bot.documents import canvass as documents
from bot.handlers.canvass_views import (
    ButtonContext,
    button,
    campaign_for,
    fit,
    gotv_text,
    import_summary_text,
    keyboard,
    outcome_name,
    show_error,
    summary_text,
    topic_name,
    who,
)
from bot.handlers.export import Audited, send_safely
from bot.handlers.pin_gate import register, require_pin
from bot.handlers.quest import QuestHolder, service_for
from bot.i18n import Markup, Translator
from bot.services import anomalies, directory, export, names
from bot.services import canvass as service
from bot.services import canvass_addresses as addresses
from bot.services import canvass_report as report
from bot.services.canvass import Campaign
from bot.services.canvass_line import OUTCOMES, TOPICS
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.deeplinks import build_link
from bot.services.errors import InputError
from bot.services.export_protect import Mode
from bot.services.roles import Actor

log = logging.getLogger(__name__)
router = Router(name="canvass_office")
MAX_UPLOAD = 2 * 1024 * 1024
DOORS_TASK = "canvass.doors"  # bot/quests/stages/07_canvass.toml


class OfficeCb(CallbackData, prefix="cvo"):
    a: str  # action
    id: int = 0
    v: str = ""


class OfficeForm(StatesGroup):
    upload = State()  # an address list CSV
    erase = State()  # the phone of a resident who withdrew their consent


def office_button(text: str, action: str, id: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=OfficeCb(a=action, id=id).pack())


async def send_summary(
    message: Message,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    campaign: Campaign,
    actor: Actor,
    holder: QuestHolder | None,
    settings: Settings,
) -> None:
    summary = await report.summary(uow, cipher, campaign)
    if holder is not None:
        await _sync_doors(uow, cipher, holder, settings, campaign, summary.doors)
    await message.answer(summary_text(t, summary), reply_markup=_candidate_menu(t, summary))
    if summary.doors:
        # Without the emoji: the chart's font has no colour glyphs.
        labels = [outcome_name(t, o).split(" ", 1)[-1] for o in OUTCOMES]
        values = [float(summary.outcomes[o]) for o in OUTCOMES]
        image = await asyncio.to_thread(
            documents.outcomes_chart,
            t("canvass-chart-title"),
            labels,
            t("canvass-chart-doors"),
            values,
        )
        await message.answer_photo(
            BufferedInputFile(image, filename="canvass.png"), caption=t("canvass-chart-caption")
        )


async def _sync_doors(
    uow: UnitOfWork,
    cipher: FieldCipher,
    holder: QuestHolder,
    settings: Settings,
    campaign: Campaign,
    doors: int,
) -> None:
    """The quest's "300 doors" counter follows the canvass log: no number to type twice."""
    candidate = await uow.quest.candidate(campaign.candidate_id)
    if candidate is None or doors == 0:
        return
    user = await uow.users.get(candidate.user_id)
    quest = await service_for(
        uow, cipher, holder, candidate, user.locale if user else "ru", settings
    )
    task = (await quest.view()).task(DOORS_TASK)
    if task is None or not task.actionable or (task.progress and task.progress[0] >= doors):
        return
    try:
        await quest.count(DOORS_TASK, doors, absolute=True)
    except InputError as error:  # closed meanwhile, or over the counter's range
        log.info("doors counter not synced: %s", error.code)


def _candidate_menu(t: Translator, summary: report.Summary) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [button(t("canvass-button-new-note"), "new")],
            [
                office_button(t("canvass-button-follow-ups", count=summary.follow_ups), "fus"),
                office_button(t("canvass-button-gotv"), "gl"),
            ],
            [
                office_button(t("canvass-button-flags", count=summary.flagged), "fl"),
                office_button(t("canvass-button-volunteers"), "vol"),
            ],
            [
                office_button(t("canvass-button-export-xlsx"), "exx"),
                office_button(t("canvass-button-export-csv"), "exc"),
            ],
            [
                office_button(t("canvass-button-upload"), "up"),
                office_button(t("canvass-button-erase"), "er"),
            ],
        ]
    )


async def _follow_ups(ctx: ButtonContext) -> None:
    ctx.candidate_only()
    due = await report.follow_ups(ctx.uow, ctx.cipher, ctx.campaign)
    if not due:
        await ctx.message.answer(ctx.t("canvass-follow-ups-empty"))
        return
    lines = [ctx.t("canvass-follow-ups", count=len(due))]
    rows = []
    for item in due:
        line = ctx.t(
            "canvass-follow-up-line",
            address=item.address,
            apartment=item.apartment or "—",
            outcome=outcome_name(ctx.t, item.outcome),
            date=item.at.strftime("%d.%m"),
        )
        if item.note:
            line += f"\n   📝 {html.escape(item.note[:150])}"
        lines.append(line)
        rows.append(
            [
                office_button(
                    ctx.t(
                        "canvass-button-done", address=f"{item.address}, {item.apartment or '—'}"
                    ),
                    "fd",
                    item.visit_id,
                )
            ]
        )
    await ctx.message.answer(Markup(fit("\n".join(lines))), reply_markup=keyboard(rows[:20]))


async def _follow_up_done(ctx: ButtonContext) -> None:
    ctx.candidate_only()
    await service.follow_up_done(ctx.uow, ctx.campaign, ctx.data.id)
    await ctx.answer(ctx.t("canvass-follow-up-done"))


async def _gotv(ctx: ButtonContext) -> None:
    ctx.candidate_only()
    groups = await report.gotv_list(ctx.uow, ctx.cipher, ctx.campaign.candidate_id)
    await ctx.uow.audit.record(
        ctx.actor.user_id, "canvass_gotv_viewed", "candidate", ctx.campaign.candidate_id
    )
    await ctx.message.answer(gotv_text(ctx.t, groups))


async def _flags(ctx: ButtonContext) -> None:
    ctx.candidate_only()
    items = await report.flagged(ctx.uow, ctx.cipher, ctx.campaign.candidate_id)
    if not items:
        await ctx.message.answer(ctx.t("canvass-flags-empty"))
        return
    lines = [ctx.t("canvass-flags", count=len(items))]
    for item in items:
        reasons = ", ".join(
            ctx.t(f"canvass-flag-{flag}", metres=item.distance_m or 0) for flag in item.flags
        )
        lines.append(
            ctx.t(
                "canvass-flag-line",
                at=item.at.strftime("%d.%m %H:%M"),
                volunteer=who(ctx.t, item.volunteer),
                address=item.address,
                apartment=item.apartment or "—",
                reasons=reasons,
            )
        )
    await ctx.message.answer(Markup(fit("\n".join(lines))))


async def _volunteers(ctx: ButtonContext) -> None:
    ctx.candidate_only()
    token = await service.invite_token(ctx.uow, ctx.cipher, ctx.campaign.candidate_id)
    await _send_volunteers(ctx, token)


async def _send_volunteers(ctx: ButtonContext, token: str) -> None:
    me = await ctx.bot.me()
    link = build_link(me.username or "bot", "vol", token)
    people = [
        v
        for v in await service.volunteers(ctx.uow, ctx.cipher, ctx.campaign.candidate_id)
        if not v.is_candidate
    ]
    active = [v for v in people if v.active]
    lines = [ctx.t("canvass-volunteers", count=len(active), link=link)]
    lines += [f"• {html.escape(v.name)}" for v in active]
    rows = [
        [office_button(ctx.t("canvass-button-remove", name=v.name), "rv", v.id)]
        for v in active[:20]
    ]
    rows.append([office_button(ctx.t("canvass-button-new-link"), "ni")])
    await ctx.message.answer(Markup("\n".join(lines)), reply_markup=keyboard(rows))


async def _new_link(ctx: ButtonContext) -> None:
    ctx.candidate_only()
    token = await service.new_invite(ctx.uow, ctx.cipher, ctx.campaign.candidate_id)
    await _send_volunteers(ctx, token)


async def _remove(ctx: ButtonContext) -> None:
    ctx.candidate_only()
    await service.remove_volunteer(ctx.uow, ctx.campaign, ctx.data.id)
    await ctx.answer(ctx.t("canvass-volunteer-removed"))


async def _export(ctx: ButtonContext) -> None:
    """How the file should leave: encrypted by default, or pseudonymised, or plain."""
    ctx.candidate_only()
    fmt = "csv" if ctx.data.a == "exc" else "xlsx"
    rows = [
        [
            InlineKeyboardButton(
                text=ctx.t(f"canvass-button-mode-{mode.value}"),
                callback_data=OfficeCb(a="exg", v=f"{fmt}.{mode.value}").pack(),
            )
        ]
        for mode in Mode
    ]
    await ctx.message.answer(ctx.t("canvass-export-how"), reply_markup=keyboard(rows))


def _export_args(value: str) -> tuple[bool, Mode] | None:
    fmt, _, mode = value.partition(".")
    if fmt not in ("csv", "xlsx") or mode not in {m.value for m in Mode}:
        return None
    return fmt == "csv", Mode(mode)


async def _export_go(ctx: ButtonContext) -> None:
    """Residents' phones and notes: a stolen session must not take them, so the PIN first
    (a candidate sets one with /pin too)."""
    ctx.candidate_only()
    if _export_args(ctx.data.v) is None:
        raise InputError("canvass-gone")
    await ctx.callback.answer()
    ctx.answered = True
    await require_pin(
        ctx.message, ctx.state, ctx.uow, ctx.t, "canvass_export", ctx.data.v, ctx.actor.user_id
    )


async def _run_export(message: Message, args: str, data: dict[str, Any]) -> None:
    uow: UnitOfWork = data["uow"]
    cipher: FieldCipher = data["cipher"]
    t: Translator = data["t"]
    actor: Actor = data["actor"]
    parsed = _export_args(args)
    campaign = await campaign_for(uow, actor)
    if parsed is None or campaign is None or not campaign.is_candidate:
        await message.answer(t("canvass-candidate-only"))
        return
    as_csv, mode = parsed
    table = await report.export_table(
        uow,
        cipher,
        campaign,
        tuple(t("canvass-export-header").split("|")),
        {o: outcome_name(t, o) for o in OUTCOMES},
        {x: topic_name(t, x) for x in TOPICS},
    )
    if not table.rows:
        await message.answer(t("canvass-export-empty"))
        return
    if mode is Mode.PSEUDONYMISED:
        table = report.pseudonymised(table, cipher)
    if as_csv:
        content = await asyncio.to_thread(export.render_csv, table)
    else:
        coverage = report.coverage_table(
            await report.summary(uow, cipher, campaign),
            tuple(t("canvass-coverage-header").split("|")),
            t("canvass-coverage-review"),
        )
        sheets = [(t("canvass-export-sheet"), table), (t("canvass-coverage-sheet"), coverage)]
        content = await asyncio.to_thread(documents.workbook, sheets)
    name = f"canvass-{utcnow():%Y%m%d-%H%M}.{'csv' if as_csv else 'xlsx'}"
    await send_safely(
        message,
        t,
        content,
        name,
        mode,
        caption=t("canvass-export-caption", count=len(table.rows)),
        audit=Audited(uow, actor.user_id, "canvass", campaign.candidate_id, len(table.rows)),
    )


async def _upload(ctx: ButtonContext) -> None:
    ctx.candidate_only()
    await ctx.state.set_state(OfficeForm.upload)
    await ctx.state.update_data(import_district=ctx.campaign.district_id)
    await ctx.message.answer(ctx.t("canvass-upload-prompt"))


async def _erase(ctx: ButtonContext) -> None:
    ctx.candidate_only()
    await ctx.state.set_state(OfficeForm.erase)
    await ctx.message.answer(ctx.t("canvass-erase-prompt"))


# Run by bot.handlers.canvass.on_button, the one handler of every canvass button.
ACTIONS = {
    "fus": _follow_ups,
    "fd": _follow_up_done,
    "gl": _gotv,
    "fl": _flags,
    "vol": _volunteers,
    "ni": _new_link,
    "rv": _remove,
    "exx": _export,
    "exc": _export,
    "exg": _export_go,
    "up": _upload,
    "er": _erase,
}


@router.message(OfficeForm.erase, F.text | F.contact)
async def on_erase_phone(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    """A resident withdrew their consent: their name and phone go from every note."""
    if message.text and message.text.startswith("/"):
        return
    campaign = await campaign_for(uow, actor)
    if campaign is None or not campaign.is_candidate:
        await state.set_state(None)
        await message.answer(t("canvass-candidate-only"))
        return
    raw = message.contact.phone_number if message.contact else (message.text or "")
    try:
        phone = service.contact_phone(raw)
    except InputError:
        await message.answer(t("canvass-contact-phone-invalid"))
        return
    erased = await service.erase_resident(uow, cipher, campaign, phone)
    await state.set_state(None)
    await message.answer(t("canvass-erased", count=erased))


@router.message(Command("import_addresses"))
async def on_import_addresses(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
) -> None:
    """Staff: /import_addresses <formation> <district number>, then the CSV."""
    if not actor.is_staff:
        await message.answer(t("canvass-staff-only"))
        return
    words = (command.args or "").split()
    if len(words) < 2 or not words[-1].isdigit():
        await message.answer(t("canvass-import-usage"))
        return
    district = await _staff_district(uow, actor, " ".join(words[:-1]), int(words[-1]))
    if district is None:
        await message.answer(t("canvass-unknown-district"))
        return
    await state.set_state(OfficeForm.upload)
    await state.update_data(import_district=district.id)
    await message.answer(t("canvass-upload-prompt"))


async def _staff_district(uow: UnitOfWork, actor: Actor, formation_name: str, number: int) -> Any:
    election = await uow.geography.current_election()
    formation = (
        await uow.geography.formation_by_name(election.id, formation_name) if election else None
    )
    if formation is None:
        return None
    scope = directory.scope_of(actor)
    if not scope.everyone and formation.id not in (scope.formations or frozenset()):
        return None  # out of scope looks like unknown
    return next((d for d in formation.districts if d.number == number), None)


async def _may_import(uow: UnitOfWork, actor: Actor, district_id: int) -> bool:
    campaign = await campaign_for(uow, actor)
    if campaign is not None and campaign.is_candidate and campaign.district_id == district_id:
        return True
    if not actor.is_staff:
        return False
    scope = directory.scope_of(actor)
    district = await uow.geography.district(district_id)
    return district is not None and (
        scope.everyone or district.formation_id in (scope.formations or frozenset())
    )


@router.message(OfficeForm.upload, F.document)
async def on_upload(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
    bot: Bot,
) -> None:
    document = message.document
    district_id = (await state.get_data()).get("import_district")
    if (
        document is None
        or not isinstance(district_id, int)
        or not await _may_import(uow, actor, district_id)
    ):
        await state.set_state(None)
        await message.answer(t("canvass-gone"))
        return
    name = (document.file_name or "").lower()
    if not name.endswith((".csv", ".txt")):
        await message.answer(t("canvass-upload-not-csv"))
        return
    if (document.file_size or 0) > MAX_UPLOAD:
        await message.answer(t("canvass-upload-too-big", limit=MAX_UPLOAD // 1024 // 1024))
        return
    buffer = await bot.download(document.file_id)
    raw = buffer.read() if buffer else b""
    try:
        rows = await asyncio.to_thread(_parse_upload, raw)
        district = await uow.geography.district(district_id)
        assert district is not None
        summary = await addresses.import_addresses(uow, district, rows)
    except InputError as error:
        await show_error(message, t, error)
        return
    await uow.audit.record(
        actor.user_id, "addresses_imported", "district", district_id, rows=summary.rows
    )
    await state.set_state(None)
    await message.answer(import_summary_text(t, summary))


def _parse_upload(raw: bytes) -> list[addresses.AddressRow]:
    return addresses.parse_addresses_csv(addresses.decode_csv(raw))


@router.message(OfficeForm.upload)
async def on_upload_other(message: Message, t: Translator) -> None:
    if message.text and message.text.startswith("/"):
        return
    await message.answer(t("canvass-upload-prompt"))


@router.message(Command("canvass_flags"))
async def on_canvass_flags(
    message: Message, uow: UnitOfWork, cipher: FieldCipher, t: Translator, actor: Actor
) -> None:
    if not actor.is_staff:
        await message.answer(t("canvass-staff-only"))
        return
    scope = directory.scope_of(actor)
    counts = await report.flagged_by_candidate(uow, None)
    lines = []
    for candidate_id, count in sorted(counts.items(), key=lambda item: -item[1]):
        candidate = await uow.quest.candidate(candidate_id)
        if candidate is None or not await directory.in_scope(uow, scope, candidate):
            continue
        name = await names.full_name(uow, cipher, candidate)
        lines.append(t("canvass-staff-flag-line", name=name or candidate.id, count=count))
    if not lines:
        await message.answer(t("canvass-flags-empty"))
        return
    await message.answer(Markup(fit(t("canvass-staff-flags") + "\n" + "\n".join(lines))))


register("canvass_export", _run_export, lambda actor: actor.consented)
# The GOTV list is residents' names and phones: opening it again and again is counted.
anomalies.watch("canvass_gotv_viewed")
