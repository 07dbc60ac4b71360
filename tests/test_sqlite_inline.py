"""Short SQLite statements run on the event loop, everything that could run long or wait runs
in the connection's thread (bot.db.sqlite_driver): which is which, and that the loop is never
the one waiting."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import sqlite_driver
from bot.db.dialogs import _UPDATE as DIALOG_UPDATE
from bot.db.engine import create_session_factory
from bot.db.models import Candidate, FsmRecord
from bot.db.sqlite_driver import inline_kind, statement_counts
from tests.conftest import RunningBot
from tests.test_sqlite_writes import notes_engine
from tests.test_update_reads import to_email_step


def _sql(statement: object) -> str:
    return str(statement.compile(dialect=sqlite.dialect()))  # type: ignore[attr-defined]


def test_one_row_statements_run_on_the_loop_and_the_rest_in_the_thread() -> None:
    candidates = Candidate.__table__
    assert inline_kind(_sql(select(Candidate).where(Candidate.id == 1))) == "read"
    # What the ORM flushes for one changed candidate, and the dialog row's update.
    by_key = update(candidates).where(candidates.c.id == 1).values(updated_at=None)
    assert inline_kind(_sql(by_key)) == "write"
    assert inline_kind(_sql(DIALOG_UPDATE)) == "write"
    one_row = insert(FsmRecord.__table__).values(key="k", user_id=1, state="s")
    assert inline_kind(_sql(one_row)) == "write"
    assert inline_kind(_sql(one_row.returning(FsmRecord.__table__.c.key))) == "write"
    # Anything that can reach many rows, wait, or change the schema: the thread.
    many_rows = update(candidates).where(candidates.c.district_id == 1).values(quest_points=0)
    sub_select = update(candidates).values(
        quest_points=select(Candidate.quest_points).where(Candidate.id == 2).scalar_subquery()
    )
    copied = insert(FsmRecord.__table__).from_select(
        ["key", "user_id"], select(FsmRecord.key, FsmRecord.user_id)
    )
    for statement in (
        _sql(many_rows),
        _sql(sub_select),
        _sql(copied),
        _sql(delete(FsmRecord.__table__).where(FsmRecord.key == "k")),  # cascades
        "INSERT INTO notes (body) VALUES (?), (?)",  # several rows in one statement
        "INSERT INTO notes (body) VALUES (upper(?))",
        "WITH x AS (SELECT 1) DELETE FROM notes",
        "PRAGMA wal_checkpoint(PASSIVE)",
        "CREATE TABLE t (id INTEGER)",
    ):
        assert inline_kind(statement) is None, statement


def _counts() -> Counter[str]:
    return Counter(statement_counts)


async def test_a_registration_step_sends_only_its_first_write_to_the_thread(
    running: RunningBot,
) -> None:
    """The e-mail step reads the person and the dialog, checks the person's data key,
    updates the candidate (the first write: it may wait for the lock), records the update,
    moves the dialog on and commits. Only the first write leaves the loop."""
    user = running.user()
    await to_email_step(user)
    await running.settled()
    before = _counts()
    await user.send("maria@example.ru")
    await user.expect("Шаг 4 из 5")
    await running.settled()
    ran = _counts() - before
    assert ran["thread"] == 1
    assert ran["inline"] >= 4


async def _filled(engine: AsyncEngine, rows: int) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO notes (body) VALUES (:b)"), [{"b": str(i)} for i in range(rows)]
        )


async def test_a_long_read_is_finished_in_the_thread_and_the_transaction_kept(
    tmp_path: Path,
) -> None:
    async with notes_engine(tmp_path) as engine:
        await _filled(engine, 3000)
        sessions = create_session_factory(engine)
        before = _counts()
        async with sessions() as session:
            await session.execute(text("INSERT INTO notes (body) VALUES ('kept')"))
            # Nine million row pairs: far past the budget on the loop.
            pairs = await session.scalar(text("SELECT count(*) FROM notes a, notes b"))
            await session.commit()
        assert pairs == 3001 * 3001
        assert (_counts() - before)["read_moved"] == 1
        async with sessions() as session:
            kept = await session.scalar(text("SELECT count(*) FROM notes WHERE body = 'kept'"))
        assert kept == 1  # the interrupted read left the open write alone


async def _until(condition: Callable[[], bool]) -> None:
    # Polled: the condition is the driver's counter, which no event announces.
    while not condition():  # noqa: ASYNC110
        await asyncio.sleep(0)


@pytest.mark.parametrize("savepoint", [False, True], ids=["plain", "after-savepoint"])
async def test_a_write_waiting_for_another_process_does_not_hold_up_the_loop(
    tmp_path: Path, savepoint: bool
) -> None:
    """Also after a SAVEPOINT: it opens a transaction without taking the write lock."""
    async with notes_engine(tmp_path, busy_ms=10_000) as engine:
        sessions = create_session_factory(engine)
        other_process = sqlite3.connect(tmp_path / "w.db", isolation_level=None)
        other_process.execute("BEGIN IMMEDIATE")  # holds SQLite's write lock
        try:

            async def write() -> None:
                async with sessions() as session:
                    if savepoint:
                        await session.begin_nested()
                    await session.execute(text("INSERT INTO notes (body) VALUES ('late')"))
                    await session.commit()

            sent_to_thread = statement_counts["thread"]
            writing = asyncio.create_task(write())
            await asyncio.wait_for(_until(lambda: statement_counts["thread"] > sent_to_thread), 5)
            # The write waits in SQLite's busy handler, in the thread; the loop serves others.
            async with sessions() as session:
                assert await session.scalar(text("SELECT count(*) FROM notes")) == 0
            assert not writing.done()
        finally:
            other_process.execute("COMMIT")
            other_process.close()
        await asyncio.wait_for(writing, timeout=10)
        async with sessions() as session:
            assert await session.scalar(text("SELECT body FROM notes")) == "late"


async def test_the_log_is_checkpointed_off_the_commits_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commits on the loop never run SQLite's own checkpoint (it syncs the file); the
    driver runs one in the thread every CHECKPOINT_EVERY commits."""
    async with notes_engine(tmp_path) as engine:
        async with engine.connect() as connection:
            assert await connection.scalar(text("PRAGMA wal_autocheckpoint")) == 0
            await connection.execute(text("PRAGMA wal_checkpoint(PASSIVE)"))  # the table
        sessions = create_session_factory(engine)

        async def commit_note(body: str) -> list[str]:
            """The notes the database file alone (without its log) holds after the commit."""
            async with sessions() as session:
                await session.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": body})
                await session.commit()
            shutil.copy(tmp_path / "w.db", tmp_path / "copy.db")
            copy = sqlite3.connect(tmp_path / "copy.db")
            try:
                return [row[0] for row in copy.execute("SELECT body FROM notes ORDER BY id")]
            finally:
                copy.close()

        monkeypatch.setattr(sqlite_driver, "CHECKPOINT_EVERY", 10**9)
        assert await commit_note("in the log only") == []
        monkeypatch.setattr(sqlite_driver, "CHECKPOINT_EVERY", 1)
        before = _counts()
        assert await commit_note("checkpointed") == ["in the log only", "checkpointed"]
        assert (_counts() - before)["checkpoint"] == 1


async def test_without_inline_every_statement_takes_the_thread(tmp_path: Path) -> None:
    async with notes_engine(tmp_path, sqlite_inline=False) as engine:
        before = _counts()
        sessions = create_session_factory(engine)
        async with sessions() as session:
            await session.execute(text("INSERT INTO notes (body) VALUES ('a')"))
            await session.execute(text("INSERT INTO notes (body) VALUES ('b')"))
            assert await session.scalar(text("SELECT count(*) FROM notes")) == 2
            await session.commit()
        ran = _counts() - before
        assert (ran["inline"], ran["thread"]) == (0, 3)
