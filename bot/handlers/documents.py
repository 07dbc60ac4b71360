"""/documents: the nomination questionnaire, one question at a time with an example; the
answers shown back masked, each editable; the package as PDFs (statement of consent, income
declaration where required, signature sheet, cover list), every version kept; and the way to a
coordinator, who sees the package in /pending and approves it or returns it with a comment.

Answers never travel in callback data or dialog state: the state holds which question is
asked, the answers live encrypted in the database (bot.services.documents)."""

from __future__ import annotations

import logging

from aiogram import F, Router
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
from bot.db.models import Candidate
from bot.db.models.documents import NominationPackage, PackageStatus
from bot.db.uow import UnitOfWork
from bot.handlers.quest import QuestHolder, service_for, step_summary, today_in
from bot.handlers.views import callback_message
from bot.i18n import Markup, Translator
from bot.services import anomalies, directory, names, pending
from bot.services import documents_form as form
from bot.services.crypto import FieldCipher
from bot.services.directory import Scope
from bot.services.documents import DocumentsService, File, Overview, decide
from bot.services.errors import InputError
from bot.services.pending import Attachment, Decided, PendingCard, PendingContext, PendingItem
from bot.services.roles import Actor
from bot.telegram.keyboards import button

log = logging.getLogger(__name__)
router = Router(name="documents")
HISTORY_SHOWN = 10
SHOWN_CHARS = 80

STATUS_KEYS = {
    PackageStatus.DRAFT: "docs-status-draft",
    PackageStatus.SUBMITTED: "docs-status-submitted",
    PackageStatus.RETURNED: "docs-status-returned",
    PackageStatus.APPROVED: "docs-status-approved",
}
CHOICE_KEYS = {
    "yes_no": ("docs-choice-yes", "docs-choice-no"),
    "sex": ("docs-choice-male", "docs-choice-female"),
    "nomination": ("docs-choice-self", "docs-choice-party"),
}
VALUE_KEYS = {
    "yes": "docs-choice-yes",
    "no": "docs-choice-no",
    "m": "docs-choice-male",
    "f": "docs-choice-female",
    "self": "docs-choice-self",
    "party": "docs-choice-party",
}
KIND_KEYS = {
    "statement": "docs-kind-statement",
    "declaration": "docs-kind-declaration",
    "signatures": "docs-kind-signatures",
    "inventory": "docs-kind-inventory",
}


class DocsCb(CallbackData, prefix="doc"):
    action: str  # menu, go, list, edit, ch, skip, use, get, submit, hist, ver
    field: str = ""
    n: int = 0


class DocsForm(StatesGroup):
    answer = State()  # a candidate answers one question


def _text(t: Translator, key: str, **params: object) -> str:
    """A catalogue message whose id comes from the questionnaire's data (documents_form)."""
    return t(key, **params)


async def _service(
    uow: UnitOfWork, cipher: FieldCipher, actor: Actor, settings: Settings
) -> DocumentsService | None:
    candidate = await uow.candidates.by_user(actor.user_id)
    if candidate is None or not actor.is_registered_candidate:
        return None
    return DocumentsService(uow, cipher, candidate, today_in(settings))


# --- the candidate's screen -------------------------------------------------------------------


def _overview_text(t: Translator, overview: Overview) -> str:
    lines = [t("docs-title"), t("docs-progress", done=overview.answered, total=overview.total)]
    status = _text(t, STATUS_KEYS[overview.status])
    lines.append(t("docs-status", status=status))
    if overview.status is PackageStatus.RETURNED and overview.comment:
        lines.append(t("docs-returned-comment", comment=overview.comment))
    if overview.version:
        key = "docs-version-current" if overview.up_to_date else "docs-version-stale"
        lines.append(t(key, version=overview.version))
    if overview.approved_version and overview.status is not PackageStatus.APPROVED:
        lines.append(t("docs-approved-earlier", version=overview.approved_version))
    if overview.declaration:
        lines.append(t("docs-declaration-required"))
    return "\n".join(lines)


def _overview_markup(t: Translator, overview: Overview) -> InlineKeyboardMarkup:
    rows = []
    if not overview.complete:
        rows.append([button(t("docs-button-continue"), DocsCb(action="go"))])
    if overview.answered:
        rows.append([button(t("docs-button-answers"), DocsCb(action="list"))])
    if overview.complete:
        rows.append([button(t("docs-button-get"), DocsCb(action="get"))])
        if overview.status in (PackageStatus.DRAFT, PackageStatus.RETURNED):
            rows.append([button(t("docs-button-submit"), DocsCb(action="submit"))])
    if overview.version:
        rows.append([button(t("docs-button-history"), DocsCb(action="hist"))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def show_overview(message: Message, service: DocumentsService, t: Translator) -> None:
    overview = await service.overview()
    await message.answer(_overview_text(t, overview), reply_markup=_overview_markup(t, overview))


@router.message(Command("documents"))
async def on_documents(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    quest_holder: QuestHolder,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    service = await _service(uow, cipher, actor, settings)
    if service is None:
        await message.answer(t("docs-register-first"))
        return
    await state.set_state(None)
    # An approval given before the quest reached this task completes it now.
    summary = await _sync_quest(uow, cipher, quest_holder, service, t, settings)
    if summary:
        await message.answer(summary)
    overview = await service.overview()
    if overview.answered == 0:
        await message.answer(t("docs-intro"))
        await _ask(message, state, service, t, edit=False)
        return
    await message.answer(_overview_text(t, overview), reply_markup=_overview_markup(t, overview))


async def _sync_quest(
    uow: UnitOfWork,
    cipher: FieldCipher,
    holder: QuestHolder,
    service: DocumentsService,
    t: Translator,
    settings: Settings,
) -> str:
    """Complete the quest task if the package is approved; what that changed, as text."""
    quest = await service_for(uow, cipher, holder, service.candidate, t.locale, settings)
    done = await service.sync_quest(quest)
    return "\n\n".join(
        text
        for full_id, result in done
        if (text := step_summary(holder.quest, t, full_id, result))
    )


@router.callback_query(DocsCb.filter())
async def on_docs_button(
    callback: CallbackQuery,
    callback_data: DocsCb,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    service = await _service(uow, cipher, actor, settings)
    if service is None:
        await callback.answer(t("docs-register-first"), show_alert=True)
        return
    action, field, n = callback_data.action, callback_data.field, callback_data.n
    message = callback_message(callback)
    try:
        if action == "menu":
            await callback.answer()
            await state.set_state(None)
            await show_overview(message, service, t)
        elif action == "go":
            await callback.answer()
            await _ask(message, state, service, t, edit=False)
        elif action == "list":
            await callback.answer()
            await state.set_state(None)
            await _show_answers(message, service, t)
        elif action == "edit":
            question = form.BY_ID.get(field)
            answers = await service.answers()
            if question is None or not form.applies(
                question, answers, await service.declaration()
            ):
                raise InputError("stale-button")
            await callback.answer()
            await _ask(message, state, service, t, edit=True, question=question)
        elif action in ("ch", "skip", "use"):
            await _answer_button(callback, state, service, t, action, field, n)
        elif action == "get":
            generated = await service.generate()  # before answering: it may refuse
            await callback.answer()
            await _deliver(message, uow, service, t, generated)
        elif action == "submit":
            version = await service.submit()
            await callback.answer()
            await message.answer(t("docs-submitted", version=version))
        elif action == "hist":
            await callback.answer()
            await _show_history(message, service, t)
        elif action == "ver":
            files = await service.files(n)
            await callback.answer()
            await uow.audit.record(actor.user_id, "documents_sent", "candidate",
                                   service.candidate.id, version=n)  # fmt: skip
            await _send_files(message, files, t, n)
        else:
            await callback.answer(t("stale-button"), show_alert=True)
    except InputError as error:
        await callback.answer(t(error.code, **error.params), show_alert=True)


# --- questions --------------------------------------------------------------------------------


async def _ask(
    message: Message,
    state: FSMContext,
    service: DocumentsService,
    t: Translator,
    *,
    edit: bool,
    question: form.Question | None = None,
) -> None:
    """Ask the given question (editing) or the next unanswered one; at the end, generate the
    package and send it."""
    answers = await service.answers()
    declaration = await service.declaration()
    question = question or form.next_question(answers, declaration)
    if question is None:
        await state.set_state(None)
        await message.answer(t("docs-all-answered"))
        await show_overview(message, service, t)
        return
    questions = form.applicable(answers, declaration)
    number = next(i for i, q in enumerate(questions, 1) if q.id == question.id)
    lines = [
        t("docs-question", number=number, total=len(questions)),
        _text(t, question.label),
        t("docs-example", example=Markup(_text(t, question.example))),
    ]
    if edit and question.id in answers:
        lines.append(t("docs-current", value=_shown(t, question, answers[question.id])))
    rows: list[list[InlineKeyboardButton]] = []
    for index, key in enumerate(CHOICE_KEYS.get(question.kind, ())):
        rows.append([button(_text(t, key), DocsCb(action="ch", field=question.id, n=index))])
    suggestion = await service.suggestion(question.id)
    if suggestion:
        rows.append([button(suggestion[:60], DocsCb(action="use", field=question.id))])
    if not question.required:
        rows.append([button(t("docs-button-skip"), DocsCb(action="skip", field=question.id))])
    rows.append([button(t("docs-button-back"), DocsCb(action="menu"))])
    await state.set_state(DocsForm.answer)
    await state.update_data(docs_field=question.id, docs_edit=edit)
    await message.answer("\n".join(lines), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


def _shown(t: Translator, question: form.Question, value: str) -> str:
    """An answer as shown back: choices in words, sensitive values masked."""
    if question.kind in form.CHOICES and not question.sensitive and value in VALUE_KEYS:
        return _text(t, VALUE_KEYS[value])
    shown = form.mask(question, value)
    # Long answers are cut: the whole list must fit one message (4096 characters).
    return shown if len(shown) <= SHOWN_CHARS else shown[: SHOWN_CHARS - 1] + "…"


async def _current_field(state: FSMContext) -> tuple[str, bool]:
    data = await state.get_data()
    return str(data.get("docs_field", "")), bool(data.get("docs_edit", False))


def _explain(t: Translator, error: InputError, question: form.Question | None) -> str:
    """The error and, always, what a good answer looks like."""
    text = t(error.code, **error.params)
    if question is not None and error.code != "stale-button":
        text += "\n" + t("docs-example", example=Markup(_text(t, question.example)))
    return text


@router.message(DocsForm.answer, F.text, ~F.text.startswith("/"))
async def on_answer(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    service = await _service(uow, cipher, actor, settings)
    if service is None:
        await state.set_state(None)
        await message.answer(t("docs-register-first"))
        return
    field, edit = await _current_field(state)
    question = form.BY_ID.get(field)
    try:
        changed = await service.answer(field, message.text or "")
    except InputError as error:
        # Nothing was stored; the question stays open and the earlier answers stay as they are.
        await message.answer(_explain(t, error, question))
        return
    await _after_answer(message, state, uow, service, t, edit=edit, changed=changed)


@router.message(DocsForm.answer, ~F.text)
async def on_answer_not_text(message: Message, t: Translator) -> None:
    await message.answer(t("docs-answer-text"))


async def _answer_button(
    callback: CallbackQuery,
    state: FSMContext,
    service: DocumentsService,
    t: Translator,
    action: str,
    field: str,
    n: int,
) -> None:
    current, edit = await _current_field(state)
    if field != current or await state.get_state() != DocsForm.answer.state:
        raise InputError("stale-button")  # a button of an earlier question
    question = form.BY_ID[field]
    try:
        if action == "ch":
            changed = await service.choose(field, n)
        elif action == "skip":
            changed = await service.answer(field, None)
        else:
            suggestion = await service.suggestion(field)
            if suggestion is None:
                raise InputError("stale-button")
            changed = await service.answer(field, suggestion)
    except InputError as error:
        await callback.answer()
        await callback_message(callback).answer(_explain(t, error, question))
        return
    await callback.answer()
    await _after_answer(
        callback_message(callback), state, service.uow, service, t, edit=edit, changed=changed
    )


async def _after_answer(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    service: DocumentsService,
    t: Translator,
    *,
    edit: bool,
    changed: bool,
) -> None:
    if edit:
        await state.set_state(None)
        overview = await service.overview()
        if changed and overview.version and overview.complete:
            # The documents follow the answers: a new version at once, the old one kept.
            try:
                version, _, _ = await service.generate()
            except InputError as error:
                await message.answer(t(error.code, **error.params))
            else:
                await message.answer(t("docs-regenerated", version=version))
        elif changed:
            await message.answer(t("docs-saved"))
        await _show_answers(message, service, t)
        return
    if await service.next_question() is not None:
        await _ask(message, state, service, t, edit=False)
        return
    await state.set_state(None)
    await message.answer(t("docs-all-answered"))
    try:
        generated = await service.generate()
    except InputError as error:  # no district in the registration, say
        await message.answer(t(error.code, **error.params))
        return
    await _deliver(message, uow, service, t, generated)


# --- answers, files, history --------------------------------------------------------------------


async def _show_answers(message: Message, service: DocumentsService, t: Translator) -> None:
    answers = await service.answers()
    questions = form.applicable(answers, await service.declaration())
    lines = [t("docs-answers-title")]
    buttons = []
    for question in questions:
        short = _text(t, question.short)
        value = answers.get(question.id)
        shown = _shown(t, question, value) if value is not None else t("docs-not-answered")
        lines.append(t("docs-answer-line", field=short, value=shown))
        buttons.append(button("✏️ " + short, DocsCb(action="edit", field=question.id)))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([button(t("docs-button-back"), DocsCb(action="menu"))])
    await message.answer("\n".join(lines), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def _deliver(
    message: Message,
    uow: UnitOfWork,
    service: DocumentsService,
    t: Translator,
    generated: tuple[int, list[File], bool],
) -> None:
    version, files, new = generated
    await uow.audit.record(
        service.candidate.user_id,
        "documents_generated" if new else "documents_sent",
        "candidate",
        service.candidate.id,
        version=version,
    )
    await _send_files(message, files, t, version)
    await show_overview(message, service, t)


async def _send_files(message: Message, files: list[File], t: Translator, version: int) -> None:
    await message.answer(t("docs-files", version=version, count=len(files)))
    for file in files:
        await message.answer_document(
            BufferedInputFile(file.data, filename=file.name),
            caption=_text(t, KIND_KEYS[file.kind]),
        )


async def _show_history(message: Message, service: DocumentsService, t: Translator) -> None:
    versions = (await service.history())[:HISTORY_SHOWN]
    lines = [t("docs-history-title")]
    rows = []
    for version in versions:
        lines.append(
            t(
                "docs-history-line",
                version=version.number,
                date=version.created_at.strftime("%d.%m.%Y %H:%M"),
                hash=version.sha256[0][:12],
            )
        )
        rows.append(
            [
                button(
                    t("docs-button-version", version=version.number),
                    DocsCb(action="ver", n=version.number),
                )
            ]
        )
    rows.append([button(t("docs-button-back"), DocsCb(action="menu"))])
    await message.answer("\n".join(lines), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


# --- coordinators: the package in /pending ----------------------------------------------


# --- coordinators: the package in the /pending queue (bot.services.pending) ------------------


class NominationPackageKind:
    """A submitted nomination package waits for a coordinator: its PDFs are the card."""

    code = "docs"

    async def waiting(
        self, ctx: PendingContext, scope: Scope, limit: int, candidate_id: int | None = None
    ) -> list[PendingItem]:
        organisations = None if scope.organisations is None else set(scope.organisations)
        formations = None if scope.formations is None else set(scope.formations)
        rows = await ctx.uow.documents.submitted(organisations, formations, limit)
        found = await names.full_names(ctx.uow, ctx.cipher, [c for _, c in rows])
        return [
            PendingItem(
                kind=self.code,
                item_id=package.id,
                candidate_id=candidate.id,
                candidate_name=found.get(candidate.id) or str(candidate.id),
                title=ctx.t("docs-pending-label"),
                since=package.submitted_at or package.updated_at,
            )
            for package, candidate in rows
            if candidate_id is None or candidate.id == candidate_id
        ]

    async def _load(
        self, ctx: PendingContext, package_id: int, scope: Scope
    ) -> tuple[NominationPackage, Candidate]:
        package = await ctx.uow.documents.package_by_id(package_id)
        candidate = await ctx.uow.quest.candidate(package.candidate_id) if package else None
        if (
            package is None
            or candidate is None
            or not await directory.in_scope(ctx.uow, scope, candidate)
            or package.status is not PackageStatus.SUBMITTED
        ):
            # Out of scope reads exactly like gone: probing ids teaches nothing.
            raise InputError("review-gone")
        return package, candidate

    async def card(self, ctx: PendingContext, item_id: int, scope: Scope) -> PendingCard:
        package, candidate = await self._load(ctx, item_id, scope)
        version = package.submitted_version or package.version
        service = DocumentsService(ctx.uow, ctx.cipher, candidate, today_in(ctx.settings))
        files = await service.files(version)
        await ctx.uow.audit.record(
            ctx.actor_id, "documents_viewed", "candidate", candidate.id, version=version
        )
        name = await names.full_name(ctx.uow, ctx.cipher, candidate)
        text = ctx.t("docs-review-card", name=name or "—", version=version)
        attachments = tuple(
            Attachment(
                "document",
                "",
                data=file.data,
                filename=file.name,
                caption=_text(ctx.t, KIND_KEYS[file.kind]),
            )
            for file in files
        )
        return PendingCard(text, attachments)

    async def decide(
        self,
        ctx: PendingContext,
        item_id: int,
        scope: Scope,
        approve: bool,
        comment: str | None,
    ) -> Decided:
        package, candidate = await self._load(ctx, item_id, scope)
        await decide(ctx.uow, ctx.cipher, package, ctx.actor_id, None if approve else comment)
        user = await ctx.uow.users.get(candidate.user_id)
        their_t = ctx.t.catalog.translator(user.locale if user else ctx.settings.default_locale)
        if approve:
            service = DocumentsService(ctx.uow, ctx.cipher, candidate, today_in(ctx.settings))
            notice = their_t("docs-approved-notice", version=package.approved_version or 0)
            summary = await _sync_quest(
                ctx.uow, ctx.cipher, ctx.quest, service, their_t, ctx.settings
            )
            if summary:
                notice += "\n\n" + summary
        else:
            notice = their_t("docs-returned-notice", comment=comment or "")
        return Decided(candidate.user_id, notice + "\n" + their_t("docs-open"))


pending.register(NominationPackageKind())


# A nomination package holds passport data: a reviewer opening many of them is counted.
anomalies.watch("documents_viewed")
