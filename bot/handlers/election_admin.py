"""Admin commands for the current election: /election shows it, /election_set edits one date or
number. Guarded by IsAdmin like bot.handlers.admin: anyone else gets the unknown-command answer.
The rules (what a key may hold, the calendar's order, the signature rule) live in
bot.services.election; this module only reads commands and formats the answer."""

from __future__ import annotations

from datetime import date

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.db.uow import UnitOfWork
from bot.i18n import Translator
from bot.services import election as elections
from bot.services.election import ElectionView
from bot.services.errors import InputError
from bot.services.roles import Actor
from bot.telegram.filters import IsAdmin

router = Router(name="election_admin")
router.message.filter(IsAdmin())
router.callback_query.filter(IsAdmin())


def _value(t: Translator, value: date | int | float | None) -> str | int | float:
    """Dates as people type them back into /election_set; numbers go to Fluent, which groups
    digits and picks the decimal separator for the language."""
    if value is None:
        return t("election-value-unset")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return value


def _card(t: Translator, view: ElectionView) -> str:
    lines = [
        t("election-card-title", name=view.name, code=view.code),
        t("election-card-day", day=_value(t, view.election_day)),
    ]
    if view.note:
        lines.append(t("election-card-note", note=view.note))
    lines += ["", t("election-card-calendar")]
    for event in view.calendar:
        label_id = event.label_id
        lines.append(
            t("election-card-line", label=t(label_id), key=event.key, value=_value(t, event.day))
        )
    lines += [
        "",
        t(
            "election-card-districts",
            formations=view.formations,
            districts=view.districts,
            seats=view.seats,
        ),
        "",
        t("election-card-config"),
    ]
    for item in view.config:
        label_id = item.label_id
        value = _value(t, item.value)
        key = "election-card-line-default" if item.is_default else "election-card-line"
        lines.append(t(key, label=t(label_id), key=item.key, value=value))
    if view.samples:
        lines += ["", t("election-card-samples")]
    for sample in view.samples:
        if sample.voters is None:
            lines.append(
                t(
                    "election-card-sample-unknown",
                    formation=sample.formation,
                    number=sample.number,
                    seats=sample.seats,
                )
            )
            continue
        lines.append(
            t(
                "election-card-sample",
                formation=sample.formation,
                number=sample.number,
                seats=sample.seats,
                voters=sample.voters,
                required=sample.required or 0,
                maximum=sample.maximum or 0,
            )
        )
    lines += ["", t("election-card-hint")]
    return "\n".join(lines)


@router.message(Command("election"))
async def on_election(message: Message, uow: UnitOfWork, t: Translator) -> None:
    view = await elections.current_view(uow)
    if view is None:
        await message.answer(t("error-election-none"))
        return
    await message.answer(_card(t, view))


@router.message(Command("election_set"))
async def on_election_set(
    message: Message, command: CommandObject, uow: UnitOfWork, t: Translator, actor: Actor
) -> None:
    """/election_set <key> <value>; the value "-" clears it."""
    words = (command.args or "").split(maxsplit=1)
    if len(words) != 2:
        await message.answer(t("election-set-usage", keys=", ".join(elections.SETTABLE_KEYS)))
        return
    key, raw_value = words
    try:
        result = await elections.set_value(uow, actor.user_id, key, raw_value)
    except InputError as error:
        await message.answer(t(error.code, **error.params))
        return
    label_id = result.label_id
    await message.answer(
        t(
            "election-set-done",
            label=t(label_id),
            key=result.key,
            old=_value(t, result.old),
            new=_value(t, result.new),
        )
    )
