"""Door-to-door canvassing by chat.

A candidate's volunteers join by the candidate's invite link (a display name is all they
give). A note takes a few taps: the building (typed, last used, or a shared location), the
apartment, the outcome, and optionally topics, the resident's contact (only with their
consent), a note or voice note, a follow-up flag. "Next apartment" keeps the building. The
one-line form ("Ленина 5 кв 12 сторонник +79111234567 двор") is parsed and shown back to be
confirmed. /canvass gives the candidate the district summary with a chart, follow-ups, the
get-out-the-vote list, quality flags, volunteers and exports (bot/handlers/canvass_office.py).
"""

from __future__ import annotations

import html
import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter, or_f
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.db.models import User
from bot.db.uow import UnitOfWork
from bot.handlers import canvass_office as office
from bot.handlers.canvass_views import (
    ButtonContext,
    CvCb,
    button,
    campaign_for,
    draft_keyboard,
    draft_text,
    history_text,
    keyboard,
    outcome_keyboard,
    outcome_name,
    show_error,
)
from bot.handlers.deeplinks import deep_link
from bot.handlers.quest import QuestHolder, service_for
from bot.handlers.states import IDLE_STATES, is_idle
from bot.handlers.views import callback_message
from bot.i18n import Markup, Translator
from bot.services import canvass as service
from bot.services import canvass_addresses as addresses
from bot.services import names
from bot.services.addresses import Address
from bot.services.canvass import Campaign, Draft
from bot.services.canvass_line import OUTCOMES, looks_like_note, parse_line
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.deeplinks import DeepLink
from bot.services.errors import InputError
from bot.services.registration import CONSENT_VERSION
from bot.services.roles import Actor
from bot.telegram.filters import IsCommand, NotConsented

log = logging.getLogger(__name__)
router = Router(name="canvass")
router.include_router(office.router)


class VolConsentCb(CallbackData, prefix="cvj"):
    agree: bool
    lang: str


class CanvassForm(StatesGroup):
    name = State()  # a volunteer's display name
    building = State()
    apartment = State()
    outcome = State()
    details = State()
    contact_name = State()
    contact_phone = State()
    note = State()
    upload = State()  # an address list CSV
    erase = State()  # the phone of a resident who withdrew their consent


NOTE_STATES = (
    CanvassForm.building,
    CanvassForm.apartment,
    CanvassForm.outcome,
    CanvassForm.details,
    CanvassForm.contact_name,
    CanvassForm.contact_phone,
    CanvassForm.note,
)


@deep_link("vol")
async def volunteer_invite(
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
    candidate = await service.invite_candidate(uow, cipher, link.argument)
    if candidate is None:
        await message.answer(t("canvass-invite-invalid"))
        return True
    if candidate.user_id == actor.user_id:
        await message.answer(t("canvass-invite-own"))
        return True
    await state.set_state(None)
    # Only the token is kept, in the (encrypted) dialog data, until the person consents.
    await state.update_data(vol_token=link.argument)
    name = html.escape(await names.full_name(uow, cipher, candidate) or "")
    if not actor.consented:
        await _send_volunteer_consent(message, t, name)
        return True
    await state.set_state(CanvassForm.name)
    await message.answer(t("canvass-volunteer-welcome", candidate=Markup(name)))
    return True


async def _send_volunteer_consent(message: Message, t: Translator, candidate_name: str) -> None:
    await message.answer(
        t("canvass-volunteer-consent", candidate=Markup(candidate_name)),
        reply_markup=keyboard(
            [
                [_consent_button(t("canvass-button-agree"), True, t.locale)],
                [_consent_button(t("canvass-button-decline"), False, t.locale)],
            ]
        ),
    )


@router.message(NotConsented(), ~IsCommand())
async def before_volunteer_consent(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
) -> None:
    """Someone who came by a volunteer link writes before consenting: the volunteer consent
    again (not the candidates' one, which would start a candidate registration)."""
    token = (await state.get_data()).get("vol_token")
    candidate = await service.invite_candidate(uow, cipher, str(token)) if token else None
    if candidate is None:
        raise SkipHandler
    name = await names.full_name(uow, cipher, candidate)
    await _send_volunteer_consent(message, t, html.escape(name or ""))


def _consent_button(text: str, agree: bool, lang: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=VolConsentCb(agree=agree, lang=lang).pack()
    )


@router.callback_query(VolConsentCb.filter())
async def on_volunteer_consent(
    callback: CallbackQuery,
    callback_data: VolConsentCb,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
) -> None:
    await callback.answer()
    message = callback_message(callback)
    if not callback_data.agree:
        await state.update_data(vol_token=None)
        await message.answer(t("consent-declined"))
        return
    if not (await state.get_data()).get("vol_token"):
        await message.answer(t("canvass-invite-invalid"))
        return
    locale = callback_data.lang if callback_data.lang in ("ru", "en") else t.locale
    if not actor.consented:
        # A volunteer is a user with consent and nothing else: no candidate draft.
        await uow.users.add(
            User(
                id=actor.user_id,
                locale=locale,
                consent_at=utcnow(),
                consent_version=CONSENT_VERSION,
            )
        )
        await uow.audit.record(
            actor.user_id, "consent_given", "user", actor.user_id, version=CONSENT_VERSION
        )
    t = t.catalog.translator(locale)
    await state.set_state(CanvassForm.name)
    await message.answer(t("canvass-ask-display-name"))


@router.message(CanvassForm.name, F.text, ~F.text.startswith("/"))
async def on_display_name(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    token = (await state.get_data()).get("vol_token")
    try:
        candidate = await service.join(
            uow, cipher, str(token or ""), actor.user_id, message.text or ""
        )
    except InputError as error:
        await show_error(message, t, error)
        if error.code != "canvass-name-invalid":
            await state.set_state(None)
        return
    await state.set_state(None)
    await state.update_data(vol_token=None)
    await message.answer(
        t("canvass-joined", candidate=await names.full_name(uow, cipher, candidate) or ""),
        reply_markup=keyboard([[button(t("canvass-button-new-note"), "new")]]),
    )


@router.message(CanvassForm.name)
async def on_display_name_other(message: Message, t: Translator) -> None:
    await message.answer(t("canvass-name-invalid", limit=service.MAX_NAME))


@router.message(Command("canvass"))
async def on_canvass(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
    quest_holder: QuestHolder | None = None,
) -> None:
    await state.set_state(None)
    holder = quest_holder
    campaign = await campaign_for(uow, actor)
    if campaign is None:
        await message.answer(t("canvass-no-campaign"))
        return
    if not campaign.is_candidate:
        await message.answer(
            t("canvass-volunteer-home"), reply_markup=await _note_start_keyboard(uow, t, campaign)
        )
        return
    await office.send_summary(message, uow, cipher, t, campaign, actor, holder, settings)


async def _note_start_keyboard(
    uow: UnitOfWork, t: Translator, campaign: Campaign
) -> InlineKeyboardMarkup:
    rows = [[button(t("canvass-button-new-note"), "new")]]
    volunteer = await uow.canvass.volunteer(campaign.volunteer_id)
    if volunteer is not None and volunteer.last_building_id is not None:
        building = await uow.addresses.get(volunteer.last_building_id)
        if building is not None and building.district_id == campaign.district_id:
            rows.append(
                [
                    button(
                        t("canvass-button-last", address=addresses.label(building)),
                        "b",
                        building.id,
                    )
                ]
            )
    return keyboard(rows)


async def _ask_building(
    message: Message, state: FSMContext, uow: UnitOfWork, t: Translator, campaign: Campaign
) -> None:
    await state.set_state(CanvassForm.building)
    await state.update_data(draft=None)
    markup = await _note_start_keyboard(uow, t, campaign)
    markup.inline_keyboard.pop(0)  # not "new note" again
    await message.answer(
        t("canvass-ask-building"), reply_markup=markup if markup.inline_keyboard else None
    )


async def _select_building(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    campaign: Campaign,
    building_id: int,
    distance_m: int | None = None,
) -> None:
    building = await service.building_in(uow, campaign, building_id)
    past = await service.history(uow, cipher, campaign, building.id)
    if past:
        await message.answer(history_text(t, building, past))
    await state.update_data(draft=Draft(building.id, distance_m=distance_m).to_data())
    await _ask_apartment(message, state, t, building)


async def _ask_apartment(
    message: Message, state: FSMContext, t: Translator, building: Any
) -> None:
    await state.set_state(CanvassForm.apartment)
    count = building.apartments
    text = t(
        "canvass-ask-apartment",
        address=addresses.label(building),
        apartments=count if count is not None else "?",
    )
    if building.needs_review:
        text += "\n" + t("canvass-building-review")
    await message.answer(
        text,
        reply_markup=keyboard(
            [
                [
                    button(t("canvass-button-no-apartment"), "noapt"),
                    button(t("canvass-button-other-building"), "ob"),
                ]
            ]
        ),
    )


async def _draft(state: FSMContext) -> Draft | None:
    return Draft.from_data((await state.get_data()).get("draft"))


async def _show_draft(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    campaign: Campaign,
    draft: Draft,
    *,
    edit: bool = False,
) -> None:
    building = await service.building_in(uow, campaign, draft.building_id)
    await state.update_data(draft=draft.to_data())
    await state.set_state(CanvassForm.details)
    text, markup = draft_text(t, building, draft), draft_keyboard(t, draft)
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)


@router.message(StateFilter(None, *NOTE_STATES), F.location)
async def on_location(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    """A shared location picks the nearest building of the district: a new note there."""
    campaign = await campaign_for(uow, actor)
    if campaign is None or message.location is None:
        if is_idle(await state.get_state()):
            raise SkipHandler  # not a canvasser: whoever comes next answers
        await message.answer(t("canvass-no-campaign"))
        return
    found = await service.building_by_location(
        uow, campaign, message.location.latitude, message.location.longitude
    )
    if found is None:
        await message.answer(t("canvass-location-nothing"))
        return
    building, metres = found
    if metres > service.FAR_M:
        await message.answer(
            t("canvass-location-far", address=addresses.label(building), metres=metres)
        )
    else:
        await message.answer(
            t("canvass-location-found", address=addresses.label(building), metres=metres)
        )
    await _select_building(message, state, uow, cipher, t, campaign, building.id, metres)


@router.message(CanvassForm.building, F.text, ~F.text.startswith("/"))
async def on_building_text(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    campaign = await campaign_for(uow, actor)
    if campaign is None:
        await state.set_state(None)
        await message.answer(t("canvass-no-campaign"))
        return
    text = message.text or ""
    if looks_like_note(text):
        await _line_note(message, state, uow, cipher, t, campaign, text)
        return
    lookup = await service.find_building(uow, campaign, text)
    if lookup.exact is not None:
        await _select_building(message, state, uow, cipher, t, campaign, lookup.exact.id)
        return
    await _offer_buildings(message, state, t, lookup.address, lookup.options, text, line=False)


async def _offer_buildings(
    message: Message,
    state: FSMContext,
    t: Translator,
    address: Address | None,
    options: list[Any],
    typed: str,
    *,
    line: bool,
) -> None:
    action = "lb" if line else "b"
    rows = [[button(addresses.label(b), action, b.id)] for b in options]
    if address is not None:
        await state.update_data(typed=[address.street, address.house, address.block])
        rows.append(
            [
                button(
                    t("canvass-button-add-review", address=_typed(address)),
                    "nb",
                    v="l" if line else "",
                )
            ]
        )
    if line:
        await state.update_data(line=typed)
    key = "canvass-building-options" if options else "canvass-building-not-found"
    await message.answer(
        t(key, typed=_typed(address) if address else typed[:100]),
        reply_markup=keyboard(rows) if rows else None,
    )


def _typed(address: Address) -> str:
    block = f" к{address.block}" if address.block else ""
    return f"{address.street} {address.house}{block}"


@router.message(CanvassForm.apartment, F.text, ~F.text.startswith("/"))
async def on_apartment(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    campaign = await campaign_for(uow, actor)
    draft = await _draft(state)
    if campaign is None or draft is None:
        await state.set_state(None)
        await message.answer(t("canvass-no-campaign"))
        return
    text = message.text or ""
    if looks_like_note(text):
        await _line_note(message, state, uow, cipher, t, campaign, text)
        return
    try:
        building = await service.building_in(uow, campaign, draft.building_id)
        draft.apartment = service.check_apartment(building, text)
    except InputError as error:
        await show_error(message, t, error)
        return
    await _ask_outcome(message, state, t, draft)


async def _ask_outcome(message: Message, state: FSMContext, t: Translator, draft: Draft) -> None:
    await state.update_data(draft=draft.to_data())
    await state.set_state(CanvassForm.outcome)
    await message.answer(
        t("canvass-ask-outcome", apartment=draft.apartment or "—"),
        reply_markup=outcome_keyboard(t),
    )


@router.message(StateFilter(CanvassForm.building, CanvassForm.apartment), ~F.text)
async def on_form_not_text(message: Message, t: Translator) -> None:
    await message.answer(t("canvass-expected-text"))


@router.message(CanvassForm.outcome, ~F.text.startswith("/"))
async def on_outcome_typed(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    campaign = await campaign_for(uow, actor)
    if campaign is not None and looks_like_note(message.text or ""):
        await _line_note(message, state, uow, cipher, t, campaign, message.text or "")
        return
    await message.answer(t("canvass-press-outcome"), reply_markup=outcome_keyboard(t))


@router.message(CanvassForm.note, F.text | F.voice)
async def on_note(
    message: Message, state: FSMContext, uow: UnitOfWork, t: Translator, actor: Actor
) -> None:
    campaign = await campaign_for(uow, actor)
    draft = await _draft(state)
    if campaign is None or draft is None:
        await state.set_state(None)
        await message.answer(t("canvass-no-campaign"))
        return
    if message.voice is not None:
        draft.voice = message.voice.file_id
    else:
        if (message.text or "").startswith("/"):
            return
        try:
            service.set_note(draft, message.text or "")
        except InputError as error:
            await show_error(message, t, error)
            return
    await _show_draft(message, state, uow, t, campaign, draft)


@router.message(CanvassForm.contact_name, F.text, ~F.text.startswith("/"))
async def on_contact_name(message: Message, state: FSMContext, t: Translator) -> None:
    draft = await _draft(state)
    if draft is None:
        await state.set_state(None)
        return
    try:
        name = service.contact_name(message.text or "")
    except InputError as error:
        await show_error(message, t, error)
        return
    await state.update_data(contact_name=name)
    await state.set_state(CanvassForm.contact_phone)
    await message.answer(t("canvass-ask-contact-phone"))


@router.message(CanvassForm.contact_phone, F.text | F.contact)
async def on_contact_phone(
    message: Message, state: FSMContext, uow: UnitOfWork, t: Translator, actor: Actor
) -> None:
    campaign = await campaign_for(uow, actor)
    draft = await _draft(state)
    if campaign is None or draft is None:
        await state.set_state(None)
        return
    raw = message.contact.phone_number if message.contact else (message.text or "")
    try:
        phone = service.contact_phone(raw)
    except InputError:
        await message.answer(t("canvass-contact-phone-invalid"))
        return
    data = await state.get_data()
    draft.contact_name = data.get("contact_name")
    draft.contact_phone = phone
    await state.update_data(contact_name=None)
    await _show_draft(message, state, uow, t, campaign, draft)


@router.message(CanvassForm.contact_name, ~IsCommand())
async def on_contact_name_other(message: Message, t: Translator) -> None:
    await message.answer(t("canvass-ask-contact-name"))


@router.message(CanvassForm.contact_phone, ~IsCommand())
async def on_contact_phone_other(message: Message, t: Translator) -> None:
    await message.answer(t("canvass-contact-phone-invalid"))


@router.message(CanvassForm.note, ~IsCommand())
async def on_note_other(message: Message, t: Translator) -> None:
    await message.answer(t("canvass-ask-note", limit=service.MAX_NOTE))


@router.message(CanvassForm.details, ~F.text.startswith("/"))
async def on_details_other(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    campaign = await campaign_for(uow, actor)
    if campaign is not None and message.text and looks_like_note(message.text):
        await _line_note(message, state, uow, cipher, t, campaign, message.text)
        return
    await message.answer(t("canvass-use-buttons"))


@router.message(
    StateFilter(*IDLE_STATES), F.text, ~F.text.startswith("/"), F.text.func(looks_like_note)
)
async def on_line_idle(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    campaign = await campaign_for(uow, actor)
    if campaign is None:
        raise SkipHandler  # not a canvasser: the text is for whoever comes next
    await _line_note(message, state, uow, cipher, t, campaign, message.text or "")


async def _line_note(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    campaign: Campaign,
    text: str,
    building_id: int | None = None,
) -> None:
    try:
        parsed = parse_line(text)
        if building_id is None:
            try:
                draft = await service.line_draft(uow, campaign, parsed)
            except InputError as error:
                if error.code != "canvass-line-unknown-address":
                    raise
                lookup = await service.find_building(uow, campaign, text)
                await _offer_buildings(
                    message, state, t, parsed.address, lookup.options, text, line=True
                )
                return
        else:
            building = await service.building_in(uow, campaign, building_id)
            draft = service.draft_for(building, parsed)
        visit = await service.save_note(
            uow,
            cipher,
            campaign,
            draft,
            source="line",
            confirmed=False,
            message_id=message.message_id,
        )
    except InputError as error:
        await show_error(message, t, error)
        return
    if parsed.phone:
        # Held in the encrypted dialog data, not in the notes, until the consent is confirmed.
        pending = dict((await state.get_data()).get("pending_contacts") or {})
        pending[str(visit.id)] = [parsed.name, parsed.phone]
        await state.update_data(pending_contacts=pending)
    building = await service.building_in(uow, campaign, draft.building_id)
    shown = Draft(
        building_id=building.id,
        apartment=draft.apartment,
        outcome=draft.outcome,
        topics=draft.topics,
        follow_up=draft.follow_up,
        note=draft.note,
        contact_name=parsed.name,
        contact_phone=parsed.phone,
    )
    lines = [t("canvass-line-parsed"), draft_text(t, building, shown).rsplit("\n", 1)[0]]
    if building.needs_review:
        lines.append(t("canvass-building-review"))
    rows = []
    if parsed.phone:
        rows.append([button(t("canvass-button-confirm-consent"), "ok", visit.id, "c")])
        rows.append([button(t("canvass-button-confirm-no-contact"), "ok", visit.id)])
    else:
        rows.append([button(t("canvass-button-confirm"), "ok", visit.id)])
    rows.append(
        [
            button(t("canvass-button-edit"), "ed", visit.id),
            button(t("canvass-button-cancel"), "x", visit.id),
        ]
    )
    await message.answer(Markup("\n".join(lines)), reply_markup=keyboard(rows))


@router.callback_query(or_f(CvCb.filter(), office.OfficeCb.filter()))
async def on_button(
    callback: CallbackQuery,
    callback_data: CvCb | office.OfficeCb,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    bot: Bot,
    settings: Settings,
    quest_holder: QuestHolder | None = None,
) -> None:
    """Every canvass button: the notes' (CvCb, the actions below) and the office's (OfficeCb,
    bot.handlers.canvass_office.ACTIONS, the candidate's own)."""
    campaign = await campaign_for(uow, actor)
    if campaign is None:
        await callback.answer(t("canvass-no-campaign"), show_alert=True)
        return
    in_office = isinstance(callback_data, office.OfficeCb)
    ctx = ButtonContext(
        callback, callback_data, state, uow, cipher, t, actor, bot, settings, campaign,
        quest_holder,
    )  # fmt: skip
    try:
        handler = (office.ACTIONS if in_office else _ACTIONS).get(callback_data.a)
        if handler is None:
            raise InputError("canvass-gone")
        if in_office:
            ctx.candidate_only()  # the office is the candidate's own
        await handler(ctx)
    except InputError as error:
        await show_error(callback, t, error)
        return
    if not ctx.answered:
        await callback.answer()


async def _new(ctx: ButtonContext) -> None:
    await _ask_building(ctx.message, ctx.state, ctx.uow, ctx.t, ctx.campaign)


async def _pick_building(ctx: ButtonContext) -> None:
    await _select_building(
        ctx.message, ctx.state, ctx.uow, ctx.cipher, ctx.t, ctx.campaign, ctx.data.id
    )


async def _pick_line_building(ctx: ButtonContext) -> None:
    text = (await ctx.state.get_data()).get("line")
    if not text:
        raise InputError("canvass-gone")
    await ctx.state.update_data(line=None)
    await _line_note(
        ctx.message, ctx.state, ctx.uow, ctx.cipher, ctx.t, ctx.campaign, str(text), ctx.data.id
    )


async def _add_review(ctx: ButtonContext) -> None:
    typed = (await ctx.state.get_data()).get("typed")
    if not isinstance(typed, list) or len(typed) != 3:
        raise InputError("canvass-gone")
    address = Address(str(typed[0]), str(typed[1]), typed[2], "")
    building = await service.add_review_building(ctx.uow, ctx.campaign, address)
    await ctx.state.update_data(typed=None)
    if ctx.data.v == "l":
        await _pick_line_building_id(ctx, building.id)
        return
    await _select_building(
        ctx.message, ctx.state, ctx.uow, ctx.cipher, ctx.t, ctx.campaign, building.id
    )


async def _pick_line_building_id(ctx: ButtonContext, building_id: int) -> None:
    ctx.data = CvCb(a="lb", id=building_id)
    await _pick_line_building(ctx)


async def _no_apartment(ctx: ButtonContext) -> None:
    draft = await _draft(ctx.state)
    if draft is None or await ctx.state.get_state() != CanvassForm.apartment.state:
        raise InputError("canvass-stale")
    draft.apartment = None
    await _ask_outcome(ctx.message, ctx.state, ctx.t, draft)


async def _other_building(ctx: ButtonContext) -> None:
    await _ask_building(ctx.message, ctx.state, ctx.uow, ctx.t, ctx.campaign)


async def _next_apartment(ctx: ButtonContext) -> None:
    volunteer = await ctx.uow.canvass.volunteer(ctx.campaign.volunteer_id)
    if volunteer is None or volunteer.last_building_id is None:
        raise InputError("canvass-stale")
    building = await service.building_in(ctx.uow, ctx.campaign, volunteer.last_building_id)
    data = await ctx.state.get_data()
    distance = data.get("last_distance") if data.get("last_building") == building.id else None
    draft = Draft(building.id, distance_m=distance if isinstance(distance, int) else None)
    await ctx.state.update_data(draft=draft.to_data())
    await _ask_apartment(ctx.message, ctx.state, ctx.t, building)


async def _outcome(ctx: ButtonContext) -> None:
    draft = await _draft(ctx.state)
    if draft is None or await ctx.state.get_state() != CanvassForm.outcome.state:
        raise InputError("canvass-stale")
    if ctx.data.v not in OUTCOMES:
        raise InputError("canvass-gone")
    draft.outcome = ctx.data.v
    await _show_draft(ctx.message, ctx.state, ctx.uow, ctx.t, ctx.campaign, draft)


async def _details_draft(ctx: ButtonContext) -> Draft:
    draft = await _draft(ctx.state)
    if draft is None or draft.outcome is None:
        raise InputError("canvass-stale")
    return draft


async def _topic(ctx: ButtonContext) -> None:
    draft = await _details_draft(ctx)
    service.toggle_topic(draft, ctx.data.v)
    await _show_draft(ctx.message, ctx.state, ctx.uow, ctx.t, ctx.campaign, draft, edit=True)


async def _follow(ctx: ButtonContext) -> None:
    draft = await _details_draft(ctx)
    draft.follow_up = not draft.follow_up
    await _show_draft(ctx.message, ctx.state, ctx.uow, ctx.t, ctx.campaign, draft, edit=True)


async def _contact(ctx: ButtonContext) -> None:
    await _details_draft(ctx)
    await ctx.message.answer(
        ctx.t("canvass-contact-consent"),
        reply_markup=keyboard(
            [
                [button(ctx.t("canvass-button-resident-agrees"), "cy")],
                [button(ctx.t("canvass-button-back"), "bk")],
            ]
        ),
    )


async def _contact_yes(ctx: ButtonContext) -> None:
    await _details_draft(ctx)
    await ctx.state.set_state(CanvassForm.contact_name)
    await ctx.message.answer(ctx.t("canvass-ask-contact-name"))


async def _back(ctx: ButtonContext) -> None:
    draft = await _details_draft(ctx)
    await _show_draft(ctx.message, ctx.state, ctx.uow, ctx.t, ctx.campaign, draft)


async def _note(ctx: ButtonContext) -> None:
    await _details_draft(ctx)
    await ctx.state.set_state(CanvassForm.note)
    await ctx.message.answer(ctx.t("canvass-ask-note", limit=service.MAX_NOTE))


async def _save(ctx: ButtonContext) -> None:
    draft = await _details_draft(ctx)
    visit = await service.save_note(ctx.uow, ctx.cipher, ctx.campaign, draft)
    building = await service.building_in(ctx.uow, ctx.campaign, draft.building_id)
    await ctx.state.update_data(
        draft=None, last_building=building.id, last_distance=draft.distance_m
    )
    # Typing the next apartment's number right away works too: the building is kept.
    await ctx.state.set_state(CanvassForm.apartment)
    await ctx.state.update_data(draft=Draft(building.id, distance_m=draft.distance_m).to_data())
    await ctx.message.edit_reply_markup(reply_markup=None)
    await ctx.message.answer(
        ctx.t(
            "canvass-saved",
            address=addresses.label(building),
            apartment=visit.apartment or "—",
            outcome=outcome_name(ctx.t, visit.outcome),
        ),
        reply_markup=_after_save_keyboard(ctx.t),
    )
    await _report_quest(ctx)


def _after_save_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [
                button(t("canvass-button-next"), "nx"),
                button(t("canvass-button-other-building"), "ob"),
            ]
        ]
    )


async def _report_quest(ctx: ButtonContext) -> None:
    """The candidate's "canvass log" task is done with the campaign's first note."""
    if ctx.quest_holder is None or await ctx.uow.canvass.count(ctx.campaign.candidate_id) != 1:
        return
    candidate = await ctx.uow.quest.candidate(ctx.campaign.candidate_id)
    if candidate is None:
        return
    user = await ctx.uow.users.get(candidate.user_id)
    quest = await service_for(
        ctx.uow,
        ctx.cipher,
        ctx.quest_holder,
        candidate,
        user.locale if user else "ru",
        ctx.settings,
    )
    await quest.report_action_done("canvass")


async def _confirm(ctx: ButtonContext) -> None:
    pending = dict((await ctx.state.get_data()).get("pending_contacts") or {})
    held = pending.pop(str(ctx.data.id), None)
    contact = None
    if ctx.data.v == "c" and isinstance(held, list) and len(held) == 2 and held[1]:
        contact = (held[0], str(held[1]))
    visit, building = await service.confirm_line(
        ctx.uow, ctx.cipher, ctx.campaign, ctx.data.id, contact
    )
    if held is not None:  # the dialog data is written only when it changed
        await ctx.state.update_data(pending_contacts=pending)
    await ctx.message.edit_text(
        ctx.t(
            "canvass-saved",
            address=addresses.label(building),
            apartment=visit.apartment or "—",
            outcome=outcome_name(ctx.t, visit.outcome),
        ),
        reply_markup=_after_save_keyboard(ctx.t),
    )
    await _report_quest(ctx)


async def _cancel(ctx: ButtonContext) -> None:
    await service.cancel_line(ctx.uow, ctx.campaign, ctx.data.id)
    pending = dict((await ctx.state.get_data()).get("pending_contacts") or {})
    pending.pop(str(ctx.data.id), None)
    await ctx.state.update_data(pending_contacts=pending)
    await ctx.message.edit_text(ctx.t("canvass-line-cancelled"))


async def _edit(ctx: ButtonContext) -> None:
    visit = await service.own_visit(ctx.uow, ctx.campaign, ctx.data.id)
    if visit.confirmed:
        raise InputError("canvass-already-confirmed")
    draft = Draft(
        building_id=visit.building_id,
        apartment=visit.apartment,
        outcome=visit.outcome,
        topics=list(visit.topics or []),
        follow_up=visit.follow_up,
        note=ctx.cipher.decrypt(visit.note_enc),
    )
    await _cancel(ctx)
    # The contact is asked again in the form, with the resident's consent.
    await _show_draft(ctx.message, ctx.state, ctx.uow, ctx.t, ctx.campaign, draft)


_ACTIONS = {
    "new": _new,
    "b": _pick_building,
    "lb": _pick_line_building,
    "nb": _add_review,
    "noapt": _no_apartment,
    "ob": _other_building,
    "nx": _next_apartment,
    "o": _outcome,
    "t": _topic,
    "fu": _follow,
    "ct": _contact,
    "cy": _contact_yes,
    "bk": _back,
    "nt": _note,
    "sv": _save,
    "ok": _confirm,
    "x": _cancel,
    "ed": _edit,
}
