"""What an ordinary update reads: its person and dialog state in one statement, and the
reference data (organisations, formations, districts) from the process's snapshot."""

from __future__ import annotations

from contextlib import AbstractContextManager

from tests.conftest import RunningBot
from tests.fake_telegram import VirtualUser
from tests.test_registration import register


def statements(running: RunningBot) -> AbstractContextManager[list[str]]:
    """The SQL statements the bot runs while the block runs, whitespace folded."""
    return running.recorded(
        "before_cursor_execute", lambda _conn, _cursor, sql, *_: " ".join(sql.split())
    )


async def to_email_step(user: VirtualUser) -> None:
    await user.send("/start")
    await user.expect("Согласие на обработку")
    await user.press("Согласен")
    await user.expect("Шаг 1 из 5")
    await user.send("Иванова Мария Сергеевна")
    await user.expect("Шаг 2 из 5")
    await user.press_reply("Поделиться контактом")
    await user.expect("Шаг 3 из 5")


async def test_person_and_dialog_state_come_in_one_statement(running: RunningBot) -> None:
    user = running.user()
    await to_email_step(user)
    with statements(running) as seen:
        await user.send("maria@example.ru")
        await user.expect("Шаг 4 из 5")
    selects = [s for s in seen if s.startswith("SELECT")]
    dialog = [s for s in selects if "fsm_records" in s]
    assert len(dialog) == 1, dialog
    assert "FROM users" in dialog[0] and "candidates" in dialog[0]
    assert not [s for s in selects if s.startswith("SELECT users.") and s not in dialog]
    # Someone without role grants: the EXISTS in that statement says so, nothing reads them.
    assert "EXISTS" in dialog[0]
    assert not [s for s in selects if "FROM role_grants" in s and s not in dialog]


async def test_staff_grants_are_read_for_staff_only(running: RunningBot) -> None:
    coordinator = await running.coordinator("org:civic")
    with statements(running) as seen:
        await coordinator.send("/stats")
        await coordinator.expect("Статистика кандидатов")
    grants = [s for s in seen if s.startswith("SELECT role_grants.")]
    assert len(grants) == 1, seen  # the coordinator's scopes, read once in the update


async def test_the_registration_reads_reference_data_once_per_process(
    running: RunningBot,
) -> None:
    await register(running.user())  # warms the snapshot
    with statements(running) as seen:
        await register(running.user(first_name="Анна"), name="Петрова Анна Игоревна")
    tables = ("organisations", "elections", "municipal_formations", "electoral_districts")
    assert not [s for s in seen if any(f"FROM {table}" in s for table in tables)]
    # A budget for the whole registration, 10 updates (49 statements when written).
    assert 30 <= len(seen) <= 55, len(seen)
