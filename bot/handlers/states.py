"""Dialog states, shared by the handlers that move between them."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class Registration(StatesGroup):
    full_name = State()
    phone = State()
    email = State()
    organisation = State()
    formation = State()
    district = State()
    summary = State()


class Screen(StatesGroup):
    """No dialog: the person looks at a screen answered with its buttons (a menu, a card, a
    question with choices). It counts as idle wherever idle matters (canvass notes typed at
    any moment, /cancel); text typed here is told to use the buttons instead of "not
    understood" (the fallback router)."""

    buttons = State()


IDLE_STATES = (None, Screen.buttons.state)


def is_idle(state: str | None) -> bool:
    return state in IDLE_STATES
