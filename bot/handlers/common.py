"""Commands that work anywhere, in any dialog: /menu /cancel /help /language /privacy
/forget_me. This router comes before the dialogs so a command always wins over a question."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.db.uow import UnitOfWork
from bot.handlers import registration, views
from bot.handlers.states import is_idle
from bot.handlers.views import callback_message
from bot.i18n import Markup, Translator
from bot.services import privacy
from bot.services.crypto import FieldCipher
from bot.services.roles import Actor
from bot.telegram import keyboards
from bot.telegram.callbacks import ForgetCb, LanguageCb, MenuCb

router = Router(name="common")


@router.message(Command("menu"))
async def on_menu(message: Message, state: FSMContext, t: Translator, actor: Actor) -> None:
    await state.set_state(None)
    await views.send_menu(message, t, actor)


@router.message(Command("cancel"))
async def on_cancel(message: Message, state: FSMContext, t: Translator) -> None:
    had_dialog = not is_idle(await state.get_state())
    # Only the position in the dialog is dropped; every saved answer stays.
    await state.set_state(None)
    await message.answer(
        t("cancelled" if had_dialog else "nothing-to-cancel"), reply_markup=keyboards.REMOVE
    )


async def _send_help(message: Message, t: Translator, actor: Actor) -> None:
    parts = [t("help")]
    if actor.is_staff:
        parts.append(t("help-staff"))
    if actor.is_admin:
        parts.append(t("help-admin"))
    await message.answer("\n\n".join(parts))


@router.message(Command("help"))
async def on_help(message: Message, t: Translator, actor: Actor) -> None:
    await _send_help(message, t, actor)


@router.message(Command("language"))
async def on_language(message: Message, t: Translator) -> None:
    await message.answer(t("ask-language"), reply_markup=keyboards.languages())


@router.callback_query(LanguageCb.filter())
async def on_language_chosen(
    callback: CallbackQuery,
    callback_data: LanguageCb,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
) -> None:
    if callback_data.code not in ("ru", "en"):
        await callback.answer(t("error-stale-choice"), show_alert=True)
        return
    t = t.catalog.translator(callback_data.code)
    await callback.answer()
    user = await uow.users.get(actor.user_id)
    if user is None:
        # Before consent the language is not stored: the consent buttons carry it instead.
        await views.send_consent(callback_message(callback), t)
        return
    user.locale = callback_data.code
    await callback_message(callback).answer(t("language-set"))


async def _send_privacy(
    message: Message, uow: UnitOfWork, t: Translator, cipher: FieldCipher, actor: Actor
) -> None:
    report = await privacy.describe(uow, cipher, actor.user_id, t.locale)
    if not report.stored:
        await message.answer(t("privacy-nothing") + "\n\n" + t("privacy-policy"))
        return
    missing = t("card-missing")
    details = t(
        "privacy-stored",
        consent_at=report.consent_at,
        locale=report.locale,
        full_name=report.full_name or missing,
        phone=report.phone_masked or missing,
        email=report.email_masked or missing,
        organisation=report.organisation or missing,
        district=report.district or missing,
        roles=", ".join(t(f"role-{role}") for role in report.roles) or missing,
    )
    if report.team == "contact":
        details = Markup(details) + "\n" + t("privacy-team-contact")
    elif report.team is not None:
        details = Markup(details) + "\n" + t("privacy-team-visible")
    if report.leaflets or report.print_runs:
        details += "\n" + t("privacy-materials", leaflets=report.leaflets, runs=report.print_runs)
    if report.nomination_answers or report.nomination_documents:
        details += "\n" + t(
            "privacy-documents",
            answers=report.nomination_answers,
            documents=report.nomination_documents,
        )
    if report.fund is not None:
        details += "\n" + t("privacy-fund", entries=report.fund[1])
    if report.canvass_teams:
        details += "\n" + t(
            "canvass-privacy", teams=report.canvass_teams, notes=report.canvass_notes
        )
    await message.answer(Markup(details) + "\n\n" + t("privacy-policy"))


@router.message(Command("privacy"))
async def on_privacy(
    message: Message, uow: UnitOfWork, t: Translator, cipher: FieldCipher, actor: Actor
) -> None:
    await _send_privacy(message, uow, t, cipher, actor)


@router.message(Command("forget_me"))
async def on_forget_me(message: Message, t: Translator, actor: Actor) -> None:
    if not actor.consented:
        await message.answer(t("privacy-nothing"))
        return
    await message.answer(t("forget-confirm-1"), reply_markup=keyboards.forget(t, step=1))


@router.callback_query(ForgetCb.filter())
async def on_forget_step(
    callback: CallbackQuery,
    callback_data: ForgetCb,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    await callback.answer()
    message = callback_message(callback)
    if callback_data.step == 1:
        await message.edit_text(t("forget-confirm-2"), reply_markup=keyboards.forget(t, step=2))
        return
    if callback_data.step != 2:
        await message.edit_text(t("forget-kept"))
        return
    if actor.consented:
        await privacy.forget(uow, cipher, actor.user_id)
    await state.clear()
    await message.edit_text(t("forget-done"))


@router.callback_query(MenuCb.filter())
async def on_menu_action(
    callback: CallbackQuery,
    callback_data: MenuCb,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    await callback.answer()
    message = callback_message(callback)
    if callback_data.action == "continue" and actor.consented:
        await registration.proceed(message, state, uow, t, cipher, actor.user_id)
    elif callback_data.action == "privacy":
        await _send_privacy(message, uow, t, cipher, actor)
    elif callback_data.action == "language":
        await message.answer(t("ask-language"), reply_markup=keyboards.languages())
    elif callback_data.action == "help":
        await _send_help(message, t, actor)
    else:
        await views.send_menu(message, t, actor)
