"""Structured logs: JSON lines with the update id, the role and the handler — and nothing a
person typed, even with DEBUG on."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logging_setup import setup_logging
from tests.conftest import RunningBot
from tests.test_registration import register

NAME = "Кузнецова Анна Игоревна"
EMAIL = "anna.secret@example.org"


async def handled_lines(stream: io.StringIO, count: int) -> None:
    """Wait until `count` updates were logged as handled."""
    done = asyncio.Event()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if stream.getvalue().count("update handled") >= count:
                done.set()

    watch = Watch()
    logging.getLogger().addHandler(watch)
    try:
        if stream.getvalue().count("update handled") < count:
            await asyncio.wait_for(done.wait(), 5)
    finally:
        logging.getLogger().removeHandler(watch)


@pytest.fixture
def json_logs(running: RunningBot) -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    settings = running.settings.model_copy(update={"log_format": "json", "log_level": "DEBUG"})
    setup_logging(settings, stream=stream)
    try:
        yield stream
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])


async def test_json_logs_carry_the_update_and_no_personal_data(
    running: RunningBot, json_logs: io.StringIO
) -> None:
    user = running.user(first_name="Анна")
    await user.send("/start")
    await user.expect("Согласие на обработку")
    await user.press("Согласен")
    await user.expect("Шаг 1 из 5")
    await user.send(NAME)
    await user.expect("Шаг 2 из 5")
    await user.send("+7 921 555-44-33")  # a phone typed instead of shared: refused, not logged
    await user.expect("кнопк")
    await user.share_contact()
    await user.expect("Шаг 3 из 5")
    await user.send(EMAIL)
    await user.expect("Шаг 4 из 5")
    await user.send("/forget_me")
    await user.expect("Удалить все ваши данные")
    registered = running.user()
    await register(registered, name="Смирнова Ольга Петровна")
    await registered.send("/quest")
    await registered.expect("Этап")
    await registered.send("/help")
    await registered.expect("Команды")
    await handled_lines(json_logs, 19)  # logged after the commit: a moment after the reply
    output = json_logs.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    handled = [line for line in lines if line["message"].startswith("update handled")]
    assert len(handled) >= 10
    assert all(isinstance(line["update_id"], int) for line in handled)
    roles = {line.get("role") for line in handled}
    assert {"stranger", "candidate-draft", "candidate-registered"} <= roles, roles
    handlers = {line.get("handler") for line in handled}
    assert "quest.show_quest" in handlers or any(
        name and name.startswith("quest.") for name in handlers
    ), handlers
    for secret in (NAME, "Кузнецова", "Смирнова", "555-44-33", "9215554433", EMAIL, "Анна",
                   registered.phone, user.phone, "maria@example.ru"):  # fmt: skip
        assert secret not in output, secret


def test_text_logs_name_the_context_and_hide_secrets(running: RunningBot) -> None:
    from bot.logging_setup import update_id_var

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    setup_logging(running.settings, stream=stream)
    try:
        token = update_id_var.set(42)
        logging.getLogger("bot").warning("token %s", running.settings.bot_token.get_secret_value())
        update_id_var.reset(token)
        logging.getLogger("bot").warning("outside")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    first, second = stream.getvalue().splitlines()
    assert first.endswith("token *** [update_id=42]")
    assert second.endswith("outside")
