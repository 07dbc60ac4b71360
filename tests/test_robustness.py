"""The bot rides out Telegram's failures and hostile input, and loses nothing."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from aiohttp import ClientSession
from sqlalchemy import func, select

from bot.app import WEBHOOK_PATH, build_app, build_bot, build_webhook_app
from bot.db.models import FsmRecord
from bot.handlers import registration as registration_handlers
from bot.telegram.request_guard import MESSAGE_LIMIT
from tests.conftest import RunningBot, make_settings, start_bot
from tests.fake_telegram import FakeTelegramServer, VirtualUser


async def consent(user: VirtualUser) -> None:
    await user.send("/start")
    await user.expect("Согласие на обработку")
    await user.press("Согласен")
    await user.expect("Шаг 1 из 5")


async def test_duplicate_update_is_handled_once(running: RunningBot) -> None:
    user = running.user()
    update = await user.send("/start")
    await user.expect("Согласие на обработку")
    running.emulator.push_raw_update(update)  # Telegram delivers the same update_id again
    await user.send("/help")
    await user.expect("Команды")
    assert [m["text"].startswith("Здравствуйте") for m in user.transcript].count(True) == 1


async def test_polling_rides_out_5xx_and_429_on_get_updates(
    data_dir: Path, telegram: FakeTelegramServer
) -> None:
    emulator = telegram.emulator
    emulator.inject_error("getUpdates", 502, "Bad Gateway", times=2)
    emulator.inject_error("getUpdates", 429, "Too Many Requests: retry after 3", retry_after=3)
    settings = make_settings(data_dir, bot_api_url=telegram.base_url)
    async for running in start_bot(settings, telegram):  # returns once polling is healthy
        assert [e[1]["error_code"] for e in emulator.error_responses] == [502, 502, 429]
        assert running.waits == [3]  # the 429's retry_after was honoured
        user = running.user()
        await user.send("/start")
        await user.expect("Согласие на обработку")


async def test_send_retries_after_429_and_5xx(running: RunningBot) -> None:
    user = running.user()
    running.emulator.inject_error(
        "sendMessage", 429, "Too Many Requests: retry after 2", retry_after=2
    )
    running.emulator.inject_error("sendMessage", 500, "Internal Server Error")
    await user.send("/help")
    await user.expect("Команды")
    assert running.waits == [2, 1.0]  # retry_after, then backoff for the 2nd attempt


async def test_blocked_user_does_not_stop_the_bot(running: RunningBot) -> None:
    user = running.user()
    running.emulator.inject_error(
        "sendMessage", 403, "Forbidden: bot was blocked by the user", times=2
    )
    await user.send("/help")  # the answer and the apology both fail: logged, not fatal
    await user.quiet()
    assert [e[1]["error_code"] for e in running.emulator.error_responses] == [403, 403]
    other = running.user()
    await other.send("/help")
    await other.expect("Команды")


async def test_handler_crash_apologises_and_keeps_the_dialog(
    running: RunningBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    user = running.user()
    await consent(user)
    original = registration_handlers.registration.set_full_name
    calls = 0

    async def failing_once(*args: object, **kwargs: object) -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("disk on fire")
        return await original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(registration_handlers.registration, "set_full_name", failing_once)
    with caplog.at_level(logging.ERROR):
        update = await user.send("Иванова Мария")
        await user.expect("Простите, что-то пошло не так")
    assert f"update {update['update_id']} failed" in caplog.text
    await user.send("Иванова Мария")  # still at the same question
    await user.expect("Шаг 2 из 5")


async def test_long_text_is_split_never_rejected(running: RunningBot) -> None:
    user = running.user()
    await user.send("/start")
    await user.expect("Согласие")
    long_text = "\n".join(f"строка {i} <b>жирным</b> &amp; дальше" for i in range(600))
    await running.bot.send_message(user.user_id, long_text)
    parts = [m["text"] for m in running.emulator.bot_messages(user.user_id)[-4:]]
    assert all(len(part) <= MESSAGE_LIMIT for part in parts)
    assert "строка 599 жирным & дальше" in parts[-1]
    assert any(part.startswith("строка 0 ") for part in parts)


async def test_stale_and_forged_buttons_change_nothing(running: RunningBot) -> None:
    user = running.user()
    await consent(user)
    await user.press_data("consent:1:ru")  # the consent button again
    await user.expect_answer("устарела")
    await user.press_data("edit:full_name")  # a summary button before there is a summary
    await user.expect_answer("устарела")
    await user.press_data("nonsense-data")
    await user.expect_answer("устарела")
    await user.send("Иванова Мария")
    await user.expect("Шаг 2 из 5")


async def test_non_admin_gets_unknown_command_for_admin_commands(running: RunningBot) -> None:
    user = running.user()
    await user.send("/grant_coordinator 1")
    unknown_admin = await user.expect("Не знаю такой команды")
    await user.send("/no_such_command")
    unknown = await user.expect("Не знаю такой команды")
    assert unknown_admin["text"] == unknown["text"]


async def test_admin_grants_coordinator_and_menus_follow_roles(running: RunningBot) -> None:
    candidate = running.user()
    await consent(candidate)
    admin = running.admin()
    await admin.send("/admin")
    await admin.expect("/grant_coordinator")
    await admin.send("/grant_coordinator abc")
    await admin.expect("Формат")
    await admin.send("/grant_coordinator 424242 org:civic")
    await admin.expect("Сначала задайте PIN")
    await running.gated(admin, "/grant_coordinator 424242 org:civic")
    await admin.expect("ещё не давал согласия")
    await running.gated(admin, f'/grant_coordinator {candidate.user_id} org:civic mf:"Гавань"')
    await admin.expect("назначен координатором (2 области)")
    commands = running.emulator.commands
    scopes = {str(key) for key in commands}
    assert any(str(candidate.user_id) in scope for scope in scopes)
    admin_menu = [
        c["command"]
        for key, cmds in commands.items()
        if str(admin.user_id) in str(key)
        for c in cmds
    ]
    assert "grant_coordinator" in admin_menu
    public_menu = [
        c["command"]
        for key, cmds in commands.items()
        for c in cmds
        if "all_private_chats" in str(key)
    ]
    assert "start" in public_menu and "grant_coordinator" not in public_menu
    async with running.app.uow_factory() as uow:
        grants = await uow.users.grants(candidate.user_id)
    assert len(grants) == 2
    await running.gated(admin, f"/revoke_coordinator {candidate.user_id}")
    await admin.expect("снята роль координатора (записей: 2)")


async def test_forget_me_erases_after_two_confirmations(running: RunningBot) -> None:
    from tests.test_registration import register

    user = running.user()
    await register(user)
    await user.send("/forget_me")
    await user.expect("Удалить все ваши данные")
    await user.press("Нет, оставить")
    await user.expect("ничего не удаляю")
    async with running.app.uow_factory() as uow:
        assert await uow.users.get(user.user_id) is not None
    await user.send("/forget_me")
    await user.expect("Удалить все ваши данные")
    await user.press("Да, удалить")
    await user.expect("Это необратимо")
    await user.press("Удалить навсегда")
    await user.expect("все ваши данные удалены")
    async with running.app.uow_factory() as uow:
        assert await uow.users.get(user.user_id) is None
        assert await uow.candidates.by_user(user.user_id) is None
        assert await uow.audit.for_subject("user", user.user_id) == []
    await user.send("/privacy")
    await user.expect("ничего о вас не храню")


async def test_webhook_handles_updates_with_secret_and_once(
    data_dir: Path, telegram: FakeTelegramServer
) -> None:
    from aiohttp.test_utils import TestServer

    settings = make_settings(
        data_dir,
        bot_api_url=telegram.base_url,
        webhook_url="https://shtab.example.org",
        webhook_secret="s3cret_token",
    )
    app = build_app(settings)
    bot = build_bot(settings)
    server = TestServer(build_webhook_app(app, bot))
    await server.start_server()
    try:
        assert telegram.emulator.webhook["url"] == "https://shtab.example.org" + WEBHOOK_PATH
        user = VirtualUser(telegram.emulator, 777, first_name="Вера")
        telegram.emulator.user_sends_text(777, "/start")
        update = telegram.emulator.last_update
        assert update is not None
        url = str(server.make_url(WEBHOOK_PATH))
        async with ClientSession() as http:
            wrong = await http.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            )
            assert wrong.status == 401
            headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret_token"}
            for _ in range(2):  # Telegram retries: the second delivery is dropped
                response = await http.post(url, json=update, headers=headers)
                assert response.status == 200
        await user.expect("Согласие на обработку")
        greetings = [m for m in user.transcript if "Здравствуйте" in m.get("text", "")]
        assert len(greetings) == 1
    finally:
        await server.close()
        await bot.session.close()
        await app.close()


async def test_forget_me_in_the_middle_of_registration(running: RunningBot) -> None:
    user = running.user()
    await consent(user)
    await user.send("Иванова Мария")
    await user.expect("Шаг 2 из 5")
    await user.send("/forget_me")
    await user.expect("Удалить все ваши данные")
    await user.press("Да, удалить")
    await user.expect("Это необратимо")
    await user.press("Удалить навсегда")
    await user.expect("все ваши данные удалены")
    async with running.app.session_factory() as session:
        left = await session.scalar(
            select(func.count()).select_from(FsmRecord).where(FsmRecord.user_id == user.user_id)
        )
    assert left == 0
    await user.send("/start")
    await user.expect("Согласие на обработку")  # a stranger again
