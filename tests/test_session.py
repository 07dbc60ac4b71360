"""The bot's Bot API client (bot.telegram.session): JSON out, one-pass parsing in.

Every fidelity test of the fake Telegram also runs with this session (test_fake_telegram's
`bot` fixture); here is what is particular to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import GetUpdates, SendMessage
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.telegram.session import JsonBotSession
from tests.conftest import RunningBot
from tests.fake_telegram import FakeTelegramServer, VirtualUser

USER_ID = 100000002


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    fake = FakeTelegramServer()
    await fake.start()
    yield fake
    await fake.stop()


@pytest_asyncio.fixture
async def bot(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    session = JsonBotSession(api=TelegramAPIServer.from_base(server.base_url))
    json_bot = Bot(
        server.emulator.token, session=session, default=DefaultBotProperties(parse_mode="HTML")
    )
    yield json_bot
    await json_bot.session.close()


@pytest_asyncio.fixture
async def user(server: FakeTelegramServer) -> VirtualUser:
    olga = VirtualUser(server.emulator, USER_ID)
    await olga.send("/start")
    return olga


def choice() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Гавань", callback_data="mf:17")]]
    )


@pytest.mark.asyncio
async def test_a_message_travels_as_json_and_comes_back_bound_to_the_bot(
    bot: Bot, server: FakeTelegramServer, user: VirtualUser
) -> None:
    sent = await bot.send_message(USER_ID, "Выберите <b>округ</b>:", reply_markup=choice())

    assert server.requests[("sendMessage", "application/json")] == 1
    assert server.requests[("sendMessage", "application/x-www-form-urlencoded")] == 0
    shown = server.emulator.bot_messages(USER_ID)[-1]
    assert shown["text"] == "Выберите округ:"  # the bot's default parse_mode reached Telegram
    assert shown["entities"][0]["type"] == "bold"
    assert shown["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "mf:17"
    assert isinstance(sent, Message)
    assert sent.message_id == shown["message_id"]
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "mf:17"
    # Answers parsed from bytes still carry the bot, so methods on them work.
    edited = await sent.edit_text("Округ: Гавань")
    assert isinstance(edited, Message)
    assert server.emulator.bot_messages(USER_ID)[-1]["text"] == "Округ: Гавань"


@pytest.mark.asyncio
async def test_uploads_take_aiogram_multipart_path(
    bot: Bot, server: FakeTelegramServer, user: VirtualUser
) -> None:
    document = BufferedInputFile("Листовка".encode(), filename="leaflet.txt")
    sent = await bot.send_document(USER_ID, document, caption="Макет <i>листовки</i>")

    assert server.requests[("sendDocument", "multipart/form-data")] == 1
    assert sent.document is not None
    stored = server.emulator.file_by_id(sent.document.file_id)
    assert stored is not None and stored.data == "Листовка".encode()
    assert sent.caption == "Макет листовки"


@pytest.mark.asyncio
async def test_errors_are_aiogram_exceptions_with_telegram_text(
    bot: Bot, user: VirtualUser
) -> None:
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(USER_ID, "Округ <b>№2")
    assert "can't parse entities" in error.value.message
    assert await bot.send_message(USER_ID, "Округ №2")  # the session stays usable


@pytest.mark.asyncio
async def test_fields_as_aiogram_would_send_them(bot: Bot) -> None:
    session = bot.session
    assert isinstance(session, JsonBotSession)
    files: dict[str, object] = {}

    poll = session.json_fields(bot, GetUpdates(offset=0, allowed_updates=[]), files)
    # An empty list still means "no filter" to Telegram; 0 is a value, not an absence.
    assert poll == {"offset": 0, "allowed_updates": []}

    message = SendMessage(chat_id=5, text="Привет", disable_notification=False)
    fields = session.json_fields(bot, message, files)
    assert fields == {
        "chat_id": 5,
        "text": "Привет",
        "parse_mode": "HTML",
        "disable_notification": False,
    }
    assert files == {}


@pytest.mark.asyncio
async def test_the_running_bot_posts_json(
    running: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = VirtualUser(telegram.emulator, USER_ID)
    await user.send("/start")
    await user.expect("Согласие на обработку")
    await user.press("Согласен")
    await user.expect("Шаг 1 из 5")

    posted = {kind for (_method, kind) in telegram.requests}
    assert posted == {"application/json"}
    assert telegram.requests[("answerCallbackQuery", "application/json")] == 1
