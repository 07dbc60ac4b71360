"""/broadcast: staff write to a segment of candidates. Choose the segment (a second step lists
the stages, organisations or formations that have candidates within the sender's scope), type
the text, see it exactly as the recipients will with their number, confirm. The messages go
through the reminder outbox (bot.services.broadcast). A status message shows how far, edited
live while the messages go out (bot.telegram.broadcast_progress); /broadcast_status <id> too.

The confirm button carries the broadcast's id and the outbox is keyed by it: a second press,
a redelivered update or a restart never sends anything twice."""

from __future__ import annotations

from collections import Counter

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.db.models import Candidate
from bot.db.uow import UnitOfWork
from bot.handlers.quest import QuestHolder, service_for
from bot.handlers.views import callback_message
from bot.i18n import Translator
from bot.services import broadcast
from bot.services.broadcast import Audience, LiveCounts, Segment, SegmentKind, StatusRef
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.directory import scope_of
from bot.services.errors import InputError
from bot.services.roles import Actor
from bot.telegram.broadcast_progress import render_live
from bot.telegram.filters import IsStaff

router = Router(name="broadcast")
router.message.filter(IsStaff())
router.callback_query.filter(IsStaff())
MAX_CHOICES = 60  # buttons on the second step (Telegram allows 100)


class BroadcastCb(CallbackData, prefix="bc"):
    action: str  # seg, pick, ok, no
    value: str = ""  # segment kind; stage id / organisation code / formation id; broadcast id


class BroadcastForm(StatesGroup):
    segment = State()
    choice = State()
    text = State()
    confirm = State()


def _button(text: str, action: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=BroadcastCb(action=action, value=value).pack()
    )


def _cancel(t: Translator) -> list[InlineKeyboardButton]:
    return [_button(t("broadcast-cancel"), "no")]


def _segment_label(t: Translator, kind: SegmentKind) -> str:
    key = {
        SegmentKind.ALL: "broadcast-seg-all",
        SegmentKind.STAGE: "broadcast-seg-stage",
        SegmentKind.ORGANISATION: "broadcast-seg-org",
        SegmentKind.FORMATION: "broadcast-seg-mf",
        SegmentKind.STALLED: "broadcast-seg-stalled",
    }[kind]
    return t(key, days=broadcast.STALLED_DAYS)


def _choice_prompt(t: Translator, kind: SegmentKind) -> str:
    prompt = {
        SegmentKind.STAGE: "broadcast-choose-stage",
        SegmentKind.ORGANISATION: "broadcast-choose-org",
        SegmentKind.FORMATION: "broadcast-choose-mf",
    }[kind]
    return t(prompt)


def _segments_menu(t: Translator) -> InlineKeyboardMarkup:
    rows = [[_button(_segment_label(t, kind), "seg", kind.value)] for kind in SegmentKind]
    return InlineKeyboardMarkup(inline_keyboard=[*rows, _cancel(t)])


class Stages:
    """Each candidate's current quest stage, worked out once per update."""

    def __init__(
        self, uow: UnitOfWork, cipher: FieldCipher, holder: QuestHolder, settings: Settings
    ) -> None:
        self._uow, self._cipher, self._holder, self._settings = uow, cipher, holder, settings
        self._known: dict[int, str] = {}

    async def __call__(self, candidate: Candidate) -> str:
        if candidate.id not in self._known:
            service = await service_for(
                self._uow,
                self._cipher,
                self._holder,
                candidate,
                self._settings.default_locale,
                self._settings,
            )
            self._known[candidate.id] = (await service.view()).current.stage_id
        return self._known[candidate.id]


@router.message(Command("broadcast"))
async def on_broadcast(message: Message, state: FSMContext, t: Translator) -> None:
    await state.clear()
    await state.set_state(BroadcastForm.segment)
    await message.answer(t("broadcast-choose-segment"), reply_markup=_segments_menu(t))


async def _choices(
    uow: UnitOfWork,
    audience: Audience,
    kind: SegmentKind,
    t: Translator,
    stages: Stages,
    holder: QuestHolder,
) -> list[tuple[str, str]]:
    """(label, value) of the second step: only choices that have candidates in scope."""
    candidates = await broadcast.in_scope(uow, audience)
    if kind is SegmentKind.STAGE:
        at_stage = Counter([await stages(candidate) for candidate, _ in candidates])
        return [
            (f"{stage.title.get(t.locale)} ({at_stage[stage.id]})", stage.id)
            for stage in holder.quest.stages
            if at_stage[stage.id]
        ]
    if kind is SegmentKind.ORGANISATION:
        in_organisation = Counter(c.organisation_id for c, _ in candidates if c.organisation_id)
        return [
            (f"{o.display_name(t.locale)} ({in_organisation[o.id]})", o.code)
            for o in await uow.geography.organisations()
            if in_organisation[o.id]
        ]
    in_formation = Counter(formation_id for _, formation_id in candidates if formation_id)
    labelled: list[tuple[str, str]] = []
    for formation_id, count in in_formation.items():
        formation = await uow.geography.formation(formation_id)
        if formation is not None:
            labelled.append((f"{formation.name} ({count})", str(formation_id)))
    return sorted(labelled)


async def _ask_text(
    event: CallbackQuery,
    state: FSMContext,
    t: Translator,
    count: int,
    segment: Segment,
    label: str,
) -> None:
    message = callback_message(event)
    if count == 0:
        await event.answer(t("broadcast-nobody"), show_alert=True)
        return
    await event.answer()
    await state.set_state(BroadcastForm.text)
    await state.update_data(bc_kind=segment.kind.value, bc_value=segment.value, bc_label=label)
    await message.answer(
        t("broadcast-ask-text", segment=label, count=count, limit=broadcast.MAX_TEXT)
    )


@router.callback_query(BroadcastForm.segment, BroadcastCb.filter(F.action == "seg"))
async def on_segment(
    callback: CallbackQuery,
    callback_data: BroadcastCb,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    quest_holder: QuestHolder,
    settings: Settings,
    t: Translator,
    actor: Actor,
) -> None:
    try:
        kind = SegmentKind(callback_data.value)
    except ValueError:
        await callback.answer(t("stale-button"), show_alert=True)
        return
    audience = scope_of(actor)
    stages = Stages(uow, cipher, quest_holder, settings)
    if kind in broadcast.NEEDS_VALUE:
        choices = (await _choices(uow, audience, kind, t, stages, quest_holder))[:MAX_CHOICES]
        if not choices:
            await callback.answer(t("broadcast-nobody"), show_alert=True)
            return
        await callback.answer()
        await state.set_state(BroadcastForm.choice)
        await state.update_data(bc_kind=kind.value)
        rows = [[_button(label, "pick", value)] for label, value in choices]
        await callback_message(callback).answer(
            _choice_prompt(t, kind),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[*rows, _cancel(t)]),
        )
        return
    segment = Segment(kind)
    found = await broadcast.recipients(uow, audience, segment, utcnow(), stages)
    await _ask_text(callback, state, t, len(found), segment, _segment_label(t, kind))


@router.callback_query(BroadcastForm.choice, BroadcastCb.filter(F.action == "pick"))
async def on_pick(
    callback: CallbackQuery,
    callback_data: BroadcastCb,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    quest_holder: QuestHolder,
    settings: Settings,
    t: Translator,
    actor: Actor,
) -> None:
    kind = SegmentKind((await state.get_data()).get("bc_kind", SegmentKind.ALL.value))
    value, label = callback_data.value, callback_data.value
    if kind is SegmentKind.STAGE:
        stage = quest_holder.quest.stage(value)
        label = stage.title.get(t.locale) if stage else value
    elif kind is SegmentKind.ORGANISATION:
        organisation = await uow.geography.organisation_by_code(value)
        if organisation is not None:
            label = organisation.display_name(t.locale)
    elif kind is SegmentKind.FORMATION:
        formation = await uow.geography.formation(int(value)) if value.isdigit() else None
        value = label = formation.name if formation else ""
    segment = Segment(kind, value)
    try:
        found = await broadcast.recipients(
            uow, scope_of(actor), segment, utcnow(), Stages(uow, cipher, quest_holder, settings)
        )
    except InputError:
        found = []
    await _ask_text(callback, state, t, len(found), segment, label)


@router.message(BroadcastForm.text, F.text, ~F.text.startswith("/"))
async def on_text(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    quest_holder: QuestHolder,
    settings: Settings,
    t: Translator,
    actor: Actor,
) -> None:
    try:
        text = broadcast.clean_text(message.text)
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    data = await state.get_data()
    segment = Segment(SegmentKind(data["bc_kind"]), data.get("bc_value"))
    try:
        found = await broadcast.recipients(
            uow, scope_of(actor), segment, utcnow(), Stages(uow, cipher, quest_holder, settings)
        )
    except InputError:
        found = []
    if not found:
        await state.clear()
        await message.answer(t("broadcast-nobody"))
        return
    broadcast_id = broadcast.new_id()
    await state.set_state(BroadcastForm.confirm)
    await state.update_data(bc_text=text, bc_id=broadcast_id)
    await message.answer(t("broadcast-preview", count=len(found), segment=data.get("bc_label")))
    markup = InlineKeyboardMarkup(inline_keyboard=[[
        _button(t("broadcast-confirm", count=len(found)), "ok", broadcast_id),
        _button(t("broadcast-cancel"), "no"),
    ]])  # fmt: skip
    await message.answer(broadcast.render(t("broadcast-header"), text), reply_markup=markup)


@router.message(BroadcastForm.text, ~F.text)
async def on_not_text(message: Message, t: Translator) -> None:
    await message.answer(t("broadcast-text-only"))


@router.callback_query(BroadcastCb.filter(F.action == "ok"))
async def on_confirm(
    callback: CallbackQuery,
    callback_data: BroadcastCb,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    quest_holder: QuestHolder,
    settings: Settings,
    t: Translator,
    actor: Actor,
) -> None:
    broadcast_id = callback_data.value
    data = await state.get_data()
    current = await state.get_state() == BroadcastForm.confirm.state
    if not current or data.get("bc_id") != broadcast_id:
        # A second press, or a button of an older preview: nothing is sent again.
        known = await broadcast.visible_progress(uow, actor, broadcast_id)
        key = "stale-button" if known is None else "broadcast-already"
        await callback.answer(t(key, id=broadcast_id), show_alert=True)
        return
    segment = Segment(SegmentKind(data["bc_kind"]), data.get("bc_value"))
    now = utcnow()
    try:
        found = await broadcast.recipients(
            uow, scope_of(actor), segment, now, Stages(uow, cipher, quest_holder, settings)
        )
    except InputError:
        found = []
    await callback.answer()
    message = callback_message(callback)
    await message.edit_reply_markup(reply_markup=None)
    # The status message first: the outbox rows carry it, and the dispatcher edits it with
    # the live progress (bot.telegram.broadcast_progress).
    unique = len(dict.fromkeys(found))
    status = await message.answer(render_live(t, broadcast_id, LiveCounts(0, 0, 0, unique)))
    count = await broadcast.enqueue(
        uow,
        broadcast_id,
        actor.user_id,
        str(data["bc_text"]),
        found,
        now,
        StatusRef(status.chat.id, status.message_id),
    )
    await state.clear()
    await message.answer(t("broadcast-queued", count=count, id=broadcast_id))


@router.callback_query(BroadcastCb.filter(F.action == "no"))
async def on_cancel(callback: CallbackQuery, state: FSMContext, t: Translator) -> None:
    if (await state.get_state() or "").startswith(BroadcastForm.__name__):
        await state.clear()
    await callback.answer()
    await callback_message(callback).answer(t("broadcast-cancelled"))


@router.message(Command("broadcast_status"))
async def on_status(
    message: Message, command: CommandObject, uow: UnitOfWork, t: Translator, actor: Actor
) -> None:
    broadcast_id = (command.args or "").strip().lower()
    if not broadcast_id:
        await message.answer(t("broadcast-status-usage"))
        return
    progress = await broadcast.visible_progress(uow, actor, broadcast_id)
    if progress is None:
        await message.answer(t("broadcast-status-unknown", id=broadcast_id))
        return
    await message.answer(
        t(
            "broadcast-status",
            id=broadcast_id,
            total=progress.total,
            pending=progress.pending,
            sent=progress.sent,
            dropped=progress.dropped,
            failed=progress.failed,
        )
    )
