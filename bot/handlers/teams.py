"""/team: the candidates of one electoral district see each other and form a team.

A candidate joins (agreeing to be seen by the district's candidates: name and organisation),
may share their Telegram contact too, and sees the other members of their own district only.
The buttons carry nothing but the action: whose team it is always comes from the person
pressing, so a forged button can at most act on the presser's own membership."""

from __future__ import annotations

import html
import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.db.models import Candidate
from bot.db.uow import UnitOfWork
from bot.handlers.views import callback_message
from bot.i18n import Markup, Translator
from bot.services import names, teams
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.roles import Actor

log = logging.getLogger(__name__)
router = Router(name="teams")
ACTIONS = ("join", "join_contact", "contact_on", "contact_off", "leave")
SHOWN = 40  # members listed in one message; districts have a handful of seats


class TeamCb(CallbackData, prefix="team"):
    action: str


def _button(t: Translator, key: str, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=t(key), callback_data=TeamCb(action=action).pack())


def _mate_line(t: Translator, mate: teams.Teammate) -> str:
    name = html.escape(mate.name)
    organisation = html.escape(mate.organisation or "—")
    if mate.user_id is None:
        contact = t("team-contact-hidden")
    else:
        contact = f'<a href="tg://user?id={mate.user_id}">{t("team-contact-write")}</a>'
    return f"• <b>{name}</b> — {organisation} · {contact}"


def screen(t: Translator, team: teams.TeamView) -> tuple[str, InlineKeyboardMarkup]:
    district = t("team-district", formation=team.formation, number=team.number)
    if not team.joined:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [_button(t, "team-button-join", "join")],
                [_button(t, "team-button-join-contact", "join_contact")],
            ]
        )
        return t("team-intro", district=Markup(district)), markup
    lines = [t("team-head", district=Markup(district), count=len(team.mates))]
    if team.mates:
        lines += [_mate_line(t, mate) for mate in team.mates[:SHOWN]]
        if len(team.mates) > SHOWN:
            lines.append(t("stats-more", count=len(team.mates) - SHOWN))
    else:
        lines.append(t("team-alone"))
    lines += ["", t("team-you-contact" if team.share_contact else "team-you-visible")]
    contact = (
        _button(t, "team-button-contact-off", "contact_off")
        if team.share_contact
        else _button(t, "team-button-contact-on", "contact_on")
    )
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[contact], [_button(t, "team-button-leave", "leave")]]
    )
    return "\n".join(lines), markup


async def _own_candidate(uow: UnitOfWork, actor: Actor) -> Candidate | None:
    if not actor.is_registered_candidate:
        return None
    return await uow.candidates.by_user(actor.user_id)


@router.message(Command("team"))
async def on_team(
    message: Message, uow: UnitOfWork, cipher: FieldCipher, t: Translator, actor: Actor
) -> None:
    candidate = await _own_candidate(uow, actor)
    try:
        if candidate is None:
            raise InputError("team-register-first")
        team = await teams.view(uow, cipher, candidate, t.locale)
    except InputError as error:
        await message.answer(t(error.code))
        return
    text, markup = screen(t, team)
    await message.answer(text, reply_markup=markup)


@router.callback_query(TeamCb.filter())
async def on_team_button(
    callback: CallbackQuery,
    callback_data: TeamCb,
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    if callback_data.action not in ACTIONS:
        await callback.answer(t("stale-button"), show_alert=True)
        return
    candidate = await _own_candidate(uow, actor)
    try:
        if candidate is None:
            raise InputError("team-register-first")
        joined_now = False
        action = callback_data.action
        if action in ("join", "join_contact"):
            joined_now = await teams.join(uow, candidate, action == "join_contact")
        elif action in ("contact_on", "contact_off"):
            await teams.set_contact(uow, candidate, action == "contact_on")
        elif action == "leave":
            await teams.leave(uow, candidate)
        team = await teams.view(uow, cipher, candidate, t.locale)
    except InputError as error:
        await callback.answer(t(error.code), show_alert=True)
        return
    await callback.answer(t("team-left") if callback_data.action == "leave" else None)
    text, markup = screen(t, team)
    try:
        await callback_message(callback).edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:  # the same button twice: nothing changed
        if "message is not modified" not in error.message:
            raise
    if joined_now:
        await _tell_the_team(bot, uow, cipher, t, candidate, settings)


async def _tell_the_team(
    bot: Bot,
    uow: UnitOfWork,
    cipher: FieldCipher,
    t: Translator,
    candidate: Candidate,
    settings: Settings,
) -> None:
    """The other members hear that someone joined (the newcomer agreed to be seen)."""
    organisation = (
        await uow.geography.organisation(candidate.organisation_id)
        if candidate.organisation_id
        else None
    )
    name = await names.full_name(uow, cipher, candidate)
    for user_id in await teams.members_to_tell(uow, candidate):
        user = await uow.users.get(user_id)
        locale = user.locale if user else settings.default_locale
        their_t = t.catalog.translator(locale)
        text = their_t(
            "team-joined-notice",
            name=name or "—",
            organisation=organisation.display_name(locale) if organisation else "—",
        )
        try:
            await bot.send_message(user_id, text)
        except TelegramAPIError as error:  # blocked the bot: the team is there all the same
            log.info("could not tell %s about a new team member: %s", user_id, error)
