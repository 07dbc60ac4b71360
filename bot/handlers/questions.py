"""/ask: a registered candidate asks the campaign office a question; the staff whose scope
covers the candidate are told, with a button to answer. /questions: the staff's list of open
questions in their scope, oldest first. The answer goes to the candidate in their language,
and can then be published in the FAQ under a de-personalised wording. /faq [words]: the FAQ
for everyone registered, latest first or searched."""

from __future__ import annotations

import html
import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.db.uow import UnitOfWork
from bot.i18n import Markup, Translator
from bot.services.crypto import FieldCipher
from bot.services.directory import scope_of
from bot.services.errors import InputError
from bot.services.questions import (
    LIST_LIMIT,
    MAX_ANSWER,
    MAX_FAQ_QUESTION,
    MAX_QUESTION,
    QuestionService,
    QuestionView,
    excerpt,
)
from bot.services.roles import Actor
from bot.telegram.filters import IsStaff
from bot.telegram.request_guard import MESSAGE_LIMIT

log = logging.getLogger(__name__)
router = Router(name="questions")
# Room left in a message for the "and N more" line.
FAQ_BUDGET = MESSAGE_LIMIT - 200
FAQ_ANSWER_EXCERPT = 700
LIST_EXCERPT = 150
NAME_EXCERPT = 60
HEADER_EXCERPT = 200


class QuestionCb(CallbackData, prefix="qa"):
    action: str  # answer, faq
    id: int  # Question id


class QuestionForm(StatesGroup):
    text = State()  # a candidate writes the question
    answer = State()  # a staff member writes the answer
    faq = State()  # a staff member words the question for the FAQ


def _button(text: str, action: str, question_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=QuestionCb(action=action, id=question_id).pack()
    )


def _name(t: Translator, view: QuestionView) -> str:
    return view.candidate_name or t("card-missing")


# --- candidates: /ask -------------------------------------------------------------------------


@router.message(Command("ask"))
async def on_ask(message: Message, state: FSMContext, t: Translator, actor: Actor) -> None:
    if not actor.is_registered_candidate:
        await message.answer(t("questions-register-first"))
        return
    await state.set_state(QuestionForm.text)
    await message.answer(t("questions-ask-prompt", limit=MAX_QUESTION))


@router.message(QuestionForm.text, F.text, ~F.text.startswith("/"))
async def on_question_text(
    message: Message,
    state: FSMContext,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    candidate = await uow.candidates.by_user(actor.user_id)
    if candidate is None:
        await state.set_state(None)
        await message.answer(t("questions-register-first"))
        return
    service = QuestionService(uow, cipher)
    try:
        view = await service.ask(candidate, message.text or "")
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    await state.set_state(None)
    recipients = await service.recipients(candidate, settings.admin_ids)
    await message.answer(t("questions-asked", id=view.id))
    for user_id in recipients:
        user = await uow.users.get(user_id)
        their_t = t.catalog.translator(user.locale if user else settings.default_locale)
        text = their_t("questions-new", id=view.id, name=_name(their_t, view), text=view.text)
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[_button(their_t("questions-button-answer"), "answer", view.id)]]
        )
        try:
            await bot.send_message(user_id, text, reply_markup=markup)
        except TelegramAPIError as error:  # never opened the bot, or blocked it
            log.warning("could not tell %s about question %s: %s", user_id, view.id, error)


@router.message(StateFilter(QuestionForm.text, QuestionForm.answer, QuestionForm.faq), ~F.text)
async def on_not_text(message: Message, t: Translator) -> None:
    await message.answer(t("questions-text-only"))


# --- staff: /questions and the answer ---------------------------------------------------------


@router.message(Command("questions"), IsStaff())
async def on_questions(
    message: Message,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    service = QuestionService(uow, cipher)
    views = await service.open_questions(scope_of(actor), limit=LIST_LIMIT + 1)
    if not views:
        await message.answer(t("questions-empty"))
        return
    shown = views[:LIST_LIMIT]
    await uow.audit.record(
        actor.user_id, "questions_listed", None, None, questions=[view.id for view in shown]
    )
    lines = [t("questions-list", count=len(shown))]
    for view in shown:
        asked = view.asked_at.astimezone(settings.tz).strftime("%d.%m %H:%M")
        name = excerpt(_name(t, view), NAME_EXCERPT)
        text = excerpt(view.text, LIST_EXCERPT)
        lines.append(t("questions-item", id=view.id, name=name, date=asked, text=text))
    if len(views) > LIST_LIMIT:
        lines.append(t("questions-more", count=LIST_LIMIT))
    rows = [
        [_button(t("questions-button-answer-id", id=view.id), "answer", view.id)] for view in shown
    ]
    await message.answer(
        "\n\n".join(lines), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


@router.callback_query(QuestionCb.filter(F.action == "answer"), IsStaff())
async def on_answer_button(
    callback: CallbackQuery,
    callback_data: QuestionCb,
    state: FSMContext,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    try:
        view = await QuestionService(uow, cipher).question(callback_data.id, scope_of(actor))
    except InputError as error:
        await callback.answer(t(error.code, **error.params), show_alert=True)
        return
    await callback.answer()
    await state.set_state(QuestionForm.answer)
    await state.update_data(question_id=view.id)
    prompt = t(
        "questions-answer-prompt",
        id=view.id,
        name=_name(t, view),
        text=view.text,
        limit=MAX_ANSWER,
    )
    await bot.send_message(callback.from_user.id, prompt)


@router.message(QuestionForm.answer, F.text, ~F.text.startswith("/"), IsStaff())
async def on_answer_text(
    message: Message,
    state: FSMContext,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    question_id = int((await state.get_data()).get("question_id", 0))
    try:
        answered = await QuestionService(uow, cipher).answer(
            question_id, scope_of(actor), actor.user_id, message.text or ""
        )
    except InputError as error:
        if error.code != "questions-too-long":  # too long: stay and let them shorten it
            await state.set_state(None)
        await message.answer(t(error.code, **error.params))
        return
    await state.set_state(None)
    their_t = t.catalog.translator(answered.candidate_locale or settings.default_locale)
    header = their_t(
        "questions-answer-header", question=excerpt(answered.question, HEADER_EXCERPT)
    )
    delivered = True
    try:
        await bot.send_message(
            answered.candidate_user_id, header + "\n\n" + html.escape(answered.answer, False)
        )
    except TelegramAPIError as error:  # blocked the bot: the answer is stored all the same
        log.warning("could not deliver the answer to question %s: %s", question_id, error)
        delivered = False
    done = "questions-answer-sent" if delivered else "questions-answer-undelivered"
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[_button(t("questions-button-faq"), "faq", answered.question_id)]]
    )
    await message.answer(t(done, id=answered.question_id), reply_markup=markup)


# --- staff: publishing an answer in the FAQ ---------------------------------------------------


@router.callback_query(QuestionCb.filter(F.action == "faq"), IsStaff())
async def on_faq_button(
    callback: CallbackQuery,
    callback_data: QuestionCb,
    state: FSMContext,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    try:
        await QuestionService(uow, cipher).faq_candidate(callback_data.id, scope_of(actor))
    except InputError as error:
        await callback.answer(t(error.code, **error.params), show_alert=True)
        return
    await callback.answer()
    await state.set_state(QuestionForm.faq)
    await state.update_data(question_id=callback_data.id)
    # To the person, not the message: a button's message may be too old to be accessible.
    await bot.send_message(
        callback.from_user.id, t("questions-faq-prompt", limit=MAX_FAQ_QUESTION)
    )


@router.message(QuestionForm.faq, F.text, ~F.text.startswith("/"), IsStaff())
async def on_faq_wording(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    question_id = int((await state.get_data()).get("question_id", 0))
    try:
        entry = await QuestionService(uow, cipher).add_to_faq(
            question_id,
            scope_of(actor),
            actor.user_id,
            message.text or "",
            settings.default_locale,
        )
    except InputError as error:
        if error.code != "questions-too-long":
            await state.set_state(None)
        await message.answer(t(error.code, **error.params))
        return
    await state.set_state(None)
    await message.answer(t("questions-faq-added", question=entry.question))


# --- everyone registered: /faq ----------------------------------------------------------------


@router.message(Command("faq"))
async def on_faq(
    message: Message,
    command: CommandObject,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    if not (actor.is_registered_candidate or actor.is_staff):
        await message.answer(t("questions-register-first"))
        return
    query = " ".join((command.args or "").split())[:100]
    entries = await QuestionService(uow, cipher).faq(query, t.locale)
    if not entries:
        await message.answer(t("faq-not-found", query=query) if query else t("faq-empty"))
        return
    head = t("faq-found", query=query, count=len(entries)) if query else t("faq-title")
    blocks = [
        t(
            "faq-entry",
            question=entry.question,
            answer=excerpt_lines(entry.answer, FAQ_ANSWER_EXCERPT),
        )
        for entry in entries
    ]
    await message.answer(fit(head, blocks, t))


def excerpt_lines(text: str, limit: int) -> str:
    """Like `excerpt`, but keeps the answer's line breaks."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fit(head: str, blocks: list[str], t: Translator, budget: int = FAQ_BUDGET) -> Markup:
    """The head and as many whole blocks as fit one message; "and N more" for the rest.
    Lengths are of the HTML source, which is never shorter than the visible text."""
    text = head
    for shown, block in enumerate(blocks):
        if len(text) + 2 + len(block) > budget:
            return Markup(text + "\n\n" + t("faq-more", count=len(blocks) - shown))
        text += "\n\n" + block
    return Markup(text)
