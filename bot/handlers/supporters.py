"""The supporter base in the bot.

- Coordinators: /import_supporters (pick the organisation, send the file, answer the mapping
  questions, see the dry run, confirm), /export_supporters (CSV), /supporters_review (pairs
  that may be one person), /supporters (counts and the list in their scope, and the
  supporters without a district).
- Candidates: /supporters lists their district's supporters who agreed to be contacted by
  candidates.
- Supporters: join through a `sup-<join|org code>` deep link (name, phone by the contact
  button, address → district, consents), and /supporters shows their record and consents.

Every list, page and export is written to the audit log by the service.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardRemove,
)

from bot.config import Settings
from bot.db.uow import UnitOfWork
from bot.handlers.deeplinks import deep_link
from bot.handlers.export import mode_of, send_safely
from bot.handlers.pin_gate import open_view, register, require_pin, view_open
from bot.handlers.quest import QuestHolder, service_for, step_summary
from bot.handlers.views import callback_message
from bot.i18n import Markup, Translator
from bot.quests.schema import ActionTask
from bot.services import supporters, validation
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.deeplinks import DeepLink
from bot.services.directory import scope_of
from bot.services.errors import InputError
from bot.services.export import render_csv
from bot.services.export_protect import Mode
from bot.services.roles import Actor
from bot.services.supporters_files import FIELDS, MAX_FILE_BYTES, MAX_REPORTED, FileError
from bot.services.supporters_records import PURPOSES
from bot.telegram import keyboards
from bot.telegram.filters import IsCommand, IsStaff

router = Router(name="supporters")
VIEW, REVIEW_VIEW = "supporters", "supporters_review"  # bulk views opened with the PIN
MAX_MAPPING_COLUMNS = 24  # buttons for more columns would not fit a message


class SupCb(CallbackData, prefix="sup"):
    action: str
    arg: int = 0


class Join(StatesGroup):
    consent = State()
    name = State()
    phone = State()
    address = State()
    consents = State()


class Import(StatesGroup):
    organisation = State()
    file = State()
    mapping = State()
    confirm = State()


def _button(text: str, action: str, arg: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=SupCb(action=action, arg=arg).pack())


def _purpose_names(t: Translator, purposes: tuple[str, ...] | list[str]) -> str:
    return ", ".join(t(key) for key in _purpose_keys(purposes)) or t("supporters-consent-none")


def _purpose_keys(purposes: tuple[str, ...] | list[str]) -> list[str]:
    keys = {
        "contact": "supporters-purpose-contact",
        "volunteer": "supporters-purpose-volunteer",
        "news": "supporters-purpose-news",
    }
    return [keys[p] for p in purposes]


def _consent_keyboard(t: Translator, chosen: dict[str, bool], action: str) -> InlineKeyboardMarkup:
    rows = []
    for index, (purpose, key) in enumerate(zip(PURPOSES, _purpose_keys(PURPOSES), strict=True)):
        mark = "✅" if chosen.get(purpose) else "⬜"
        rows.append([_button(f"{mark} {t(key)}", action, index)])
    if action == "toggle":
        rows.append([_button(t("supporters-button-done"), "done")])
    return InlineKeyboardMarkup(inline_keyboard=rows)


# --- supporters: joining through the deep link ------------------------------------------------


@deep_link("sup")
async def supporter_link(
    link: DeepLink,
    message: Message,
    *,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
    **_: Any,
) -> bool:
    """`sup-join` or `sup-<organisation code>`: the organisation is credited with consents."""
    existing = await uow.supporters.by_user(actor.user_id)
    if existing is not None:
        await send_own_card(message, uow, t, cipher, actor)
        return True
    organisation = await uow.geography.organisation_by_code(link.argument)
    await state.set_state(Join.consent)
    await state.update_data(sup_org=organisation.code if organisation else None)
    await message.answer(t("supporters-join-intro"), reply_markup=_join_markup(t))
    return True


def _join_markup(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(t("supporters-button-agree"), "join", 1)],
            [_button(t("supporters-button-decline"), "join", 0)],
        ]
    )


@router.message(Join.consent, ~IsCommand())
async def on_join_consent_typed(message: Message, t: Translator) -> None:
    """Anything but a button at the supporters' consent: the same buttons again, not the
    candidates' consent (whose button would start a candidate registration)."""
    await message.answer(t("error-use-buttons"), reply_markup=_join_markup(t))


@router.callback_query(SupCb.filter(F.action == "join"), Join.consent)
async def on_join_consent(
    callback: CallbackQuery,
    callback_data: SupCb,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
) -> None:
    await callback.answer()
    message = callback_message(callback)
    if not callback_data.arg:
        await state.clear()
        await message.answer(t("supporters-join-declined"))
        return
    await supporters.ensure_user(uow, actor.user_id, t.locale)
    await state.set_state(Join.name)
    await message.answer(t("supporters-ask-name"))


@router.message(Join.name, F.text, ~F.text.startswith("/"))
async def on_join_name(message: Message, state: FSMContext, t: Translator) -> None:
    try:
        name = validation.normalise_full_name(message.text or "")
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    await state.update_data(sup_name=name)
    await state.set_state(Join.phone)
    await message.answer(t("supporters-ask-phone"), reply_markup=keyboards.share_contact(t))


@router.message(Join.phone, F.contact)
async def on_join_contact(message: Message, state: FSMContext, t: Translator) -> None:
    assert message.contact is not None and message.from_user is not None
    if message.forward_origin or message.contact.user_id != message.from_user.id:
        await message.answer(t("supporters-own-contact"), reply_markup=keyboards.share_contact(t))
        return
    try:
        phone = validation.normalise_phone(message.contact.phone_number)
    except InputError as error:
        await message.answer(t(error.code), reply_markup=keyboards.share_contact(t))
        return
    await state.update_data(sup_phone=phone)
    await state.set_state(Join.address)
    await message.answer(t("supporters-ask-address"), reply_markup=ReplyKeyboardRemove())


@router.message(Join.phone)
async def on_join_phone_typed(message: Message, t: Translator) -> None:
    await message.answer(t("error-phone-use-button"), reply_markup=keyboards.share_contact(t))


@router.message(Join.address, F.text, ~F.text.startswith("/"))
async def on_join_address(
    message: Message, state: FSMContext, uow: UnitOfWork, t: Translator
) -> None:
    text = (message.text or "").strip()[:300]
    district_id, understood = await supporters.place_by_address(uow, text)
    if understood is None:
        await message.answer(t("supporters-address-unclear"))
        return
    await state.update_data(sup_address=understood, sup_district=district_id, sup_consents={})
    await state.set_state(Join.consents)
    note = t("supporters-address-found") if district_id else t("supporters-address-not-found")
    await message.answer(
        note + "\n\n" + t("supporters-ask-consents"),
        reply_markup=_consent_keyboard(t, {}, "toggle"),
    )


@router.message(StateFilter(Join.name, Join.address), ~F.text)
async def on_join_not_text(message: Message, t: Translator) -> None:
    await message.answer(t("supporters-text-only"))


@router.message(Join.consents, ~IsCommand())
async def on_join_consents_typed(message: Message, state: FSMContext, t: Translator) -> None:
    """Typed instead of ticked: the question again, with what is ticked so far."""
    chosen = dict((await state.get_data()).get("sup_consents") or {})
    await message.answer(
        t("supporters-ask-consents"), reply_markup=_consent_keyboard(t, chosen, "toggle")
    )


@router.callback_query(SupCb.filter(F.action == "toggle"), Join.consents)
async def on_join_toggle(
    callback: CallbackQuery, callback_data: SupCb, state: FSMContext, t: Translator
) -> None:
    if not 0 <= callback_data.arg < len(PURPOSES):
        await callback.answer(t("stale-button"), show_alert=True)
        return
    await callback.answer()
    data = await state.get_data()
    chosen = dict(data.get("sup_consents") or {})
    purpose = PURPOSES[callback_data.arg]
    chosen[purpose] = not chosen.get(purpose)
    await state.update_data(sup_consents=chosen)
    message = callback_message(callback)
    await message.edit_reply_markup(reply_markup=_consent_keyboard(t, chosen, "toggle"))


@router.callback_query(SupCb.filter(F.action == "done"), Join.consents)
async def on_join_done(
    callback: CallbackQuery,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    await callback.answer()
    data = await state.get_data()
    organisation = (
        await uow.geography.organisation_by_code(data["sup_org"]) if data.get("sup_org") else None
    )
    chosen = dict(data.get("sup_consents") or {})
    await supporters.add_supporter(
        uow,
        cipher,
        name=str(data.get("sup_name") or ""),
        phone=data.get("sup_phone"),
        address=data.get("sup_address"),
        consents={p: bool(chosen.get(p)) for p in PURPOSES},
        source=supporters.OWN_SOURCE,
        organisation_id=organisation.id if organisation else None,
        user_id=actor.user_id,
    )
    await state.clear()
    message = callback_message(callback)
    await message.edit_reply_markup(reply_markup=None)
    await message.answer(t("supporters-joined"))
    await send_own_card(message, uow, t, cipher, actor)


async def send_own_card(
    message: Message, uow: UnitOfWork, t: Translator, cipher: FieldCipher, actor: Actor
) -> None:
    supporter = await uow.supporters.by_user(actor.user_id)
    if supporter is None:
        await message.answer(t("supporters-not-allowed"))
        return
    district = t("card-missing")
    if supporter.district_id is not None:
        found = await uow.geography.district(supporter.district_id)
        if found is not None:
            district = f"{found.formation.name}, №{found.number}"
    chosen = {p: bool(getattr(supporter, f"consent_{p}")) for p in PURPOSES}
    await message.answer(
        t(
            "supporters-own-card",
            name=cipher.decrypt(supporter.name_enc) or t("card-missing"),
            phone=validation.mask_phone(cipher.decrypt(supporter.phone_enc) or "")
            if supporter.phone_enc
            else t("card-missing"),
            district=district,
        ),
        reply_markup=_consent_keyboard(t, chosen, "own"),
    )


@router.callback_query(SupCb.filter(F.action == "own"))
async def on_own_toggle(
    callback: CallbackQuery,
    callback_data: SupCb,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
) -> None:
    supporter = await uow.supporters.by_user(actor.user_id)
    if supporter is None or not 0 <= callback_data.arg < len(PURPOSES):
        await callback.answer(t("stale-button"), show_alert=True)
        return
    purpose = PURPOSES[callback_data.arg]
    value = not getattr(supporter, f"consent_{purpose}")
    await supporters.set_own_consent(uow, supporter, purpose, value)
    await callback.answer(t("supporters-consent-saved"))
    chosen = {p: bool(getattr(supporter, f"consent_{p}")) for p in PURPOSES}
    message = callback_message(callback)
    await message.edit_reply_markup(reply_markup=_consent_keyboard(t, chosen, "own"))


# --- /supporters: lists ------------------------------------------------------------------------


@router.message(Command("supporters"))
async def on_supporters(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
    quest_holder: QuestHolder,
    settings: Settings,
) -> None:
    if not (actor.is_staff or actor.is_registered_candidate):
        await send_own_card(message, uow, t, cipher, actor)
        return
    if actor.is_staff:  # the staff's list is the base of many districts: behind the PIN
        await require_pin(message, state, uow, t, "supporters_list")
        return
    shown = await _send_page(message, uow, t, cipher, actor, 0, unassigned=False, edit=False)
    if shown and not actor.is_staff:
        await _quest_step(message, uow, t, cipher, actor, quest_holder, settings)


async def _run_staff_list(message: Message, args: str, data: dict[str, Any]) -> None:
    await open_view(data["state"], VIEW)
    await _send_page(
        message, data["uow"], data["t"], data["cipher"], data["actor"], 0,
        unassigned=False, edit=False,
    )  # fmt: skip


async def _quest_step(
    message: Message,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
    quest_holder: QuestHolder,
    settings: Settings,
) -> None:
    """The quest's "supporters base" task is done once the candidate's district has
    supporters who agreed to hear from candidates and the candidate has opened the list."""
    candidate = await uow.candidates.by_user(actor.user_id)
    if candidate is None:
        return
    service = await service_for(uow, cipher, quest_holder, candidate, t.locale, settings)
    tasks = [
        full_id
        for full_id, item in quest_holder.quest.tasks.items()
        if isinstance(item.task, ActionTask) and item.task.action == "supporters"
    ]
    for full_id, result in zip(tasks, await supporters.complete_quest_task(service), strict=False):
        text = step_summary(quest_holder.quest, t, full_id, result)
        if text:
            await message.answer(text)


@router.callback_query(SupCb.filter(F.action.in_({"page", "upage"})))
async def on_page(
    callback: CallbackQuery,
    callback_data: SupCb,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    if actor.is_staff and not await view_open(state, VIEW):
        await callback.answer(t("supporters-pin-again"), show_alert=True)
        return
    await callback.answer()
    unassigned = callback_data.action == "upage"
    message = callback_message(callback)
    await _send_page(
        message, uow, t, cipher, actor, callback_data.arg, unassigned=unassigned, edit=True
    )


async def _send_page(
    message: Message,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
    page: int,
    *,
    unassigned: bool,
    edit: bool,
) -> bool:
    """Send (or edit to) a page of the list; True when it listed anyone."""
    try:
        listing = await supporters.listing(uow, cipher, actor, page, unassigned=unassigned)
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return False
    staff = actor.is_staff
    if listing.total == 0:
        text = t("supporters-empty-staff" if staff else "supporters-empty-candidate")
        await message.answer(text)
        return False
    if unassigned:
        head = t("supporters-unassigned-title", count=listing.total)
    elif staff:
        head = t(
            "supporters-staff-title",
            count=listing.total,
            unassigned=listing.unassigned,
            review=listing.to_review,
        )
    else:
        head = t("supporters-candidate-title", count=listing.total)
    lines = [head, t("supporters-page", page=listing.page + 1, pages=listing.pages)]
    for item in listing.items:
        lines.append(
            t(
                "supporters-item",
                id=item.id,
                name=item.name,
                phone=item.phone or "—",
                email=item.email or "—",
                consents=_purpose_names(t, item.consents),
            )
        )
    action = "upage" if unassigned else "page"
    navigation = []
    if listing.page > 0:
        navigation.append(_button("◀️", action, listing.page - 1))
    if listing.page + 1 < listing.pages:
        navigation.append(_button("▶️", action, listing.page + 1))
    rows = [navigation] if navigation else []
    if staff and not unassigned and listing.unassigned:
        rows.append([_button(t("supporters-button-unassigned"), "upage", 0)])
    markup = InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
    text = Markup("\n\n".join(lines))
    if edit and listing.page == page:
        try:
            await message.edit_text(text, reply_markup=markup)
        except TelegramBadRequest as error:
            if "not modified" not in str(error):  # the same page pressed twice: fine
                raise
    else:  # a page that no longer exists (the list shrank, or a forged button): anew
        await message.answer(text, reply_markup=markup)
    return True


# --- /export_supporters -------------------------------------------------------------------------


def _export_words(args: str) -> list[str] | None:
    words = args.split()
    modes = {Mode.PSEUDONYMISED.value, Mode.PLAIN.value}
    if not set(words) <= modes or len(words) > 1:
        return None
    return words


@router.message(Command("export_supporters"), IsStaff())
async def on_export(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
) -> None:
    words = _export_words(command.args or "")
    if words is None:
        await message.answer(t("supporters-export-usage"))
        return
    await require_pin(message, state, uow, t, "export_supporters", " ".join(words))


async def _run_export(message: Message, args: str, data: dict[str, Any]) -> None:
    uow: UnitOfWork = data["uow"]
    t: Translator = data["t"]
    cipher: FieldCipher = data["cipher"]
    actor: Actor = data["actor"]
    words = _export_words(args)
    if words is None:
        await message.answer(t("supporters-export-usage"))
        return
    mode = mode_of(words)
    seen = await supporters.visibility(uow, actor)
    assert seen is not None  # staff always see something
    table = await supporters.export_table(uow, cipher, seen, actor.user_id, "bot", mode.value)
    if not table.rows:
        await message.answer(t("supporters-empty-staff"))
        return
    if mode is Mode.PSEUDONYMISED:
        table = await asyncio.to_thread(supporters.pseudonymised, table, cipher)
    content = await asyncio.to_thread(render_csv, table)
    name = f"supporters-{utcnow().strftime('%Y%m%d-%H%M')}.csv"
    caption = t("supporters-export-caption", count=len(table.rows))
    await send_safely(message, t, content, name, mode, caption=caption, audit=None)


# --- /supporters_review ----------------------------------------------------------------------


@router.message(Command("supporters_review"), IsStaff())
async def on_review(message: Message, state: FSMContext, uow: UnitOfWork, t: Translator) -> None:
    await require_pin(message, state, uow, t, "supporters_review")


async def _run_review(message: Message, args: str, data: dict[str, Any]) -> None:
    await open_view(data["state"], REVIEW_VIEW)
    await _send_review(message, data["uow"], data["t"], data["cipher"], data["actor"])


async def _send_review(
    message: Message, uow: UnitOfWork, t: Translator, cipher: FieldCipher, actor: Actor
) -> None:
    review = await supporters.next_review(uow, cipher, actor)
    if review is None:
        await message.answer(t("supporters-review-empty"))
        return
    cards = []
    for view in (review.first, review.second):
        cards.append(
            t(
                "supporters-review-card",
                id=view.id,
                name=view.name,
                phone=view.phone or "—",
                address=view.address or "—",
            )
        )
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(t("supporters-button-same"), "same", review.id)],
            [_button(t("supporters-button-different"), "diff", review.id)],
        ]
    )
    await message.answer(
        t("supporters-review-title", score=round(review.score)) + "\n\n" + "\n\n".join(cards),
        reply_markup=markup,
    )


@router.callback_query(SupCb.filter(F.action.in_({"same", "diff"})), IsStaff())
async def on_review_decision(
    callback: CallbackQuery,
    callback_data: SupCb,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    if not await view_open(state, REVIEW_VIEW):  # the next pair is shown: PIN first
        await callback.answer(t("supporters-pin-again"), show_alert=True)
        return
    try:
        await supporters.resolve_review(
            uow, actor, callback_data.arg, same=callback_data.action == "same"
        )
    except InputError as error:
        await callback.answer(t(error.code, **error.params), show_alert=True)
        return
    await callback.answer(t("supporters-review-saved"))
    message = callback_message(callback)
    await message.edit_reply_markup(reply_markup=None)
    await _send_review(message, uow, t, cipher, actor)


# --- /import_supporters ----------------------------------------------------------------------


def _import_organisations(actor: Actor, all_ids: list[int]) -> list[int]:
    """Organisations the staff member may import for: their organisations' scope, all of
    them for admins and coalition-wide coordinators."""
    scope = scope_of(actor)
    if scope.everyone:
        return all_ids
    return [i for i in all_ids if i in (scope.organisations or frozenset())]


@router.message(Command("import_supporters"), IsStaff())
async def on_import(message: Message, state: FSMContext, uow: UnitOfWork, t: Translator) -> None:
    # The dry run shows rows of the file and their problems: personal data, behind the PIN.
    await require_pin(message, state, uow, t, "import_supporters")


async def _run_import(message: Message, args: str, data: dict[str, Any]) -> None:
    state: FSMContext = data["state"]
    uow: UnitOfWork = data["uow"]
    t: Translator = data["t"]
    actor: Actor = data["actor"]
    organisations = await uow.geography.organisations()
    allowed = _import_organisations(actor, [o.id for o in organisations])
    if not allowed:
        await message.answer(t("supporters-import-no-organisation"))
        return
    if len(allowed) == 1:
        await _ask_file(message, state, t, allowed[0])
        return
    await state.set_state(Import.organisation)
    rows = [
        [_button(o.name_en if t.locale == "en" and o.name_en else o.name, "org", o.id)]
        for o in organisations
        if o.id in allowed
    ]
    await message.answer(
        t("supporters-import-which-organisation"),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


async def _ask_file(
    message: Message, state: FSMContext, t: Translator, organisation_id: int
) -> None:
    await state.set_state(Import.file)
    await state.update_data(imp_org=organisation_id, imp_override={})
    await message.answer(t("supporters-import-send-file", limit=MAX_FILE_BYTES // 1024 // 1024))


@router.callback_query(SupCb.filter(F.action == "org"), Import.organisation, IsStaff())
async def on_import_organisation(
    callback: CallbackQuery,
    callback_data: SupCb,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
) -> None:
    organisations = [o.id for o in await uow.geography.organisations()]
    if callback_data.arg not in _import_organisations(actor, organisations):
        await callback.answer(t("supporters-not-allowed"), show_alert=True)
        return
    await callback.answer()
    await _ask_file(callback_message(callback), state, t, callback_data.arg)


async def _download(bot: Bot, file_id: str) -> bytes:
    buffer = await bot.download(file_id)
    assert buffer is not None
    return buffer.read()


@router.message(Import.file, F.document, IsStaff())
async def on_import_file(
    message: Message, state: FSMContext, bot: Bot, uow: UnitOfWork, t: Translator
) -> None:
    document = message.document
    assert document is not None
    if (document.file_size or 0) > MAX_FILE_BYTES:
        size_mb = round((document.file_size or 0) / 1024 / 1024, 1)
        await message.answer(
            t("supporters-error-too-big", size_mb=size_mb, limit_mb=MAX_FILE_BYTES // 1024 // 1024)
        )
        return
    name = (document.file_name or "file.csv")[:200]
    try:
        sheet = await supporters.read_file(await _download(bot, document.file_id), name)
    except FileError as error:
        await message.answer(t(error.code, **error.params))
        return
    await state.update_data(imp_file=document.file_id, imp_name=name, imp_override={})
    await state.set_state(Import.mapping)
    await _send_mapping(message, t, sheet.header, supporters.mapping_for(sheet, None))


@router.message(Import.file, IsStaff())
async def on_import_not_file(message: Message, t: Translator) -> None:
    await message.answer(t("supporters-import-file-expected"))


def _column_letter(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def _field_name(t: Translator, name: str) -> str:
    return t("supporters-field", field=name)


async def _send_mapping(
    message: Message,
    t: Translator,
    header: list[str],
    mapping: dict[str, int],
    *,
    edit: bool = False,
) -> None:
    by_column = {index: name for name, index in mapping.items()}
    lines = [t("supporters-mapping-title")]
    for index, title in enumerate(header[:MAX_MAPPING_COLUMNS]):
        target = by_column.get(index)
        lines.append(
            t(
                "supporters-mapping-line",
                letter=_column_letter(index),
                title=title[:60] or "—",
                field=_field_name(t, target) if target else t("supporters-mapping-ignored"),
            )
        )
    lines.append(t("supporters-mapping-question"))
    buttons = [
        _button(_column_letter(index), "col", index)
        for index in range(min(len(header), MAX_MAPPING_COLUMNS))
    ]
    rows = [buttons[i : i + 6] for i in range(0, len(buttons), 6)]
    rows.append([_button(t("supporters-button-check"), "check")])
    rows.append([_button(t("supporters-button-cancel"), "cancel")])
    markup = InlineKeyboardMarkup(inline_keyboard=rows)
    text = "\n".join(lines)
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)


async def _sheet(bot: Bot, data: dict[str, Any]) -> supporters.Sheet:
    return await supporters.read_file(
        await _download(bot, str(data["imp_file"])), str(data["imp_name"])
    )


@router.callback_query(SupCb.filter(F.action == "col"), Import.mapping, IsStaff())
async def on_mapping_column(
    callback: CallbackQuery, callback_data: SupCb, state: FSMContext, t: Translator
) -> None:
    if not 0 <= callback_data.arg < MAX_MAPPING_COLUMNS:
        await callback.answer(t("stale-button"), show_alert=True)
        return
    await callback.answer()
    await state.update_data(imp_column=callback_data.arg)
    rows = [[_button(_field_name(t, name), "field", index)] for index, name in enumerate(FIELDS)]
    rows.append([_button(t("supporters-mapping-ignored"), "field", len(FIELDS))])
    await callback_message(callback).answer(
        t("supporters-mapping-which-field", letter=_column_letter(callback_data.arg)),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


@router.callback_query(SupCb.filter(F.action == "field"), Import.mapping, IsStaff())
async def on_mapping_field(
    callback: CallbackQuery, callback_data: SupCb, state: FSMContext, bot: Bot, t: Translator
) -> None:
    data = await state.get_data()
    column = int(data.get("imp_column", -1))
    sheet = await _sheet(bot, data)
    if not 0 <= column < len(sheet.header) or not 0 <= callback_data.arg <= len(FIELDS):
        await callback.answer(t("stale-button"), show_alert=True)
        return
    await callback.answer()
    override: dict[str, int | None] = dict(data.get("imp_override") or {})
    current = supporters.mapping_for(sheet, override)
    for name, index in current.items():
        if index == column:
            override[name] = None  # the column no longer goes to its old field
    if callback_data.arg < len(FIELDS):
        override[FIELDS[callback_data.arg]] = column
    await state.update_data(imp_override=override)
    message = callback_message(callback)
    await _send_mapping(
        message, t, sheet.header, supporters.mapping_for(sheet, override), edit=True
    )


@router.callback_query(SupCb.filter(F.action == "check"), Import.mapping, IsStaff())
async def on_mapping_check(
    callback: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    await callback.answer()
    message = callback_message(callback)
    report = await _run(state, bot, uow, t, cipher, actor, message, dry_run=True)
    if report is None:
        return
    if report.refused:
        await state.set_state(Import.file)
        return
    await state.set_state(Import.confirm)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(t("supporters-button-import"), "go")],
            [_button(t("supporters-button-cancel"), "cancel")],
        ]
    )
    await message.answer(t("supporters-import-confirm"), reply_markup=markup)


@router.callback_query(SupCb.filter(F.action == "go"), Import.confirm, IsStaff())
async def on_import_go(
    callback: CallbackQuery,
    state: FSMContext,
    bot: Bot,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    await callback.answer()
    message = callback_message(callback)
    await message.edit_reply_markup(reply_markup=None)
    report = await _run(state, bot, uow, t, cipher, actor, message, dry_run=False)
    if report is not None and not report.refused:
        await state.clear()


@router.callback_query(SupCb.filter(F.action == "cancel"), StateFilter(Import), IsStaff())
async def on_import_cancel(callback: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await callback.answer()
    await state.clear()
    await callback_message(callback).answer(t("supporters-import-cancelled"))


async def _run(
    state: FSMContext,
    bot: Bot,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
    message: Message,
    *,
    dry_run: bool,
) -> supporters.ImportReport | None:
    data = await state.get_data()
    organisation = await uow.geography.organisation(int(data.get("imp_org", 0)))
    allowed = _import_organisations(actor, [organisation.id] if organisation else [])
    if organisation is None or not allowed:
        await state.clear()
        await message.answer(t("supporters-not-allowed"))
        return None
    try:
        sheet = await _sheet(bot, data)
        report = await supporters.import_sheet(
            uow,
            cipher,
            sheet,
            file_name=str(data["imp_name"]),
            organisation_code=organisation.code,
            override=dict(data.get("imp_override") or {}),
            dry_run=dry_run,
            actor_id=actor.user_id,
        )
    except (FileError, InputError) as error:
        await message.answer(t(error.code, **error.params))
        return None
    await message.answer(_report_text(t, report))
    return report


def _report_text(t: Translator, report: supporters.ImportReport) -> Markup:
    if report.refused:
        head = t("supporters-report-refused", rows=report.rows)
    else:
        head = t(
            "supporters-report-dry" if report.dry_run else "supporters-report-done",
            rows=report.rows,
            created=report.created,
            merged=report.merged,
            unchanged=report.unchanged,
            updated=report.updated,
            review=report.to_review,
            unassigned=report.unassigned,
            skipped=report.skipped,
        )
    lines = [head]
    for problem in report.problems[:MAX_REPORTED]:
        key = supporters.PROBLEM_KEYS[problem.code]
        lines.append(t(key, row=problem.row, column=problem.column or "—"))
    if len(report.problems) > MAX_REPORTED:
        lines.append(t("supporters-report-more", count=len(report.problems) - MAX_REPORTED))
    return Markup("\n".join(lines))


register("supporters_list", _run_staff_list, lambda actor: actor.is_staff)
register("export_supporters", _run_export, lambda actor: actor.is_staff)
register("supporters_review", _run_review, lambda actor: actor.is_staff)
register("import_supporters", _run_import, lambda actor: actor.is_staff)
