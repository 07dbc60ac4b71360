"""Backup and restore of the embedded SQLite database, and moving all data to another database
(`python -m bot backup | restore | migrate-data`).

- A backup uses SQLite's online backup API: a consistent copy of the file while the bot runs
  and writes. The copy is checked (`PRAGMA integrity_check`) and readable by its owner only.
  The encryption key is not in it: keep `data/data.key` (or `DATA_KEY`) with it, apart.
- migrate-data copies every table of `Base.metadata` — whatever tables the models have now —
  in dependency order, from a consistent snapshot of the source, in one transaction on the
  target, then compares row counts and checksums per table and resets PostgreSQL's sequences.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, Table, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.engine import create_engine
from bot.db.migrate import upgrade
from bot.db.models import Base
from bot.services.clock import utcnow

BATCH = 1000


class TransferError(Exception):
    """Stops a backup, restore or migration with a message for the operator."""


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise TransferError("this works on the embedded SQLite database (DATABASE_URL=sqlite...)")
    return Path(url.database)


# --------------------------------------------------------------------------- backup, restore


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    revision: str
    rows: dict[str, int]


def _online_copy(source: Path, target: Path) -> None:
    """SQLite's backup API in one step: a read transaction, so the copy is one moment of the
    database even while the bot keeps writing (WAL lets it)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _inspect(path: Path) -> tuple[str, dict[str, int]]:
    """The copy's integrity, schema revision and row counts; raises when it is unusable."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        check = connection.execute("PRAGMA integrity_check").fetchone()
        if check is None or check[0] != "ok":
            raise TransferError(f"{path}: integrity check failed: {check}")
        try:
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            revision = None
        if revision is None:
            raise TransferError(f"{path}: not a Shtab database (no schema revision)")
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        rows = {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in sorted(tables)
        }
        return str(revision[0]), rows
    except sqlite3.DatabaseError as error:
        raise TransferError(f"{path}: not a readable SQLite database ({error})") from None
    finally:
        connection.close()


def backup(database_url: str, target: Path) -> BackupReport:
    source = sqlite_path(database_url)
    if not source.exists():
        raise TransferError(f"{source}: no database to back up")
    if target.is_dir() or not target.suffix:  # a directory: a dated file inside
        stamp = utcnow().strftime("%Y%m%d-%H%M%SZ")
        target = target / f"shtab-{stamp}.db"
    if target.exists():
        raise TransferError(f"{target}: exists; choose another name")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target, renamed when complete and checked: never half a backup.
    descriptor, partial = tempfile.mkstemp(dir=target.parent, prefix=".backup-", suffix=".db")
    os.close(descriptor)
    try:
        os.chmod(partial, 0o600)  # personal data, even encrypted
        _online_copy(source, Path(partial))
        revision, rows = _inspect(Path(partial))
        os.replace(partial, target)
    finally:
        Path(partial).unlink(missing_ok=True)
    return BackupReport(target, target.stat().st_size, revision, rows)


def restore(backup_file: Path, database_url: str) -> tuple[BackupReport, Path | None]:
    """Replace the database with a backup; the current one is kept beside it first.
    Stop the bot before: a running instance would go on from what it has in memory."""
    if not backup_file.is_file():
        raise TransferError(f"{backup_file}: no such file")
    revision, rows = _inspect(backup_file)
    target = sqlite_path(database_url)
    kept = None
    if target.exists():
        stamp = utcnow().strftime("%Y%m%d-%H%M%SZ")
        kept = target.with_name(f"{target.stem}.before-restore-{stamp}.db")
        backup(database_url, kept)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Through the backup API into the live file: its WAL and locks stay consistent.
    _online_copy(backup_file, target)
    os.chmod(target, 0o600)
    return BackupReport(target, target.stat().st_size, revision, rows), kept


# --------------------------------------------------------------------------- migrate-data


@dataclass(frozen=True)
class TableReport:
    name: str
    source_rows: int
    target_rows: int
    source_sum: str
    target_sum: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_sum == self.target_sum


def _canonical(value: Any) -> str:
    """One spelling per value whatever the database returned it as."""
    if value is None:
        return "\x00"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.isoformat() if value.tzinfo is None else value.astimezone(UTC).isoformat()
    if isinstance(value, date | time | Decimal | int | str):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


async def _checksum(connection: AsyncConnection, table: Table) -> tuple[int, str]:
    """Row count and a digest of the rows, independent of their order (collations differ)."""
    result = await connection.stream(select(table))
    digests = []
    async for row in result:
        line = "\x1f".join(_canonical(value) for value in row)
        digests.append(hashlib.sha256(line.encode()).digest())
    digests.sort()
    return len(digests), hashlib.sha256(b"".join(digests)).hexdigest()[:16]


async def _count(connection: AsyncConnection, table: Table) -> int:
    return int(await connection.scalar(select(func.count()).select_from(table)) or 0)


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)  # parents before children


async def _copy_table(source: AsyncConnection, target: AsyncConnection, table: Table) -> None:
    result = await source.stream(select(table).order_by(*table.primary_key.columns))
    async for chunk in result.mappings().partitions(BATCH):
        await target.execute(insert(table), [dict(row) for row in chunk])


async def _reset_sequences(target: AsyncConnection, tables: Iterable[Table]) -> None:
    """After explicit ids were inserted, PostgreSQL's sequences must start past them."""
    for table in tables:
        columns = list(table.primary_key.columns)
        if len(columns) != 1 or not isinstance(columns[0].type, Integer):
            continue
        column = columns[0]
        # NULL for a column without a sequence: setval ignores it (strict function).
        await target.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f'COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, false)'
            ),
            {"table": table.name, "column": column.name},
        )


async def _revision(connection: AsyncConnection) -> str | None:
    try:
        return await connection.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception:  # no alembic table: an empty database
        return None


async def migrate_data(
    source_url: str, target_url: str, *, say: Callable[[str], None] = print
) -> list[TableReport]:
    """Copy everything from the SQLite database to `target_url` and compare; the target must
    be empty. Returns the per-table report; raises TransferError when anything differs."""
    source_path = sqlite_path(source_url)
    if not source_path.exists():
        raise TransferError(f"{source_path}: no database to move")
    if target_url == source_url:
        raise TransferError("--to is the database itself")
    with tempfile.TemporaryDirectory(prefix="shtab-migrate-") as scratch:
        # A snapshot taken with the backup API: the copy is one moment even if the bot runs.
        snapshot = Path(scratch) / "snapshot.db"
        _online_copy(source_path, snapshot)
        say(f"snapshot of {source_path} taken")
        await asyncio.to_thread(upgrade, target_url)
        return await _copy_and_compare(f"sqlite+aiosqlite:///{snapshot}", target_url, say)


# Rows a migration creates in a fresh database (the audit chain's head, so that instances
# never race for it): present in an "empty" target, and replaced by the source's.
SEEDED_BY_MIGRATIONS = frozenset({"audit_head"})


async def _copy_and_compare(
    source_url: str, target_url: str, say: Callable[[str], None]
) -> list[TableReport]:
    source_engine = create_engine(source_url)
    target_engine = create_engine(target_url)
    tables = _tables()
    try:
        async with source_engine.connect() as source, target_engine.connect() as target:
            source_revision, target_revision = await _revision(source), await _revision(target)
            if source_revision != target_revision:
                raise TransferError(
                    f"schema revisions differ: source {source_revision}, target "
                    f"{target_revision}; run `python -m bot migrate` on the source first"
                )
            busy = [
                table.name
                for table in tables
                if table.name not in SEEDED_BY_MIGRATIONS and await _count(target, table)
            ]
            if busy:
                raise TransferError(f"the target is not empty ({', '.join(busy)}): nothing copied")
            await target.rollback()
            async with target.begin():  # all or nothing
                for table in tables:
                    if table.name in SEEDED_BY_MIGRATIONS:
                        await target.execute(table.delete())  # the source's row replaces it
                    await _copy_table(source, target, table)
                if target.dialect.name == "postgresql":
                    await _reset_sequences(target, tables)
            reports = []
            for table in tables:
                source_rows, source_sum = await _checksum(source, table)
                target_rows, target_sum = await _checksum(target, table)
                report = TableReport(table.name, source_rows, target_rows, source_sum, target_sum)
                reports.append(report)
                say(
                    f"{table.name:32} {source_rows:>8} → {target_rows:<8} "
                    f"{source_sum} {'=' if source_sum == target_sum else '≠'} {target_sum} "
                    f"{'ok' if report.ok else 'DIFFERENT'}"
                )
    finally:
        await source_engine.dispose()
        await target_engine.dispose()
    bad = [report.name for report in reports if not report.ok]
    if bad:
        raise TransferError(f"tables differ after the copy: {', '.join(bad)}")
    return reports
