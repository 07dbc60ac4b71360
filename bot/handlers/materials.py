"""/materials: the leaflet builder and the registry of print runs. /resources: the directory
of vetted designers and print houses (coordinators keep it, candidates read it).

The builder asks the photo rules first (no children; other people only with their written
consent), then the photo, a short biography, 3–5 programme points and contacts, and shows the
leaflet's card: any part can be changed there, a draft (ОБРАЗЕЦ) made at any time, a print file
once the imprint is complete. Files are rendered off the event loop and sent as a PDF with a
PNG preview. Every button is re-checked in the service against the candidate who pressed it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
)

from bot.config import Settings
from bot.db.uow import UnitOfWork
from bot.documents.leaflets import LayoutError
from bot.handlers import materials_resources
from bot.handlers.materials_views import (
    RESOURCE_ACTIONS,
    MatCb,
    button,
    card_markup,
    card_text,
    imprint_field_name,
    imprint_prompt,
    imprint_screen,
    keyboard,
    part_name,
    runs_screen,
    template_name,
    templates_markup,
)
from bot.handlers.quest import QuestHolder, service_for, step_summary
from bot.handlers.states import Screen
from bot.handlers.views import callback_message
from bot.i18n import Translator
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.materials import (
    MAX_BIO,
    MAX_CONTACTS,
    MAX_PHOTO_MB,
    MAX_POINT,
    MAX_POINTS,
    MIN_PHOTO_SIDE,
    MIN_POINTS,
    REMINDER_KIND,
    LeafletView,
    MaterialsService,
    MissingImprint,
    MissingParts,
    check_photo_size,
    copy_reminder_relevant,
    format_rubles,
    photo_in_slot,
    subtitle_for,
)
from bot.services.materials_imprint import FIELDS as IMPRINT_FIELDS
from bot.services.payload import int_of
from bot.services.roles import Actor

router = Router(name="materials")
# The directory is its own small dialog, on a router of its own inside this one.
router.include_router(materials_resources.router)
__all__ = ["REMINDER_KIND", "copy_reminder", "router"]


class MaterialsForm(StatesGroup):
    photo = State()
    bio = State()
    points = State()
    contacts = State()
    imprint = State()
    cost = State()


# --- who is asking -----------------------------------------------------------------------------


async def _materials(
    uow: UnitOfWork, cipher: FieldCipher, actor: Actor
) -> MaterialsService | None:
    if not actor.is_registered_candidate:
        return None
    candidate = await uow.candidates.by_user(actor.user_id)
    return MaterialsService(uow, cipher, candidate) if candidate else None


async def _subtitle(uow: UnitOfWork, service: MaterialsService) -> str:
    district_id = service.candidate.district_id
    district = await uow.candidates.district_with_formation(district_id) if district_id else None
    if district is None:
        return subtitle_for(None, None)
    return subtitle_for(district.formation.name, district.number)


# --- screens -----------------------------------------------------------------------------------


async def show_menu(message: Message, service: MaterialsService, t: Translator) -> None:
    leaflets = await service.leaflets()
    rows = [[button(t("materials-button-new"), "new")]]
    rows += [
        [
            button(
                t(
                    "materials-button-leaflet",
                    number=leaflet.number,
                    template=template_name(t, leaflet.template),
                ),
                "open",
                leaflet.id,
            )
        ]
        for leaflet in leaflets
    ]
    rows.append([button(t("materials-button-runs"), "runs")])
    rows.append([button(t("materials-button-resources"), "res")])
    await message.answer(t("materials-menu", count=len(leaflets)), reply_markup=keyboard(*rows))


async def show_card(message: Message, view: LeafletView, t: Translator) -> None:
    await message.answer(card_text(t, view), reply_markup=card_markup(t, view))


async def _ask_photo_rules(message: Message, leaflet_id: int, t: Translator) -> None:
    await message.answer(
        t("materials-photo-rules"),
        reply_markup=keyboard(
            [button(t("materials-button-no-children"), "kids", leaflet_id, "no")],
            [button(t("materials-button-children"), "kids", leaflet_id, "yes")],
        ),
    )


def _text_prompt(t: Translator, part: str) -> tuple[State, str]:
    """The dialog state and the question for a typed part of the leaflet."""
    if part == "bio":
        return MaterialsForm.bio, t("materials-ask-bio", limit=MAX_BIO)
    if part == "points":
        return MaterialsForm.points, t(
            "materials-ask-points", low=MIN_POINTS, high=MAX_POINTS, limit=MAX_POINT
        )
    if part == "contacts":
        return MaterialsForm.contacts, t("materials-ask-contacts", limit=MAX_CONTACTS)
    raise InputError("stale-button")


async def _ask_next_part(
    message: Message, state: FSMContext, view: LeafletView, t: Translator
) -> None:
    """While building: the next missing part, or the card when all are there."""
    if not view.missing_parts:
        await state.set_state(Screen.buttons)
        await show_card(message, view, t)
        return
    part = view.missing_parts[0]
    if part == "photo":
        await state.set_state(Screen.buttons)
        await _ask_photo_rules(message, view.id, t)
        return
    next_state, prompt = _text_prompt(t, part)
    await state.set_state(next_state)
    await state.update_data(mat_leaflet=view.id, mat_building=True)
    await message.answer(prompt)


# --- entry -------------------------------------------------------------------------------------


@router.message(Command("materials"))
async def on_materials(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    service = await _materials(uow, cipher, actor)
    if service is None:
        await message.answer(t("materials-register-first"))
        return
    await state.set_state(Screen.buttons)
    await show_menu(message, service, t)


@router.callback_query(MatCb.filter(~F.action.in_(RESOURCE_ACTIONS)))
async def on_button(
    callback: CallbackQuery,
    callback_data: MatCb,
    state: FSMContext,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
    quest_holder: QuestHolder,
) -> None:
    service = await _materials(uow, cipher, actor)
    if service is None:
        await callback.answer(t("materials-register-first"), show_alert=True)
        return
    message = callback_message(callback)
    action, item, arg = callback_data.action, callback_data.id, callback_data.arg
    try:
        if action == "menu":
            await callback.answer()
            await state.set_state(Screen.buttons)
            await show_menu(message, service, t)
        elif action == "new":
            await callback.answer()
            await state.set_state(Screen.buttons)
            await message.answer(t("materials-choose-template"), reply_markup=templates_markup(t))
        elif action == "tpl":
            await _on_template(callback, state, service, t, item, arg)
        elif action == "open":
            view = await service.leaflet(item)
            await callback.answer()
            await state.set_state(Screen.buttons)
            await show_card(message, view, t)
        elif action == "kids":
            await _on_children(callback, service, t, item, arg)
        elif action == "others":
            await _on_others(callback, state, service, t, item, arg)
        elif action == "edit":
            await _on_edit(callback, state, service, t, item, arg)
        elif action == "imprint":
            view = await service.leaflet(item)
            await callback.answer()
            await state.set_state(Screen.buttons)
            text, markup = imprint_screen(t, view, await service.candidate_name())
            await message.answer(text, reply_markup=markup)
        elif action in ("imp", "impall"):
            await _on_imprint_field(
                callback, state, service, t, item, arg, chain=action == "impall"
            )
        elif action == "make":
            await _on_make(
                callback, bot, uow, cipher, service, t, settings, quest_holder, item, arg
            )
        elif action == "vers":
            await _on_versions(callback, service, t, item)
        elif action == "file":
            file_id, number, final = await service.version_file(item)
            await callback.answer()
            kind = t("materials-final") if final else t("materials-draft")
            await message.answer_document(
                file_id, caption=t("materials-file-again", number=number, kind=kind)
            )
        elif action == "run":
            view, version = await service.run_draft(item)
            await callback.answer()
            imprint = view.content.imprint
            await state.set_state(MaterialsForm.cost)
            await state.update_data(mat_version=version.id)
            await message.answer(
                t(
                    "materials-ask-cost",
                    number=view.number,
                    version=version.number,
                    copies=imprint.copies or 0,
                    date=imprint.issued_on.strftime("%d.%m.%Y") if imprint.issued_on else "",
                )
            )
        elif action == "runs":
            await callback.answer()
            await state.set_state(Screen.buttons)
            text, markup = runs_screen(t, await service.runs())
            await message.answer(text, reply_markup=markup)
        elif action == "tick":
            await service.toggle_copy(item)
            await callback.answer()
            text, markup = runs_screen(t, await service.runs())
            await message.edit_text(text, reply_markup=markup)
            await _report(message, uow, cipher, service, t, settings, quest_holder)
        else:
            await callback.answer(t("stale-button"), show_alert=True)
    except InputError as error:
        await callback.answer(t(error.code, **error.params), show_alert=True)


async def _on_template(
    callback: CallbackQuery,
    state: FSMContext,
    service: MaterialsService,
    t: Translator,
    item: int,
    arg: str,
) -> None:
    message = callback_message(callback)
    if item:  # a change of template from the card
        view = await service.set_template(item, arg)
        await callback.answer(t("materials-saved"))
        await show_card(message, view, t)
        return
    view = await service.create(arg)
    await callback.answer()
    await message.answer(
        t("materials-created", number=view.number, template=template_name(t, view.template))
    )
    await _ask_next_part(message, state, view, t)


async def _on_children(
    callback: CallbackQuery, service: MaterialsService, t: Translator, item: int, arg: str
) -> None:
    await service.leaflet(item)  # theirs, or "gone"
    await callback.answer()
    message = callback_message(callback)
    if arg == "yes":
        await message.answer(t("materials-no-children"))
        await _ask_photo_rules(message, item, t)
        return
    await message.answer(
        t("materials-ask-others"),
        reply_markup=keyboard(
            [button(t("materials-button-only-me"), "others", item, "none")],
            [button(t("materials-button-consent"), "others", item, "consent")],
            [button(t("materials-button-no-consent"), "others", item, "noconsent")],
        ),
    )


async def _on_others(
    callback: CallbackQuery,
    state: FSMContext,
    service: MaterialsService,
    t: Translator,
    item: int,
    arg: str,
) -> None:
    await service.leaflet(item)
    if arg not in ("none", "consent", "noconsent"):
        raise InputError("stale-button")  # a forged button: before the answer, which is once
    await callback.answer()
    message = callback_message(callback)
    if arg == "noconsent":
        await message.answer(t("materials-need-consent"))
        await _ask_photo_rules(message, item, t)
        return
    await state.set_state(MaterialsForm.photo)
    await state.update_data(mat_leaflet=item, mat_others=arg == "consent")
    if arg == "consent":
        await message.answer(t("materials-consent-reminder"))
    await message.answer(t("materials-ask-photo", limit=MAX_PHOTO_MB, side=MIN_PHOTO_SIDE))


async def _on_edit(
    callback: CallbackQuery,
    state: FSMContext,
    service: MaterialsService,
    t: Translator,
    item: int,
    arg: str,
) -> None:
    view = await service.leaflet(item)
    message = callback_message(callback)
    if arg == "photo":
        await callback.answer()
        await state.set_state(Screen.buttons)
        await _ask_photo_rules(message, item, t)
        return
    if arg == "template":
        await callback.answer()
        await state.set_state(Screen.buttons)
        await message.answer(
            t("materials-choose-template"), reply_markup=templates_markup(t, item)
        )
        return
    next_state, prompt = _text_prompt(t, arg)  # a forged part is refused here
    await callback.answer()
    content = view.content
    current = {"bio": content.bio, "points": "\n".join(content.points)}.get(arg, content.contacts)
    await state.set_state(next_state)
    await state.update_data(mat_leaflet=item, mat_building=False)
    if current:
        prompt += "\n\n" + t("materials-current", text=current)
    await message.answer(prompt)


async def _on_imprint_field(
    callback: CallbackQuery,
    state: FSMContext,
    service: MaterialsService,
    t: Translator,
    item: int,
    arg: str,
    *,
    chain: bool,
) -> None:
    view = await service.leaflet(item)
    if chain:
        missing = [field for field in view.missing_imprint if field in IMPRINT_FIELDS]
        if not missing:
            await callback.answer(t("materials-card-imprint-ok"), show_alert=True)
            return
        arg = missing[0]
    if arg not in IMPRINT_FIELDS:
        raise InputError("stale-button")
    await callback.answer()
    await state.set_state(MaterialsForm.imprint)
    await state.update_data(mat_leaflet=item, mat_field=arg, mat_chain=chain)
    await callback_message(callback).answer(imprint_prompt(t, arg))


async def _on_versions(
    callback: CallbackQuery, service: MaterialsService, t: Translator, item: int
) -> None:
    view = await service.leaflet(item)
    await callback.answer()
    rows = []
    lines = [t("materials-versions-head", number=view.number)]
    for version in reversed(view.versions[-10:]):
        kind = t("materials-final") if version.final else t("materials-draft")
        lines.append(
            t(
                "materials-version",
                number=version.number,
                kind=kind,
                date=version.made_at.strftime("%d.%m.%Y %H:%M"),
            )
        )
        if version.has_file:
            rows.append(
                [
                    button(
                        t("materials-button-file", number=version.number, kind=kind),
                        "file",
                        version.id,
                    )
                ]
            )
        if version.final and version.run_id is None:
            rows.append(
                [button(t("materials-button-run", number=version.number), "run", version.id)]
            )
    rows.append([button(t("materials-button-back-card"), "open", view.id)])
    await callback_message(callback).answer("\n".join(lines), reply_markup=keyboard(*rows))


async def _on_make(
    callback: CallbackQuery,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    service: MaterialsService,
    t: Translator,
    settings: Settings,
    quest_holder: QuestHolder,
    item: int,
    arg: str,
) -> None:
    message = callback_message(callback)
    final = arg == "final"
    await service.leaflet(item)  # theirs, or refused before anything is answered
    await callback.answer(t("materials-making"))
    try:
        await bot.send_chat_action(message.chat.id, "upload_document")
        made = await service.make_file(item, final, await _subtitle(uow, service))
    except MissingParts as missing:
        parts = ", ".join(part_name(t, part) for part in missing.parts)
        await message.answer(t("materials-missing-parts", parts=parts))
        return
    except MissingImprint as missing:
        fields = ", ".join(imprint_field_name(t, field) for field in missing.fields)
        await message.answer(
            t("materials-missing-imprint", fields=fields),
            reply_markup=keyboard([button(t("materials-button-fill-imprint"), "impall", item)]),
        )
        return
    except InputError as error:  # the button is answered already: say it in the chat
        await message.answer(t(error.code, **error.params))
        return
    except LayoutError as error:
        await message.answer(
            t("materials-does-not-fit", part=part_name(t, error.field), excess=error.excess)
        )
        return
    view = await service.leaflet(item)
    kind = "final" if final else "draft"
    name = f"leaflet-{view.number}-v{made.number}-{kind}.pdf"
    caption = t(
        "materials-file-final" if final else "materials-file-draft",
        number=view.number,
        version=made.number,
    )
    sent = await message.answer_document(
        BufferedInputFile(made.rendered.pdf, filename=name), caption=caption
    )
    if sent.document is not None:
        await service.attach_file(made.version_id, sent.document.file_id)
    rows = [[button(t("materials-button-back-card"), "open", view.id)]]
    if final:
        rows.insert(
            0, [button(t("materials-button-run", number=made.number), "run", made.version_id)]
        )
    await message.answer_photo(
        BufferedInputFile(
            made.rendered.preview, filename=f"preview-{view.number}-v{made.number}.png"
        ),
        caption=t("materials-preview", version=made.number),
        reply_markup=keyboard(*rows),
    )
    if final:
        await _report(message, uow, cipher, service, t, settings, quest_holder)


async def _report(
    message: Message,
    uow: UnitOfWork,
    cipher: FieldCipher,
    service: MaterialsService,
    t: Translator,
    settings: Settings,
    quest_holder: QuestHolder,
) -> None:
    """Tell the quest what is done, and show what that achieved."""
    quest = await service_for(uow, cipher, quest_holder, service.candidate, t.locale, settings)
    for full_id, result in await service.report_to_quest(quest):
        text = step_summary(quest_holder.quest, t, full_id, result)
        if text:
            await message.answer(text)


# --- typed parts -------------------------------------------------------------------------------


@router.message(MaterialsForm.photo, F.photo | F.document)
async def on_photo(
    message: Message,
    state: FSMContext,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    service = await _materials(uow, cipher, actor)
    if service is None:
        await state.set_state(None)
        await message.answer(t("materials-register-first"))
        return
    if message.photo:
        file = message.photo[-1]
        file_id, size = file.file_id, file.file_size
    else:
        assert message.document is not None
        file_id, size = message.document.file_id, message.document.file_size
    data = await state.get_data()
    leaflet_id = int_of(data, "mat_leaflet")
    try:
        check_photo_size(size)
        downloaded = await bot.download(file_id)
        assert downloaded is not None
        jpeg = await asyncio.to_thread(photo_in_slot, downloaded.getvalue())
        view = await service.set_photo(leaflet_id, jpeg, bool(data.get("mat_others")))
    except InputError as error:
        await message.answer(t(error.code, **error.params))  # they stay: another photo, please
        return
    await message.answer(t("materials-photo-saved"))
    await _ask_next_part(message, state, view, t)


@router.message(MaterialsForm.photo)
async def on_not_photo(message: Message, t: Translator) -> None:
    await message.answer(t("materials-photo-expected", limit=MAX_PHOTO_MB))


@router.message(MaterialsForm.bio, F.text, ~F.text.startswith("/"))
async def on_bio(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    await _on_part(message, state, uow, cipher, t, actor, "bio")


@router.message(MaterialsForm.points, F.text, ~F.text.startswith("/"))
async def on_points(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    await _on_part(message, state, uow, cipher, t, actor, "points")


@router.message(MaterialsForm.contacts, F.text, ~F.text.startswith("/"))
async def on_contacts(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    await _on_part(message, state, uow, cipher, t, actor, "contacts")


async def _on_part(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    part: str,
) -> None:
    service = await _materials(uow, cipher, actor)
    if service is None:
        await state.set_state(None)
        await message.answer(t("materials-register-first"))
        return
    data = await state.get_data()
    leaflet_id = int_of(data, "mat_leaflet")
    setters = {
        "bio": service.set_bio,
        "points": service.set_points,
        "contacts": service.set_contacts,
    }
    try:
        view = await setters[part](leaflet_id, message.text or "")
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        if error.code == "materials-gone":
            await state.set_state(None)
        return
    if data.get("mat_building"):
        await _ask_next_part(message, state, view, t)
        return
    await state.set_state(Screen.buttons)
    await message.answer(t("materials-saved"))
    await show_card(message, view, t)


@router.message(MaterialsForm.imprint, F.text, ~F.text.startswith("/"))
async def on_imprint(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    service = await _materials(uow, cipher, actor)
    if service is None:
        await state.set_state(None)
        await message.answer(t("materials-register-first"))
        return
    data = await state.get_data()
    leaflet_id, field = int_of(data, "mat_leaflet"), str(data.get("mat_field", ""))
    try:
        view = await service.set_imprint(leaflet_id, field, message.text or "")
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        if error.code == "materials-gone":
            await state.set_state(None)
        return
    missing = [f for f in view.missing_imprint if f in IMPRINT_FIELDS]
    if data.get("mat_chain") and missing:
        await state.update_data(mat_field=missing[0])
        await message.answer(imprint_prompt(t, missing[0]))
        return
    await state.set_state(Screen.buttons)
    text, markup = imprint_screen(t, view, await service.candidate_name())
    await message.answer(t("materials-saved") + "\n\n" + text, reply_markup=markup)
    if not view.missing_imprint:
        await message.answer(t("materials-imprint-complete"), reply_markup=card_markup(t, view))


@router.message(MaterialsForm.cost, F.text, ~F.text.startswith("/"))
async def on_cost(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
    quest_holder: QuestHolder,
) -> None:
    service = await _materials(uow, cipher, actor)
    if service is None:
        await state.set_state(None)
        await message.answer(t("materials-register-first"))
        return
    version_id = int_of(await state.get_data(), "mat_version")
    try:
        run = await service.register_run(version_id, message.text or "", settings.tz)
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        if error.code != "materials-cost-format":
            await state.set_state(None)
        return
    await state.set_state(Screen.buttons)
    await message.answer(
        t("materials-run-saved", number=run.number, cost=format_rubles(run.cost_kopecks))
    )
    text, markup = runs_screen(t, await service.runs())
    await message.answer(text, reply_markup=markup)
    await _report(message, uow, cipher, service, t, settings, quest_holder)


@router.message(
    StateFilter(
        MaterialsForm.bio,
        MaterialsForm.points,
        MaterialsForm.contacts,
        MaterialsForm.imprint,
        MaterialsForm.cost,
    ),
    ~F.text,
)
async def on_not_text(message: Message, t: Translator) -> None:
    await message.answer(t("materials-text-expected"))


# --- the reminder ------------------------------------------------------------------------------


async def copy_reminder(
    uow: UnitOfWork,
    t: Translator,
    user_id: int,
    payload: dict[str, object],
    now: datetime,
    tz: ZoneInfo,
) -> tuple[str, InlineKeyboardMarkup] | None:
    """The reminder while a run's copy is not at the commission; None when it is (or the
    run is gone, or is not the recipient's)."""
    run = await uow.materials.run(int_of(payload, "run"))
    candidate = await uow.candidates.by_user(user_id)
    if run is None or candidate is None or run.candidate_id != candidate.id:
        return None
    if not copy_reminder_relevant(payload, run, now, tz):
        return None
    text = t(
        "materials-reminder",
        item=run.item,
        copies=run.copies,
        date=run.issued_on.strftime("%d.%m.%Y"),
    )
    markup = keyboard(
        [button(t("materials-button-reminder-tick"), "tick", run.id)],
        [button(t("materials-button-runs"), "runs")],
    )
    return text, markup
