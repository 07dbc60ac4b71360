"""/resources: the directory of vetted designers and print houses. Coordinators add, edit
and remove entries; registered candidates read it (it is also a button of /materials). A
forged staff button from anyone else changes nothing."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.db.models.materials import ResourceKind
from bot.db.uow import UnitOfWork
from bot.handlers.materials_views import (
    RESOURCE_ACTIONS,
    MatCb,
    button,
    keyboard,
    resource_field_name,
    resources_markup,
    resources_text,
)
from bot.handlers.views import callback_message
from bot.i18n import Translator
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.materials_directory import (
    ResourceDirectory,
    clean_contact,
    clean_name,
    clean_note,
)
from bot.services.payload import int_of
from bot.services.roles import Actor

router = Router(name="materials_resources")


class ResourceForm(StatesGroup):
    text = State()  # a coordinator types a field of an entry


async def show_resources(
    message: Message, uow: UnitOfWork, cipher: FieldCipher, t: Translator, actor: Actor
) -> None:
    entries = await ResourceDirectory(uow, cipher).entries()
    text = resources_text(t, entries, actor.is_staff)
    markup = resources_markup(t, entries) if actor.is_staff else None
    await message.answer(text, reply_markup=markup)


@router.message(Command("resources"))
async def on_resources(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    if not (actor.is_registered_candidate or actor.is_staff):
        await message.answer(t("materials-register-first"))
        return
    await state.set_state(None)
    await show_resources(message, uow, cipher, t, actor)


@router.callback_query(MatCb.filter(F.action == "res"))
async def on_resources_button(
    callback: CallbackQuery, uow: UnitOfWork, cipher: FieldCipher, t: Translator, actor: Actor
) -> None:
    if not (actor.is_registered_candidate or actor.is_staff):
        await callback.answer(t("materials-register-first"), show_alert=True)
        return
    await callback.answer()
    await show_resources(callback_message(callback), uow, cipher, t, actor)


@router.callback_query(MatCb.filter(F.action.in_(RESOURCE_ACTIONS - {"res"})))
async def on_resource_button(
    callback: CallbackQuery,
    callback_data: MatCb,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    if not actor.is_staff:  # a forged button from a candidate changes nothing
        await callback.answer(t("materials-staff-only"), show_alert=True)
        return
    directory = ResourceDirectory(uow, cipher)
    message = callback_message(callback)
    action, item, arg = callback_data.action, callback_data.id, callback_data.arg
    try:
        if action == "radd":
            if arg not in {kind.value for kind in ResourceKind}:
                raise InputError("stale-button")
            await callback.answer()
            await state.set_state(ResourceForm.text)
            await state.update_data(
                mat_res_kind=arg, mat_res_id=0, mat_res_field="name", mat_res={}
            )
            await message.answer(t("materials-res-ask-name"))
        elif action == "redit":
            entry = await directory.entry(item)
            await callback.answer()
            await message.answer(
                t("materials-res-edit", name=entry.name),
                reply_markup=keyboard(
                    *[
                        [button(resource_field_name(t, field), "rfield", item, field)]
                        for field in ("name", "contact", "note")
                    ]
                ),
            )
        elif action == "rfield":
            await directory.entry(item)
            if arg not in ("name", "contact", "note"):
                raise InputError("stale-button")
            await callback.answer()
            await state.set_state(ResourceForm.text)
            await state.update_data(mat_res_id=item, mat_res_field=arg)
            await message.answer(t("materials-res-ask-field", field=resource_field_name(t, arg)))
        elif action == "rdel":
            entry = await directory.entry(item)
            await callback.answer()
            await message.answer(
                t("materials-res-confirm-delete", name=entry.name),
                reply_markup=keyboard([button(t("materials-res-button-delete"), "rdel2", item)]),
            )
        else:  # rdel2
            await directory.remove(actor.user_id, item)
            await callback.answer(t("materials-res-deleted"))
            await show_resources(message, uow, cipher, t, actor)
    except InputError as error:
        await callback.answer(t(error.code, **error.params), show_alert=True)


@router.message(ResourceForm.text, F.text, ~F.text.startswith("/"))
async def on_resource_text(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    if not actor.is_staff:
        await state.set_state(None)
        await message.answer(t("materials-staff-only"))
        return
    directory = ResourceDirectory(uow, cipher)
    data = await state.get_data()
    field, resource_id = str(data.get("mat_res_field", "")), int_of(data, "mat_res_id")
    text = message.text or ""
    try:
        if resource_id:  # editing one field of an entry
            await directory.edit(actor.user_id, resource_id, field, text)
        else:  # adding: name, contact, note in turn
            collected = dict(data.get("mat_res") or {})
            collected[field] = text
            cleaners = {"name": "contact", "contact": "note"}
            _check_resource_field(field, text)
            if field in cleaners:
                following = cleaners[field]
                await state.update_data(mat_res=collected, mat_res_field=following)
                if following == "contact":
                    await message.answer(t("materials-res-ask-contact"))
                else:
                    await message.answer(t("materials-res-ask-note"))
                return
            await directory.add(
                actor.user_id,
                str(data.get("mat_res_kind", "")),
                str(collected.get("name", "")),
                str(collected.get("contact", "")),
                str(collected.get("note", "")),
            )
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        if error.code == "materials-gone":
            await state.set_state(None)
        return
    await state.set_state(None)
    await message.answer(t("materials-saved"))
    await show_resources(message, uow, cipher, t, actor)


def _check_resource_field(field: str, text: str) -> None:
    {"name": clean_name, "contact": clean_contact, "note": clean_note}[field](text)


@router.message(ResourceForm.text, ~F.text)
async def on_resource_not_text(message: Message, t: Translator) -> None:
    await message.answer(t("materials-text-expected"))
