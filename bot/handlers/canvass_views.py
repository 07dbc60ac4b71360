"""Pieces the canvass screens share: buttons, the button context, and the texts (the note
card, a building's history, the district summary, the GOTV list). No handlers here."""

from __future__ import annotations

import html
from typing import Any

from aiogram import Bot
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.db.uow import UnitOfWork
from bot.handlers.quest import QuestHolder
from bot.handlers.views import callback_message
from bot.i18n import Markup, Translator
from bot.services import canvass as service
from bot.services import canvass_addresses as addresses
from bot.services import canvass_report as report
from bot.services.canvass import Campaign, Draft
from bot.services.canvass_line import OUTCOMES, TOPICS
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.roles import Actor
from bot.telegram.request_guard import MESSAGE_LIMIT

TEXT_BUDGET = MESSAGE_LIMIT - 300


class CvCb(CallbackData, prefix="cv"):
    a: str  # action
    id: int = 0
    v: str = ""


def button(text: str, action: str, id: int = 0, v: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=CvCb(a=action, id=id, v=v).pack())


def keyboard(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def show_error(target: Message | CallbackQuery, t: Translator, error: InputError) -> None:
    text = t(error.code, **error.params)
    if isinstance(target, CallbackQuery):
        await target.answer(text, show_alert=True)
    else:
        await target.answer(text)


def outcome_name(t: Translator, outcome: str) -> str:
    return t(f"canvass-outcome-{outcome}")


def topic_name(t: Translator, topic: str) -> str:
    return t(f"canvass-topic-{topic}")


async def campaign_for(uow: UnitOfWork, actor: Actor) -> Campaign | None:
    if not actor.consented:
        return None
    return await service.campaign_of(uow, actor.user_id)


class ButtonContext:
    def __init__(
        self,
        callback: CallbackQuery,
        data: Any,
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
        return callback_message(self.callback)

    async def answer(self, text: str, alert: bool = False) -> None:
        await self.callback.answer(text, show_alert=alert)
        self.answered = True

    def candidate_only(self) -> None:
        if not self.campaign.is_candidate:
            raise InputError("canvass-candidate-only")


def summary_text(t: Translator, summary: report.Summary) -> Markup:
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
                    name=who(t, a.name),
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


def history_text(t: Translator, building: Any, past: list[service.PastVisit]) -> Markup:
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


def outcome_keyboard(t: Translator) -> InlineKeyboardMarkup:
    buttons = [button(outcome_name(t, o), "o", v=o) for o in OUTCOMES]
    return keyboard([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def draft_text(t: Translator, building: Any, draft: Draft) -> Markup:
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


def draft_keyboard(t: Translator, draft: Draft) -> InlineKeyboardMarkup:
    topics = [
        button(("✅ " if topic in draft.topics else "") + topic_name(t, topic), "t", v=topic)
        for topic in TOPICS
    ]
    rows = [topics[i : i + 2] for i in range(0, len(topics), 2)]
    rows.append(
        [button(t("canvass-button-contact"), "ct"), button(t("canvass-button-note"), "nt")]
    )
    follow = t(
        "canvass-button-follow-up-on" if draft.follow_up else "canvass-button-follow-up-off"
    )
    rows.append([button(follow, "fu")])
    rows.append([button(t("canvass-button-save"), "sv")])
    return keyboard(rows)


def gotv_text(t: Translator, groups: list[report.GotvGroup], days: int | None = None) -> Markup:
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
    return Markup(fit("\n".join(lines), t("canvass-gotv-more")))


def who(t: Translator, name: str) -> str:
    return t("canvass-you") if name == "★" else name


def fit(text: str, more: str = "…") -> str:
    if len(text) <= TEXT_BUDGET:
        return text
    cut = text[:TEXT_BUDGET].rsplit("\n", 1)[0]
    return cut + "\n" + more


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
