"""Process settings the bot applies once it is about to serve (bot.app.settle_heap)."""

from __future__ import annotations

import gc
import weakref

from bot.app import YOUNG_GC_THRESHOLD, settle_heap


class _Node:
    other: object = None


def test_settle_heap_freezes_start_up_objects_and_still_collects_new_garbage() -> None:
    threshold = gc.get_threshold()
    try:
        settle_heap()
        # Everything imported by now (aiogram's types, the ORM, the catalogues) is frozen.
        assert gc.get_freeze_count() > 50_000
        assert gc.get_threshold()[0] == YOUNG_GC_THRESHOLD
        cycle = _Node()
        cycle.other = cycle
        alive = weakref.ref(cycle)
        del cycle
        gc.collect()
        assert alive() is None  # garbage made while serving is still reclaimed
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
