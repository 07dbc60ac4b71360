"""Reminders with a clock the test moves: a campaign week in seconds, a restart in the middle,
downtime, quiet hours, and two dispatchers on the real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.db.models import NotificationSettings, Reminder
from bot.services import reminders as rules
from bot.services.clock import FrozenClock, reset_clock, set_clock
from bot.telegram.sender import RateLimitedSender
from tests.conftest import RunningBot, make_settings, start_bot
from tests.fake_telegram import FakeTelegramServer, VirtualUser
from tests.test_registration import register

MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    # The demo election: nomination closes 10.07.2027; documents tasks have deadlines near it.
    frozen = FrozenClock(datetime(2027, 6, 20, 7, 0, tzinfo=UTC))  # 10:00 in Moscow
    set_clock(frozen)
    yield frozen
    reset_clock()


def instant_sender(running: RunningBot, clock: FrozenClock) -> RateLimitedSender:
    """The real sender, its waits taken on the frozen clock (time passes, nobody sleeps)."""
    seconds = [0.0]

    async def sleep(delay: float) -> None:
        seconds[0] += max(delay, 0)

    return RateLimitedSender(running.bot, clock=lambda: seconds[0], sleep=sleep)


def jobs(running: RunningBot, clock: FrozenClock, instance: str = "a") -> tuple[Any, Any]:
    return running.app.reminder_jobs(
        running.bot, instance=instance, sender=instant_sender(running, clock)
    )


def reminders_seen(user: VirtualUser) -> list[dict[str, Any]]:
    return [m for m in user.transcript if m.get("text", "").startswith(("⏰", "📅", "Прошл"))]


async def statuses(running: RunningBot) -> Counter[str]:
    async with running.app.session_factory() as session:
        rows = await session.scalars(select(Reminder))
        return Counter(row.status.value for row in rows)


async def test_a_campaign_week_in_seconds(running: RunningBot, clock: FrozenClock) -> None:
    user = running.user()
    await register(user)
    dispatcher, planner = jobs(running, clock)
    planned = await planner.plan_all()
    assert planned > 0
    assert await planner.plan_all() == 0  # planning again adds nothing
    delivered_at: list[datetime] = []
    for _hour in range(24 * 7):
        before = len(reminders_seen(user))
        stats = await dispatcher.run_once()
        after = len(reminders_seen(user))
        if stats.sent:  # the fake Telegram recorded them before run_once returned
            delivered_at += [clock.now] * (after - before)
        clock.advance(hours=1)
        if _hour % 24 == 0:
            await planner.plan_all()
    messages = reminders_seen(user)
    assert messages, "a week of campaign brought no reminder"
    # Every reminder went out in waking hours, Moscow time.
    assert all(9 <= moment.astimezone(MSK).hour < 22 for moment in delivered_at)
    texts = [m["text"] for m in messages]
    assert len(texts) == len(set(texts)), "a reminder went out twice"
    assert any("Прошло 3 дня без движения" in text for text in texts)
    assert any(text.startswith("📅") for text in texts)
    # Each reminder carries a button straight to its task or the quest.
    assert all(m.get("reply_markup", {}).get("inline_keyboard") for m in messages)


async def test_restart_in_the_middle_loses_and_doubles_nothing(
    data_dir: Path, telegram: FakeTelegramServer, clock: FrozenClock
) -> None:
    settings = make_settings(data_dir, bot_api_url=telegram.base_url)
    seen: list[str] = []
    async for running in start_bot(settings, telegram):
        user = running.user()
        await register(user)
        dispatcher, planner = jobs(running, clock)
        await planner.plan_all()
        for _ in range(24 * 3):
            await dispatcher.run_once()
            clock.advance(hours=1)
        seen = [m["text"] for m in reminders_seen(user)]
        user_id = user.user_id
    # A new process: same database, new dispatcher instance name.
    async for running in start_bot(settings, telegram):
        user = VirtualUser(running.emulator, user_id)
        dispatcher, planner = jobs(running, clock, instance="b")
        await planner.plan_all()
        for _ in range(24 * 4):
            await dispatcher.run_once()
            clock.advance(hours=1)
        everything = [m["text"] for m in reminders_seen(user)]  # both processes' messages
        assert len(everything) > len(seen), "nothing was sent after the restart"
        assert len(everything) == len(set(everything)), "a reminder was sent twice"
        assert (await statuses(running))["sent"] >= len(everything)


async def test_after_downtime_only_what_is_still_relevant_goes_out(
    running: RunningBot, clock: FrozenClock
) -> None:
    user = running.user()
    await register(user)
    dispatcher, planner = jobs(running, clock)
    await planner.plan_all()
    # The bot is down for three weeks: calendar pushes and deadlines pass unseen.
    clock.advance(days=21)
    await dispatcher.drain()
    today = clock.now.astimezone(MSK).date()
    for message in reminders_seen(user):
        assert "просрочено" not in message["text"]
    async with running.app.session_factory() as session:
        sent = list(await session.scalars(select(Reminder).where(Reminder.status == "sent")))
    for reminder in sent:
        if reminder.kind == "calendar":
            assert date.fromisoformat(str(reminder.payload["date"])) >= today
    nudges = [r for r in sent if r.kind == "nudge"]
    assert len(nudges) <= 1  # after a long silence one nudge, not three at once... or none
    counts = await statuses(running)
    assert counts["dropped"] > 0  # the passed ones were dropped, not announced


async def test_quiet_hours_move_a_reminder_to_the_morning(
    running: RunningBot, clock: FrozenClock
) -> None:
    user = running.user()
    await register(user)
    clock.now = datetime(2027, 6, 20, 20, 30, tzinfo=UTC)  # 23:30 in Moscow
    async with running.app.uow_factory() as uow:
        night = {"text": "⏰ ночное"}
        await uow.reminders.plan(
            Reminder(key="t:1", user_id=user.user_id, kind="test", due_at=clock.now, payload=night)
        )
    dispatcher, _ = jobs(running, clock)
    stats = await dispatcher.run_once()
    assert stats.rescheduled == 1 and stats.sent == 0
    async with running.app.session_factory() as session:
        row = await session.scalar(select(Reminder).where(Reminder.key == "t:1"))
    assert row is not None
    assert row.due_at.replace(tzinfo=UTC).astimezone(MSK) == datetime(
        2027, 6, 21, 9, 0, tzinfo=MSK
    )
    clock.now = datetime(2027, 6, 21, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
    assert (await dispatcher.run_once()).sent == 1
    await user.expect("ночное")


async def test_muted_kinds_and_blocked_users_are_dropped(
    running: RunningBot, clock: FrozenClock
) -> None:
    user, blocked = running.user(), running.user()
    await register(user)
    await register(blocked, name="Петрова Анна")
    async with running.app.uow_factory() as uow:
        await uow.reminders.save_settings(
            NotificationSettings(user_id=user.user_id, muted=["test"])
        )
        for key, user_id in (("m:1", user.user_id), ("b:1", blocked.user_id)):
            await uow.reminders.plan(
                Reminder(key=key, user_id=user_id, kind="test", due_at=clock.now, payload={"t": 1})
            )
    await blocked.block()
    running.expected_errors.add("bot was blocked")
    dispatcher, _ = jobs(running, clock)
    stats = await dispatcher.drain()
    assert (stats.sent, stats.dropped) == (0, 2)


def test_quiet_hours_arithmetic() -> None:
    quiet = rules.Quiet(MSK)
    evening = datetime(2027, 6, 20, 19, 30, tzinfo=UTC)  # 22:30
    assert quiet.next_allowed(evening) == datetime(2027, 6, 21, 9, 0, tzinfo=MSK)
    night = datetime(2027, 6, 20, 23, 0, tzinfo=UTC)  # 02:00 next day
    assert quiet.next_allowed(night) == datetime(2027, 6, 21, 9, 0, tzinfo=MSK)
    assert quiet.next_allowed(datetime(2027, 6, 20, 12, 0, tzinfo=UTC)) is None
    day_quiet = rules.Quiet(MSK, start=13 * 60, end=14 * 60)
    assert day_quiet.next_allowed(datetime(2027, 6, 20, 10, 30, tzinfo=UTC)) == datetime(
        2027, 6, 20, 14, 0, tzinfo=MSK
    )
    assert rules.Quiet(MSK, start=0, end=0).next_allowed(evening) is None


def test_only_the_most_urgent_deadline_reminder_is_relevant() -> None:
    from bot.services.quest import QuestView

    class Task:
        def __init__(self, deadline: date) -> None:
            self.deadline, self.actionable, self.full_id = deadline, True, "s.t"

    class View:
        def __init__(self, deadline: date) -> None:
            self._task = Task(deadline)

        def task(self, full_id: str) -> Task | None:
            return self._task if full_id == "s.t" else None

    deadline = date(2027, 7, 10)
    view: QuestView = View(deadline)  # type: ignore[assignment]

    def relevant(days: int, today: date) -> bool:
        payload = {"task": "s.t", "deadline": deadline.isoformat(), "days": days}
        return rules.deadline_still_relevant(payload, view, today)

    assert relevant(7, date(2027, 7, 3)) and not relevant(3, date(2027, 7, 3))
    assert not relevant(7, date(2027, 7, 8))  # the 3-day one supersedes it
    assert relevant(3, date(2027, 7, 8)) and relevant(1, date(2027, 7, 10))
    assert not relevant(1, date(2027, 7, 11))  # a passed deadline is never announced


@pytest.fixture
async def two_on_postgres(
    data_dir: Path, telegram: FakeTelegramServer, postgres_url: str
) -> AsyncIterator[RunningBot]:
    settings = make_settings(data_dir, bot_api_url=telegram.base_url, database_url=postgres_url)
    async for running in start_bot(settings, telegram):
        yield running


@pytest.mark.postgres
async def test_two_dispatchers_on_postgres_send_each_reminder_once(
    two_on_postgres: RunningBot, clock: FrozenClock
) -> None:
    running = two_on_postgres
    users = [running.user() for _ in range(40)]
    for user in users:
        await user.send("/help")  # the chat exists once the person wrote to the bot
        await user.expect("Команды")
    async with running.app.uow_factory() as uow:
        for index, user in enumerate(users):
            for copy in range(3):
                await uow.reminders.plan(Reminder(
                    key=f"pg:{index}:{copy}", user_id=user.user_id, kind="test",
                    due_at=clock.now - timedelta(minutes=copy), payload={"text": f"⏰ {copy}"},
                ))  # fmt: skip
    first, _ = jobs(running, clock, "a")
    second, _ = jobs(running, clock, "b")
    first._batch = second._batch = 7  # small batches: the two really interleave
    one, two = await asyncio.gather(first.drain(), second.drain())
    assert one.sent + two.sent == 120
    assert one.sent > 0 and two.sent > 0
    for user in users:
        texts = sorted(m["text"] for m in running.emulator.bot_messages(user.user_id)
                       if m.get("text", "").startswith("⏰"))  # fmt: skip
        assert texts == ["⏰ 0", "⏰ 1", "⏰ 2"]
    assert (await statuses(running))["sent"] == 120


def test_planned_times_are_mornings_in_the_campaign_time_zone() -> None:
    moment = rules.at_local(date(2027, 7, 1), rules.SEND_HOUR, MSK)
    assert moment == datetime.combine(date(2027, 7, 1), time(7), tzinfo=UTC)


async def test_settings_mute_a_kind_and_change_quiet_hours(
    running: RunningBot, clock: FrozenClock
) -> None:
    user = running.user()
    await register(user)
    await user.send("/settings")
    await user.expect("Тихие часы: 22:00–09:00")
    await user.press("🔔 Даты выборов")
    await user.expect_answer("Сохранено")
    edited = await user.next_message()
    buttons = [b["text"] for row in edited["reply_markup"]["inline_keyboard"] for b in row]
    assert "🔕 Даты выборов" in buttons
    await user.press("23:00–08:00")
    await user.expect("Тихие часы: 23:00–08:00")
    async with running.app.uow_factory() as uow:
        row = await uow.reminders.settings(user.user_id)
    assert row is not None and row.muted == ["calendar"]
    assert (row.quiet_start, row.quiet_end) == (23 * 60, 8 * 60)
    await user.press_data("set:quiet:1-2")  # a forged choice changes nothing
    await user.expect_answer("устарела")
    dispatcher, planner = jobs(running, clock)
    await planner.plan_all()
    clock.advance(days=2)
    await dispatcher.drain()
    assert not [m for m in reminders_seen(user) if m["text"].startswith("📅")]


async def test_who_blocks_the_bot_is_skipped_until_they_come_back(
    running: RunningBot, clock: FrozenClock
) -> None:
    from bot.db.models import User

    user, stranger = running.user(), running.user()
    await register(user)
    await stranger.send("/start")  # never consents: nothing may be recorded about them
    await stranger.expect("Согласие")
    async with running.app.uow_factory() as uow:
        await uow.reminders.plan(
            Reminder(key="blk:1", user_id=user.user_id, kind="test", due_at=clock.now,
                     payload={"text": "⏰ до блокировки"})
        )  # fmt: skip
    await user.block()  # Telegram sends my_chat_member "kicked"
    await stranger.block()
    await user.quiet(0.2)  # the update is handled in the background
    async with running.app.session_factory() as session:
        stored = await session.get(User, user.user_id)
        assert stored is not None and stored.blocked_at is not None
        assert await session.get(User, stranger.user_id) is None
    dispatcher, planner = jobs(running, clock)
    errors_before = len(running.emulator.error_responses)
    assert (await dispatcher.drain()).dropped == 1
    assert len(running.emulator.error_responses) == errors_before  # not even tried
    async with running.app.session_factory() as session:
        planned_for_them = await session.scalars(
            select(Reminder).where(Reminder.user_id == user.user_id, Reminder.key != "blk:1")
        )
        assert list(planned_for_them) == []
    assert await planner.plan_all() == 0  # nothing is planned for them meanwhile
    running.emulator.unblock_bot(user.user_id)  # my_chat_member "member"
    await user.quiet(0.2)
    async with running.app.session_factory() as session:
        stored = await session.get(User, user.user_id)
        assert stored is not None and stored.blocked_at is None
    assert await planner.plan_all() > 0
