"""/broadcast end to end: staff compose, preview and confirm through the fake Telegram; the
reminder dispatcher (frozen clock, instant rate-limited sender) delivers each message once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import bot.handlers
from bot.db.models import AuditEntry, Reminder, User
from bot.handlers import broadcast as broadcast_handlers
from bot.handlers import fallback, registration
from bot.services import broadcast
from bot.services.broadcast import Audience, Segment, SegmentKind
from bot.services.clock import FrozenClock, reset_clock, set_clock
from bot.services.roles import grant_coordinator
from tests.conftest import ADMIN_ID, RunningBot, make_settings, start_bot
from tests.fake_telegram import FakeTelegramServer, VirtualUser
from tests.test_registration import register
from tests.test_reminders import jobs

HEADER = "📣 Сообщение координаторов"


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock(datetime(2027, 6, 20, 9, 0, tzinfo=UTC))  # 12:00 in Moscow
    set_clock(frozen)
    yield frozen
    reset_clock()


@pytest.fixture
async def running(
    data_dir: Path,
    telegram: FakeTelegramServer,
    monkeypatch: pytest.MonkeyPatch,
    clock: FrozenClock,
) -> AsyncIterator[RunningBot]:
    """The bot with the broadcast router, placed as it is meant to be registered: after the
    staff routers, before registration (whose not-consented catch-all would take the text an
    admin without a consent row types) and the fallback."""
    routers = list(bot.handlers.ROUTERS)
    if broadcast_handlers.router not in routers:
        anchor = registration.router if registration.router in routers else fallback.router
        routers.insert(routers.index(anchor), broadcast_handlers.router)
    monkeypatch.setattr(bot.handlers, "ROUTERS", tuple(routers))
    settings = make_settings(data_dir, bot_api_url=telegram.base_url)
    async for running_bot in start_bot(settings, telegram):
        yield running_bot


async def candidates(running: RunningBot, count: int) -> list[VirtualUser]:
    users = [running.user() for _ in range(count)]
    for user in users:
        await register(user)
    return users


def received(user: VirtualUser) -> list[dict[str, Any]]:
    return [m for m in user.transcript if m.get("text", "").startswith("📣 Сообщение")]


def confirm_data(message: dict[str, Any]) -> str:
    buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
    return next(b["callback_data"] for b in buttons if b["callback_data"].startswith("bc:ok:"))


async def compose(staff: VirtualUser, segment_button: str, text: str, count: int) -> str:
    """Drive the dialog up to the preview; the broadcast id from its confirm button."""
    await staff.send("/broadcast")
    await staff.expect("Кому отправить?")
    await staff.press(segment_button)
    await staff.expect(f"— {count}.")
    await staff.send(text)
    info = await staff.expect("Так сообщение увидят получатели")
    assert f": {count})" in info["text"]
    preview = await staff.next_message()
    assert preview["text"].startswith(HEADER)
    assert f"✅ Отправить ({count})" in staff.inline_buttons
    return confirm_data(preview).removeprefix("bc:ok:")


async def outbox(running: RunningBot, broadcast_id: str) -> list[Reminder]:
    async with running.app.session_factory() as session:
        rows = await session.scalars(
            select(Reminder).where(Reminder.key.startswith(f"broadcast:{broadcast_id}:"))
        )
        return list(rows)


async def add_coordinator(running: RunningBot, user_id: int, organisation: str) -> None:
    async with running.app.uow_factory() as uow:
        await uow.users.add(
            User(id=user_id, locale="ru", consent_at=datetime.now(UTC), consent_version="1")
        )
        await grant_coordinator(uow, ADMIN_ID, user_id, [organisation], [])


async def move_to(running: RunningBot, user_id: int, organisation: str) -> None:
    async with running.app.uow_factory() as uow:
        found = await uow.geography.organisation_by_code(organisation)
        candidate = await uow.candidates.by_user(user_id)
        assert found is not None and candidate is not None
        candidate.organisation_id = found.id


async def test_admin_broadcast_reaches_each_candidate_exactly_once(
    running: RunningBot, clock: FrozenClock
) -> None:
    users = await candidates(running, 3)
    admin = running.admin()
    text = "Собрание в <b>среду</b> & в 18:00"
    broadcast_id = await compose(admin, "Всем кандидатам", text, 3)
    # Previewed exactly as it will arrive: the coordinator's markup stays plain text.
    preview = admin.transcript[-1]
    assert preview["text"] == f"{HEADER}\n\n{text}"
    assert all(e["offset"] < len(HEADER) for e in preview.get("entities", []))
    message_id = preview["message_id"]
    await admin.press("Отправить (3)")
    queued = await admin.expect("поставлена в очередь")
    assert "3 получателя" in queued["text"]
    assert f"/broadcast_status {broadcast_id}" in queued["text"]
    live = admin.transcript[-2]  # the status message the dispatcher will keep editing
    assert live["text"].startswith(f"⏳ Рассылка {broadcast_id}: идёт отправка")
    assert "Отправлено: 0 из 3" in live["text"]
    assert not (admin.transcript[-3].get("reply_markup") or {}).get("inline_keyboard")
    # The stale confirm button pressed again queues nothing more.
    await admin.press_data(f"bc:ok:{broadcast_id}", message_id)
    await admin.expect_answer("уже отправлена")
    rows = await outbox(running, broadcast_id)
    assert sorted(r.user_id for r in rows) == sorted(u.user_id for u in users)
    assert {r.kind for r in rows} == {"broadcast"}
    assert rows[0].payload == {
        "text": text,
        "from": ADMIN_ID,
        "broadcast": broadcast_id,
        "status": [ADMIN_ID, live["message_id"]],
    }

    await users[2].block()
    running.expected_errors.add("bot was blocked")
    await admin.send(f"/broadcast_status {broadcast_id}")
    status = await admin.expect(f"Рассылка {broadcast_id}\nВсего")
    assert "Всего: 3" in status["text"] and "В очереди: 3" in status["text"]

    dispatcher, _ = jobs(running, clock)
    stats = await dispatcher.drain()
    assert (stats.sent, stats.dropped, stats.failed) == (2, 1, 0)
    for user in users[:2]:
        messages = received(user)
        assert [m["text"] for m in messages] == [f"{HEADER}\n\n{text}"]
    assert received(users[2]) == []
    assert (await dispatcher.drain()).total == 0  # nothing left to send, ever
    await admin.press_data(f"bc:ok:{broadcast_id}", message_id)
    await admin.expect_answer("уже отправлена")
    assert (await dispatcher.drain()).total == 0
    assert all(len(received(user)) == 1 for user in users[:2])

    await admin.send(f"/broadcast_status {broadcast_id}")
    status = await admin.expect(f"Рассылка {broadcast_id}\nВсего")
    for line in ("Всего: 3", "Отправлено: 2", "В очереди: 0", "заблокирован или устарело): 1"):
        assert line in status["text"]
    async with running.app.session_factory() as session:
        audit = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "broadcast_sent"))
        )
    assert [(a.actor_id, a.subject_id, a.details) for a in audit] == [
        (ADMIN_ID, broadcast_id, {"count": 3})
    ]
    assert "среду" not in str(audit[0].details)


async def test_coordinator_reaches_only_candidates_of_their_organisation(
    running: RunningBot, clock: FrozenClock
) -> None:
    users = await candidates(running, 3)
    await move_to(running, users[0].user_id, "civic")
    coordinator = VirtualUser(running.emulator, 777001, first_name="Олег", language_code="ru")
    await add_coordinator(running, coordinator.user_id, "civic")
    # The organisation step lists only what the coordinator may reach.
    await coordinator.send("/broadcast")
    await coordinator.expect("Кому отправить?")
    await coordinator.press("Из организации")
    await coordinator.expect("Какая организация?")
    assert coordinator.inline_buttons == ["Гражданская инициатива (1)", "✖️ Отмена"]
    await coordinator.send("/cancel")
    await coordinator.expect("Диалог прерван")
    broadcast_id = await compose(coordinator, "Всем кандидатам", "Завтра штаб", 1)
    await coordinator.press("Отправить (1)")
    await coordinator.expect("поставлена в очередь: 1 получатель")
    dispatcher, _ = jobs(running, clock)
    assert (await dispatcher.drain()).sent == 1
    assert len(received(users[0])) == 1
    assert received(users[1]) == received(users[2]) == []
    # An admin's broadcast is not the coordinator's to inspect; their own is.
    admin = running.admin()
    other = await compose(admin, "Всем кандидатам", "Для всех", 3)
    await admin.press("Отправить (3)")
    await admin.expect("поставлена в очередь: 3 получателя")
    await coordinator.send(f"/broadcast_status {other}")
    await coordinator.expect(f"Рассылка {other} не найдена")
    await coordinator.send(f"/broadcast_status {broadcast_id}")
    await coordinator.expect("Отправлено: 1")


async def test_segments_by_stage_organisation_formation_and_stall(
    running: RunningBot, clock: FrozenClock
) -> None:
    users = await candidates(running, 3)
    await move_to(running, users[1].user_id, "green")
    admin = running.admin()
    await admin.send("/broadcast")
    await admin.expect("Кому отправить?")
    await admin.press("Без движения 7 дней")
    await admin.expect_answer("нет кандидатов")  # all registered just now
    await admin.press("На этапе квеста")
    await admin.expect("На каком этапе")
    stage_buttons = admin.inline_buttons
    assert len(stage_buttons) == 2 and stage_buttons[0].endswith("(3)")
    await admin.press(stage_buttons[0])
    await admin.expect("— 3.")
    await admin.send("/cancel")
    await admin.expect("Диалог прерван")

    everyone = Audience()
    stalled = Segment(SegmentKind.STALLED)
    async with running.app.uow_factory() as uow:
        by_org = await broadcast.recipients(
            uow, everyone, Segment(SegmentKind.ORGANISATION, "neighbours"), clock.now
        )
        by_formation = await broadcast.recipients(
            uow, everyone, Segment(SegmentKind.FORMATION, "Гавань"), clock.now
        )
        assert await broadcast.recipients(uow, everyone, stalled, clock.now) == []
        green_only = Audience(frozenset({(await uow.geography.organisation_by_code("green")).id}))  # type: ignore[union-attr]
        later = datetime(2027, 6, 27, 9, 0, tzinfo=UTC)
        in_a_week = await broadcast.recipients(uow, everyone, stalled, later)
        scoped = await broadcast.recipients(uow, green_only, stalled, later)
    assert sorted(by_org) == sorted([users[0].user_id, users[2].user_id])
    assert sorted(by_formation) == sorted(u.user_id for u in users)
    assert sorted(in_a_week) == sorted(u.user_id for u in users)
    assert scoped == [users[1].user_id]


async def test_the_text_is_checked_and_the_dialog_can_be_left(running: RunningBot) -> None:
    await candidates(running, 1)
    admin = running.admin()
    await admin.send("/broadcast")
    await admin.expect("Кому отправить?")
    await admin.press("Всем кандидатам")
    await admin.expect("— 1.")
    await admin.send("   ")
    await admin.expect("Пустое сообщение")
    await admin.send("я" * 3501)
    await admin.expect("Слишком длинно")
    await admin.send_sticker()
    await admin.expect("только текст")
    await admin.send("Текст")
    await admin.expect("Так сообщение увидят")
    await admin.press("Отмена")
    await admin.expect("Рассылка отменена")
    async with running.app.session_factory() as session:
        assert list(await session.scalars(select(Reminder))) == []
    await admin.send("/broadcast_status")
    await admin.expect("Укажите номер")
    await admin.send("/broadcast_status 1' OR 1=1")
    await admin.expect("не найдена")


async def test_not_staff_do_not_see_the_commands(running: RunningBot) -> None:
    (user,) = await candidates(running, 1)
    await user.send("/broadcast")
    await user.expect("Не знаю такой команды")
    await user.send("/broadcast_status 0123abcd")
    await user.expect("Не знаю такой команды")
    await user.press_data("bc:ok:0123abcd")
    await user.expect_answer("устарела")


async def test_idempotent_enqueue_and_english_rendering(
    running: RunningBot, clock: FrozenClock
) -> None:
    english = running.user(language_code="en")
    await english.send("/help")  # the chat exists
    await english.next_message()
    async with running.app.uow_factory() as uow:
        await uow.users.add(
            User(id=english.user_id, locale="en", consent_at=clock.now, consent_version="1")
        )
        twice = [english.user_id] * 2
        first = await broadcast.enqueue(uow, "abcd0123", ADMIN_ID, "a < b", twice, clock.now)
        again = await broadcast.enqueue(uow, "abcd0123", ADMIN_ID, "a < b", twice, clock.now)
        assert (first, again) == (1, 0)
        assert await broadcast.progress(uow, "abcd0123") == (1, 0, 0, 0)
    dispatcher, _ = jobs(running, clock)
    assert (await dispatcher.drain()).sent == 1
    assert [m["text"] for m in english.transcript][-1] == "📣 From the coordinators\n\na < b"
    async with running.app.uow_factory() as uow:
        assert await broadcast.progress(uow, "abcd0123") == (0, 1, 0, 0)
