"""Every setting of Shtab in one place, read from the environment and `.env`.

A missing or malformed setting stops start-up with one line that names the variable
(see `load_settings`); the bot token is a SecretStr so it never lands in a log line.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATA_DIR = Path("data")
TELEGRAM_API_URL = "https://api.telegram.org"
_TOKEN_SHAPE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{10,}$")
_WEBHOOK_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigError(Exception):
    """A setting that stops start-up; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = None
    bot_api_url: str = TELEGRAM_API_URL
    database_url: str = ""
    redis_url: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    data_key: SecretStr | None = None
    timezone: str = "Europe/Moscow"
    default_locale: Literal["ru", "en"] = "ru"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    # Polling mode: serve /healthz on this port (0: off). Webhook mode serves it on its port.
    health_port: int = Field(default=0, ge=0, le=65535)
    # Log lines as text for people, or one JSON object per line for a log collector.
    log_format: Literal["text", "json"] = "text"
    data_dir: Path = DEFAULT_DATA_DIR
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # The reminder jobs (planning, sending). Tests drive them by hand with a frozen clock.
    scheduler: bool = True
    # Messages per second this instance may send on its own (reminders, later broadcasts).
    # Telegram allows about 30 per bot: with several instances, divide it between them.
    send_rate: float = Field(default=25.0, gt=0, le=30)

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not _TOKEN_SHAPE.match(value.strip()):
            # The message must not echo the value: it may be a real token with a typo.
            raise ValueError("expected the token BotFather gave, like 123456:ABC-DEF...")
        return value.strip()

    @field_validator("bot_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"expected an http(s) URL, got {value!r}")
        return value.rstrip("/")

    @field_validator("redis_url", "webhook_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            ids = []
            for part in filter(None, parts):
                if not part.isdigit():
                    raise ValueError(
                        f"expected comma-separated numeric Telegram user ids, got {part!r}"
                    )
                ids.append(int(part))
            return frozenset(ids)
        return value

    @field_validator("data_key", mode="before")
    @classmethod
    def _data_key(cls, value: object) -> object:
        if value in (None, ""):
            return None
        keys = [key.strip() for key in str(value).split(",") if key.strip()]
        for key in keys:
            try:
                Fernet(key.encode())
            except ValueError:
                raise ValueError(
                    "expected one or more comma-separated Fernet keys (32 url-safe base64 bytes); "
                    "generate one with `python -m bot genkey`"
                ) from None
        return ",".join(keys)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}, expected e.g. Europe/Moscow") from None
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not _WEBHOOK_SECRET_SHAPE.match(str(value)):
            raise ValueError("expected 1-256 characters of A-Z a-z 0-9 _ -")
        return value

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'shtab.db'}"
        if not self.database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "DATABASE_URL: expected sqlite+aiosqlite:///path or postgresql+asyncpg://..."
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def data_keys(self) -> list[str]:
        """The encryption keys, newest first; empty until `ensure_data_key` ran."""
        return self.data_key.get_secret_value().split(",") if self.data_key else []


def load_settings(**overrides: object) -> Settings:
    """Read the settings or raise ConfigError with one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        variable = "_".join(str(part) for part in first["loc"]).upper() or "settings"
        message = first["msg"].removeprefix("Value error, ")
        if message.startswith("DATABASE_URL:"):
            raise ConfigError(message) from None
        raise ConfigError(f"{variable}: {message}") from None


def ensure_data_key(settings: Settings) -> str | None:
    """Make sure a DATA_KEY exists; return a notice for the operator when one was generated.

    On the embedded default the key is generated once into `data/data.key` (mode 0600), so a
    newcomer needs no setup. With PostgreSQL the key must come from the environment: a key that
    silently lives on one instance's disk would make the others unable to read the data.
    """
    if settings.data_key is not None:
        return None
    if not settings.is_sqlite:
        raise ConfigError("DATA_KEY: required with PostgreSQL (generate: python -m bot genkey)")
    key_file = settings.data_dir / "data.key"
    notice = None
    if not key_file.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(Fernet.generate_key().decode())
        notice = (
            f"DATA_KEY was not set: generated a new key into {key_file} (mode 0600). "
            "Back it up: without it the encrypted personal data cannot be read."
        )
    mode = stat.S_IMODE(key_file.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(f"DATA_KEY: {key_file} is readable by others (mode {mode:o}), chmod 600")
    settings.data_key = SecretStr(key_file.read_text().strip())
    return notice
