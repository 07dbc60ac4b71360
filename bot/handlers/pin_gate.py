"""The PIN gate in front of dangerous actions (exports, role grants, the wipe).

A gated command checks its arguments, then calls `require_pin`: the action and its arguments
wait in the dialog state until the staff member sends their PIN (deleted from the chat at
once). Only then does the action run, and its permission is checked again at that moment.
Another feature gates its own action with one `register(...)` call.

A gated bulk view (a list paged by buttons) stays open for VIEW_MINUTES after the PIN
(`open_view`); its buttons check `view_open`, so a forged or old page button does not
bypass the PIN.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from bot.db.uow import UnitOfWork
from bot.i18n import Translator
from bot.services import pin
from bot.services.clock import utcnow
from bot.services.roles import Actor

GATE_MINUTES = 5  # a PIN typed later than this does not run a forgotten action
VIEW_MINUTES = 15  # a list opened with the PIN pages without asking again this long

Run = Callable[[Message, str, dict[str, Any]], Awaitable[None]]


class PinGate(StatesGroup):
    waiting = State()


@dataclass(frozen=True)
class Gated:
    allowed: Callable[[Actor], bool]
    run: Run


GATED: dict[str, Gated] = {}


def register(action: str, run: Run, allowed: Callable[[Actor], bool]) -> None:
    GATED[action] = Gated(allowed, run)


async def require_pin(
    message: Message,
    state: FSMContext,
    uow: UnitOfWork,
    t: Translator,
    action: str,
    args: str = "",
    user_id: int | None = None,
) -> None:
    """Ask for the PIN before `action` runs with `args`. From a button, `message` is the
    bot's own message: pass the presser's `user_id`."""
    if user_id is None:
        assert message.from_user is not None
        user_id = message.from_user.id
    if not await pin.has_pin(uow, user_id):
        await message.answer(t("pin-not-set"))
        return
    await state.set_state(PinGate.waiting)
    await state.update_data(
        gate_action=action, gate_args=args, gate_at=utcnow().isoformat(timespec="seconds")
    )
    await message.answer(t("pin-ask"))


async def take_pending(state: FSMContext) -> tuple[str, str] | None:
    """The action waiting for this PIN, cleared from the state; None if none or stale."""
    data = await state.get_data()
    await state.set_state(None)
    action = data.get("gate_action")
    at = data.get("gate_at")
    await state.update_data(gate_action=None, gate_args=None, gate_at=None)
    if not isinstance(action, str) or not isinstance(at, str):
        return None
    if utcnow() - datetime.fromisoformat(at) > timedelta(minutes=GATE_MINUTES):
        return None
    return action, str(data.get("gate_args") or "")


async def open_view(state: FSMContext, view: str) -> None:
    await state.update_data({f"gate_view_{view}": utcnow().isoformat(timespec="seconds")})


async def view_open(state: FSMContext, view: str) -> bool:
    at = (await state.get_data()).get(f"gate_view_{view}")
    if not isinstance(at, str):
        return False
    return utcnow() - datetime.fromisoformat(at) <= timedelta(minutes=VIEW_MINUTES)
