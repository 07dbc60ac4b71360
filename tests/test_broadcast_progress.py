"""Live broadcast progress through the fake Telegram: the coordinator's status message is
edited while the outbox drains, no more often than the board's interval (time is the
sender's simulated clock), and ends with the final numbers; "message is not modified" from a
second instance is taken in stride."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.services import registration
from bot.services.clock import FrozenClock, reset_clock, set_clock
from bot.telegram.broadcast_progress import ProgressBoard
from bot.telegram.emulator import BotAction
from bot.telegram.sender import RateLimitedSender
from tests.conftest import RunningBot, make_settings, start_bot
from tests.fake_telegram import FakeTelegramServer, VirtualUser
from tests.test_broadcast import compose, outbox

RECIPIENTS = 30
INTERVAL = 0.25  # simulated seconds between two edits of the status message


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock(datetime(2027, 6, 20, 9, 0, tzinfo=UTC))  # 12:00 in Moscow
    set_clock(frozen)
    yield frozen
    reset_clock()


@pytest.fixture
async def running(
    data_dir: Path, telegram: FakeTelegramServer, clock: FrozenClock
) -> AsyncIterator[RunningBot]:
    settings = make_settings(data_dir, bot_api_url=telegram.base_url)
    async for running_bot in start_bot(settings, telegram):
        yield running_bot


async def enrol_quickly(running: RunningBot, user: VirtualUser) -> None:
    """A registered candidate through the registration service (the dialog is tested
    elsewhere); the person wrote to the bot first, so Telegram has a chat with them."""
    await user.send("/help")
    await user.expect("Команды")
    async with running.app.uow_factory() as uow:
        user_id = user.user_id
        await registration.give_consent(uow, user_id, "ru")
        await registration.set_full_name(uow, user_id, "Петрова Анна Ивановна", running.app.cipher)
        await registration.set_phone(uow, running.app.cipher, user_id, user.phone, user_id)
        await registration.set_email(uow, running.app.cipher, user_id, None)
        organisation = await uow.geography.organisation_by_code("civic")
        election = await uow.geography.current_election()
        assert organisation is not None and election is not None
        formation = await uow.geography.formation_by_name(election.id, "Гавань")
        assert formation is not None
        await registration.set_organisation(uow, user_id, organisation.id)
        await registration.set_district(uow, user_id, formation.districts[0].id)
        await registration.confirm(uow, user_id)


class Simulated:
    """The sender's and the board's clock: time passes only when the sender waits."""

    def __init__(self) -> None:
        self.now = 0.0

    async def sleep(self, delay: float) -> None:
        self.now += max(delay, 0.0)


def dispatcher_with(running: RunningBot, time: Simulated, instance: str) -> Any:
    sender = RateLimitedSender(running.bot, clock=lambda: time.now, sleep=time.sleep)
    dispatcher, _ = running.app.reminder_jobs(running.bot, instance=instance, sender=sender)
    dispatcher.progress = ProgressBoard(
        running.bot,
        uow_factory=running.app.uow_factory,
        catalog=running.app.catalog,
        settings=running.settings,
        interval=INTERVAL,
        clock=lambda: time.now,
    )
    return dispatcher


async def test_the_status_message_follows_the_broadcast_at_a_bounded_rate(
    running: RunningBot,
) -> None:
    users = [running.user() for _ in range(RECIPIENTS)]
    for user in users:
        await enrol_quickly(running, user)
    admin = running.admin()
    broadcast_id = await compose(admin, "Всем кандидатам", "Собрание в субботу", RECIPIENTS)
    await admin.press(f"Отправить ({RECIPIENTS})")
    status = await admin.expect(f"Рассылка {broadcast_id}: идёт отправка")
    assert f"Отправлено: 0 из {RECIPIENTS}" in status["text"]
    await admin.expect("поставлена в очередь")
    # One person blocks the bot after the broadcast was planned: Telegram answers 403.
    running.emulator.block_bot(users[-1].user_id)
    running.expected_errors.add("bot was blocked")

    time = Simulated()
    edits: list[tuple[float, str]] = []

    def watch(action: BotAction) -> None:
        message = action.message or {}
        if action.kind == "edit" and message.get("message_id") == status["message_id"]:
            edits.append((time.now, message["text"]))

    unsubscribe = running.emulator.subscribe(watch)
    try:
        stats = await dispatcher_with(running, time, "a").drain()
    finally:
        unsubscribe()
    assert (stats.sent, stats.dropped) == (RECIPIENTS - 1, 1)

    final_at, final = edits[-1]
    assert final == (
        f"✅ Рассылка {broadcast_id} завершена\n"
        f"Отправлено: {RECIPIENTS - 1} из {RECIPIENTS}\n"
        "Заблокировали бота: 1\n"
        "Не доставлено: 0"
    )
    progress = edits[:-1]
    assert progress, "no edit while sending"
    assert all("идёт отправка" in text for _, text in progress)
    # Bounded: consecutive progress edits at least INTERVAL apart, so at most one per
    # INTERVAL of sending (plus the final one).
    moments = [at for at, _ in progress]
    assert all(b - a >= INTERVAL for a, b in itertools.pairwise(moments))
    assert len(progress) <= final_at / INTERVAL + 1
    assert len(progress) >= 2  # and it did move while sending
    sent = [int(text.split("Отправлено: ")[1].split(" ")[0]) for _, text in progress]
    assert sent == sorted(sent) and sent[-1] < RECIPIENTS - 1
    assert admin.transcript[-2]["text"] == final  # the same message, edited in place

    # Another instance that handled the last row too writes the same numbers: Telegram
    # answers "message is not modified", which is no error for the board.
    running.expected_errors.add("message is not modified")
    late = dispatcher_with(running, Simulated(), "b").progress
    rows = await outbox(running, broadcast_id)
    await late.touched(rows[0].payload)
    await late.flush()
    assert not late._watched  # done with it, nothing retried
    assert any(
        "message is not modified" in str(envelope.get("description"))
        for method, envelope, _ in running.emulator.error_responses
        if method.lower() == "editmessagetext"
    )


async def test_a_deleted_status_message_does_not_stop_the_broadcast(
    running: RunningBot,
) -> None:
    users = [running.user() for _ in range(3)]
    for user in users:
        await enrol_quickly(running, user)
    admin = running.admin()
    broadcast_id = await compose(admin, "Всем кандидатам", "Привет", 3)
    await admin.press("Отправить (3)")
    status = await admin.expect(f"Рассылка {broadcast_id}: идёт отправка")
    await admin.expect("поставлена в очередь")  # the rows are stored
    running.emulator.messages[admin.user_id].pop(status["message_id"])  # deleted by the admin
    running.expected_errors.add("message to edit not found")
    stats = await dispatcher_with(running, Simulated(), "a").drain()
    assert stats.sent == 3
    tries = [m for m, _, _ in running.emulator.error_responses if m.lower() == "editmessagetext"]
    assert len(tries) == 1  # tried once, then left alone
    for user in users:
        assert [m["text"] for m in user.transcript if m["text"].startswith("📣")] == [
            "📣 Сообщение координаторов\n\nПривет"
        ]
