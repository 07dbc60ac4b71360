"""Door-to-door canvassing by chat.

A candidate's volunteers join by the candidate's invite link (a display name is all they
give). A note takes a few taps: the building (typed, last used, or a shared location), the
apartment, the outcome, and optionally topics, the resident's contact (only with their
consent), a note or voice note, a follow-up flag. "Next apartment" keeps the building. The
one-line form ("Ленина 5 кв 12 сторонник +79111234567 двор") is parsed and shown back to be
confirmed. /canvass gives the candidate the district summary with a chart, follow-ups, the
get-out-the-vote list, quality flags, volunteers and exports.
"""

from __future__ import annotations

import asyncio
import html
import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, CommandObject, StateFilter
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
from bot.db.models import User
from bot.db.uow import UnitOfWork
from bot.documents import canvass as documents
from bot.handlers.deeplinks import deep_link
from bot.handlers.quest import QuestHolder, service_for
from bot.i18n import Markup, Translator
from bot.services import canvass as service
from bot.services import canvass_addresses as addresses
from bot.services import directory, export
from bot.services.addresses import Address
from bot.services.canvass import Campaign, Draft
from bot.services.canvass_line import OUTCOMES, TOPICS, looks_like_note, parse_line
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.deeplinks import DeepLink, build_link
from bot.services.errors import InputError
from bot.services.registration import CONSENT_VERSION
from bot.services.roles import Actor
from bot.telegram.request_guard import MESSAGE_LIMIT

log = logging.getLogger(__name__)
router = Router(name="canvass")
MAX_UPLOAD = 2 * 1024 * 1024
TEXT_BUDGET = MESSAGE_LIMIT - 300
DOORS_TASK = "canvass.doors"  # bot/quests/stages/07_canvass.toml


class CvCb(CallbackData, prefix="cv"):
    a: str  # action
    id: int = 0
    v: str = ""


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


def _b(text: str, action: str, id: int = 0, v: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=CvCb(a=action, id=id, v=v).pack())


def _kb(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _msg(callback: CallbackQuery) -> Message:
    assert isinstance(callback.message, Message)
    return callback.message


async def _error(target: Message | CallbackQuery, t: Translator, error: InputError) -> None:
    text = t(error.code, **error.params)
    if isinstance(target, CallbackQuery):
        await target.answer(text, show_alert=True)
    else:
        await target.answer(text)


def outcome_name(t: Translator, outcome: str) -> str:
    return t(f"canvass-outcome-{outcome}")


def topic_name(t: Translator, topic: str) -> str:
    return t(f"canvass-topic-{topic}")


# --- volunteers join by invite ----------------------------------------------------------------


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
    name = html.escape(candidate.full_name or "")
    if not actor.consented:
        lang = t.locale
        await message.answer(
            t("canvass-volunteer-consent", candidate=Markup(name)),
            reply_markup=_kb(
                [
                    [_consent_button(t("canvass-button-agree"), True, lang)],
                    [_consent_button(t("canvass-button-decline"), False, lang)],
                ]
            ),
        )
        return True
    await state.set_state(CanvassForm.name)
    await message.answer(t("canvass-volunteer-welcome", candidate=Markup(name)))
    return True


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
    message = _msg(callback)
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
        await _error(message, t, error)
        if error.code != "canvass-name-invalid":
            await state.set_state(None)
        return
    await state.set_state(None)
    await state.update_data(vol_token=None)
    await message.answer(
        t("canvass-joined", candidate=candidate.full_name or ""),
        reply_markup=_kb([[_b(t("canvass-button-new-note"), "new")]]),
    )


@router.message(CanvassForm.name)
async def on_display_name_other(message: Message, t: Translator) -> None:
    await message.answer(t("canvass-name-invalid", limit=service.MAX_NAME))


# --- /canvass ---------------------------------------------------------------------------------


async def _campaign(uow: UnitOfWork, actor: Actor) -> Campaign | None:
    if not actor.consented:
        return None
    return await service.campaign_of(uow, actor.user_id)


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
    campaign = await _campaign(uow, actor)
    if campaign is None:
        await message.answer(t("canvass-no-campaign"))
        return
    if not campaign.is_candidate:
        await message.answer(
            t("canvass-volunteer-home"), reply_markup=await _note_start_keyboard(uow, t, campaign)
        )
        return
    await _send_summary(message, uow, cipher, t, campaign, actor, holder, settings)


async def _send_summary(
    message: Message,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    campaign: Campaign,
    actor: Actor,
    holder: QuestHolder | None,
    settings: Settings,
) -> None:
    summary = await service.summary(uow, cipher, campaign)
    if holder is not None:
        await _sync_doors(uow, cipher, holder, settings, campaign, summary.doors)
    await message.answer(_summary_text(t, summary), reply_markup=_candidate_menu(t, summary))
    if summary.doors:
        # Without the emoji: the chart's font has no colour glyphs.
        labels = [outcome_name(t, o).split(" ", 1)[-1] for o in OUTCOMES]
        values = [float(summary.outcomes[o]) for o in OUTCOMES]
        image = await asyncio.to_thread(
            documents.outcomes_chart,
            t("canvass-chart-title"),
            labels,
            t("canvass-chart-doors"),
            values,
        )
        await message.answer_photo(
            BufferedInputFile(image, filename="canvass.png"), caption=t("canvass-chart-caption")
        )


async def _sync_doors(
    uow: UnitOfWork,
    cipher: FieldCipher,
    holder: QuestHolder,
    settings: Settings,
    campaign: Campaign,
    doors: int,
) -> None:
    """The quest's "300 doors" counter follows the canvass log: no number to type twice."""
    candidate = await uow.quest.candidate(campaign.candidate_id)
    if candidate is None or doors == 0:
        return
    user = await uow.users.get(candidate.user_id)
    quest = await service_for(
        uow, cipher, holder, candidate, user.locale if user else "ru", settings
    )
    task = (await quest.view()).task(DOORS_TASK)
    if task is None or not task.actionable or (task.progress and task.progress[0] >= doors):
        return
    try:
        await quest.count(DOORS_TASK, doors, absolute=True)
    except InputError as error:  # closed meanwhile, or over the counter's range
        log.info("doors counter not synced: %s", error.code)


def _summary_text(t: Translator, summary: service.Summary) -> Markup:
    lines = [
        t(
            "canvass-summary",
            buildings=summary.buildings,
            visited=summary.buildings_visited,
            apartments=summary.apartments,
            doors=summary.doors,
            notes=summary.notes,
            contacts=summary.contacts,
            follow_ups=summary.follow_ups,
            flagged=summary.flagged,
        )
    ]
    if summary.doors:
        lines.append(
            t("canvass-summary-outcomes")
            + "\n"
            + "\n".join(
                f"• {outcome_name(t, o)}: {summary.outcomes[o]}"
                for o in OUTCOMES
                if summary.outcomes[o]
            )
        )
    if summary.topics:
        lines.append(
            t("canvass-summary-topics")
            + " "
            + ", ".join(f"{topic_name(t, k)} {v}" for k, v in summary.topics.items())
        )
    covered = [c for c in summary.coverage if c.visited][:10]
    if covered:
        lines.append(
            t("canvass-summary-coverage")
            + "\n"
            + "\n".join(
                f"• {html.escape(c.label)}: {c.visited}/{c.apartments or '?'}" for c in covered
            )
        )
    if summary.activity:
        lines.append(
            t("canvass-summary-activity")
            + "\n"
            + "\n".join(
                t(
                    "canvass-activity-line",
                    name=_who(t, a.name),
                    notes=a.notes,
                    week=a.last_week,
                    flagged=a.flagged,
                )
                for a in summary.activity[:10]
            )
        )
    if summary.needs_review:
        lines.append(t("canvass-summary-review", count=summary.needs_review))
    return Markup("\n\n".join(lines))


def _candidate_menu(t: Translator, summary: service.Summary) -> InlineKeyboardMarkup:
    return _kb(
        [
            [_b(t("canvass-button-new-note"), "new")],
            [
                _b(t("canvass-button-follow-ups", count=summary.follow_ups), "fus"),
                _b(t("canvass-button-gotv"), "gl"),
            ],
            [
                _b(t("canvass-button-flags", count=summary.flagged), "fl"),
                _b(t("canvass-button-volunteers"), "vol"),
            ],
            [
                _b(t("canvass-button-export-xlsx"), "exx"),
                _b(t("canvass-button-export-csv"), "exc"),
            ],
            [_b(t("canvass-button-upload"), "up"), _b(t("canvass-button-erase"), "er")],
        ]
    )


async def _note_start_keyboard(
    uow: UnitOfWork, t: Translator, campaign: Campaign
) -> InlineKeyboardMarkup:
    rows = [[_b(t("canvass-button-new-note"), "new")]]
    volunteer = await uow.canvass.volunteer(campaign.volunteer_id)
    if volunteer is not None and volunteer.last_building_id is not None:
        building = await uow.addresses.get(volunteer.last_building_id)
        if building is not None and building.district_id == campaign.district_id:
            rows.append(
                [_b(t("canvass-button-last", address=addresses.label(building)), "b", building.id)]
            )
    return _kb(rows)


# --- the note form ----------------------------------------------------------------------------


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
        await message.answer(_history_text(t, building, past))
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
        reply_markup=_kb(
            [
                [
                    _b(t("canvass-button-no-apartment"), "noapt"),
                    _b(t("canvass-button-other-building"), "ob"),
                ]
            ]
        ),
    )


def _history_text(t: Translator, building: Any, past: list[service.PastVisit]) -> Markup:
    lines = [t("canvass-history", address=addresses.label(building), count=len(past))]
    for visit in past:
        line = t(
            "canvass-history-line",
            apartment=visit.apartment or "—",
            outcome=outcome_name(t, visit.outcome),
            date=visit.at.strftime("%d.%m"),
        )
        if visit.topics:
            line += " · " + ", ".join(topic_name(t, x) for x in visit.topics)
        if visit.follow_up:
            line += " · 🔁"
        if visit.note:
            line += f"\n   📝 {html.escape(visit.note[:200])}"
        lines.append(line)
    return Markup("\n".join(lines))


def _outcome_keyboard(t: Translator) -> InlineKeyboardMarkup:
    buttons = [_b(outcome_name(t, o), "o", v=o) for o in OUTCOMES]
    return _kb([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def _draft_text(t: Translator, building: Any, draft: Draft) -> Markup:
    lines = [
        t(
            "canvass-draft",
            address=addresses.label(building),
            apartment=draft.apartment or "—",
            outcome=outcome_name(t, draft.outcome) if draft.outcome else "—",
        )
    ]
    if draft.topics:
        lines.append(
            t("canvass-draft-topics", topics=", ".join(topic_name(t, x) for x in draft.topics))
        )
    if draft.contact_phone:
        lines.append(
            t("canvass-draft-contact", name=draft.contact_name or "—", phone=draft.contact_phone)
        )
    if draft.note:
        lines.append(t("canvass-draft-note", note=draft.note[:300]))
    if draft.voice:
        lines.append(t("canvass-draft-voice"))
    if draft.follow_up or draft.outcome == "later":
        lines.append(t("canvass-draft-follow-up"))
    lines.append(t("canvass-draft-hint"))
    return Markup("\n".join(lines))


def _draft_keyboard(t: Translator, draft: Draft) -> InlineKeyboardMarkup:
    topics = [
        _b(("✅ " if topic in draft.topics else "") + topic_name(t, topic), "t", v=topic)
        for topic in TOPICS
    ]
    rows = [topics[i : i + 2] for i in range(0, len(topics), 2)]
    rows.append([_b(t("canvass-button-contact"), "ct"), _b(t("canvass-button-note"), "nt")])
    follow = t(
        "canvass-button-follow-up-on" if draft.follow_up else "canvass-button-follow-up-off"
    )
    rows.append([_b(follow, "fu")])
    rows.append([_b(t("canvass-button-save"), "sv")])
    return _kb(rows)


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
    text, markup = _draft_text(t, building, draft), _draft_keyboard(t, draft)
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
    campaign = await _campaign(uow, actor)
    if campaign is None or message.location is None:
        if await state.get_state() is None:
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
    campaign = await _campaign(uow, actor)
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
    rows = [[_b(addresses.label(b), action, b.id)] for b in options]
    if address is not None:
        await state.update_data(typed=[address.street, address.house, address.block])
        rows.append(
            [
                _b(
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
        reply_markup=_kb(rows) if rows else None,
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
    campaign = await _campaign(uow, actor)
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
        await _error(message, t, error)
        return
    await _ask_outcome(message, state, t, draft)


async def _ask_outcome(message: Message, state: FSMContext, t: Translator, draft: Draft) -> None:
    await state.update_data(draft=draft.to_data())
    await state.set_state(CanvassForm.outcome)
    await message.answer(
        t("canvass-ask-outcome", apartment=draft.apartment or "—"),
        reply_markup=_outcome_keyboard(t),
    )


@router.message(
    StateFilter(CanvassForm.building, CanvassForm.apartment, CanvassForm.outcome), ~F.text
)
async def on_form_not_text(message: Message, t: Translator) -> None:
    await message.answer(t("canvass-expected-text"))


@router.message(CanvassForm.outcome, F.text, ~F.text.startswith("/"))
async def on_outcome_typed(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    campaign = await _campaign(uow, actor)
    if campaign is not None and looks_like_note(message.text or ""):
        await _line_note(message, state, uow, cipher, t, campaign, message.text or "")
        return
    await message.answer(t("canvass-press-outcome"), reply_markup=_outcome_keyboard(t))


@router.message(CanvassForm.note, F.text | F.voice)
async def on_note(
    message: Message, state: FSMContext, uow: UnitOfWork, t: Translator, actor: Actor
) -> None:
    campaign = await _campaign(uow, actor)
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
            await _error(message, t, error)
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
        await _error(message, t, error)
        return
    await state.update_data(contact_name=name)
    await state.set_state(CanvassForm.contact_phone)
    await message.answer(t("canvass-ask-contact-phone"))


@router.message(CanvassForm.contact_phone, F.text | F.contact)
async def on_contact_phone(
    message: Message, state: FSMContext, uow: UnitOfWork, t: Translator, actor: Actor
) -> None:
    campaign = await _campaign(uow, actor)
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


@router.message(
    StateFilter(CanvassForm.details, CanvassForm.contact_name), ~F.text.startswith("/")
)
async def on_details_other(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    campaign = await _campaign(uow, actor)
    if campaign is not None and message.text and looks_like_note(message.text):
        await _line_note(message, state, uow, cipher, t, campaign, message.text)
        return
    await message.answer(t("canvass-use-buttons"))


# --- the one-line form ------------------------------------------------------------------------


@router.message(StateFilter(None), F.text, ~F.text.startswith("/"), F.text.func(looks_like_note))
async def on_line_idle(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    campaign = await _campaign(uow, actor)
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
        await _error(message, t, error)
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
    lines = [t("canvass-line-parsed"), _draft_text(t, building, shown).rsplit("\n", 1)[0]]
    if building.needs_review:
        lines.append(t("canvass-building-review"))
    rows = []
    if parsed.phone:
        rows.append([_b(t("canvass-button-confirm-consent"), "ok", visit.id, "c")])
        rows.append([_b(t("canvass-button-confirm-no-contact"), "ok", visit.id)])
    else:
        rows.append([_b(t("canvass-button-confirm"), "ok", visit.id)])
    rows.append(
        [
            _b(t("canvass-button-edit"), "ed", visit.id),
            _b(t("canvass-button-cancel"), "x", visit.id),
        ]
    )
    await message.answer(Markup("\n".join(lines)), reply_markup=_kb(rows))


# --- buttons ----------------------------------------------------------------------------------


@router.callback_query(CvCb.filter())
async def on_button(
    callback: CallbackQuery,
    callback_data: CvCb,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    bot: Bot,
    settings: Settings,
    quest_holder: QuestHolder | None = None,
) -> None:
    campaign = await _campaign(uow, actor)
    if campaign is None:
        await callback.answer(t("canvass-no-campaign"), show_alert=True)
        return
    action = callback_data.a
    message = _msg(callback)
    try:
        handler = _ACTIONS.get(action)
        if handler is None:
            raise InputError("canvass-gone")
        ctx = _Ctx(
            callback,
            callback_data,
            state,
            uow,
            cipher,
            t,
            actor,
            bot,
            settings,
            campaign,
            quest_holder,
        )
        await handler(ctx)
    except InputError as error:
        await _error(callback, t, error)
        return
    if not ctx.answered:
        await callback.answer()
    del message


class _Ctx:
    def __init__(
        self,
        callback: CallbackQuery,
        data: CvCb,
        state: FSMContext,
        uow: UnitOfWork,
        cipher: FieldCipher,
        t: Translator,
        actor: Actor,
        bot: Bot,
        settings: Settings,
        campaign: Campaign,
        quest_holder: QuestHolder | None,
    ) -> None:
        self.callback = callback
        self.data = data
        self.state = state
        self.uow = uow
        self.cipher = cipher
        self.t = t
        self.actor = actor
        self.bot = bot
        self.settings = settings
        self.campaign = campaign
        self.quest_holder = quest_holder
        self.answered = False

    @property
    def message(self) -> Message:
        return _msg(self.callback)

    async def answer(self, text: str, alert: bool = False) -> None:
        await self.callback.answer(text, show_alert=alert)
        self.answered = True

    def candidate_only(self) -> None:
        if not self.campaign.is_candidate:
            raise InputError("canvass-candidate-only")


async def _new(ctx: _Ctx) -> None:
    await _ask_building(ctx.message, ctx.state, ctx.uow, ctx.t, ctx.campaign)


async def _pick_building(ctx: _Ctx) -> None:
    await _select_building(
        ctx.message, ctx.state, ctx.uow, ctx.cipher, ctx.t, ctx.campaign, ctx.data.id
    )


async def _pick_line_building(ctx: _Ctx) -> None:
    text = (await ctx.state.get_data()).get("line")
    if not text:
        raise InputError("canvass-gone")
    await ctx.state.update_data(line=None)
    await _line_note(
        ctx.message, ctx.state, ctx.uow, ctx.cipher, ctx.t, ctx.campaign, str(text), ctx.data.id
    )


async def _add_review(ctx: _Ctx) -> None:
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


async def _pick_line_building_id(ctx: _Ctx, building_id: int) -> None:
    ctx.data = CvCb(a="lb", id=building_id)
    await _pick_line_building(ctx)


async def _no_apartment(ctx: _Ctx) -> None:
    draft = await _draft(ctx.state)
    if draft is None or await ctx.state.get_state() != CanvassForm.apartment.state:
        raise InputError("canvass-stale")
    draft.apartment = None
    await _ask_outcome(ctx.message, ctx.state, ctx.t, draft)


async def _other_building(ctx: _Ctx) -> None:
    await _ask_building(ctx.message, ctx.state, ctx.uow, ctx.t, ctx.campaign)


async def _next_apartment(ctx: _Ctx) -> None:
    volunteer = await ctx.uow.canvass.volunteer(ctx.campaign.volunteer_id)
    if volunteer is None or volunteer.last_building_id is None:
        raise InputError("canvass-stale")
    building = await service.building_in(ctx.uow, ctx.campaign, volunteer.last_building_id)
    data = await ctx.state.get_data()
    distance = data.get("last_distance") if data.get("last_building") == building.id else None
    draft = Draft(building.id, distance_m=distance if isinstance(distance, int) else None)
    await ctx.state.update_data(draft=draft.to_data())
    await _ask_apartment(ctx.message, ctx.state, ctx.t, building)


async def _outcome(ctx: _Ctx) -> None:
    draft = await _draft(ctx.state)
    if draft is None or await ctx.state.get_state() != CanvassForm.outcome.state:
        raise InputError("canvass-stale")
    if ctx.data.v not in OUTCOMES:
        raise InputError("canvass-gone")
    draft.outcome = ctx.data.v
    await _show_draft(ctx.message, ctx.state, ctx.uow, ctx.t, ctx.campaign, draft)


async def _details_draft(ctx: _Ctx) -> Draft:
    draft = await _draft(ctx.state)
    if draft is None or draft.outcome is None:
        raise InputError("canvass-stale")
    return draft


async def _topic(ctx: _Ctx) -> None:
    draft = await _details_draft(ctx)
    service.toggle_topic(draft, ctx.data.v)
    await _show_draft(ctx.message, ctx.state, ctx.uow, ctx.t, ctx.campaign, draft, edit=True)


async def _follow(ctx: _Ctx) -> None:
    draft = await _details_draft(ctx)
    draft.follow_up = not draft.follow_up
    await _show_draft(ctx.message, ctx.state, ctx.uow, ctx.t, ctx.campaign, draft, edit=True)


async def _contact(ctx: _Ctx) -> None:
    await _details_draft(ctx)
    await ctx.message.answer(
        ctx.t("canvass-contact-consent"),
        reply_markup=_kb(
            [
                [_b(ctx.t("canvass-button-resident-agrees"), "cy")],
                [_b(ctx.t("canvass-button-back"), "bk")],
            ]
        ),
    )


async def _contact_yes(ctx: _Ctx) -> None:
    await _details_draft(ctx)
    await ctx.state.set_state(CanvassForm.contact_name)
    await ctx.message.answer(ctx.t("canvass-ask-contact-name"))


async def _back(ctx: _Ctx) -> None:
    draft = await _details_draft(ctx)
    await _show_draft(ctx.message, ctx.state, ctx.uow, ctx.t, ctx.campaign, draft)


async def _note(ctx: _Ctx) -> None:
    await _details_draft(ctx)
    await ctx.state.set_state(CanvassForm.note)
    await ctx.message.answer(ctx.t("canvass-ask-note", limit=service.MAX_NOTE))


async def _save(ctx: _Ctx) -> None:
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
    return _kb(
        [[_b(t("canvass-button-next"), "nx"), _b(t("canvass-button-other-building"), "ob")]]
    )


async def _report_quest(ctx: _Ctx) -> None:
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


async def _confirm(ctx: _Ctx) -> None:
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


async def _cancel(ctx: _Ctx) -> None:
    await service.cancel_line(ctx.uow, ctx.campaign, ctx.data.id)
    pending = dict((await ctx.state.get_data()).get("pending_contacts") or {})
    pending.pop(str(ctx.data.id), None)
    await ctx.state.update_data(pending_contacts=pending)
    await ctx.message.edit_text(ctx.t("canvass-line-cancelled"))


async def _edit(ctx: _Ctx) -> None:
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


async def _follow_ups(ctx: _Ctx) -> None:
    ctx.candidate_only()
    due = await service.follow_ups(ctx.uow, ctx.cipher, ctx.campaign)
    if not due:
        await ctx.message.answer(ctx.t("canvass-follow-ups-empty"))
        return
    lines = [ctx.t("canvass-follow-ups", count=len(due))]
    rows = []
    for item in due:
        line = ctx.t(
            "canvass-follow-up-line",
            address=item.address,
            apartment=item.apartment or "—",
            outcome=outcome_name(ctx.t, item.outcome),
            date=item.at.strftime("%d.%m"),
        )
        if item.note:
            line += f"\n   📝 {html.escape(item.note[:150])}"
        lines.append(line)
        rows.append(
            [
                _b(
                    ctx.t(
                        "canvass-button-done", address=f"{item.address}, {item.apartment or '—'}"
                    ),
                    "fd",
                    item.visit_id,
                )
            ]
        )
    await ctx.message.answer(Markup(_fit("\n".join(lines))), reply_markup=_kb(rows[:20]))


async def _follow_up_done(ctx: _Ctx) -> None:
    ctx.candidate_only()
    await service.follow_up_done(ctx.uow, ctx.campaign, ctx.data.id)
    await ctx.answer(ctx.t("canvass-follow-up-done"))


async def _gotv(ctx: _Ctx) -> None:
    ctx.candidate_only()
    groups = await service.gotv_list(ctx.uow, ctx.cipher, ctx.campaign.candidate_id)
    await ctx.uow.audit.record(
        ctx.actor.user_id, "canvass_gotv_viewed", "candidate", ctx.campaign.candidate_id
    )
    await ctx.message.answer(gotv_text(ctx.t, groups))


def gotv_text(t: Translator, groups: list[service.GotvGroup], days: int | None = None) -> Markup:
    people = sum(len(g.people) for g in groups)
    if not people:
        return Markup(t("canvass-gotv-empty"))
    head = t("canvass-gotv-head", count=people)
    if days is not None:
        head = t("canvass-gotv-push", days=days) + "\n" + head
    lines = [head]
    station = object()
    for group in groups:
        if group.polling_station != station:
            station = group.polling_station
            lines.append(t("canvass-gotv-station", station=group.polling_station or "?"))
        lines.append(f"🏠 <b>{html.escape(group.address)}</b>")
        for person in group.people:
            lines.append(
                t(
                    "canvass-gotv-person",
                    apartment=person.apartment or "—",
                    name=person.name or "—",
                    phone=person.phone,
                )
            )
    return Markup(_fit("\n".join(lines), t("canvass-gotv-more")))


def _who(t: Translator, name: str) -> str:
    return t("canvass-you") if name == "★" else name


def _fit(text: str, more: str = "…") -> str:
    if len(text) <= TEXT_BUDGET:
        return text
    cut = text[:TEXT_BUDGET].rsplit("\n", 1)[0]
    return cut + "\n" + more


async def _flags(ctx: _Ctx) -> None:
    ctx.candidate_only()
    items = await service.flagged(ctx.uow, ctx.cipher, ctx.campaign.candidate_id)
    if not items:
        await ctx.message.answer(ctx.t("canvass-flags-empty"))
        return
    lines = [ctx.t("canvass-flags", count=len(items))]
    for item in items:
        reasons = ", ".join(
            ctx.t(f"canvass-flag-{flag}", metres=item.distance_m or 0) for flag in item.flags
        )
        lines.append(
            ctx.t(
                "canvass-flag-line",
                at=item.at.strftime("%d.%m %H:%M"),
                volunteer=_who(ctx.t, item.volunteer),
                address=item.address,
                apartment=item.apartment or "—",
                reasons=reasons,
            )
        )
    await ctx.message.answer(Markup(_fit("\n".join(lines))))


async def _volunteers(ctx: _Ctx) -> None:
    ctx.candidate_only()
    token = await service.invite_token(ctx.uow, ctx.cipher, ctx.campaign.candidate_id)
    await _send_volunteers(ctx, token)


async def _send_volunteers(ctx: _Ctx, token: str) -> None:
    me = await ctx.bot.me()
    link = build_link(me.username or "bot", "vol", token)
    people = [
        v
        for v in await service.volunteers(ctx.uow, ctx.cipher, ctx.campaign.candidate_id)
        if not v.is_candidate
    ]
    active = [v for v in people if v.active]
    lines = [ctx.t("canvass-volunteers", count=len(active), link=link)]
    lines += [f"• {html.escape(v.name)}" for v in active]
    rows = [[_b(ctx.t("canvass-button-remove", name=v.name), "rv", v.id)] for v in active[:20]]
    rows.append([_b(ctx.t("canvass-button-new-link"), "ni")])
    await ctx.message.answer(Markup("\n".join(lines)), reply_markup=_kb(rows))


async def _new_link(ctx: _Ctx) -> None:
    ctx.candidate_only()
    token = await service.new_invite(ctx.uow, ctx.cipher, ctx.campaign.candidate_id)
    await _send_volunteers(ctx, token)


async def _remove(ctx: _Ctx) -> None:
    ctx.candidate_only()
    await service.remove_volunteer(ctx.uow, ctx.campaign, ctx.data.id)
    await ctx.answer(ctx.t("canvass-volunteer-removed"))


async def _export(ctx: _Ctx) -> None:
    ctx.candidate_only()
    as_csv = ctx.data.a == "exc"
    t = ctx.t
    table = await service.export_table(
        ctx.uow,
        ctx.cipher,
        ctx.campaign,
        tuple(t("canvass-export-header").split("|")),
        {o: outcome_name(t, o) for o in OUTCOMES},
        {x: topic_name(t, x) for x in TOPICS},
    )
    if not table.rows:
        await ctx.message.answer(t("canvass-export-empty"))
        return
    if as_csv:
        data = await asyncio.to_thread(export.render_csv, table)
    else:
        data = await asyncio.to_thread(export.render_xlsx, table, t("canvass-export-sheet"))
    name = f"canvass-{utcnow():%Y%m%d-%H%M}.{'csv' if as_csv else 'xlsx'}"
    await ctx.uow.audit.record(
        ctx.actor.user_id,
        "export",
        "canvass",
        ctx.campaign.candidate_id,
        rows=len(table.rows),
        format=name.rsplit(".")[-1],
    )
    await ctx.message.answer_document(
        BufferedInputFile(data, filename=name),
        caption=t("canvass-export-caption", count=len(table.rows)),
    )


async def _upload(ctx: _Ctx) -> None:
    ctx.candidate_only()
    await ctx.state.set_state(CanvassForm.upload)
    await ctx.state.update_data(import_district=ctx.campaign.district_id)
    await ctx.message.answer(ctx.t("canvass-upload-prompt"))


async def _erase(ctx: _Ctx) -> None:
    ctx.candidate_only()
    await ctx.state.set_state(CanvassForm.erase)
    await ctx.message.answer(ctx.t("canvass-erase-prompt"))


_ACTIONS = {
    "er": _erase,
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
    "fus": _follow_ups,
    "fd": _follow_up_done,
    "gl": _gotv,
    "fl": _flags,
    "vol": _volunteers,
    "ni": _new_link,
    "rv": _remove,
    "exx": _export,
    "exc": _export,
    "up": _upload,
}


@router.message(CanvassForm.erase, F.text | F.contact)
async def on_erase_phone(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
) -> None:
    """A resident withdrew their consent: their name and phone go from every note."""
    if message.text and message.text.startswith("/"):
        return
    campaign = await _campaign(uow, actor)
    if campaign is None or not campaign.is_candidate:
        await state.set_state(None)
        await message.answer(t("canvass-candidate-only"))
        return
    raw = message.contact.phone_number if message.contact else (message.text or "")
    try:
        phone = service.contact_phone(raw)
    except InputError:
        await message.answer(t("canvass-contact-phone-invalid"))
        return
    erased = await service.erase_resident(uow, cipher, campaign, phone)
    await state.set_state(None)
    await message.answer(t("canvass-erased", count=erased))


# --- address lists: upload (candidate, coordinators) ------------------------------------------


@router.message(Command("import_addresses"))
async def on_import_addresses(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
) -> None:
    """Staff: /import_addresses <formation> <district number>, then the CSV."""
    if not actor.is_staff:
        await message.answer(t("canvass-staff-only"))
        return
    words = (command.args or "").split()
    if len(words) < 2 or not words[-1].isdigit():
        await message.answer(t("canvass-import-usage"))
        return
    district = await _staff_district(uow, actor, " ".join(words[:-1]), int(words[-1]))
    if district is None:
        await message.answer(t("canvass-unknown-district"))
        return
    await state.set_state(CanvassForm.upload)
    await state.update_data(import_district=district.id)
    await message.answer(t("canvass-upload-prompt"))


async def _staff_district(uow: UnitOfWork, actor: Actor, formation_name: str, number: int) -> Any:
    election = await uow.geography.current_election()
    formation = (
        await uow.geography.formation_by_name(election.id, formation_name) if election else None
    )
    if formation is None:
        return None
    scope = directory.scope_of(actor)
    if not scope.everyone and formation.id not in (scope.formations or frozenset()):
        return None  # out of scope looks like unknown
    return next((d for d in formation.districts if d.number == number), None)


async def _may_import(uow: UnitOfWork, actor: Actor, district_id: int) -> bool:
    campaign = await _campaign(uow, actor)
    if campaign is not None and campaign.is_candidate and campaign.district_id == district_id:
        return True
    if not actor.is_staff:
        return False
    scope = directory.scope_of(actor)
    district = await uow.geography.district(district_id)
    return district is not None and (
        scope.everyone or district.formation_id in (scope.formations or frozenset())
    )


@router.message(CanvassForm.upload, F.document)
async def on_upload(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
    bot: Bot,
) -> None:
    document = message.document
    district_id = (await state.get_data()).get("import_district")
    if (
        document is None
        or not isinstance(district_id, int)
        or not await _may_import(uow, actor, district_id)
    ):
        await state.set_state(None)
        await message.answer(t("canvass-gone"))
        return
    name = (document.file_name or "").lower()
    if not name.endswith((".csv", ".txt")):
        await message.answer(t("canvass-upload-not-csv"))
        return
    if (document.file_size or 0) > MAX_UPLOAD:
        await message.answer(t("canvass-upload-too-big", limit=MAX_UPLOAD // 1024 // 1024))
        return
    buffer = await bot.download(document.file_id)
    raw = buffer.read() if buffer else b""
    try:
        rows = await asyncio.to_thread(_parse_upload, raw)
        district = await uow.geography.district(district_id)
        assert district is not None
        summary = await addresses.import_addresses(uow, district, rows)
    except InputError as error:
        await _error(message, t, error)
        return
    await uow.audit.record(
        actor.user_id, "addresses_imported", "district", district_id, rows=summary.rows
    )
    await state.set_state(None)
    await message.answer(import_summary_text(t, summary))


def _parse_upload(raw: bytes) -> list[addresses.AddressRow]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1251", errors="replace")  # Excel on Windows saves CSV so
    return addresses.parse_addresses_csv(text)


def import_summary_text(t: Translator, summary: addresses.ImportSummary) -> str:
    text = t(
        "canvass-import-summary",
        rows=summary.rows,
        added=summary.added,
        updated=summary.updated,
        review=summary.needs_review,
        other=summary.other_district,
    )
    if summary.review_lines:
        text += "\n" + t(
            "canvass-import-review-lines", lines=", ".join(map(str, summary.review_lines[:30]))
        )
    return text


@router.message(CanvassForm.upload)
async def on_upload_other(message: Message, t: Translator) -> None:
    if message.text and message.text.startswith("/"):
        return
    await message.answer(t("canvass-upload-prompt"))


# --- coordinators: quality flags --------------------------------------------------------------


@router.message(Command("canvass_flags"))
async def on_canvass_flags(message: Message, uow: UnitOfWork, t: Translator, actor: Actor) -> None:
    if not actor.is_staff:
        await message.answer(t("canvass-staff-only"))
        return
    scope = directory.scope_of(actor)
    counts = await service.flagged_by_candidate(uow, None)
    lines = []
    for candidate_id, count in sorted(counts.items(), key=lambda item: -item[1]):
        candidate = await uow.quest.candidate(candidate_id)
        if candidate is None or not await directory.in_scope(uow, scope, candidate):
            continue
        lines.append(
            t("canvass-staff-flag-line", name=candidate.full_name or candidate.id, count=count)
        )
    if not lines:
        await message.answer(t("canvass-flags-empty"))
        return
    await message.answer(Markup(_fit(t("canvass-staff-flags") + "\n" + "\n".join(lines))))
