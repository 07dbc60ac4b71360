"""The staff PIN: set in the bot, deleted from the chat, asked before dangerous actions,
locked after repeated failures (with a clock the test moves)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.services import pin
from bot.services.clock import FrozenClock, reset_clock, set_clock
from bot.services.errors import InputError
from tests.conftest import PIN, RunningBot
from tests.fake_telegram import VirtualUser
from tests.test_directory import enrol


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock(datetime(2027, 6, 20, 9, 0, tzinfo=UTC))
    set_clock(frozen)
    yield frozen
    reset_clock()


def test_a_pin_is_six_to_twelve_digits_and_not_trivial() -> None:
    for bad in ("12345", "abcdef", "1234567890123", "12 34 56"):
        with pytest.raises(InputError, match="pin-format"):
            pin.check_new(bad)
    for simple in ("111111", "123456", "987654"):
        with pytest.raises(InputError, match="pin-too-simple"):
            pin.check_new(simple)
    assert pin.check_new(" 470219 ") == "470219"


def still_there(running: RunningBot, user: VirtualUser, update: dict[str, object]) -> bool:
    message = update["message"]
    assert isinstance(message, dict)
    return message["message_id"] in running.emulator.messages[user.user_id]


async def test_the_pin_is_set_in_the_bot_and_never_stays_in_the_chat(running: RunningBot) -> None:
    coordinator = await running.coordinator("org:neighbours")
    await coordinator.send("/pin")
    await coordinator.expect("Придумайте PIN")
    typed = await coordinator.send("123456")
    await coordinator.expect("легко угадать")
    assert not still_there(running, coordinator, typed)
    first = await coordinator.send(PIN)
    await coordinator.expect("Повторите")
    second = await coordinator.send("470218")
    await coordinator.expect("не совпал")
    assert not still_there(running, coordinator, first)
    assert not still_there(running, coordinator, second)
    await coordinator.send(PIN)
    await coordinator.expect("Повторите")
    await coordinator.send(PIN)
    await coordinator.expect("PIN сохранён")
    running.pins.add(coordinator.user_id)
    transcript = " ".join(
        str(m.get("text")) for m in running.emulator.messages[coordinator.user_id].values()
    )
    assert PIN not in transcript
    # Changing it needs the current one: a stolen session cannot just set its own.
    await coordinator.send("/pin")
    await coordinator.expect("текущий PIN")
    await coordinator.send("555000")
    await coordinator.expect("Неверный PIN. Осталось попыток: 4")
    await coordinator.send(PIN)
    await coordinator.expect("Придумайте PIN")
    await coordinator.send("/cancel")
    # Candidates have no PIN to set.
    candidate = running.user()
    await candidate.send("/pin")
    await candidate.expect("Не знаю такой команды")


async def test_wrong_pins_lock_the_dangerous_actions_until_the_lock_runs_out(
    running: RunningBot, clock: FrozenClock
) -> None:
    await enrol(running.user(), "Своя Анна", "Союз соседей", "Гавань")
    coordinator = await running.coordinator("org:neighbours")
    await coordinator.send("/export candidates")
    await coordinator.expect("Сначала задайте PIN")
    await running.set_pin(coordinator)
    await coordinator.send("/export candidates")
    await coordinator.expect("Введите ваш PIN")
    await coordinator.send("мой пин")  # a slip, not a guess: not counted
    await coordinator.expect("PIN — это от 6 до 12 цифр")
    for left in (4, 3, 2, 1):
        await coordinator.send("000111")
        await coordinator.expect(f"Осталось попыток: {left}")
    await coordinator.send("000111")
    await coordinator.expect("PIN заблокирован до 12:15")
    # Locked: even the right PIN does nothing now.
    await coordinator.send("/export candidates")
    await coordinator.expect("Введите ваш PIN")
    await coordinator.send(PIN)
    await coordinator.expect("заблокирован")
    clock.advance(minutes=16)
    await coordinator.send("/export candidates")
    await coordinator.expect("Введите ваш PIN")
    await coordinator.send(PIN)
    sent = await coordinator.expect("Кандидатов: 1")
    assert sent["document"]["file_name"].endswith(".zip")
    async with running.app.uow_factory() as uow:
        history = [e.action for e in await uow.audit.for_subject("user", coordinator.user_id)]
    assert history.count("pin_failed") == 4 and history.count("pin_locked") == 1


async def test_a_stale_pin_prompt_runs_nothing(running: RunningBot, clock: FrozenClock) -> None:
    candidate = running.user()
    await enrol(candidate, "Своя Анна", "Союз соседей", "Гавань")
    admin = running.admin()
    await running.set_pin(admin)
    await admin.send(f"/revoke_coordinator {candidate.user_id}")
    await admin.expect("Введите ваш PIN")
    clock.advance(minutes=6)
    await admin.send(PIN)
    await admin.expect("действие уже устарело")


async def test_an_admin_resets_a_forgotten_pin(running: RunningBot) -> None:
    coordinator = await running.coordinator()
    await running.set_pin(coordinator)
    admin = running.admin()
    await running.gated(admin, f"/pin_reset {coordinator.user_id}")
    await admin.expect(f"PIN пользователя {coordinator.user_id} сброшен")
    await coordinator.send("/pin")
    await coordinator.expect("Придумайте PIN")
