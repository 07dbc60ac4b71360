"""aiogram FSM storage in the bot's own database, so a dialog survives a restart or SIGKILL.

Used on the embedded default; with REDIS_URL the Redis storage takes its place. The data part is
encrypted with DATA_KEY: half-finished answers are personal data too.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import FsmRecord
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

    async def _record(self, session: AsyncSession, key: StorageKey) -> FsmRecord | None:
        """The stored record; within an update it is read once and kept on the unit of work."""
        uow = current_uow.get()
        name = storage_key_string(key)
        if uow is None or uow.session is not session:
            return await session.get(FsmRecord, name)
        if name not in uow.fsm_records:
            # The person comes along: the update resolves its actor right after.
            _, uow.fsm_records[name] = await uow.users.person_and_dialog(key.user_id, name)
        return uow.fsm_records[name]

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[tuple[AsyncSession, bool]]:
        """The update's own session when there is one (it commits), else a short one."""
        uow = current_uow.get()
        if uow is not None:
            yield uow.session, False
            return
        async with self._session_factory() as session:
            yield session, True

    async def _load(self, session: AsyncSession, key: StorageKey) -> FsmRecord:
        record = await self._record(session, key)
        if record is None:
            record = FsmRecord(key=storage_key_string(key), user_id=key.user_id)
            session.add(record)
            uow = current_uow.get()
            if uow is not None and uow.session is session:
                uow.fsm_records[record.key] = record
        return record

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._session() as (session, own):
            record = await self._load(session, key)
            record.state = value
            await self._commit_or_drop(session, record, own)

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._session() as (session, _):
            record = await self._record(session, key)
            return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self._session() as (session, own):
            record = await self._load(session, key)
            payload = json.dumps(dict(data), ensure_ascii=False)
            record.data_enc = self._cipher.encrypt(payload) if data else None
            await self._commit_or_drop(session, record, own)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._session() as (session, _):
            record = await self._record(session, key)
            if record is None or record.data_enc is None:
                return {}
            return dict(json.loads(self._cipher.decrypt(record.data_enc) or "{}"))

    async def _commit_or_drop(self, session: AsyncSession, record: FsmRecord, own: bool) -> None:
        # An empty record (no state, no data) is deleted rather than kept: less to leak.
        if record.state is None and record.data_enc is None:
            if record in session.new:
                session.expunge(record)
            else:
                await session.delete(record)
            uow = current_uow.get()
            if uow is not None:
                uow.fsm_records[record.key] = None
        if own:
            await session.commit()

    async def close(self) -> None:
        """Sessions are opened per call; the engine is disposed by the application."""
