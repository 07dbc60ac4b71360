"""SQLAlchemy's aiosqlite dialect: short statements on the event loop, the others in one
thread hop each instead of four.

aiosqlite runs each call on a sqlite3 connection in that connection's worker thread, and each
call is a hop: a queue put, a thread wake-up, a result handed back through the event loop.
SQLAlchemy's adapter makes four of them per statement (open a cursor, execute, fetch the rows,
close the cursor) and one more for the pool's rollback when a connection is returned, even
after a commit. Measured in a registration: 316 hops for 79 statements, the largest single
cost of an update in the bot process (bench/README.md, "Registration throughput").

Here a statement is one job in the worker thread (execute, fetch everything, remember the
description, row count and last row id, close), and commit or rollback without an open
transaction is skipped (the sqlite3 driver begins a transaction only at the first write, so
there is nothing to end). Results are fetched whole, as SQLAlchemy's adapter already does for
ordinary cursors; server-side cursors (`stream()`) are left as they were. `create_engine`
(bot.db.engine) uses this driver for sqlite+aiosqlite URLs.

Short statements do not hop at all: they run on the event loop, where SQLite takes a few
microseconds over them and the hop itself cost ~90 (a queue put, a thread wake-up, a callback
through the loop's self-pipe; bench/README.md, "Sixth pass"). Only statements that cannot run
long or wait are run there (`inline_kind`):

- a read (SELECT) within a budget of INLINE_BUDGET_S: SQLite calls a progress handler every
  thousand steps, and a read still going at the budget is interrupted (which leaves the
  transaction as it was) and run again in the worker thread. In WAL mode a read never waits
  for a lock.
- a one-row write (INSERT of one VALUES row, UPDATE by primary key) once the transaction
  holds SQLite's write lock, i.e. after one of its writes succeeded (`OneHopConnection.locked`,
  and the transaction still open). The first write may have to wait for another process's
  lock (busy_timeout): it runs in the worker thread. Deletes always do: a cascade can reach
  any number of rows.
- COMMIT and ROLLBACK: in WAL mode with synchronous=NORMAL a commit appends to the log and
  does not sync; the checkpoint that can sync is taken out of it (wal_autocheckpoint=0) and
  run in the worker thread every CHECKPOINT_EVERY commits.

What the loop can still wait for is the disk, where a page is not in the cache: one-row
statements read a handful of pages.

Everything else (executemany, multi-row inserts, DDL, pragmas, deletes) is one hop, as above.
"""

from __future__ import annotations

import collections
import itertools
import logging
import re
import sqlite3
from collections import Counter
from functools import lru_cache
from time import perf_counter
from typing import Any, Literal

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util.concurrency import await_

from bot.db.statements import is_write

DRIVER = "shtab_aiosqlite"

log = logging.getLogger(__name__)

Outcome = tuple[Any, list[Any], int, int | None]

INLINE_BUDGET_S = 0.002  # a read still running after this finishes in the worker thread
PROGRESS_STEPS = 1000  # SQLite virtual-machine steps between two looks at the clock
CHECKPOINT_EVERY = 200  # commits between two WAL checkpoints (run in the worker thread)

# Where statements ran, for the tests and for anyone asking why the loop was slow:
# "inline", "thread", "read_moved" (a read over budget, finished in the thread), "checkpoint".
statement_counts: Counter[str] = Counter()
_commits = itertools.count(1)

# One row by primary key: every table's key is `id`, except fsm_records' `key`. A statement
# that does not match runs in the worker thread, so a miss costs speed, never the loop.
_ONE_ROW_INSERT = re.compile(
    r"INSERT INTO [^\s(]+ \([^()]*\) VALUES \([^()]*\)( RETURNING [^()]*)?", re.S
)
_UPDATE_BY_KEY = re.compile(r'UPDATE (\S+) SET .* WHERE \1\.(id|"key") = \?', re.S)


@lru_cache(maxsize=1024)
def inline_kind(sql: str) -> Literal["read", "write"] | None:
    """Whether a statement may run on the event loop: as a read (within the budget), as a
    one-row write (once the transaction holds the write lock), or not at all (None)."""
    statement = sql.strip()
    head = statement[:7].upper()
    if head.startswith("SELECT"):
        return "read"
    if "SELECT" in statement.upper():
        return None  # INSERT ... SELECT, or a sub-select in an UPDATE: unbounded
    if head.startswith("INSERT") and _ONE_ROW_INSERT.fullmatch(statement):
        return "write"
    if head.startswith("UPDATE") and _UPDATE_BY_KEY.fullmatch(statement):
        return "write"
    return None


class _Budget:
    """SQLite's progress handler: a non-zero answer interrupts the running statement."""

    __slots__ = ("deadline",)

    def __init__(self) -> None:
        self.deadline = perf_counter() + INLINE_BUDGET_S

    def __call__(self) -> int:
        return perf_counter() > self.deadline


def _run_inline(
    connection: sqlite3.Connection, sql: str, parameters: Any, locked: bool
) -> Outcome | None:
    """The statement run on the event loop, or None when it must go to the worker thread.
    `locked`: a write of this transaction succeeded, so it holds the write lock (unless
    SQLite ended the transaction on its own, which `in_transaction` tells)."""
    kind = inline_kind(sql)
    if kind == "write" and locked and connection.in_transaction:
        return _run(connection, sql, parameters, False)
    if kind != "read":
        return None
    budget = _Budget()
    connection.set_progress_handler(budget, PROGRESS_STEPS)
    try:
        return _run(connection, sql, parameters, False)
    except sqlite3.OperationalError as error:
        if str(error) == "interrupted" and budget():
            statement_counts["read_moved"] += 1
            return None  # run again, whole, in the thread: a read has nothing to undo
        raise
    finally:
        connection.set_progress_handler(None, 0)


async def _done() -> None:
    return None


def _checkpoint(connection: sqlite3.Connection) -> None:
    """In the worker thread: copy the log into the database; never waits (PASSIVE)."""
    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _run(connection: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> Outcome:
    """The whole statement, cursor opened and closed (in the worker thread, or inline)."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        elif parameters is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A client-side cursor whose statement runs in one worker-thread job."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No aiosqlite cursor is opened here (that would be a hop of its own).
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    async def _async_soft_close(self) -> None:
        return None  # nothing open in the thread: the job closed its cursor

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        return self._run(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        return self._run(operation, seq_of_parameters, many=True)

    def _run(self, operation: Any, parameters: Any, *, many: bool) -> None:
        aio = self._connection
        adapted = self._adapt_connection
        try:
            outcome = None
            if not many and adapted.inline:
                outcome = _run_inline(aio._conn, operation, parameters, adapted.locked)
            if outcome is None:
                statement_counts["thread"] += 1
                outcome = await_(aio._execute(_run, aio._conn, operation, parameters, many))
            else:
                statement_counts["inline"] += 1
                # SQLAlchemy's AsyncConnection insists that a statement awaited something
                # (AwaitRequired): a coroutine that returns at once, no loop round.
                await_(_done())
            description, rows, rowcount, lastrowid = outcome
        except Exception as error:
            adapted._handle_exception(error)
        if not adapted.locked and is_write(operation):
            adapted.locked = True
        self._description = description
        self._rows = collections.deque(rows)
        self._rowcount = rowcount
        self._lastrowid = lastrowid


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("inline", "locked")

    _cursor_cls = OneHopCursor  # type: ignore[assignment]

    def _idle(self) -> bool:
        """No transaction open: commit and rollback would do nothing but cost a hop. Read
        between statements, when the worker thread is not running one of ours."""
        aio = self._connection
        return aio._connection is not None and not aio._conn.in_transaction

    def rollback(self) -> None:
        self.locked = False
        if self._idle():
            return
        if not self.inline:
            super().rollback()
            return
        try:
            self._connection._conn.rollback()
        except Exception as error:
            self._handle_exception(error)

    def commit(self) -> None:
        self.locked = False
        if self._idle():
            return
        if not self.inline:
            super().commit()
            return
        aio = self._connection
        try:
            aio._conn.commit()
        except Exception as error:
            self._handle_exception(error)
        if next(_commits) % CHECKPOINT_EVERY == 0:
            statement_counts["checkpoint"] += 1
            try:
                await_(aio._execute(_checkpoint, aio._conn))
            except Exception:  # the commit stands; the next checkpoint copies the rest
                log.warning("WAL checkpoint failed", exc_info=True)


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        # `inline` is a connect argument of this driver (create_engine's sqlite_inline), not
        # of sqlite3's.
        inline = bool(kw.pop("inline", True))
        adapted = super().connect(*arg, **kw)
        connection = OneHopConnection(self, adapted._connection)
        connection.inline = inline
        connection.locked = False
        if inline:
            # The checkpoint a commit would run when the log passes 1,000 pages syncs the
            # database file: taken out of commits that run on the loop (see `commit`).
            connection._connection._conn.execute("PRAGMA wal_autocheckpoint=0")
        return connection


class OneHopDialect(SQLiteDialect_aiosqlite):
    driver = DRIVER
    supports_statement_cache = True
    # Server-side cursors (stream(), used by backup and migrate-data) stay aiosqlite's own.

    @classmethod
    def import_dbapi(cls) -> OneHopDBAPI:  # type: ignore[override]
        return OneHopDBAPI(__import__("aiosqlite"), __import__("sqlite3"))


registry.register(f"sqlite.{DRIVER}", __name__, "OneHopDialect")
