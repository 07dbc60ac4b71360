"""SQLite writers of one process queue in the write gate instead of racing in SQLite's busy
handler: a writer that waits longer than busy_timeout still gets through, and readers never
wait. (The waiters are served in arrival order: asyncio.Lock is FIFO.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import WriteGateTimeout, create_engine, create_session_factory

BUSY_MS = 50  # SQLite's own patience, kept short so the test holds the lock past it quickly
HOLD_S = 0.3  # how long the first writer keeps its transaction open: six busy_timeouts


@asynccontextmanager
async def notes_engine(
    tmp_path: Path, busy_ms: int = BUSY_MS, **options: Any
) -> AsyncIterator[AsyncEngine]:
    """An engine on a new SQLite file with an empty `notes` table, busy_timeout BUSY_MS."""
    engine = create_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'w.db'}", sqlite_busy_timeout_ms=busy_ms, **options
    )
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
            )
        yield engine
    finally:
        await engine.dispose()


async def _contended_writes(engine: AsyncEngine) -> list[str]:
    """A holds a write transaction open for HOLD_S; B, C and D want to write meanwhile and a
    reader reads. Returns the bodies in commit order."""
    sessions = create_session_factory(engine)
    a_wrote = asyncio.Event()
    read_while_held: list[int] = []

    async def first() -> None:
        async with sessions() as session:
            await session.execute(text("INSERT INTO notes (body) VALUES ('A')"))
            a_wrote.set()
            await asyncio.sleep(HOLD_S)  # a handler busy between its write and its commit
            async with sessions() as reader:  # a read is not held up by the open write
                count = await reader.scalar(text("SELECT count(*) FROM notes"))
                read_while_held.append(int(count or 0))
            await session.commit()

    async def later(body: str) -> None:
        await a_wrote.wait()
        async with sessions() as session:
            await session.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": body})
            await session.commit()

    await asyncio.gather(first(), later("B"), later("C"), later("D"))
    assert read_while_held == [0]  # A's uncommitted row is invisible, and the read did not wait
    async with sessions() as session:
        return list((await session.scalars(text("SELECT body FROM notes ORDER BY id"))).all())


async def test_writers_wait_past_busy_timeout_for_the_open_write(tmp_path: Path) -> None:
    async with notes_engine(tmp_path) as engine:
        bodies = await _contended_writes(engine)
    assert bodies[0] == "A" and sorted(bodies[1:]) == ["B", "C", "D"]


async def test_without_the_gate_the_same_writes_fail_with_database_is_locked(
    tmp_path: Path,
) -> None:
    """Why the gate exists: SQLite alone gives up after busy_timeout."""
    async with notes_engine(tmp_path, write_gate=False) as engine:
        with pytest.raises(OperationalError, match="database is locked"):
            await _contended_writes(engine)


async def test_a_failed_write_releases_the_gate(tmp_path: Path) -> None:
    async with notes_engine(tmp_path) as engine:
        sessions = create_session_factory(engine)
        with pytest.raises(OperationalError):
            async with sessions() as session:
                await session.execute(text("INSERT INTO notes (body) VALUES ('x')"))
                await session.execute(text("INSERT INTO missing_table VALUES (1)"))
        async with sessions() as session:  # would wait GATE_TIMEOUT_S if the gate stayed taken
            await asyncio.wait_for(
                session.execute(text("INSERT INTO notes (body) VALUES ('y')")), timeout=2
            )
            await session.commit()
            assert list((await session.scalars(text("SELECT body FROM notes"))).all()) == ["y"]


async def test_a_write_that_waits_too_long_for_the_gate_fails_and_leaves_it_usable(
    tmp_path: Path,
) -> None:
    async with notes_engine(tmp_path, write_gate_timeout_s=0.2) as engine:
        sessions = create_session_factory(engine)
        async with sessions() as holder:
            await holder.execute(text("INSERT INTO notes (body) VALUES ('first')"))
            with pytest.raises(WriteGateTimeout):
                async with sessions() as late:
                    await late.execute(text("INSERT INTO notes (body) VALUES ('late')"))
            await holder.commit()
        async with sessions() as session:  # the timed-out wait took nothing with it
            await asyncio.wait_for(
                session.execute(text("INSERT INTO notes (body) VALUES ('next')")), timeout=2
            )
            await session.commit()
            bodies = (await session.scalars(text("SELECT body FROM notes"))).all()
            assert sorted(bodies) == ["first", "next"]
