"""Apply Alembic migrations: at start-up and by `python -m bot migrate`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head", data_keys: list[str] | None = None) -> None:
    """Synchronous on purpose: run it before the event loop starts, or in a worker thread.
    `data_keys` (DATA_KEY) lets a migration encrypt what it moves (0014: candidates' names)."""
    config = alembic_config(database_url)
    config.attributes["data_keys"] = data_keys or []
    command.upgrade(config, revision)
