"""Protection dialogs: the staff PIN (/pin), the PIN gate's answer, /audit, /pin_reset and
the emergency wipe (/wipe, /wipe_confirm, /wipe_cancel).

Every message that carries a PIN is deleted from the chat as soon as it is read, so it does
not stay in the history of a phone that may be seized.
"""

from __future__ import annotations

import contextlib
import html
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message, TelegramObject

from bot.config import Settings
from bot.db.uow import UnitOfWork
from bot.handlers.pin_gate import GATED, PinGate, register, require_pin, take_pending
from bot.i18n import Translator
from bot.services import audit_chain, audit_view, pin, wipe
from bot.services.errors import InputError
from bot.services.keyring import Keyring
from bot.services.pin import PinState, Verdict
from bot.services.roles import Actor
from bot.telegram.filters import IsAdmin

router = Router(name="protection")
NOT_COMMAND = ~F.text.startswith("/")


class PinSetup(StatesGroup):
    current = State()
    new = State()
    repeat = State()


async def _delete(message: Message) -> None:
    # Too old or already gone: nothing more can be done about it.
    with contextlib.suppress(TelegramAPIError):
        await message.delete()


async def _refused(message: Message, t: Translator, verdict: Verdict, settings: Settings) -> None:
    if verdict.state is PinState.WRONG:
        await message.answer(t("pin-wrong", left=verdict.attempts_left))
    elif verdict.state is PinState.LOCKED:
        assert verdict.locked_until is not None
        until = verdict.locked_until.astimezone(settings.tz).strftime("%H:%M")
        await message.answer(t("pin-locked", until=until))
    else:
        await message.answer(t("pin-not-set"))


# ---------------------------------------------------------------- /pin


class MayHavePin(Filter):
    """Staff, and registered candidates: their canvass export holds residents' phones, so a
    stolen candidate's session must not take it either."""

    async def __call__(self, event: TelegramObject, actor: Actor | None = None) -> bool:
        return actor is not None and (actor.is_staff or actor.is_registered_candidate)


@router.message(Command("pin"), MayHavePin())
async def on_pin(message: Message, state: FSMContext, uow: UnitOfWork, t: Translator) -> None:
    assert message.from_user is not None
    if await pin.has_pin(uow, message.from_user.id):
        await state.set_state(PinSetup.current)
        await message.answer(t("pin-ask-current"))
    else:
        await state.set_state(PinSetup.new)
        await message.answer(t("pin-ask-new"))


@router.message(PinSetup.current, F.text, NOT_COMMAND)
async def on_pin_current(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
    settings: Settings,
) -> None:
    await _delete(message)
    if not pin.looks_like_pin(message.text or ""):
        await message.answer(t("pin-format"))
        return
    verdict = await pin.verify(uow, actor.user_id, message.text or "")
    if verdict.ok:
        await state.set_state(PinSetup.new)
        await message.answer(t("pin-ask-new"))
        return
    if verdict.state is not PinState.WRONG:
        await state.set_state(None)
    await _refused(message, t, verdict, settings)


@router.message(PinSetup.new, F.text, NOT_COMMAND)
async def on_pin_new(message: Message, state: FSMContext, t: Translator) -> None:
    await _delete(message)
    try:
        chosen = pin.check_new(message.text or "")
    except InputError as error:
        await message.answer(t(error.code))
        return
    # Kept until the repeat as a hash, never as the PIN itself.
    await state.update_data(pin_draft=await pin.draft(chosen))
    await state.set_state(PinSetup.repeat)
    await message.answer(t("pin-ask-repeat"))


@router.message(PinSetup.repeat, F.text, NOT_COMMAND)
async def on_pin_repeat(
    message: Message, state: FSMContext, uow: UnitOfWork, t: Translator, actor: Actor
) -> None:
    await _delete(message)
    draft = str((await state.get_data()).get("pin_draft") or "")
    await state.update_data(pin_draft=None)
    if not await pin.matches_draft(draft, message.text or ""):
        await state.set_state(PinSetup.new)
        await message.answer(t("pin-mismatch"))
        return
    await state.set_state(None)
    await pin.set_hash(uow, actor.user_id, draft)
    await message.answer(t("pin-saved"))


# ---------------------------------------------------------------- the gate


@router.message(PinGate.waiting, F.text, NOT_COMMAND)
async def on_gate_pin(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
    settings: Settings,
    **data: Any,
) -> None:
    await _delete(message)
    if not pin.looks_like_pin(message.text or ""):
        await message.answer(t("pin-format"))  # a slip, not a guess: not counted
        return
    verdict = await pin.verify(uow, actor.user_id, message.text or "")
    if verdict.state is PinState.WRONG:
        await _refused(message, t, verdict, settings)
        return  # still waiting: the next try may be right
    pending = await take_pending(state)
    if not verdict.ok:
        await _refused(message, t, verdict, settings)
        return
    gated = GATED.get(pending[0]) if pending else None
    if pending is None or gated is None or not gated.allowed(actor):
        await message.answer(t("pin-nothing-pending"))
        return
    context = {**data, "state": state, "uow": uow, "t": t, "actor": actor, "settings": settings}
    await gated.run(message, pending[1], context)


# ---------------------------------------------------------------- admins


@router.message(Command("audit"), IsAdmin())
async def on_audit(
    message: Message,
    command: CommandObject,
    uow: UnitOfWork,
    t: Translator,
    actor: Actor,
    keyring: Keyring,
    settings: Settings,
) -> None:
    arg = (command.args or "").strip()
    if arg and not arg.isdigit():
        await message.answer(t("audit-usage"))
        return
    actor_filter = int(arg) if arg else None
    if keyring.audit_key is None:
        await message.answer(t("audit-no-key"))
        return
    await uow.audit.record(actor.user_id, "audit_viewed", None, None, actor_filter=actor_filter)
    await audit_chain.seal(uow, keyring.audit_key)
    report = await audit_chain.verify(uow, keyring.audit_key)
    entries = await audit_view.recent(uow, actor_filter)
    if report.ok:
        verdict = t("audit-chain-ok", sealed=report.sealed, erased=report.erased)
    else:
        problems = ", ".join(f"#{entry or seq} {what}" for seq, entry, what in report.problems)
        verdict = t("audit-chain-broken", count=len(report.problems), problems=problems[:600])
    footer = [verdict, t("audit-head", head=report.head[:16])]
    lines = [html.escape(audit_view.line(entry, settings.tz)) for entry in entries]

    def text() -> str:
        return "\n".join([t("audit-title", count=len(lines)), *lines, *footer])

    # One message: the newest entries that fit in Telegram's 4,096 characters.
    while lines and len(text()) > 4000:
        lines.pop()
    await message.answer(text())


@router.message(Command("pin_reset"), IsAdmin())
async def on_pin_reset(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
) -> None:
    arg = (command.args or "").strip()
    if not arg.isdigit():
        await message.answer(t("pin-reset-usage"))
        return
    await require_pin(message, state, uow, t, "pin_reset", arg)


async def _run_pin_reset(message: Message, args: str, data: dict[str, Any]) -> None:
    t: Translator = data["t"]
    done = await pin.reset(data["uow"], data["actor"].user_id, int(args))
    await message.answer(t("pin-reset-done" if done else "pin-reset-none", user_id=args))


@router.message(Command("wipe"), IsAdmin())
async def on_wipe(message: Message, state: FSMContext, uow: UnitOfWork, t: Translator) -> None:
    await message.answer(t("wipe-warning"))
    await require_pin(message, state, uow, t, "wipe")


async def _run_wipe_request(message: Message, args: str, data: dict[str, Any]) -> None:
    t: Translator = data["t"]
    uow: UnitOfWork = data["uow"]
    actor: Actor = data["actor"]
    settings: Settings = data["settings"]
    bot: Bot = data["bot"]
    try:
        await wipe.request(uow, actor.user_id)
    except InputError as error:
        await message.answer(t(error.code))
        return
    await message.answer(
        t("wipe-requested", minutes=int(wipe.CONFIRM_WITHIN.total_seconds() // 60))
    )
    for admin_id in sorted(settings.admin_ids - {actor.user_id}):
        # An admin who never opened the bot cannot be told; the others still are.
        with contextlib.suppress(TelegramAPIError):
            await bot.send_message(admin_id, t("wipe-asks-you", admin_id=str(actor.user_id)))


@router.message(Command("wipe_confirm"), IsAdmin())
async def on_wipe_confirm(
    message: Message, state: FSMContext, uow: UnitOfWork, t: Translator
) -> None:
    await message.answer(t("wipe-warning"))
    await require_pin(message, state, uow, t, "wipe_confirm")


async def _run_wipe_confirm(message: Message, args: str, data: dict[str, Any]) -> None:
    t: Translator = data["t"]
    settings: Settings = data["settings"]
    keyring: Keyring = data["keyring"]
    key_file = settings.data_dir / "data.key"
    try:
        result = await wipe.confirm(data["uow"], keyring, data["actor"].user_id, key_file)
    except InputError as error:
        await message.answer(t(error.code))
        return
    settings.data_key = None
    await message.answer(
        t("wipe-done", keys=result.keys_destroyed)
        + "\n"
        + t("wipe-file-destroyed" if result.key_file_destroyed else "wipe-env-key")
    )


@router.message(Command("wipe_cancel"), IsAdmin())
async def on_wipe_cancel(message: Message, uow: UnitOfWork, t: Translator, actor: Actor) -> None:
    cancelled = await wipe.cancel(uow, actor.user_id)
    await message.answer(t("wipe-cancelled" if cancelled else "wipe-nothing-pending"))


def _is_admin(actor: Actor) -> bool:
    return actor.is_admin


register("pin_reset", _run_pin_reset, _is_admin)
register("wipe", _run_wipe_request, _is_admin)
register("wipe_confirm", _run_wipe_confirm, _is_admin)
