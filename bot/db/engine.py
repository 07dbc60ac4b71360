"""Engine and session factory for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import asyncio
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession
from sqlalchemy.util import await_only

from bot.db.sqlite_driver import DRIVER as ONE_HOP_DRIVER
from bot.db.statements import is_write


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers work while one writer writes; foreign keys make ON DELETE CASCADE
        # real; busy_timeout makes a connection of another process wait for the lock instead
        # of failing at once (this process's own writers queue in SqliteWriteGate).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


HOLDS_GATE = "shtab_holds_write_gate"
WROTE = "shtab_wrote"  # in a pooled connection's info: its open transaction has written


def transaction_wrote(info: dict[Any, Any]) -> bool:
    """Whether the open transaction of the pooled connection with this `info` has written:
    behind the SQLite write gate, the gate's own mark (it sees every write first)."""
    return HOLDS_GATE in info or WROTE in info


def _mark_writes(conn: Any, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any) -> None:
    info = conn.connection.info
    if WROTE not in info and is_write(statement):
        info[WROTE] = True


def _unmark_writes(_dbapi_connection: Any, connection_record: Any) -> None:
    if connection_record is not None:
        connection_record.info.pop(WROTE, None)


def _unmark_on_reset(dbapi_connection: Any, connection_record: Any, _reset_state: Any) -> None:
    _unmark_writes(dbapi_connection, connection_record)


def _track_writes(engine: AsyncEngine) -> AsyncEngine:
    """Mark the connection whose transaction wrote, until it is returned to the pool (after
    its commit or rollback): the request guard asks before answering a button. Not needed
    behind the SQLite write gate, which holds its own mark for exactly that span."""
    event.listen(engine.sync_engine, "before_cursor_execute", _mark_writes)
    event.listen(engine.sync_engine.pool, "reset", _unmark_on_reset)
    event.listen(engine.sync_engine.pool, "checkin", _unmark_writes)
    return engine


GATE_TIMEOUT_S = 30.0


class WriteGateTimeout(OperationalError):
    """A write waited longer than GATE_TIMEOUT_S for the process's other writers."""


class SqliteWriteGate:
    """One writing transaction at a time per engine, in order of arrival.

    SQLite has one write lock per file. Left to itself, a connection that wants it sleeps in
    SQLite's busy handler and retries, in no order: under a burst of updates a late arrival
    could take the lock again and again while an early one slept past busy_timeout and failed
    ("database is locked", seen in the registration bench with 100 users). Here a connection
    takes an asyncio lock before its transaction's first write, so the waiters queue fairly
    and wake as soon as the lock is free; SQLite's own lock is then never contended inside
    this process (other processes on the same file still meet busy_timeout). Reads never
    wait: the sqlite3 driver begins a transaction only at the first write, so reads before it
    see the newest data and a write never has to upgrade a stale read snapshot.

    The lock is released when the connection returns to the pool, i.e. after the commit or
    rollback that ends a session's transaction."""

    def __init__(self, timeout_s: float = GATE_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    def before_execute(
        self, conn: Any, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any
    ) -> None:
        info = conn.connection.info  # the pooled DBAPI connection's: survives this Connection
        if HOLDS_GATE in info or not is_write(statement):
            return
        lock = self._lock()
        try:
            await_only(self._acquire(lock))
        except TimeoutError:
            raise WriteGateTimeout(statement[:40], None, TimeoutError()) from None
        info[HOLDS_GATE] = lock

    async def _acquire(self, lock: asyncio.Lock) -> None:
        # asyncio.timeout rather than wait_for: in Python 3.11 wait_for wraps the wait in a
        # task of its own, one more task and loop round per write transaction.
        async with asyncio.timeout(self.timeout_s):
            await lock.acquire()

    def release(self, dbapi_connection: Any, connection_record: Any) -> None:
        info = connection_record.info if connection_record is not None else {}
        lock = info.pop(HOLDS_GATE, None)
        if lock is not None:
            lock.release()

    def on_reset(self, dbapi_connection: Any, connection_record: Any, reset_state: Any) -> None:
        self.release(dbapi_connection, connection_record)

    def on_invalidate(self, dbapi_connection: Any, connection_record: Any, exception: Any) -> None:
        self.release(dbapi_connection, connection_record)


def create_engine(
    database_url: str,
    *,
    sqlite_busy_timeout_ms: int = 5000,
    write_gate: bool = True,
    write_gate_timeout_s: float = GATE_TIMEOUT_S,
    sqlite_inline: bool = True,
    **kwargs: Any,
) -> AsyncEngine:
    """The async engine; on SQLite with its pragmas and, unless `write_gate` is False (only
    the test that shows why it exists), the process's write gate. `sqlite_inline`: short
    statements run on the event loop instead of the connection's thread (bot.db.sqlite_driver;
    False only to measure or test the difference)."""
    # Statement parameters are personal data: keep them out of error messages and logs.
    kwargs.setdefault("hide_parameters", True)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        if url.get_driver_name() == "aiosqlite":
            url = url.set(drivername=f"sqlite+{ONE_HOP_DRIVER}")  # bot.db.sqlite_driver
            kwargs["connect_args"] = {**kwargs.get("connect_args", {}), "inline": sqlite_inline}
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(sqlite_busy_timeout_ms))
        if not write_gate:
            return _track_writes(engine)
        gate = SqliteWriteGate(write_gate_timeout_s)
        event.listen(engine.sync_engine, "before_cursor_execute", gate.before_execute)
        # Returned to the pool: after the transaction's commit or rollback.
        event.listen(engine.sync_engine.pool, "reset", gate.on_reset)
        event.listen(engine.sync_engine.pool, "checkin", gate.release)
        event.listen(engine.sync_engine.pool, "invalidate", gate.on_invalidate)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("pool_pre_ping", True)
    return _track_writes(create_async_engine(url, **kwargs))


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
