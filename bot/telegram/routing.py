"""Routing without thread hops, and without asking routers that cannot match.

1. aiogram runs every filter that is not a coroutine function (magic filters like
   `F.data == ...`, `StateFilter` and plain functions alike) through `asyncio.to_thread`. A
   registration update walked ~50 such filters before its handler was found: 50 round trips
   to a worker thread. The filters are all cheap, pure checks of the update, so
   `inline_sync_filters` runs them in the loop instead.
2. aiogram asks each router's handlers in turn until one matches: a registration step was
   checked against 89 handlers of 23 routers. Nearly every handler is keyed by a command, a
   dialog state, a callback-data prefix or "has not consented yet", any of which is a
   necessary condition for it to match. `gate_observers` gives each router whose handlers are
   all keyed that way one router-level filter, the union of those conditions, so an update
   for another feature is turned away by one check instead of one per handler.
3. Even turned away at its gate, each router costs its entry: five coroutine frames and
   copies of the update's data (registration, next to last, was entered after 23 others).
   `GatedRoot` asks the gate of each of its routers itself and enters only those it admits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from inspect import isclass
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject
from aiogram.dispatcher.event.telegram import TelegramEventObserver
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.filters.logic import _AndFilter, _OrFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.services.roles import Actor
from bot.telegram.filters import NotConsented


def _inline(callback: Callable[..., Any]) -> Callable[..., Any]:
    async def run(*args: Any, **kwargs: Any) -> Any:
        return callback(*args, **kwargs)

    run.__wrapped__ = callback  # type: ignore[attr-defined]  # what gate_observers reads
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


# --------------------------------------------------------------------------- router gates


class _Unkeyed(Exception):
    """A handler (or a state in it) that no cheap necessary condition describes."""


@dataclass
class Gate:
    """The union of the necessary conditions of an observer's handlers."""

    command_prefixes: set[str] = field(default_factory=set)
    states: set[str | None] = field(default_factory=set)
    callback_prefixes: set[tuple[str, str]] = field(default_factory=set)  # (separator, prefix)
    not_consented: bool = False

    async def __call__(
        self, event: TelegramObject, raw_state: str | None = None, actor: Actor | None = None
    ) -> bool:
        return self.admits(event, raw_state, actor)

    def admits(self, event: TelegramObject, raw_state: str | None, actor: Actor | None) -> bool:
        if raw_state in self.states:
            return True
        if self.not_consented and (actor is None or not actor.consented):
            return True
        if self.command_prefixes and isinstance(event, Message):
            text = event.text or event.caption  # as aiogram's Command reads it
            if text and text[0] in self.command_prefixes:
                return True
        if self.callback_prefixes and isinstance(event, CallbackQuery) and event.data:
            for separator, prefix in self.callback_prefixes:
                if event.data.split(separator, 1)[0] == prefix:
                    return True
        return False

    def add(self, handler: HandlerObject) -> None:
        """Adds the handler's first keyed filter: the handler matches only if it holds."""
        if not any(self._key(filter_) for filter_ in handler.filters or ()):
            raise _Unkeyed

    def _key(self, filter_: FilterObject) -> bool:
        """Adds the filter's condition if it is a keyed one; False if it is not. (An
        unkeyed `or_f` may leave some alternatives added: a wider gate is still correct.)"""
        target = _original(filter_)
        if isinstance(target, Command):
            self.command_prefixes.update(target.prefix)
        elif isinstance(target, CallbackQueryFilter):
            data = target.callback_data
            self.callback_prefixes.add((data.__separator__, data.__prefix__))
        elif isinstance(target, NotConsented):
            self.not_consented = True
        elif isinstance(target, (State, StateFilter)) or _is_group(target):
            try:
                names = _state_names(target)
            except _Unkeyed:  # any state: another of the handler's filters may key it
                return False
            self.states.update(names)
        elif isinstance(target, _OrFilter):  # every alternative must be keyed
            return all([self._key(each) for each in target.targets])
        elif isinstance(target, _AndFilter):  # one keyed part is enough
            return any(self._key(each) for each in target.targets)
        else:
            return False
        return True


def _original(filter_: FilterObject) -> Any:
    callback = filter_.callback
    callback = getattr(callback, "__wrapped__", callback)  # inlined by inline_sync_filters
    return getattr(callback, "__self__", callback)  # a Filter's bound __call__


def _is_group(target: Any) -> bool:
    return isinstance(target, StatesGroup) or (isclass(target) and issubclass(target, StatesGroup))


def _state_names(target: Any) -> set[str | None]:
    allowed = target.states if isinstance(target, StateFilter) else (target,)
    names: set[str | None] = set()
    for state in allowed:
        if _is_group(state):
            group = state if isclass(state) else type(state)
            names.update(group.__all_states_names__)
            continue
        if isinstance(state, State):
            state = state.state
        if state == "*" or not (state is None or isinstance(state, str)):
            raise _Unkeyed  # any state at all, or a kind of state this does not know
        names.add(state)
    return names


def gate_observers(root: Router) -> int:
    """Give every message and callback observer under `root` whose handlers are all keyed a
    router-level Gate; returns how many got one. aiogram skips a router's sub-routers too when
    its router-level filters fail, so a gate covers the handlers of the whole subtree.
    Idempotent (the routers are module-level; a process may build several dispatchers)."""
    gated = 0
    for router in root.chain_tail:
        for kind in ("message", "callback_query"):
            observer = router.observers[kind]
            present = observer._handler.filters or []
            if not observer.handlers or any(isinstance(_original(f), Gate) for f in present):
                continue
            gate = Gate()
            try:
                for each in router.chain_tail:  # the router itself and its sub-routers
                    for handler in each.observers[kind].handlers:
                        gate.add(handler)
            except _Unkeyed:
                continue
            # First: it turns most updates away before any other router-level filter runs.
            observer.filter(gate.__call__)  # a coroutine function: run in the loop
            filters = observer._handler.filters
            assert filters is not None
            filters.insert(0, filters.pop())
            gated += 1
    return gated


def _gate_of(router: Router, update_type: str) -> Gate | None:
    observer = router.observers.get(update_type)
    filters = observer._handler.filters if observer is not None else None
    first = _original(filters[0]) if filters else None
    return first if isinstance(first, Gate) else None


class GatedRoot(Router):
    """The root of the feature routers: a router whose gate turns the update away is not
    entered at all. The same outcome as entering it (a failing router-level filter makes
    aiogram skip the router and its sub-routers), provided the routers have no outer
    middlewares of their own, which would run before the filter: `include_router` refuses
    such a router, and the root has no handlers of its own."""

    def __init__(self, *, name: str | None = None) -> None:
        super().__init__(name=name)
        # Per update type, the routers in order with their gates; fixed once the dispatcher
        # is built (include_router clears it).
        self._routes: dict[str, list[tuple[Router, Gate | None]]] = {}

    def include_router(self, router: Router) -> Router:
        for observer in router.observers.values():
            if observer.outer_middleware:
                raise ValueError(f"{router.name}: outer middlewares would be skipped")
        self._routes.clear()
        return super().include_router(router)

    async def _propagate_event(
        self,
        observer: TelegramEventObserver | None,
        update_type: str,
        event: TelegramObject,
        **kwargs: Any,
    ) -> Any:
        if observer is not None and (observer.handlers or observer._handler.filters):
            raise RuntimeError("GatedRoot routes only: no handlers or filters of its own")
        raw_state, actor = kwargs.get("raw_state"), kwargs.get("actor")
        routes = self._routes.get(update_type)
        if routes is None:
            routes = [(router, _gate_of(router, update_type)) for router in self.sub_routers]
            self._routes[update_type] = routes
        for router, gate in routes:
            if gate is not None and not gate.admits(event, raw_state, actor):
                continue
            response = await router.propagate_event(update_type=update_type, event=event, **kwargs)
            if response is not UNHANDLED:
                return response
        return UNHANDLED
