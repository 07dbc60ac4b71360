"""/candidates and /candidate: the coordinators' directory. Every list and card stays within
the coordinator's scope; opening a card shows contacts and is written to the audit log."""

from __future__ import annotations

import html

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.db.uow import UnitOfWork
from bot.handlers import review
from bot.handlers.fund_staff import card_line as fund_card_line
from bot.handlers.quest import QuestHolder, service_for, today_in
from bot.handlers.views import callback_message
from bot.i18n import Markup, Translator
from bot.services import directory, names, pending
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.keyring import preload_people, read
from bot.services.roles import Actor
from bot.telegram.callbacks import DirectoryCb
from bot.telegram.filters import IsStaff

router = Router(name="directory")
router.message.filter(IsStaff())
router.callback_query.filter(IsStaff())
MAX_MESSAGE = 3000
CARD_ITEMS = 5  # waiting items with their buttons on a card; the rest are in /pending


class DirectoryForm(StatesGroup):
    message = State()


def _line(t: Translator, row: directory.Row, name: str | None) -> str:
    where = f"{row.formation}, №{row.district_number}" if row.formation else "—"
    idle = t("directory-idle", days=row.idle_days) if row.idle_days is not None else ""
    shown = html.escape(name or str(row.candidate.id))
    return (
        f"• <b>{shown}</b> — {html.escape(row.organisation or '—')}, {html.escape(where)}"
        f" · ⭐ {row.candidate.quest_points} · {idle}"
    )


async def _list_screen(
    uow: UnitOfWork, cipher: FieldCipher, t: Translator, items: list[directory.Row], number: int
) -> tuple[str, InlineKeyboardMarkup]:
    shown, pages = directory.page(items, number)
    found = await names.full_names(uow, cipher, [row.candidate for row in shown])
    lines = [t("directory-list", count=len(items), page=number + 1, pages=pages)]
    lines += [_line(t, row, found.get(row.candidate.id)) for row in shown]
    buttons = [
        [InlineKeyboardButton(
            text=(found.get(row.candidate.id) or str(row.candidate.id))[:50],
            callback_data=DirectoryCb(action="card", n=row.candidate.id).pack(),
        )]
        for row in shown
    ]  # fmt: skip
    nav = []
    if number > 0:
        nav.append(InlineKeyboardButton(
            text="◀️", callback_data=DirectoryCb(action="page", n=number - 1).pack()
        ))  # fmt: skip
    if number < pages - 1:
        nav.append(InlineKeyboardButton(
            text="▶️", callback_data=DirectoryCb(action="page", n=number + 1).pack()
        ))  # fmt: skip
    if nav:
        buttons.append(nav)
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=buttons)


@router.message(Command("candidates"))
async def on_candidates(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    words = (command.args or "").split()
    try:
        filters = directory.parse_filters(words)
        items = await directory.rows(uow, directory.scope_of(actor), filters)
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    # Pages re-read the list with the same filters: they live in the dialog data, not in
    # the buttons (a formation's name would not fit Telegram's 64 bytes of callback data).
    await state.update_data(directory_filters=words)
    if not items:
        await message.answer(t("directory-empty"))
        return
    text, markup = await _list_screen(uow, cipher, t, items, 0)
    await message.answer(text, reply_markup=markup)


@router.message(Command("candidate"))
async def on_candidate(
    message: Message,
    command: CommandObject,
    uow: UnitOfWork,
    cipher: FieldCipher,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    try:
        found = await directory.find(uow, cipher, directory.scope_of(actor), command.args or "")
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    if not found:
        await message.answer(t("directory-not-found"))
    elif len(found) == 1:
        await _send_card(message, found[0], uow, cipher, quest_holder, t, actor, settings)
    else:
        text, markup = await _list_screen(uow, cipher, t, found, 0)
        await message.answer(text, reply_markup=markup)


@router.callback_query(DirectoryCb.filter(F.action == "page"))
async def on_page(
    callback: CallbackQuery,
    callback_data: DirectoryCb,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    words = list((await state.get_data()).get("directory_filters", []))
    try:
        items = await directory.rows(
            uow, directory.scope_of(actor), directory.parse_filters(words)
        )
    except InputError:
        items = []
    await callback.answer()
    if not items:
        return
    text, markup = await _list_screen(uow, cipher, t, items, callback_data.n)
    await callback_message(callback).edit_text(text, reply_markup=markup)


async def _row_in_scope(uow: UnitOfWork, actor: Actor, candidate_id: int) -> directory.Row | None:
    candidate = await uow.quest.candidate(candidate_id)
    if candidate is None or not directory.is_registered(candidate):
        return None
    scope = directory.scope_of(actor)
    if not await directory.in_scope(uow, scope, candidate):
        return None  # out of scope reads exactly like missing
    found = [r for r in await directory.rows(uow, scope, directory.Filters())
             if r.candidate.id == candidate_id]  # fmt: skip
    return found[0] if found else None


@router.callback_query(DirectoryCb.filter(F.action == "card"))
async def on_card(
    callback: CallbackQuery,
    callback_data: DirectoryCb,
    uow: UnitOfWork,
    cipher: FieldCipher,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    row = await _row_in_scope(uow, actor, callback_data.n)
    if row is None:
        await callback.answer(t("directory-not-found"), show_alert=True)
        return
    await callback.answer()
    await _send_card(
        callback_message(callback), row, uow, cipher, quest_holder, t, actor, settings
    )


async def _send_card(
    message: Message,
    row: directory.Row,
    uow: UnitOfWork,
    cipher: FieldCipher,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    candidate = row.candidate
    service = await service_for(uow, cipher, quest_holder, candidate, t.locale, settings)
    view = await service.view()
    current = view.current
    stage = quest_holder.quest.stages[current.index]
    # Everything of this candidate's that waits for a coordinator, of every kind /pending
    # knows (quest tasks, documents...), each with its decision buttons right on the card.
    ctx = review.context(uow, cipher, settings, t, actor, quest_holder)
    waiting = await pending.waiting(
        ctx, directory.scope_of(actor), CARD_ITEMS + 1, candidate_id=candidate.id
    )
    await uow.audit.record(actor.user_id, "candidate_viewed", "candidate", candidate.id)
    await preload_people(uow, cipher, [candidate.user_id])
    text = t(
        "directory-card",
        name=await names.full_name(uow, cipher, candidate) or "—",
        organisation=row.organisation or "—",
        district=f"{row.formation}, №{row.district_number}" if row.formation else "—",
        stage=Markup(html.escape(stage.title.get(t.locale))),
        stage_number=current.index + 1,
        stages=len(view.stages),
        done=sum(s.done for s in view.stages),
        tasks=sum(s.total for s in view.stages),
        points=candidate.quest_points,
        idle=row.idle_days if row.idle_days is not None else "—",
        waiting=len(waiting) if len(waiting) <= CARD_ITEMS else f"{CARD_ITEMS}+",
        phone=read(cipher, candidate.phone_enc) or "—",
        email=read(cipher, candidate.email_enc) or "—",
    )
    text += "\n" + await fund_card_line(uow, t, candidate, today_in(settings))
    rows = [[InlineKeyboardButton(
        text=t("directory-write"), callback_data=DirectoryCb(action="write", n=candidate.id).pack()
    )]]  # fmt: skip
    for item in waiting[:CARD_ITEMS]:
        rows.append([review.item_button(item, t("directory-open-item", title=item.title))])
        rows.append(review.decision_buttons(t, item.kind, item.item_id))
    await message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


@router.callback_query(DirectoryCb.filter(F.action == "write"))
async def on_write(
    callback: CallbackQuery,
    callback_data: DirectoryCb,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    if await _row_in_scope(uow, actor, callback_data.n) is None:
        await callback.answer(t("directory-not-found"), show_alert=True)
        return
    await callback.answer()
    await state.set_state(DirectoryForm.message)
    await state.update_data(directory_to=callback_data.n)
    await callback_message(callback).answer(t("directory-ask-message"))


@router.message(DirectoryForm.message, F.text, ~F.text.startswith("/"))
async def on_message_to_candidate(
    message: Message,
    state: FSMContext,
    bot: Bot,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
) -> None:
    text = (message.text or "").strip()
    if len(text) > MAX_MESSAGE:
        await message.answer(t("quest-answer-too-long", limit=MAX_MESSAGE))
        return
    candidate_id = int((await state.get_data()).get("directory_to", 0))
    row = await _row_in_scope(uow, actor, candidate_id)
    await state.set_state(None)
    if row is None:
        await message.answer(t("directory-not-found"))
        return
    user = await uow.users.get(row.candidate.user_id)
    their_t = t.catalog.translator(user.locale if user else "ru")
    await uow.audit.record(actor.user_id, "candidate_messaged", "candidate", candidate_id)
    try:
        await bot.send_message(
            row.candidate.user_id, their_t("directory-message-header") + "\n\n" + html.escape(text)
        )
    except TelegramAPIError:
        await message.answer(t("directory-not-delivered"))
        return
    await message.answer(t("directory-delivered"))


@router.message(DirectoryForm.message)
async def on_message_not_text(message: Message, t: Translator) -> None:
    await message.answer(t("directory-ask-message"))
