"""/start, with or without a deep-link payload."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.db.models import RoleName
from bot.db.uow import UnitOfWork
from bot.handlers import deeplinks, registration, views
from bot.handlers import supporters as supporter_dialogs
from bot.i18n import Translator
from bot.services import deeplinks as links
from bot.services.crypto import FieldCipher
from bot.services.registration import Step
from bot.services.roles import Actor

router = Router(name="start")


@router.message(CommandStart())
async def on_start(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    link = links.parse_payload(command.args)
    context = {"state": state, "uow": uow, "t": t, "cipher": cipher, "actor": actor}
    if link is not None and await deeplinks.dispatch(link, message, **context):
        return
    if not actor.consented:
        await message.answer(t("greeting"))
        await views.send_consent(message, t)
        return
    step = await registration.registration.current_step(uow, actor.user_id)
    if actor.has(RoleName.VOLUNTEER) and step is Step.FULL_NAME:
        # A canvass volunteer is not a candidate in the making: no registration questions.
        await state.clear()
        await message.answer(t("canvass-volunteer-home"))
        return
    if step is Step.DONE or (actor.is_staff and step is not Step.SUMMARY):
        await state.clear()
        await views.send_menu(message, t, actor)
        return
    if step is Step.FULL_NAME and await uow.candidates.by_user(actor.user_id) is None:
        # Consented through a supporter link: a supporter sees their card; one who left the
        # sign-up half-way starts the candidate registration (which needs its draft row).
        if await uow.supporters.by_user(actor.user_id) is not None:
            await supporter_dialogs.send_own_card(message, uow, t, cipher, actor)
            return
        await registration.registration.give_consent(uow, actor.user_id, t.locale)
    await message.answer(t("welcome-back"))
    await registration.proceed(message, state, uow, t, cipher, actor.user_id)
