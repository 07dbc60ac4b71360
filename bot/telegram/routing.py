"""Routing without thread hops.

aiogram runs every filter that is not a coroutine function (magic filters like `F.data == ...`,
`StateFilter` and plain functions alike) through `asyncio.to_thread`. A registration update
walks ~50 such filters before its handler is found: 50 round trips to a worker thread, each
costing a few tens of microseconds of CPU and a wake-up of the event loop. The filters are all
cheap, pure checks of the update, so they are run in the loop instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject
from aiogram.dispatcher.event.telegram import TelegramEventObserver


def _inline(callback: Callable[..., Any]) -> Callable[..., Any]:
    async def run(*args: Any, **kwargs: Any) -> Any:
        return callback(*args, **kwargs)

    return run


def _inline_filters(handler: HandlerObject) -> int:
    changed = 0
    for filter_ in handler.filters or ():
        if isinstance(filter_, FilterObject) and not filter_.awaitable:
            # `params`/`varkw` stay those of the original callback: it gets the same arguments.
            filter_.callback = _inline(filter_.callback)
            filter_.awaitable = True
            changed += 1
    return changed


def inline_sync_filters(root: Router) -> int:
    """Make every synchronous filter under `root` run in the event loop; returns how many.
    Call it once the routers are all included (handlers added later keep aiogram's way)."""
    changed = 0
    for router in root.chain_tail:
        for observer in router.observers.values():
            if not isinstance(observer, TelegramEventObserver):
                continue
            changed += _inline_filters(observer._handler)  # the router-level filters
            for handler in observer.handlers:
                changed += _inline_filters(handler)
    return changed
