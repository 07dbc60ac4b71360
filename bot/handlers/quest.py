"""/quest: the campaign as stages and tasks. The screens are built from the quest data and the
rules in bot.services.quest; every button is re-checked there, so a forged or stale callback
cannot open a locked task."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from aiogram import BaseMiddleware, F, Router
from aiogram.dispatcher.flags import get_flag
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)

from bot.config import Settings
from bot.db.models import Candidate, Election
from bot.db.uow import UnitOfWork
from bot.handlers.fund_views import FundCb
from bot.handlers.views import callback_message
from bot.i18n import Markup, Translator
from bot.quests.loader import Quest, QuestError, load_quest
from bot.quests.schema import (
    ActionTask,
    ApprovalTask,
    ChecklistTask,
    CounterTask,
    QuestionField,
    QuestionnaireTask,
    ReadTask,
    UploadTask,
)
from bot.services import validation
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.election import config_of, signatures_max, signatures_required
from bot.services.errors import InputError
from bot.services.payload import dict_of, list_of
from bot.services.quest import QuestService, QuestStore, StageView, StepResult, TaskState, TaskView
from bot.services.roles import Actor
from bot.telegram.callbacks import QuestCb
from bot.telegram.filters import IsAdmin
from bot.telegram.keyboards import button

router = Router(name="quest")
BAR_WIDTH = 10
MAX_TEXT_ANSWER = 300
MAX_LONG_ANSWER = 2000
MARKS = {
    TaskState.DONE: "✅",
    TaskState.OPEN: "▶️",
    TaskState.STARTED: "✏️",
    TaskState.WAITING: "⏳",
    TaskState.RETURNED: "↩️",
    TaskState.LOCKED: "🔒",
    TaskState.CLOSED: "⌛",
}
# Where each kind of action task is done: the feature's own command (a tap in the chat).
ACTION_COMMANDS = {
    "documents": "/documents",
    "fund": "/fund",
    "canvass": "/canvass",
    "materials": "/materials",
    "print_runs": "/materials",
    "supporters": "/supporters",
}


class QuestHolder:
    """The running quest; /reload_quests swaps it only when the new one is valid."""

    def __init__(self, quest: Quest) -> None:
        self.quest = quest


class QuestForm(StatesGroup):
    answer = State()
    upload = State()
    count = State()


@dataclass
class Context:
    service: QuestService
    quest: Quest
    t: Translator


async def _context(
    uow: UnitOfWork,
    cipher: FieldCipher,
    holder: QuestHolder,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> Context | None:
    candidate = await uow.candidates.by_user(actor.user_id)
    if candidate is None or not actor.is_registered_candidate:
        return None
    service = await service_for(uow, cipher, holder, candidate, t.locale, settings)
    return Context(service, holder.quest, t)


async def service_for(
    uow: UnitOfWork,
    cipher: FieldCipher,
    holder: QuestHolder,
    candidate: Candidate,
    locale: str,
    settings: Settings,
) -> QuestService:
    """The quest rules for one candidate as of today in the campaign's time zone."""
    election = await uow.geography.current_election()
    targets = await _targets(uow, candidate.district_id, election)
    store = QuestStore(uow, cipher, candidate)
    return QuestService(holder.quest, store, election, today_in(settings), locale, targets)


async def _targets(
    uow: UnitOfWork, district_id: int | None, election: Election | None
) -> dict[str, int | None]:
    district = await uow.geography.district(district_id) if district_id else None
    if district is None or election is None:
        return {}
    config = config_of(election)
    return {
        "signatures_required": signatures_required(district.voters, district.seats, config),
        "signatures_max": signatures_max(district.voters, district.seats, config),
    }


def _bar(done: int, total: int) -> str:
    filled = round(BAR_WIDTH * done / total) if total else 0
    return "▓" * filled + "░" * (BAR_WIDTH - filled)


def _task_line(t: Translator, view: TaskView) -> str:
    line = f"{MARKS[view.state]} {view.item.task.title.get(t.locale)}"
    if view.state is TaskState.LOCKED and view.lock is not None:
        line += " — " + t(view.lock.reason, **view.lock.params)
    elif view.days_left is not None and view.state is not TaskState.DONE:
        if view.days_left >= 0:
            line += " — " + t("quest-days-left", days=view.days_left)
        else:
            line += " — " + t("quest-overdue", days=-view.days_left)
    if view.progress and view.state is not TaskState.DONE and view.progress[1]:
        line += f" ({view.progress[0]}/{view.progress[1]})"
    return line


def render_stage(
    ctx: Context, stage: StageView, points: int, level: int
) -> tuple[str, InlineKeyboardMarkup]:
    t, spec = ctx.t, ctx.quest.stages[stage.index]
    head = t(
        "quest-stage-head",
        number=stage.index + 1,
        total=len(ctx.quest.stages),
        title=spec.title.get(t.locale),
    )
    lines = [
        Markup(head),
        f"{_bar(stage.done, stage.total)} {stage.done}/{stage.total}",
        Markup(t("quest-points", points=points, level=level)),
        "",
    ]
    if stage.lock is not None:
        lines.append(t(stage.lock.reason, **stage.lock.params))
    lines += [_task_line(t, view) for view in stage.tasks]
    rows = [
        [
            button(
                f"{MARKS[v.state]} {v.item.task.title.get(t.locale)}",
                QuestCb(action="task", task=v.full_id),
            )
        ]
        for v in stage.tasks
        if v.state is not TaskState.DONE
    ]
    rows.append(
        [
            button(t("quest-button-about"), QuestCb(action="about", n=stage.index)),
            button(t("quest-button-stages"), QuestCb(action="stages")),
        ]
    )
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


async def show_quest(message: Message, ctx: Context, stage_index: int | None = None) -> None:
    view = await ctx.service.view()
    stage = view.current if stage_index is None else view.stages[stage_index]
    text, markup = render_stage(ctx, stage, view.points, view.level)
    await message.answer(text, reply_markup=markup)


NEEDS_CONTEXT = {"quest_context": True}


class QuestContextMiddleware(BaseMiddleware):
    """Builds the candidate's quest context for the handlers flagged NEEDS_CONTEXT (after
    their filters matched, so other updates pay nothing). Someone who is not a registered
    candidate is told to register and the handler does not run."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not get_flag(data, "quest_context"):
            return await handler(event, data)
        t: Translator = data["t"]
        ctx = await _context(
            data["uow"], data["cipher"], data["quest_holder"], t, data["actor"], data["settings"]
        )
        if ctx is None:
            if isinstance(event, CallbackQuery):
                await event.answer(t("quest-register-first"), show_alert=True)
            elif isinstance(event, Message):
                await event.answer(t("quest-register-first"))
            return None
        data["ctx"] = ctx
        return await handler(event, data)


router.message.middleware(QuestContextMiddleware())
router.callback_query.middleware(QuestContextMiddleware())


@router.message(Command("quest"), flags=NEEDS_CONTEXT)
async def on_quest(message: Message, state: FSMContext, ctx: Context) -> None:
    await state.set_state(None)
    await show_quest(message, ctx)


@router.callback_query(QuestCb.filter(), flags=NEEDS_CONTEXT)
async def on_quest_button(
    callback: CallbackQuery, callback_data: QuestCb, state: FSMContext, ctx: Context
) -> None:
    t = ctx.t
    action, full_id, n = callback_data.action, callback_data.task, callback_data.n
    message = callback_message(callback)
    try:
        if action == "stages":
            await callback.answer()
            await _show_stages(message, ctx)
        elif action == "stage":
            await _show_stage_checked(callback, ctx, n)
        elif action == "about":
            await callback.answer()
            await _show_about(message, ctx, n)
        elif action == "task":
            view = await ctx.service.open_task(full_id)
            await callback.answer()
            await _show_task(message, state, ctx, view)
        elif action == "page":
            view = await ctx.service.open_task(full_id)
            await callback.answer()
            await _show_page(message, ctx, view, n, edit=True)
        elif action == "read":
            result = await ctx.service.confirm_read(full_id)
            await callback.answer()
            await _after_step(message, ctx, full_id, result)
        elif action == "tick":
            await _tick(callback, ctx, full_id, n)
        elif action == "yn" or action == "ch":
            await _choose(callback, state, ctx, full_id, action, n)
        elif action == "skip":
            await _answer_and_continue(callback, state, ctx, full_id, None)
        elif action == "appr":
            result = await ctx.service.request_approval(full_id)
            await callback.answer(t("quest-approval-requested"), show_alert=True)
            await _after_step(message, ctx, full_id, result)
        else:
            await callback.answer(t("stale-button"), show_alert=True)
    except InputError as error:
        await callback.answer(t(error.code, **error.params), show_alert=True)


async def _show_stage_checked(callback: CallbackQuery, ctx: Context, index: int) -> None:
    view = await ctx.service.view()
    if not 0 <= index < len(view.stages):
        await callback.answer(ctx.t("stale-button"), show_alert=True)
        return
    await callback.answer()
    await show_quest(callback_message(callback), ctx, index)


async def _show_stages(message: Message, ctx: Context) -> None:
    view = await ctx.service.view()
    t = ctx.t
    lines = [t("quest-stages-head", points=view.points, level=view.level)]
    rows = []
    for stage in view.stages:
        spec = ctx.quest.stages[stage.index]
        mark = "✅" if stage.finished else "🔒" if stage.lock else "▶️"
        title = f"{mark} {stage.index + 1}. {spec.title.get(t.locale)}"
        lines.append(f"{title} — {stage.done}/{stage.total}")
        rows.append([button(title, QuestCb(action="stage", n=stage.index))])
    await message.answer("\n".join(lines), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def _show_about(message: Message, ctx: Context, index: int) -> None:
    if not 0 <= index < len(ctx.quest.stages):
        return
    spec = ctx.quest.stages[index]
    back = InlineKeyboardMarkup(
        inline_keyboard=[[button(ctx.t("quest-button-back"), QuestCb(action="stage", n=index))]]
    )
    await message.answer(
        f"<b>{spec.title.get(ctx.t.locale)}</b>\n\n{spec.intro.get(ctx.t.locale)}",
        reply_markup=back,
    )


def _task_header(ctx: Context, view: TaskView) -> str:
    task, t = view.item.task, ctx.t
    parts = [f"<b>{task.title.get(t.locale)}</b>"]
    if task.why:
        parts.append(f"<i>{task.why.get(t.locale)}</i>")
    if view.days_left is not None:
        key = "quest-days-left" if view.days_left >= 0 else "quest-overdue"
        parts.append("⏰ " + t(key, days=abs(view.days_left)))
    if view.state is TaskState.RETURNED and view.comment:
        parts.append(t("quest-returned", comment=view.comment))
    if view.state is TaskState.WAITING:
        parts.append(t("quest-waiting"))
    return "\n".join(parts)


async def _show_task(message: Message, state: FSMContext, ctx: Context, view: TaskView) -> None:
    task = view.item.task
    t = ctx.t
    back = [button(t("quest-button-back"), QuestCb(action="stage", n=view.item.stage_index))]
    if isinstance(task, ReadTask):
        await _show_page(message, ctx, view, 0, edit=False)
    elif isinstance(task, ChecklistTask):
        text, markup = _checklist_screen(ctx, view, await _stored(ctx, view))
        await message.answer(text, reply_markup=markup)
    elif isinstance(task, QuestionnaireTask):
        await message.answer(_task_header(ctx, view) + _intro(task, t))
        await _ask_next_field(message, state, ctx, view)
    elif isinstance(task, UploadTask):
        await state.set_state(QuestForm.upload)
        await state.update_data(quest_task=view.full_id)
        text = _task_header(ctx, view) + "\n\n" + task.prompt.get(t.locale)
        await message.answer(text + "\n\n" + t("quest-upload-hint", limit=task.max_mb))
    elif isinstance(task, CounterTask):
        await state.set_state(QuestForm.count)
        await state.update_data(quest_task=view.full_id)
        done, target = view.progress or (0, 0)
        text = _task_header(ctx, view) + "\n\n" + task.prompt.get(t.locale) + "\n\n"
        text += t("quest-counter", count=done, target=target or "—", unit=task.unit.get(t.locale))
        await message.answer(text + "\n" + t("quest-counter-hint"))
    elif isinstance(task, ApprovalTask):
        rows = [back]
        if view.state is not TaskState.WAITING:
            rows.insert(
                0, [button(t("quest-button-request"), QuestCb(action="appr", task=view.full_id))]
            )
        text = _task_header(ctx, view) + "\n\n" + task.prompt.get(t.locale)
        await message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
    elif isinstance(task, ActionTask):
        text = _task_header(ctx, view) + "\n\n" + task.prompt.get(t.locale)
        text += "\n\n" + t(
            "quest-action-soon",
            action=t(f"quest-action-{task.action}"),
            command=ACTION_COMMANDS[task.action],
        )
        rows = [back]
        if task.action == "fund":  # the fund's own screen (bot.handlers.fund)
            rows.insert(0, [button(t("quest-action-fund"), FundCb(action="menu"))])
        await message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


def _intro(task: QuestionnaireTask | ChecklistTask, t: Translator) -> str:
    return "\n\n" + task.intro.get(t.locale) if task.intro else ""


async def _stored(ctx: Context, view: TaskView) -> dict[str, object]:
    stored = (await ctx.service.store.progress()).get(view.full_id)
    return stored.data if stored else {}


async def _show_page(
    message: Message, ctx: Context, view: TaskView, page: int, *, edit: bool
) -> None:
    task = view.item.task
    assert isinstance(task, ReadTask)
    if not 0 <= page < len(task.pages):
        return
    t = ctx.t
    text = _task_header(ctx, view) + "\n\n" + task.pages[page].get(t.locale)
    if len(task.pages) > 1:
        text += "\n\n" + t("quest-page", number=page + 1, total=len(task.pages))
    nav = []
    if page > 0:
        nav.append(button("◀️", QuestCb(action="page", task=view.full_id, n=page - 1)))
    if page < len(task.pages) - 1:
        nav.append(
            button(t("quest-button-next"), QuestCb(action="page", task=view.full_id, n=page + 1))
        )
    rows = [nav] if nav else []
    if page == len(task.pages) - 1:
        rows.append([button(t("quest-button-read"), QuestCb(action="read", task=view.full_id))])
    rows.append([button(t("quest-button-back"), QuestCb(action="stage", n=view.item.stage_index))])
    markup = InlineKeyboardMarkup(inline_keyboard=rows)
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)


def _checklist_screen(
    ctx: Context, view: TaskView, data: dict[str, object]
) -> tuple[str, InlineKeyboardMarkup]:
    task = view.item.task
    assert isinstance(task, ChecklistTask)
    t = ctx.t
    ticked = set(list_of(data, "ticked"))
    rows = [
        [
            button(
                ("☑️ " if item.id in ticked else "⬜ ") + item.text.get(t.locale),
                QuestCb(action="tick", task=view.full_id, n=index),
            )
        ]
        for index, item in enumerate(task.items)
    ]
    rows.append([button(t("quest-button-back"), QuestCb(action="stage", n=view.item.stage_index))])
    text = _task_header(ctx, view) + _intro(task, t) + "\n\n" + t("quest-checklist-hint")
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


async def _tick(callback: CallbackQuery, ctx: Context, full_id: str, index: int) -> None:
    view = await ctx.service.open_task(full_id)
    task = view.item.task
    if not isinstance(task, ChecklistTask) or not 0 <= index < len(task.items):
        raise InputError("stale-button")
    result = await ctx.service.toggle_item(full_id, task.items[index].id)
    await callback.answer()
    message = callback_message(callback)
    if result.completed or result.finished_stage:
        await _after_step(message, ctx, full_id, result)
        return
    new_view = result.view.task(full_id)
    assert new_view is not None
    text, markup = _checklist_screen(ctx, new_view, await _stored(ctx, new_view))
    await message.edit_text(text, reply_markup=markup)


# --- questionnaire ---------------------------------------------------------------------------


def _next_field(task: QuestionnaireTask, answers: dict[str, object]) -> QuestionField | None:
    return next((f for f in task.fields if f.id not in answers), None)


async def _ask_next_field(
    message: Message, state: FSMContext, ctx: Context, view: TaskView
) -> None:
    task = view.item.task
    assert isinstance(task, QuestionnaireTask)
    answers = dict_of(await _stored(ctx, view), "answers")
    question = _next_field(task, answers)
    if question is None:
        await state.set_state(None)
        return
    t = ctx.t
    number = [f.id for f in task.fields].index(question.id) + 1
    text = t("quest-question", number=number, total=len(task.fields)) + "\n"
    text += question.label.get(t.locale)
    if question.example:
        text += "\n" + t("quest-example", example=Markup(question.example.get(t.locale)))
    rows: list[list[InlineKeyboardButton]] = []
    if question.type == "yes_no":
        rows.append([
            button(t("quest-yes"), QuestCb(action="yn", task=view.full_id, n=1)),
            button(t("quest-no"), QuestCb(action="yn", task=view.full_id, n=0)),
        ])  # fmt: skip
    for index, choice in enumerate(question.choices):
        rows.append(
            [button(choice.text.get(t.locale), QuestCb(action="ch", task=view.full_id, n=index))]
        )
    if not question.required:
        rows.append([button(t("quest-button-skip"), QuestCb(action="skip", task=view.full_id))])
    await state.set_state(QuestForm.answer)
    await state.update_data(quest_task=view.full_id, quest_field=question.id)
    markup = InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
    await message.answer(text, reply_markup=markup)


def validate_answer(question: QuestionField, raw: str) -> str:
    """Check a typed answer by the field's type; InputError says what is expected."""
    text = raw.strip()
    if question.type in ("yes_no", "choice"):
        raise InputError("error-use-buttons")
    if not text:
        raise InputError("quest-answer-required")
    if question.type == "text":
        if len(text) > MAX_TEXT_ANSWER:
            raise InputError("quest-answer-too-long", limit=MAX_TEXT_ANSWER)
        return text
    if question.type == "long_text":
        if len(text) > MAX_LONG_ANSWER:
            raise InputError("quest-answer-too-long", limit=MAX_LONG_ANSWER)
        return text
    if question.type == "date":
        return validation.parse_date(text).strftime("%d.%m.%Y")
    if question.type == "number":
        if not text.isdigit() or len(text) > 9:
            raise InputError("quest-answer-number")
        return str(int(text))
    if question.type == "phone":
        return validation.normalise_phone(text)
    if question.type == "email":
        return validation.normalise_email(text)
    if question.type == "inn":
        return validation.normalise_inn(text)
    if question.type == "snils":
        return validation.normalise_snils(text)
    raise InputError("quest-unknown-task")


async def _current_question(ctx: Context, state: FSMContext) -> tuple[TaskView, QuestionField]:
    data = await state.get_data()
    view = await ctx.service.open_task(str(data.get("quest_task", "")))
    task = view.item.task
    if not isinstance(task, QuestionnaireTask):
        raise InputError("stale-button")
    question = next((f for f in task.fields if f.id == data.get("quest_field")), None)
    if question is None:
        raise InputError("stale-button")
    return view, question


async def _answer_and_continue(
    event: Message | CallbackQuery,
    state: FSMContext,
    ctx: Context,
    full_id: str,
    value: str | None,
) -> None:
    view, question = await _current_question(ctx, state)
    if view.full_id != full_id:
        raise InputError("stale-button")
    result = await ctx.service.answer(full_id, question.id, value)
    message = event if isinstance(event, Message) else callback_message(event)
    if isinstance(event, CallbackQuery):
        await event.answer()
    if (
        result.completed
        or result.finished_stage
        or (result.view.task(full_id) or view).state is TaskState.WAITING
    ):
        await state.set_state(None)
        await _after_step(message, ctx, full_id, result)
        return
    new_view = result.view.task(full_id)
    assert new_view is not None
    await _ask_next_field(message, state, ctx, new_view)


async def _choose(
    callback: CallbackQuery, state: FSMContext, ctx: Context, full_id: str, action: str, n: int
) -> None:
    _, question = await _current_question(ctx, state)
    if action == "yn" and question.type == "yes_no":
        value = "yes" if n else "no"
    elif action == "ch" and 0 <= n < len(question.choices):
        value = question.choices[n].id
    else:
        raise InputError("stale-button")
    await _answer_and_continue(callback, state, ctx, full_id, value)


@router.message(QuestForm.answer, F.text, ~F.text.startswith("/"), flags=NEEDS_CONTEXT)
async def on_answer(message: Message, state: FSMContext, ctx: Context) -> None:
    t = ctx.t
    try:
        view, question = await _current_question(ctx, state)
        value = validate_answer(question, message.text or "")
        await _answer_and_continue(message, state, ctx, view.full_id, value)
    except InputError as error:
        await message.answer(t(error.code, **error.params))


@router.message(QuestForm.answer, ~F.text)
async def on_answer_not_text(message: Message, t: Translator) -> None:
    await message.answer(t("quest-answer-text"))


# --- upload and counter ----------------------------------------------------------------------


@router.message(QuestForm.upload, F.photo | F.document, flags=NEEDS_CONTEXT)
async def on_upload(message: Message, state: FSMContext, ctx: Context) -> None:
    t = ctx.t
    full_id = str((await state.get_data()).get("quest_task", ""))
    if message.photo:
        photo = message.photo[-1]
        kind, file_id, size = "photo", photo.file_id, photo.file_size or 0
    else:
        assert message.document is not None
        document = message.document
        is_pdf = document.mime_type == "application/pdf" or (
            document.file_name or ""
        ).lower().endswith(".pdf")
        kind, file_id, size = (
            ("pdf" if is_pdf else "other"),
            document.file_id,
            document.file_size or 0,
        )
    try:
        result = await ctx.service.upload(full_id, file_id, kind, size)
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    await state.set_state(None)
    await _after_step(message, ctx, full_id, result)


@router.message(QuestForm.upload)
async def on_upload_other(message: Message, t: Translator) -> None:
    await message.answer(t("quest-upload-expected"))


@router.message(QuestForm.count, F.text, ~F.text.startswith("/"), flags=NEEDS_CONTEXT)
async def on_count(message: Message, state: FSMContext, ctx: Context) -> None:
    t = ctx.t
    text = (message.text or "").strip().replace(" ", "")
    absolute = text.startswith("=")
    number = text.lstrip("=+")
    if not number.isdigit() or len(number) > 6:
        await message.answer(t("quest-counter-hint"))
        return
    full_id = str((await state.get_data()).get("quest_task", ""))
    try:
        result = await ctx.service.count(full_id, int(number), absolute=absolute)
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    view = result.view.task(full_id)
    if result.completed or result.finished_stage or view is None or not view.actionable:
        await state.set_state(None)
        await _after_step(message, ctx, full_id, result)
        return
    done, target = view.progress or (0, 0)
    task = view.item.task
    assert isinstance(task, CounterTask)
    await message.answer(
        t("quest-counter", count=done, target=target or "—", unit=task.unit.get(t.locale))
    )


@router.message(QuestForm.count)
async def on_count_other(message: Message, t: Translator) -> None:
    await message.answer(t("quest-counter-hint"))


# --- after a step ----------------------------------------------------------------------------


async def _after_step(message: Message, ctx: Context, full_id: str, result: StepResult) -> None:
    text = step_summary(ctx.quest, ctx.t, full_id, result)
    if text:
        await message.answer(text)
    await show_quest(message, ctx)


def step_summary(quest: Quest, t: Translator, full_id: str, result: StepResult) -> str:
    """What a step achieved: the task done or submitted, a stage celebrated, what opened."""
    item = quest.tasks[full_id]
    view = result.view.task(full_id)
    lines = []
    if result.completed:
        lines.append(
            t("quest-task-done", title=item.task.title.get(t.locale), points=item.task.points)
        )
    elif view is not None and view.state is TaskState.WAITING:
        lines.append(t("quest-task-submitted", title=item.task.title.get(t.locale)))
    if result.finished_stage:
        stage = quest.stage(result.finished_stage)
        assert stage is not None
        lines.append("🎉 " + stage.celebration.get(t.locale))
    if result.opened:
        titles = [quest.tasks[o].task.title.get(t.locale) for o in result.opened]
        lines.append(t("quest-opened") + "\n" + "\n".join(f"▶️ {title}" for title in titles))
    return "\n\n".join(lines)


# --- admin: reload ---------------------------------------------------------------------------


@router.message(Command("reload_quests"), IsAdmin())
async def on_reload(message: Message, quest_holder: QuestHolder, t: Translator) -> None:
    try:
        quest = load_quest()
    except QuestError as error:
        shown = "\n".join(f"• {line}" for line in error.errors[:20])
        await message.answer(t("quest-reload-failed", count=len(error.errors), errors=shown))
        return
    quest_holder.quest = quest
    await message.answer(
        t(
            "quest-reloaded",
            stages=len(quest.stages),
            tasks=len(quest.tasks),
            version=quest.version,
        )
    )


def today_in(settings: Settings) -> date:
    return utcnow().astimezone(settings.tz).date()
