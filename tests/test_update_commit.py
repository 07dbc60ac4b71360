"""An update's writes are committed before the next update of the same user may start."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey

from bot.db.uow import current_uow
from tests.conftest import RunningBot


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
