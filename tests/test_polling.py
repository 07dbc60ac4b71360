"""Long polling under a burst: a bounded number of updates in flight, nobody left out."""

from __future__ import annotations

import asyncio

from bot.app import UPDATES_IN_FLIGHT, ShtabDispatcher
from tests.conftest import RunningBot


async def test_a_burst_is_handled_at_most_the_limit_at_once_and_everyone_is_answered(
    running: RunningBot,
) -> None:
    users = [running.user() for _ in range(UPDATES_IN_FLIGHT + 25)]  # more than one batch
    await asyncio.gather(*(user.send("/start") for user in users))
    await asyncio.gather(*(user.expect("Согласие на обработку", timeout=30) for user in users))

    dispatcher = running.app.dispatcher
    assert isinstance(dispatcher, ShtabDispatcher)
    assert 1 < dispatcher.peak_in_flight <= UPDATES_IN_FLIGHT
    assert dispatcher.in_flight == 0
