"""aiogram FSM storage in the bot's own database, so a dialog survives a restart or SIGKILL.

Used on the embedded default; with REDIS_URL the Redis storage takes its place. The data part is
encrypted with DATA_KEY: half-finished answers are personal data too.

Inside an update the row is read once (with the person, see UserRepository.person_and_dialog)
and kept on the unit of work; changes are written when the update commits (bot.db.dialogs).
Outside an update (no unit of work) each call reads or writes in a short session of its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.dialogs import DialogRow, read_dialog, write_dialog, written
from bot.db.uow import current_uow
from bot.services.crypto import FieldCipher


def storage_key_string(key: StorageKey) -> str:
    parts = [key.bot_id, key.chat_id, key.user_id, key.thread_id, key.business_connection_id]
    return ":".join("" if part is None else str(part) for part in parts) + f":{key.destiny}"


class SqlStorage(BaseStorage):
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], cipher: FieldCipher
    ) -> None:
        self._session_factory = session_factory
        self._cipher = cipher

    async def _row(self, key: StorageKey) -> DialogRow:
        name = storage_key_string(key)
        uow = current_uow.get()
        if uow is None:
            async with self._session_factory() as session:
                return await read_dialog(session, name, key.user_id)
        row = uow.dialogs.get(name)
        if row is None:
            # The person comes along: the update resolves its actor right after.
            _, row = await uow.users.person_and_dialog(key.user_id, name)
            uow.dialogs[name] = row
        return row

    async def _save(self, row: DialogRow) -> None:
        if current_uow.get() is not None:
            return  # written with the update's commit (UnitOfWork.commit)
        async with self._session_factory() as session:
            await write_dialog(session, row)
            await session.commit()
        written(row)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        row = await self._row(key)
        value = state.state if isinstance(state, State) else state
        if value != row.state:
            row.state, row.changed = value, True
            await self._save(row)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._row(key)).state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        row = await self._row(key)
        if not data and row.data_enc is None:
            return
        payload = json.dumps(dict(data), ensure_ascii=False)
        row.data_enc, row.changed = (self._cipher.encrypt(payload) if data else None), True
        await self._save(row)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._row(key)
        if row.data_enc is None:
            return {}
        return dict(json.loads(self._cipher.decrypt(row.data_enc) or "{}"))

    async def close(self) -> None:
        """Sessions are opened per call; the engine is disposed by the application."""
