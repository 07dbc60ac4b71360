"""An update's writes are committed before the next update of the same user may start."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.methods import AnswerCallbackQuery, SendMessage, TelegramMethod
from sqlalchemy import text

from bot.db.engine import create_engine, create_session_factory
from bot.db.uow import UnitOfWorkFactory, current_uow
from bot.telegram.request_guard import RequestGuard
from tests.conftest import ADMIN_ID, TOKEN, RunningBot


class Watching(BaseEventIsolation):
    """The dispatcher's own isolation, noting whether each update's unit of work still had
    something uncommitted when the user's lock was released."""

    def __init__(self, inner: BaseEventIsolation) -> None:
        self.inner = inner
        self.released_with_pending: list[bool] = []

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        async with self.inner.lock(key):
            yield
            uow = current_uow.get()
            if uow is not None:
                session: Any = uow.session
                # Anything executed and not committed, or not even flushed yet.
                pending = bool(
                    session.in_transaction() or session.new or session.dirty or session.deleted
                )
                unrecorded = uow._update is not None and not uow._update_stored
                self.released_with_pending.append(pending or unrecorded)

    async def close(self) -> None:
        await self.inner.close()


async def test_the_lock_is_released_only_after_the_commit(running: RunningBot) -> None:
    """The import's last step clears its dialog after its last message: before the fix
    that write was committed after the lock's release, and a command sent right after
    "Загружено" could read the old dialog state and fail (StaleDataError on fsm_records)."""
    coordinator = await running.coordinator("org:civic")
    fsm = running.app.dispatcher.fsm
    watching = Watching(fsm.events_isolation)
    fsm.events_isolation = watching
    try:
        await running.gated(coordinator, "/import_supporters")
        await coordinator.expect("Пришлите файл CSV или XLSX")
        data = "ФИО,Телефон\nСветлова Анна,8 921 555-12-34\n".encode()
        await coordinator.send_document(data, "list.csv", "text/csv")
        await coordinator.expect("Столбцы файла")
        await coordinator.press("Проверить")
        await coordinator.expect("Загрузить файл?")
        await coordinator.press("Загрузить")
        await coordinator.expect("Загружено")
        await running.gated(coordinator, "/supporters")
        await coordinator.expect("Сторонники: 1")
    finally:
        fsm.events_isolation = watching.inner
    assert len(watching.released_with_pending) >= 6
    assert not any(watching.released_with_pending)


async def test_each_registration_step_is_one_transaction(running: RunningBot) -> None:
    """The answer, the dialog's next step and the update's record commit together, once,
    before the next question is sent: also where a button is answered or a note goes
    first (the contact, the organisation, the district, the confirmation)."""
    user = running.user()
    steps: list[tuple[Callable[[], Awaitable[object]], str]] = [
        (lambda: user.send("/start"), "Согласие на обработку"),
        (lambda: user.press("Согласен"), "Шаг 1 из 5"),
        (lambda: user.send("Иванова Мария Сергеевна"), "Шаг 2 из 5"),
        (lambda: user.press_reply("Поделиться контактом"), "Шаг 3 из 5"),
        (lambda: user.send("maria@example.ru"), "Шаг 4 из 5"),
        (lambda: user.press("Союз соседей"), "Шаг 5 из 5"),
        (lambda: user.send("гаван"), "Нашлось 1"),
        (lambda: user.press("Гавань"), "Выберите ваш"),
        (lambda: user.press("Округ №2"), "Карточка кандидата"),
        (lambda: user.press("подтвердить"), "Вы зарегистрированы"),
    ]
    per_step = []
    for action, reply in steps:
        with running.recorded("commit", lambda _conn: "commit") as seen:
            await action()
            await user.expect(reply)
            await running.settled()
        per_step.append(len(seen))
    assert per_step == [1] * len(steps)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, data_dir: Path) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}"


async def test_a_button_is_answered_after_what_the_handler_changed_is_committed(
    database_url: str,
) -> None:
    """A button's answer goes out inside the update's transaction while it has only read
    (one commit per update); once the handler changed something, that is committed first,
    as before any message (and SQLite's write lock is not held over the network call)."""
    engine = create_engine(database_url)
    uow_factory = UnitOfWorkFactory(create_session_factory(engine))
    bot = Bot(TOKEN)
    open_when_sent: list[bool] = []

    async def telegram(_bot: Bot, _method: TelegramMethod[Any]) -> Any:
        open_when_sent.append(uow.session.in_transaction())
        return True

    guard = RequestGuard()
    answer = AnswerCallbackQuery(callback_query_id="42")
    try:
        async with uow_factory() as uow:
            assert await uow.users.get(ADMIN_ID) is None  # a read
            await guard(telegram, bot, answer)
            uow.record_update(bot.id, 7001)  # what a handler's write would be
            await uow.session.execute(text("UPDATE organisations SET sort_order = sort_order"))
            await guard(telegram, bot, answer)
            await guard(telegram, bot, SendMessage(chat_id=ADMIN_ID, text="Готово"))
        assert open_when_sent == [True, False, False]
        async with uow_factory() as uow:
            assert await uow.updates.seen(bot.id, 7001)
    finally:
        await bot.session.close()
        await engine.dispose()
