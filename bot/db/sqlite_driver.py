"""SQLAlchemy's aiosqlite dialect with one thread hop per statement instead of four.

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
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util.concurrency import await_

DRIVER = "shtab_aiosqlite"

Outcome = tuple[Any, list[Any], int, int | None]


def _run(connection: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> Outcome:
    """In the worker thread: the whole statement, cursor opened and closed."""
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
        try:
            description, rows, rowcount, lastrowid = await_(
                aio._execute(_run, aio._conn, operation, parameters, many)
            )
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self._description = description
        self._rows = collections.deque(rows)
        self._rowcount = rowcount
        self._lastrowid = lastrowid


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    _cursor_cls = OneHopCursor  # type: ignore[assignment]

    def _idle(self) -> bool:
        """No transaction open: commit and rollback would do nothing but cost a hop. Read
        between statements, when the worker thread is not running one of ours."""
        aio = self._connection
        return aio._connection is not None and not aio._conn.in_transaction

    def rollback(self) -> None:
        if not self._idle():
            super().rollback()

    def commit(self) -> None:
        if not self._idle():
            super().commit()


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


class OneHopDialect(SQLiteDialect_aiosqlite):
    driver = DRIVER
    supports_statement_cache = True
    # Server-side cursors (stream(), used by backup and migrate-data) stay aiosqlite's own.

    @classmethod
    def import_dbapi(cls) -> OneHopDBAPI:  # type: ignore[override]
        return OneHopDBAPI(__import__("aiosqlite"), __import__("sqlite3"))


registry.register(f"sqlite.{DRIVER}", __name__, "OneHopDialect")
