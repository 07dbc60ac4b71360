"""A broadcast whose instance dies mid-way: the rows it had claimed wait out their lease,
then another instance sends them; everyone gets the message exactly once."""

from __future__ import annotations

from bot.services import broadcast
from bot.services.clock import FrozenClock
from bot.telegram.reminders import LEASE
from tests.conftest import RunningBot
from tests.test_reminders import clock, jobs  # noqa: F401 (the clock fixture)

RECIPIENTS = 30


async def test_a_broadcast_survives_the_death_of_its_instance(
    running: RunningBot,
    clock: FrozenClock,  # noqa: F811
) -> None:
    users = [running.user() for _ in range(RECIPIENTS)]
    for user in users:
        await user.send("/help")  # a chat exists once the person wrote to the bot
        await user.expect("Команды")
    async with running.app.uow_factory() as uow:
        added = await broadcast.enqueue(
            uow, "deadbeef", 0, "Собрание в субботу", [u.user_id for u in users], clock.now
        )
    assert added == RECIPIENTS
    # Instance "a" claims a third of the rows and dies before sending any of them.
    async with running.app.uow_factory() as uow:
        orphaned = await uow.reminders.claim("a", clock.now, RECIPIENTS // 3, LEASE)
    assert len(orphaned) == RECIPIENTS // 3
    survivor, _ = jobs(running, clock, "b")
    first = await survivor.drain()
    assert first.sent == RECIPIENTS - len(orphaned)  # the dead instance's rows wait
    clock.advance(seconds=LEASE.total_seconds() + 1)
    second = await survivor.drain()
    assert second.sent == len(orphaned)
    for user in users:
        got = [m for m in running.emulator.bot_messages(user.user_id)
               if "Собрание в субботу" in m.get("text", "")]  # fmt: skip
        assert len(got) == 1, user.user_id
    # Confirming the same broadcast again (a stale button, a retry) queues nothing.
    async with running.app.uow_factory() as uow:
        again = await broadcast.enqueue(
            uow, "deadbeef", 0, "Собрание в субботу", [u.user_id for u in users], clock.now
        )
    assert again == 0
    clock.advance(minutes=10)
    assert (await survivor.drain()).sent == 0
