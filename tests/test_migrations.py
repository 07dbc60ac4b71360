"""The Alembic head builds exactly the schema the SQLAlchemy models describe, on both databases;
SQLite connections get their pragmas."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.db.engine import create_engine
from bot.db.migrate import alembic_config, upgrade
from bot.db.models import Base


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, Base.metadata))


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def schema_drift(database_url: str) -> tuple[str | None, list[Any]]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            revision = await connection.run_sync(_revision)
            differences = await connection.run_sync(_differences)
    finally:
        await engine.dispose()
    return revision, differences


def head(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


async def test_sqlite_head_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    # upgrade() runs its own event loop, so it runs in a worker thread here.
    await asyncio.to_thread(upgrade, url)
    revision, differences = await schema_drift(url)
    assert revision == head(url) is not None
    assert differences == []


@pytest.mark.postgres
async def test_postgres_head_matches_the_models(postgres_url: str) -> None:
    revision, differences = await schema_drift(postgres_url)
    assert revision == head(postgres_url) is not None
    assert differences == []


async def test_drift_would_be_seen(tmp_path: Path) -> None:
    """The comparison is not blind: a column the migrations lack shows up."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'drift.db'}"
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("ALTER TABLE users ADD COLUMN nickname VARCHAR(20)"))
    await engine.dispose()
    _, differences = await schema_drift(url)
    assert [(d[0], d[2], d[3].name) for d in differences] == [
        ("remove_column", "users", "nickname")
    ]


async def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'pragmas.db'}")
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
            assert await connection.scalar(text("PRAGMA journal_mode")) == "wal"
            assert await connection.scalar(text("PRAGMA busy_timeout")) == 5000
            # foreign_keys=1 is real: a dangling reference is refused.
            await connection.execute(text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
            await connection.execute(
                text("CREATE TABLE child (parent_id INTEGER REFERENCES parent (id))")
            )
            with pytest.raises(IntegrityError):
                await connection.execute(text("INSERT INTO child VALUES (42)"))
    finally:
        await engine.dispose()
    assert (tmp_path / "nested" / "pragmas.db").exists()  # the directory is created
