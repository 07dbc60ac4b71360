"""Synchronous filters run in the event loop, not in a worker thread (bot.telegram.routing)."""

from __future__ import annotations

import threading

from aiogram import F, Router
from aiogram.dispatcher.event.telegram import TelegramEventObserver

from bot.handlers import build_router
from bot.telegram.routing import inline_sync_filters


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
