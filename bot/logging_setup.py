"""Logging: text for people or one JSON object per line (LOG_FORMAT=json), every line inside an
update carrying its update id, the user's role and the handler — and never the bot token, a
key, or what a person typed.

Personal data stays out by construction: our log calls pass ids and counts, never texts;
SQLAlchemy hides statement parameters (`bot.db.engine`), also in its error messages; and the
loggers that would echo SQL or payloads are kept at WARNING whatever LOG_LEVEL says. The test
`tests/test_logs.py` types names, phones and e-mails at the bot with DEBUG logging on and looks
for them in the output.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

from bot.config import Settings

# Set where an update enters (bot.app.ShtabDispatcher), by the context middleware (role) and by
# the handler middleware (handler). Each update runs in its own task, so they never mix.
update_id_var: ContextVar[int | None] = ContextVar("update_id", default=None)
role_var: ContextVar[str | None] = ContextVar("role", default=None)
handler_var: ContextVar[str | None] = ContextVar("handler", default=None)

_CONTEXT = (("update_id", update_id_var), ("role", role_var), ("handler", handler_var))
# Loggers that print SQL, its parameters or raw payloads at INFO/DEBUG.
QUIET = ("aiosqlite", "alembic", "aiogram.event", "sqlalchemy", "asyncpg", "aiohttp.access")


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self._secrets):
            record.msg, record.args = self._redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            # A failed request's URL carries the token: format the traceback now, redacted.
            record.exc_text = self._redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class UpdateContext(logging.Filter):
    """Puts the update's id, role and handler on the record (None outside an update)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in _CONTEXT:
            setattr(record, name, var.get())
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = " ".join(
            f"{name}={value}"
            for name, _ in _CONTEXT
            if (value := getattr(record, name, None)) is not None
        )
        return f"{line} [{context}]" if context else line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, _ in _CONTEXT:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info and record.exc_info[1] is not None:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(settings: Settings, stream: IO[str] | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    secrets = [settings.bot_token.get_secret_value()] if settings.bot_token else []
    secrets += settings.data_keys
    if settings.webhook_secret is not None:
        secrets.append(settings.webhook_secret.get_secret_value())
    handler.addFilter(RedactSecrets(secrets))
    handler.addFilter(UpdateContext())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for noisy in QUIET:
        logging.getLogger(noisy).setLevel(logging.WARNING)
