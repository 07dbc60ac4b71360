"""/pending: the coordinators' queue of quest tasks waiting for them. A coordinator sees only
candidates of their organisations and formations; an admin sees everyone. Opening a task is
recorded in the audit trail: it shows a candidate's answers and files."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.db.models import Candidate, TaskProgress, TaskStatus
from bot.db.uow import UnitOfWork
from bot.handlers import documents
from bot.handlers.quest import QuestHolder, service_for, step_summary
from bot.i18n import Translator
from bot.quests.schema import QuestionnaireTask, UploadTask
from bot.services import directory
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.quest import QuestStore
from bot.services.roles import Actor
from bot.telegram.filters import IsStaff

log = logging.getLogger(__name__)
router = Router(name="review")
router.message.filter(IsStaff())
router.callback_query.filter(IsStaff())
MAX_COMMENT = 500


class ReviewCb(CallbackData, prefix="rv"):
    action: str  # open, ok, back
    progress: int  # TaskProgress id


class ReviewForm(StatesGroup):
    comment = State()


async def _in_scope(uow: UnitOfWork, actor: Actor, candidate: Candidate) -> bool:
    return await directory.in_scope(uow, directory.scope_of(actor), candidate)


@router.message(Command("pending"))
async def on_pending(
    message: Message, uow: UnitOfWork, quest_holder: QuestHolder, t: Translator, actor: Actor
) -> None:
    organisations, formations = directory.scope_sets(actor)
    waiting = await uow.quest.waiting(organisations, formations)
    packages = await documents.pending_rows(uow, actor, t)  # nomination packages
    if not waiting and not packages:
        await message.answer(t("review-empty"))
        return
    rows = list(packages)
    for row, candidate in waiting:
        item = quest_holder.quest.tasks.get(row.task_id)
        title = item.task.title.get(t.locale) if item else row.task_id
        label = f"{candidate.full_name or candidate.id} — {title}"[:60]
        rows.append([InlineKeyboardButton(
            text=label, callback_data=ReviewCb(action="open", progress=row.id).pack()
        )])  # fmt: skip
    await message.answer(
        t("review-list", count=len(rows)),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


async def _load(uow: UnitOfWork, actor: Actor, progress_id: int) -> tuple[TaskProgress, Candidate]:
    row = await uow.quest.get(progress_id)
    candidate = await uow.quest.candidate(row.candidate_id) if row else None
    if row is None or candidate is None or not await _in_scope(uow, actor, candidate):
        # Out of scope looks exactly like missing: nothing to learn from probing ids.
        raise InputError("review-gone")
    if row.status is not TaskStatus.WAITING:
        raise InputError("review-gone")
    return row, candidate


@router.callback_query(ReviewCb.filter(F.action == "open"))
async def on_open(
    callback: CallbackQuery,
    callback_data: ReviewCb,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
) -> None:
    try:
        row, candidate = await _load(uow, actor, callback_data.progress)
    except InputError as error:
        await callback.answer(t(error.code), show_alert=True)
        return
    await callback.answer()
    assert callback.message is not None
    item = quest_holder.quest.tasks.get(row.task_id)
    store = QuestStore(uow, cipher, candidate)
    data = (await store.progress())[row.task_id].data
    await uow.audit.record(
        actor.user_id, "task_viewed", "candidate", candidate.id, task=row.task_id
    )
    lines = [
        t(
            "review-card",
            name=candidate.full_name or "—",
            task=item.task.title.get(t.locale) if item else "?",
        )
    ]
    if item and isinstance(item.task, QuestionnaireTask):
        answers = data.get("answers", {})
        assert isinstance(answers, dict)
        for question in item.task.fields:
            lines.append(f"• {question.label.get(t.locale)[:80]}: {answers.get(question.id, '—')}")
    decide = [
        InlineKeyboardButton(
            text=t(key), callback_data=ReviewCb(action=action, progress=row.id).pack()
        )
        for key, action in (("review-approve", "ok"), ("review-return", "back"))
    ]
    markup = InlineKeyboardMarkup(inline_keyboard=[decide])
    chat_id = callback.message.chat.id
    if item and isinstance(item.task, UploadTask):
        files = data.get("files", [])
        assert isinstance(files, list)
        for stored in files:
            if stored.get("kind") == "photo":
                await bot.send_photo(chat_id, stored["file_id"])
            else:
                await bot.send_document(chat_id, stored["file_id"])
    await bot.send_message(chat_id, "\n".join(lines), reply_markup=markup)


@router.callback_query(ReviewCb.filter(F.action == "ok"))
async def on_approve(
    callback: CallbackQuery,
    callback_data: ReviewCb,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    await _decide(
        callback, callback_data.progress, bot, uow, cipher, quest_holder, t, actor, None, settings
    )


@router.callback_query(ReviewCb.filter(F.action == "back"))
async def on_return(
    callback: CallbackQuery,
    callback_data: ReviewCb,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
) -> None:
    try:
        await _load(uow, actor, callback_data.progress)
    except InputError as error:
        await callback.answer(t(error.code), show_alert=True)
        return
    await callback.answer()
    await state.set_state(ReviewForm.comment)
    await state.update_data(review_progress=callback_data.progress)
    assert isinstance(callback.message, Message)
    await callback.message.answer(t("review-ask-comment"))


@router.message(ReviewForm.comment, F.text, ~F.text.startswith("/"))
async def on_comment(
    message: Message,
    state: FSMContext,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    comment = (message.text or "").strip()
    if len(comment) > MAX_COMMENT:
        await message.answer(t("quest-answer-too-long", limit=MAX_COMMENT))
        return
    progress_id = int((await state.get_data()).get("review_progress", 0))
    await state.set_state(None)
    await _decide(
        message, progress_id, bot, uow, cipher, quest_holder, t, actor, comment, settings
    )


async def _decide(
    event: Message | CallbackQuery,
    progress_id: int,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
    comment: str | None,
    settings: Settings,
) -> None:
    try:
        row, candidate = await _load(uow, actor, progress_id)
        candidate_user = await uow.users.get(candidate.user_id)
        locale = candidate_user.locale if candidate_user else settings.default_locale
        service = await service_for(uow, cipher, quest_holder, candidate, locale, settings)
        result = await service.decide(row.task_id, comment is None, comment)
    except InputError as error:
        if isinstance(event, CallbackQuery):
            await event.answer(t(error.code), show_alert=True)
        else:
            await event.answer(t(error.code))
        return
    action = "task_approved" if comment is None else "task_returned"
    await uow.audit.record(actor.user_id, action, "candidate", candidate.id, task=row.task_id)
    item = quest_holder.quest.tasks[row.task_id]
    their_t = t.catalog.translator(locale)
    title = item.task.title.get(locale)
    notice = (
        their_t("review-approved-notice", title=title)
        if comment is None
        else their_t("review-returned-notice", title=title, comment=comment)
    )
    summary = step_summary(quest_holder.quest, their_t, row.task_id, result)
    if summary:
        notice += "\n\n" + summary
    try:
        await bot.send_message(candidate.user_id, notice + "\n" + their_t("review-open-quest"))
    except TelegramAPIError as error:  # blocked the bot: the decision stands all the same
        log.warning("could not notify candidate %s: %s", candidate.id, error)
    done = t("review-done-approved" if comment is None else "review-done-returned")
    if isinstance(event, CallbackQuery):
        await event.answer(done)
        assert isinstance(event.message, Message)
        await event.message.answer(done)
    else:
        await event.answer(done)
