"""Screens more than one dialog shows: the consent request, the main menu, the card."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from bot.i18n import Markup, Translator
from bot.services.registration import RegistrationCard
from bot.services.roles import Actor
from bot.telegram import keyboards


def callback_message(callback: CallbackQuery) -> Message:
    """The message a button hangs under. Our buttons are only on messages the bot can still
    reach (taps on inaccessible ones are answered by a middleware before any handler)."""
    assert isinstance(callback.message, Message)
    return callback.message


async def send_consent(message: Message, t: Translator) -> None:
    await message.answer(t("consent-request"), reply_markup=keyboards.consent(t))


async def send_menu(message: Message, t: Translator, actor: Actor | None) -> None:
    if actor is None or not actor.consented:
        await send_consent(message, t)
        return
    lines = [t("menu-title")]
    if actor.is_registered_candidate:
        lines.append(t("menu-candidate"))
    else:
        lines.append(t("menu-not-registered"))
    if actor.is_staff:
        lines.append(t("menu-staff"))
    await message.answer(
        "\n\n".join(lines),
        reply_markup=keyboards.menu(
            t,
            registered=actor.is_registered_candidate or actor.is_staff,
            candidate=actor.is_registered_candidate,
        ),
    )


def render_card(t: Translator, card: RegistrationCard) -> str:
    missing = t("card-missing")
    district = missing
    if card.formation:
        district = t(
            "card-district-value",
            formation=card.formation,
            admin_district=card.admin_district,
            number=card.district_number or 0,
            seats=card.seats or 0,
        )
    email = card.email or (t("card-email-skipped") if card.email_answered else missing)
    return t(
        "card",
        full_name=card.full_name or missing,
        phone=card.phone or missing,
        email=email,
        organisation=card.organisation or missing,
        district=Markup(district),
    )
