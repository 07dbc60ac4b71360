"""/pending: the coordinators' queue of everything that waits for them. Each kind of item
(quest tasks here; documents, the fund, print runs... in their own modules) plugs in with one
`bot.services.pending.register` call; see that module for the contract. A coordinator sees
only candidates of their organisations and formations; an admin sees everyone. Opening an item
is recorded in the audit trail by its kind: it shows a candidate's answers and files.

The buttons are `rv:<open|ok|back>:<kind>:<id>`; every press is checked again by the kind
(scope, still waiting), so a forged or stale button decides nothing."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.config import Settings
from bot.db.models import Candidate, TaskProgress, TaskStatus
from bot.db.uow import UnitOfWork
from bot.handlers.quest import QuestHolder, service_for, step_summary
from bot.handlers.views import callback_message
from bot.i18n import Translator
from bot.quests.schema import QuestionnaireTask, UploadTask
from bot.services import directory, names, pending
from bot.services.crypto import FieldCipher
from bot.services.directory import Scope
from bot.services.errors import InputError
from bot.services.pending import (
    Attachment,
    Decided,
    PendingCard,
    PendingContext,
    PendingItem,
)
from bot.services.quest import QuestStore
from bot.services.roles import Actor
from bot.telegram.filters import IsStaff

log = logging.getLogger(__name__)
router = Router(name="review")
router.message.filter(IsStaff())
router.callback_query.filter(IsStaff())
MAX_COMMENT = 500
LIST_LIMIT = 20
LABEL = 60  # characters of a queue button


class ReviewCb(CallbackData, prefix="rv"):
    action: str  # open, ok, back
    kind: str  # a registered pending kind's code
    id: int  # the item's id within its kind


class ReviewForm(StatesGroup):
    comment = State()


def context(
    uow: UnitOfWork,
    cipher: FieldCipher,
    settings: Settings,
    t: Translator,
    actor: Actor,
    quest_holder: QuestHolder,
) -> PendingContext:
    return PendingContext(uow, cipher, settings, t, actor.user_id, quest_holder)


def item_button(item: PendingItem, text: str | None = None) -> InlineKeyboardButton:
    label = text or f"{item.candidate_name} — {item.title}"
    return InlineKeyboardButton(
        text=label[:LABEL],
        callback_data=ReviewCb(action="open", kind=item.kind, id=item.item_id).pack(),
    )


def decision_buttons(t: Translator, kind: str, item_id: int) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            text=t(key), callback_data=ReviewCb(action=action, kind=kind, id=item_id).pack()
        )
        for key, action in (("review-approve", "ok"), ("review-return", "back"))
    ]


# --- the quest's tasks: the first kind of pending item ------------------------------------------


class QuestTaskKind:
    """Quest tasks a candidate submitted for review, or approval tasks they asked to open."""

    code = "task"

    async def waiting(
        self, ctx: PendingContext, scope: Scope, limit: int, candidate_id: int | None = None
    ) -> list[PendingItem]:
        organisations = None if scope.organisations is None else set(scope.organisations)
        formations = None if scope.formations is None else set(scope.formations)
        rows = await ctx.uow.quest.waiting(organisations, formations, limit, candidate_id)
        quest = ctx.quest.quest
        found = await names.full_names(ctx.uow, ctx.cipher, [c for _, c in rows])
        items = []
        for row, candidate in rows:
            item = quest.tasks.get(row.task_id)
            items.append(
                PendingItem(
                    kind=self.code,
                    item_id=row.id,
                    candidate_id=candidate.id,
                    candidate_name=found.get(candidate.id) or str(candidate.id),
                    title=item.task.title.get(ctx.t.locale) if item else row.task_id,
                    since=row.updated_at,
                )
            )
        return items

    async def _load(
        self, ctx: PendingContext, progress_id: int, scope: Scope
    ) -> tuple[TaskProgress, Candidate]:
        row = await ctx.uow.quest.get(progress_id)
        candidate = await ctx.uow.quest.candidate(row.candidate_id) if row else None
        if (
            row is None
            or candidate is None
            or not await directory.in_scope(ctx.uow, scope, candidate)
        ):
            # Out of scope looks exactly like missing: nothing to learn from probing ids.
            raise InputError("review-gone")
        if row.status is not TaskStatus.WAITING:
            raise InputError("review-gone")
        return row, candidate

    async def card(self, ctx: PendingContext, item_id: int, scope: Scope) -> PendingCard:
        row, candidate = await self._load(ctx, item_id, scope)
        t = ctx.t
        item = ctx.quest.quest.tasks.get(row.task_id)
        data = (await QuestStore(ctx.uow, ctx.cipher, candidate).progress())[row.task_id].data
        await ctx.uow.audit.record(
            ctx.actor_id, "task_viewed", "candidate", candidate.id, task=row.task_id
        )
        lines = [
            t(
                "review-card",
                name=await names.full_name(ctx.uow, ctx.cipher, candidate) or "—",
                task=item.task.title.get(t.locale) if item else "?",
            )
        ]
        if item and isinstance(item.task, QuestionnaireTask):
            answers = data.get("answers", {})
            assert isinstance(answers, dict)
            for question in item.task.fields:
                label = question.label.get(t.locale)[:80]
                lines.append(
                    t("review-answer", question=label, answer=answers.get(question.id, "—"))
                )
        files: list[Attachment] = []
        if item and isinstance(item.task, UploadTask):
            stored_files = data.get("files", [])
            assert isinstance(stored_files, list)
            for stored in stored_files:
                kind = "photo" if stored.get("kind") == "photo" else "document"
                files.append(Attachment(kind, stored["file_id"]))
        return PendingCard("\n".join(lines), tuple(files))

    async def decide(
        self,
        ctx: PendingContext,
        item_id: int,
        scope: Scope,
        approve: bool,
        comment: str | None,
    ) -> Decided:
        row, candidate = await self._load(ctx, item_id, scope)
        candidate_user = await ctx.uow.users.get(candidate.user_id)
        locale = candidate_user.locale if candidate_user else ctx.settings.default_locale
        service = await service_for(
            ctx.uow, ctx.cipher, ctx.quest, candidate, locale, ctx.settings
        )
        result = await service.decide(row.task_id, approve, None if approve else comment)
        action = "task_approved" if approve else "task_returned"
        await ctx.uow.audit.record(
            ctx.actor_id, action, "candidate", candidate.id, task=row.task_id
        )
        quest = ctx.quest.quest
        their_t = ctx.t.catalog.translator(locale)
        title = quest.tasks[row.task_id].task.title.get(locale)
        notice = (
            their_t("review-approved-notice", title=title)
            if approve
            else their_t("review-returned-notice", title=title, comment=comment or "")
        )
        summary = step_summary(quest, their_t, row.task_id, result)
        if summary:
            notice += "\n\n" + summary
        return Decided(candidate.user_id, notice + "\n" + their_t("review-open-quest"))


pending.register(QuestTaskKind())


# --- the queue ----------------------------------------------------------------------------------


@router.message(Command("pending"))
async def on_pending(
    message: Message,
    uow: UnitOfWork,
    cipher: FieldCipher,
    settings: Settings,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
) -> None:
    ctx = context(uow, cipher, settings, t, actor, quest_holder)
    items = await pending.waiting(ctx, directory.scope_of(actor), LIST_LIMIT)
    if not items:
        await message.answer(t("review-empty"))
        return
    await message.answer(
        t("review-list", count=len(items)),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[item_button(i)] for i in items]),
    )


def _kind(callback_data: ReviewCb) -> pending.PendingKind:
    kind = pending.kind_of(callback_data.kind)
    if kind is None:
        raise InputError("review-gone")
    return kind


@router.callback_query(ReviewCb.filter(F.action == "open"))
async def on_open(
    callback: CallbackQuery,
    callback_data: ReviewCb,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    settings: Settings,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
) -> None:
    ctx = context(uow, cipher, settings, t, actor, quest_holder)
    try:
        card = await _kind(callback_data).card(ctx, callback_data.id, directory.scope_of(actor))
    except InputError as error:
        await callback.answer(t(error.code), show_alert=True)
        return
    await callback.answer()
    chat_id = callback.from_user.id
    for attachment in card.files:
        # A file the bot made travels as bytes; one the candidate uploaded, by its file_id.
        sent: str | BufferedInputFile = attachment.file_id
        if attachment.data is not None:
            sent = BufferedInputFile(attachment.data, filename=attachment.filename or "file")
        if attachment.kind == "photo":
            await bot.send_photo(chat_id, sent, caption=attachment.caption)
        else:
            await bot.send_document(chat_id, sent, caption=attachment.caption)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[decision_buttons(t, callback_data.kind, callback_data.id)]
    )
    await bot.send_message(chat_id, card.text, reply_markup=markup)


@router.callback_query(ReviewCb.filter(F.action == "ok"))
async def on_approve(
    callback: CallbackQuery,
    callback_data: ReviewCb,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    settings: Settings,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
) -> None:
    ctx = context(uow, cipher, settings, t, actor, quest_holder)
    await _decide(callback, ctx, callback_data.kind, callback_data.id, bot, actor, None)


@router.callback_query(ReviewCb.filter(F.action == "back"))
async def on_return(
    callback: CallbackQuery,
    callback_data: ReviewCb,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    settings: Settings,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
) -> None:
    # Checked now, not only after the comment is typed: a stale button says so at once.
    ctx = context(uow, cipher, settings, t, actor, quest_holder)
    try:
        await _kind(callback_data).card(ctx, callback_data.id, directory.scope_of(actor))
    except InputError as error:
        await callback.answer(t(error.code), show_alert=True)
        return
    await callback.answer()
    await state.set_state(ReviewForm.comment)
    await state.update_data(review_kind=callback_data.kind, review_item=callback_data.id)
    await callback_message(callback).answer(t("review-ask-comment"))


@router.message(ReviewForm.comment, F.text, ~F.text.startswith("/"))
async def on_comment(
    message: Message,
    state: FSMContext,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    settings: Settings,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
) -> None:
    comment = (message.text or "").strip()
    if len(comment) > MAX_COMMENT:
        await message.answer(t("quest-answer-too-long", limit=MAX_COMMENT))
        return  # still in the dialog: the coordinator shortens it
    data = await state.get_data()
    await state.set_state(None)
    ctx = context(uow, cipher, settings, t, actor, quest_holder)
    kind, item_id = str(data.get("review_kind", "")), int(data.get("review_item", 0))
    await _decide(message, ctx, kind, item_id, bot, actor, comment)


@router.message(ReviewForm.comment, ~F.text)
async def on_comment_not_text(message: Message, t: Translator) -> None:
    await message.answer(t("review-ask-comment"))


async def _decide(
    event: Message | CallbackQuery,
    ctx: PendingContext,
    code: str,
    item_id: int,
    bot: Bot,
    actor: Actor,
    comment: str | None,
) -> None:
    t = ctx.t
    try:
        kind = pending.kind_of(code)
        if kind is None:
            raise InputError("review-gone")
        decided = await kind.decide(
            ctx, item_id, directory.scope_of(actor), comment is None, comment
        )
    except InputError as error:
        if isinstance(event, CallbackQuery):
            await event.answer(t(error.code), show_alert=True)
        else:
            await event.answer(t(error.code))
        return
    try:
        await bot.send_message(decided.candidate_user_id, decided.notice)
    except TelegramAPIError as error:  # blocked the bot: the decision stands all the same
        log.warning("could not notify user %s: %s", decided.candidate_user_id, error)
    done = t("review-done-approved" if comment is None else "review-done-returned")
    if isinstance(event, CallbackQuery):
        await event.answer(done)
        await callback_message(event).answer(done)
    else:
        await event.answer(done)
