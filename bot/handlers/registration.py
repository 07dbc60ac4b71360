"""Registration of a candidate: consent, name, phone, e-mail, organisation, district, card.

Each answer is saved the moment it is accepted (services.registration), so the dialog can be
left with /cancel, broken by a crash or a restart, and taken up again where it stopped.
A wrong answer gets an explanation and the same question again.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.db.uow import UnitOfWork
from bot.handlers import views
from bot.handlers.states import Registration
from bot.i18n import Translator
from bot.services import geography, registration
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.registration import Step
from bot.services.roles import Actor
from bot.telegram import keyboards
from bot.telegram.callbacks import (
    ConfirmCb,
    ConsentCb,
    DistrictCb,
    EditCb,
    FormationCb,
    OrganisationCb,
    SkipEmailCb,
)
from bot.telegram.filters import IsCommand, NotConsented

router = Router(name="registration")

STEP_STATES = {
    Step.FULL_NAME: Registration.full_name,
    Step.PHONE: Registration.phone,
    Step.EMAIL: Registration.email,
    Step.ORGANISATION: Registration.organisation,
    Step.DISTRICT: Registration.formation,
    Step.SUMMARY: Registration.summary,
}


def _chat(event: Message | CallbackQuery) -> Message:
    return views.callback_message(event) if isinstance(event, CallbackQuery) else event


async def ask(
    step: Step,
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    user_id: int,
    lead: str | None = None,
    notice: str | None = None,
) -> None:
    """Ask the question of `step` and wait for its answer; `lead` opens the same message
    (a thank-you, a note) so each step is one message. `notice` goes first on its own,
    taking the reply keyboard away, once the dialog has moved on (one commit for both)."""

    def with_lead(text: str) -> str:
        return f"{lead}\n\n{text}" if lead else text

    if step is Step.CONSENT:
        await state.clear()
        await views.send_consent(message, t)
        return
    if step is Step.DONE:
        await state.clear()
        return
    await state.set_state(STEP_STATES[step])
    if notice:
        await message.answer(notice, reply_markup=keyboards.REMOVE)
    if step is Step.FULL_NAME:
        await message.answer(with_lead(t("ask-full-name")), reply_markup=keyboards.REMOVE)
    elif step is Step.PHONE:
        await message.answer(with_lead(t("ask-phone")), reply_markup=keyboards.share_contact(t))
    elif step is Step.EMAIL:
        await message.answer(with_lead(t("ask-email")), reply_markup=keyboards.skip_email(t))
    elif step is Step.ORGANISATION:
        reference = await uow.geography.reference()
        options = [(o.id, o.display_name(t.locale)) for o in reference.organisations]
        await message.answer(
            with_lead(t("ask-organisation")), reply_markup=keyboards.organisations(options)
        )
    elif step is Step.DISTRICT:
        await message.answer(with_lead(t("ask-formation")), reply_markup=keyboards.REMOVE)
    elif step is Step.SUMMARY:
        card = await registration.card(uow, cipher, user_id, t.locale)
        await message.answer(
            with_lead(t("summary-intro") + "\n\n" + views.render_card(t, card)),
            reply_markup=keyboards.summary(t),
        )


async def proceed(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    user_id: int,
    lead: str | None = None,
    notice: str | None = None,
) -> None:
    """Go on with the first question that is still open."""
    step = await registration.current_step(uow, user_id)
    if step is Step.ORGANISATION:
        invited = (await state.get_data()).get("invited_org")
        reference = await uow.geography.reference()
        organisation = reference.organisation_by_code(invited) if invited else None
        if organisation is not None:
            # The candidate came through an organisation's link: no need to ask.
            await registration.set_organisation(uow, user_id, organisation.id)
            note = t("organisation-from-invite", name=organisation.display_name(t.locale))
            lead = f"{lead}\n\n{note}" if lead else note
            step = await registration.current_step(uow, user_id)
    await ask(step, message, state, uow, t, cipher, user_id, lead, notice)


async def _reject(message: Message, t: Translator, error: InputError, **extra: object) -> None:
    await message.answer(t(error.code, **error.params), **extra)  # type: ignore[arg-type]


# --- consent --------------------------------------------------------------------------------


@router.callback_query(ConsentCb.filter())
async def on_consent(
    callback: CallbackQuery,
    callback_data: ConsentCb,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    if actor.consented:
        await callback.answer(t("stale-button"), show_alert=True)
        return
    await callback.answer()
    message = _chat(callback)
    if not callback_data.agree:
        await message.answer(t("consent-declined"))
        return
    locale = callback_data.lang if callback_data.lang in ("ru", "en") else t.locale
    await registration.give_consent(uow, actor.user_id, locale)
    t = t.catalog.translator(locale)
    await proceed(message, state, uow, t, cipher, actor.user_id, lead=t("consent-thanks"))


@router.message(NotConsented(), ~IsCommand())
async def before_consent(message: Message, t: Translator) -> None:
    """Anything written before consent gets the consent request, and is not stored."""
    await views.send_consent(message, t)


# --- full name ------------------------------------------------------------------------------


@router.message(Registration.full_name, F.text, ~F.forward_origin)
async def on_full_name(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    try:
        await registration.set_full_name(uow, actor.user_id, message.text or "", cipher)
    except InputError as error:
        await _reject(message, t, error)
        return
    await proceed(message, state, uow, t, cipher, actor.user_id)


@router.message(Registration.full_name)
async def on_full_name_not_text(message: Message, t: Translator) -> None:
    await message.answer(t("error-expected-name"))


# --- phone ----------------------------------------------------------------------------------


@router.message(Registration.phone, F.contact)
async def on_contact(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    assert message.contact is not None
    # A forwarded card is someone else's, whatever user_id it carries.
    contact_owner = None if message.forward_origin else message.contact.user_id
    try:
        await registration.set_phone(
            uow, cipher, actor.user_id, message.contact.phone_number, contact_owner
        )
    except InputError as error:
        await _reject(message, t, error, reply_markup=keyboards.share_contact(t))
        return
    await proceed(message, state, uow, t, cipher, actor.user_id, notice=t("phone-saved"))


@router.message(Registration.phone)
async def on_phone_not_contact(message: Message, t: Translator) -> None:
    await message.answer(t("error-phone-use-button"), reply_markup=keyboards.share_contact(t))


# --- e-mail ---------------------------------------------------------------------------------


@router.message(Registration.email, F.text, ~F.forward_origin)
async def on_email(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    try:
        await registration.set_email(uow, cipher, actor.user_id, message.text or "")
    except InputError as error:
        await _reject(message, t, error, reply_markup=keyboards.skip_email(t))
        return
    await proceed(message, state, uow, t, cipher, actor.user_id)


@router.callback_query(Registration.email, SkipEmailCb.filter())
async def on_skip_email(
    callback: CallbackQuery,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    await callback.answer()
    await registration.set_email(uow, cipher, actor.user_id, None)
    await proceed(_chat(callback), state, uow, t, cipher, actor.user_id)


@router.message(Registration.email)
async def on_email_not_text(message: Message, t: Translator) -> None:
    await message.answer(t("error-email-invalid"), reply_markup=keyboards.skip_email(t))


# --- organisation ---------------------------------------------------------------------------


@router.callback_query(Registration.organisation, OrganisationCb.filter())
async def on_organisation(
    callback: CallbackQuery,
    callback_data: OrganisationCb,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    try:
        await registration.set_organisation(uow, actor.user_id, callback_data.id)
    except InputError as error:
        await callback.answer(t(error.code), show_alert=True)
        return
    await callback.answer()
    await proceed(_chat(callback), state, uow, t, cipher, actor.user_id)


@router.message(Registration.organisation)
async def on_organisation_typed(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    await message.answer(t("error-use-buttons"))
    await ask(Step.ORGANISATION, message, state, uow, t, cipher, actor.user_id)


# --- municipal formation and electoral district ----------------------------------------------


@router.message(Registration.formation, F.text, ~F.forward_origin)
@router.message(Registration.district, F.text, ~F.forward_origin)
async def on_formation_query(
    message: Message, state: FSMContext, uow: UnitOfWork, t: Translator
) -> None:
    """A typed part of the name; in the district step it starts a new search."""
    reference = await uow.geography.reference()
    if reference.election_id is None:
        await message.answer(t("error-no-election"))
        return
    try:
        matches, total = geography.match_formations(message.text or "", reference.formations)
    except InputError as error:
        await _reject(message, t, error)
        return
    await state.set_state(Registration.formation)
    if not matches:
        await message.answer(t("formation-not-found"))
        return
    text = t("formation-matches", count=total)
    if total > len(matches):
        text += "\n" + t("formation-too-many", shown=len(matches))
    await message.answer(text, reply_markup=keyboards.formations(matches))


@router.message(Registration.formation)
@router.message(Registration.district)
async def on_formation_not_text(message: Message, t: Translator) -> None:
    await message.answer(t("ask-formation"))


@router.callback_query(Registration.formation, FormationCb.filter())
@router.callback_query(Registration.district, FormationCb.filter())
async def on_formation(
    callback: CallbackQuery,
    callback_data: FormationCb,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
) -> None:
    # Only the current election's formations are in the snapshot: an old button is stale.
    formation = (await uow.geography.reference()).formation(callback_data.id)
    if formation is None:
        await callback.answer(t("error-stale-choice"), show_alert=True)
        return
    await callback.answer()
    await state.set_state(Registration.district)
    options = [(d.id, d.number, d.seats) for d in formation.districts]
    await _chat(callback).answer(
        t("ask-district", formation=formation.name, count=len(options)),
        reply_markup=keyboards.districts(t, options),
    )


@router.callback_query(Registration.district, DistrictCb.filter())
async def on_district(
    callback: CallbackQuery,
    callback_data: DistrictCb,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    try:
        await registration.set_district(uow, actor.user_id, callback_data.id)
    except InputError as error:
        await callback.answer(t(error.code), show_alert=True)
        return
    await callback.answer()
    await proceed(_chat(callback), state, uow, t, cipher, actor.user_id)


# --- summary card ---------------------------------------------------------------------------

EDIT_STEPS = {
    "full_name": Step.FULL_NAME,
    "phone": Step.PHONE,
    "email": Step.EMAIL,
    "organisation": Step.ORGANISATION,
    "district": Step.DISTRICT,
}


@router.callback_query(Registration.summary, EditCb.filter())
async def on_edit(
    callback: CallbackQuery,
    callback_data: EditCb,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    step = EDIT_STEPS.get(callback_data.field)
    if step is None:
        await callback.answer(t("error-stale-choice"), show_alert=True)
        return
    await callback.answer()
    # The invitation picked the organisation once; a deliberate edit must not be overridden.
    await state.update_data(invited_org=None)
    await ask(step, _chat(callback), state, uow, t, cipher, actor.user_id)


@router.callback_query(Registration.summary, ConfirmCb.filter())
async def on_confirm(
    callback: CallbackQuery,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    cipher: FieldCipher,
    actor: Actor,
) -> None:
    try:
        await registration.confirm(uow, actor.user_id)
    except InputError as error:
        await callback.answer(t(error.code), show_alert=True)
        await proceed(_chat(callback), state, uow, t, cipher, actor.user_id)
        return
    await callback.answer()
    await state.clear()
    await _chat(callback).answer(t("registration-done"))


@router.message(Registration.summary)
async def on_summary_typed(message: Message, t: Translator) -> None:
    await message.answer(t("error-use-buttons"))
