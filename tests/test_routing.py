"""Synchronous filters run in the event loop, not in a worker thread, and routers that cannot
match an update are turned away by one gate (bot.telegram.routing)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import F, Router
from aiogram.dispatcher.event.telegram import TelegramEventObserver
from aiogram.filters import Command, StateFilter, or_f
from aiogram.types import CallbackQuery, Chat, Message
from aiogram.types import User as TgUser

from bot.handlers import build_router
from bot.handlers.states import Registration
from bot.services.roles import Actor
from bot.telegram.callbacks import ConsentCb, LanguageCb, OrganisationCb
from bot.telegram.filters import NotConsented
from bot.telegram.routing import Gate, GatedRoot, gate_observers, inline_sync_filters


def _sync_filters(root: Router) -> int:
    return sum(
        1
        for router in root.chain_tail
        for observer in router.observers.values()
        if isinstance(observer, TelegramEventObserver)
        for handler in (observer._handler, *observer.handlers)
        for filter_ in handler.filters or ()
        if not filter_.awaitable
    )


def test_every_filter_of_the_bot_runs_in_the_loop() -> None:
    # The routers are module-level: an app built by an earlier test may have inlined them.
    root = build_router()
    inline_sync_filters(root)
    assert _sync_filters(root) == 0
    assert inline_sync_filters(root) == 0  # once is enough: nothing is wrapped twice


async def test_an_inlined_filter_gives_the_same_answer_in_the_loop_thread() -> None:
    threads: list[int] = []

    def lowercase(text: str) -> bool:
        threads.append(threading.get_ident())
        return text.islower()

    router = Router()
    router.message.filter(F.text)
    router.message(lowercase)(lambda: None)
    assert inline_sync_filters(router) == 2
    (handler,) = router.message.handlers
    (filter_,) = handler.filters or ()
    assert await filter_.call("abc", unused="dropped") is True
    assert await filter_.call("ABC") is False
    assert threads == [threading.get_ident()] * 2


def _gate_of(router: Router, observer: str) -> Gate | None:
    for filter_ in getattr(router, observer)._handler.filters or ():
        target = getattr(filter_.callback, "__self__", None)
        if isinstance(target, Gate):
            return target
    return None


def _router(root: Router, name: str) -> Router:
    return next(router for router in root.chain_tail if router.name == name)


def test_routers_that_cannot_match_are_turned_away_by_one_gate() -> None:
    root = build_router()
    gate_observers(root)
    assert gate_observers(root) == 0  # idempotent: a second dispatcher adds no second gate
    registration = _gate_of(_router(root, "registration"), "callback_query")
    fund = _gate_of(_router(root, "fund"), "message")
    assert registration is not None and fund is not None
    # Its buttons after consent are tied to their step's state, the consent to its prefix.
    assert (":", "consent") in registration.callback_prefixes
    assert Registration.organisation.state in registration.states
    assert fund.command_prefixes == {"/"}
    # The fallback answers everything: it has no gate and must keep none.
    assert _gate_of(_router(root, "fallback"), "message") is None
    assert _gate_of(_router(root, "fallback"), "callback_query") is None


async def test_a_gate_admits_exactly_what_its_handlers_could_match() -> None:
    router = Router()
    router.message(Command("help"))(lambda: None)
    router.message(Registration.phone, F.contact)(lambda: None)
    router.message(NotConsented(), ~F.text.startswith("/"))(lambda: None)
    router.callback_query(OrganisationCb.filter())(lambda: None)
    assert gate_observers(router) == 2
    message_gate, callback_gate = _gate_of(router, "message"), _gate_of(router, "callback_query")
    assert message_gate is not None and callback_gate is not None
    consented = Actor(1, "ru", frozenset(), consented=True)
    stranger = Actor(1, "ru", frozenset())
    text = _message("hello")
    assert await message_gate(_message("/anything"), None, consented)  # a command: maybe
    assert await message_gate(text, Registration.phone.state, consented)  # its state
    assert await message_gate(text, None, stranger)  # not consented yet
    assert not await message_gate(text, Registration.email.state, consented)
    assert not await message_gate(text, None, consented)
    assert await callback_gate(_callback("org:3"))
    assert not await callback_gate(_callback("orgx:3"))
    assert not await callback_gate(_callback("fund:3"))


def test_a_router_with_an_unkeyed_handler_gets_no_gate() -> None:
    router = Router()
    router.message(Command("help"))(lambda: None)
    router.message(F.text == "Меню")(lambda: None)  # a reply-keyboard button: any state
    router.message(StateFilter("*"), F.photo)(lambda: None)
    assert gate_observers(router) == 0


def _message(text: str) -> Message:
    return Message(
        message_id=1,
        date=datetime.now(UTC),
        chat=Chat(id=1, type="private"),
        from_user=TgUser(id=1, is_bot=False, first_name="x"),
        text=text,
    )


def _callback(data: str) -> CallbackQuery:
    return CallbackQuery(
        id="1", from_user=TgUser(id=1, is_bot=False, first_name="x"), chat_instance="1", data=data
    )


async def test_a_gate_lets_through_what_its_sub_routers_handle() -> None:
    """aiogram skips the sub-routers of a router whose router-level filters fail."""
    parent, child = Router(), Router()
    parent.include_router(child)
    parent.callback_query(OrganisationCb.filter())(lambda: None)
    child.callback_query(LanguageCb.filter())(lambda: None)
    gate_observers(parent)
    gate = _gate_of(parent, "callback_query")
    assert gate is not None
    assert await gate(_callback("lang:en"))


async def test_either_of_two_button_kinds_is_keyed_by_both_prefixes() -> None:
    router = Router()
    router.callback_query(or_f(OrganisationCb.filter(), LanguageCb.filter()))(lambda: None)
    router.callback_query(StateFilter("*"), ConsentCb.filter())(lambda: None)
    assert gate_observers(router) == 1
    gate = _gate_of(router, "callback_query")
    assert gate is not None
    assert await gate(_callback("org:1")) and await gate(_callback("lang:en"))
    assert await gate(_callback("consent:1"))
    assert not await gate(_callback("q:1"))


async def test_the_root_enters_only_the_routers_whose_gate_admits_the_update() -> None:
    entered: list[str] = []

    class Counting(Router):
        async def propagate_event(self, update_type: str, event: Any, **kwargs: Any) -> Any:
            entered.append(self.name)
            return await super().propagate_event(update_type, event, **kwargs)

    root = GatedRoot(name="root")
    email, phone = Counting(name="email"), Counting(name="phone")
    anything = Counting(name="any")
    email.message(Registration.email)(lambda _message: "email")
    phone.message(Registration.phone)(lambda _message: "phone")
    anything.message()(lambda _message: "fallback")
    for router in (email, phone, anything):
        root.include_router(router)
    gate_observers(root)
    consented = Actor(1, "ru", frozenset(), consented=True)

    async def route(state: str | None) -> object:
        entered.clear()
        return await root.propagate_event(
            "message", _message("text"), raw_state=state, actor=consented
        )

    assert await route(Registration.email.state) == "email" and entered == ["email"]
    assert await route(Registration.phone.state) == "phone"
    assert entered == ["phone"]  # the e-mail router was not entered at all
    assert await route(None) == "fallback" and entered == ["any"]  # ungated: entered


def test_the_root_refuses_a_router_with_outer_middlewares() -> None:
    router = Router(name="watched")
    router.message.outer_middleware(lambda handler, event, data: handler(event, data))
    with pytest.raises(ValueError, match="outer middlewares"):
        GatedRoot().include_router(router)
