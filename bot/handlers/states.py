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
