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
from sqlalchemy import event, text

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


async def test_a_button_answered_after_a_change_waits_for_the_commit(database_url: str) -> None:
    """A button's answer goes out at once, inside the update's transaction, while the update
    has only read. Once the handler changed something it waits for the update's next commit
    (before its next message, or at its end): the update still commits once, whatever the
    order of its answer and its writes, and SQLite's write lock is not held over the network
    call. A rollback drops an answer that says something; a bare one still stops the
    spinner."""
    engine = create_engine(database_url)
    uow_factory = UnitOfWorkFactory(create_session_factory(engine))
    bot = Bot(TOKEN)
    sent: list[tuple[str, str, bool]] = []  # method, text, transaction open when sent
    commits: list[int] = []
    event.listen(engine.sync_engine, "commit", lambda _conn: commits.append(1))

    async def telegram(_bot: Bot, method: TelegramMethod[Any]) -> Any:
        text_ = getattr(method, "text", None) or ""
        sent.append((type(method).__name__, text_, uow.session.in_transaction()))
        return True

    guard = RequestGuard()
    touch = text("UPDATE organisations SET sort_order = sort_order")
    try:
        async with uow_factory() as uow:
            assert await uow.users.get(ADMIN_ID) is None  # a read
            await guard(telegram, bot, AnswerCallbackQuery(callback_query_id="1"))
            uow.record_update(bot.id, 7001)  # what a handler's write would be
            await uow.session.execute(touch)
            await guard(telegram, bot, AnswerCallbackQuery(callback_query_id="2", text="Есть"))
            assert len(sent) == 1  # held
            await uow.session.execute(touch)  # more written after the answer
            await guard(telegram, bot, SendMessage(chat_id=ADMIN_ID, text="Готово"))
        assert sent == [
            ("AnswerCallbackQuery", "", True),
            ("AnswerCallbackQuery", "Есть", False),
            ("SendMessage", "Готово", False),
        ]
        assert len(commits) == 1
        async with uow_factory() as uow:
            assert await uow.updates.seen(bot.id, 7001)
            await uow.session.execute(touch)
            await guard(telegram, bot, AnswerCallbackQuery(callback_query_id="3"))
            assert len(sent) == 3  # no message follows: answered after the last commit
        assert sent[3:] == [("AnswerCallbackQuery", "", False)]
        async with uow_factory() as uow:
            await uow.session.execute(touch)
            await guard(telegram, bot, AnswerCallbackQuery(callback_query_id="4", text="Есть"))
            await guard(telegram, bot, AnswerCallbackQuery(callback_query_id="5"))
            await uow.rollback()  # the handler failed
            await guard(telegram, bot, SendMessage(chat_id=ADMIN_ID, text="Ошибка"))
        assert sent[4:] == [
            ("AnswerCallbackQuery", "", False),
            ("SendMessage", "Ошибка", False),
        ]
    finally:
        await bot.session.close()
        await engine.dispose()
