"""The bot's Bot API client (bot.telegram.session): JSON out, one-pass parsing in.

Every fidelity test of the fake Telegram also runs with this session (test_fake_telegram's
`bot` fixture); here is what is particular to it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    GetUpdates,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.telegram.session import JsonBotSession
from tests.conftest import RunningBot
from tests.fake_telegram import FakeTelegramServer, VirtualUser
from tests.test_fake_telegram import http_bot

USER_ID = 100000002


@pytest_asyncio.fixture
async def bot(telegram: FakeTelegramServer) -> AsyncIterator[Bot]:
    json_bot = http_bot(telegram, JsonBotSession)
    yield json_bot
    await json_bot.session.close()


@pytest_asyncio.fixture
async def user(telegram: FakeTelegramServer) -> VirtualUser:
    olga = VirtualUser(telegram.emulator, USER_ID)
    await olga.send("/start")
    return olga


def choice() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Гавань", callback_data="mf:17")]]
    )


@pytest.mark.asyncio
async def test_a_message_travels_as_json_and_comes_back_bound_to_the_bot(
    bot: Bot, telegram: FakeTelegramServer, user: VirtualUser
) -> None:
    sent = await bot.send_message(USER_ID, "Выберите <b>округ</b>:", reply_markup=choice())

    assert telegram.requests[("sendMessage", "application/json")] == 1
    assert telegram.requests[("sendMessage", "application/x-www-form-urlencoded")] == 0
    shown = telegram.emulator.bot_messages(USER_ID)[-1]
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
    assert telegram.emulator.bot_messages(USER_ID)[-1]["text"] == "Округ: Гавань"


@pytest.mark.asyncio
async def test_a_sent_keyboard_comes_back_as_the_object_sent(
    bot: Bot, telegram: FakeTelegramServer, user: VirtualUser
) -> None:
    """Telegram returns the inline keyboard it was given; the answer carries the request's
    own (validated) keyboard instead of a copy validated again, button by button."""
    keyboard = choice()
    sent = await bot.send_message(USER_ID, "Выберите:", reply_markup=keyboard)
    assert sent.reply_markup is keyboard
    assert (sent.chat.id, sent.text) == (USER_ID, "Выберите:")
    assert telegram.emulator.bot_messages(USER_ID)[-1]["reply_markup"] == {
        "inline_keyboard": [[{"text": "Гавань", "callback_data": "mf:17"}]]
    }
    other = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Округ №2", callback_data="d:2")]]
    )
    edited = await sent.edit_text("Округ?", reply_markup=other)
    assert isinstance(edited, Message) and edited.reply_markup is other
    plain = await bot.send_message(USER_ID, "Без кнопок")
    assert plain.reply_markup is None


@pytest.mark.asyncio
async def test_uploads_take_aiogram_multipart_path(
    bot: Bot, telegram: FakeTelegramServer, user: VirtualUser
) -> None:
    document = BufferedInputFile("Листовка".encode(), filename="leaflet.txt")
    sent = await bot.send_document(USER_ID, document, caption="Макет <i>листовки</i>")

    assert telegram.requests[("sendDocument", "multipart/form-data")] == 1
    assert sent.document is not None
    stored = telegram.emulator.file_by_id(sent.document.file_id)
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


def _form_fields(bot: Bot, method: TelegramMethod[Any]) -> dict[str, str]:
    """What aiogram's own session would post: each field as its form text."""
    form = AiohttpSession().build_form_data(bot, method)
    return {options["name"]: value for options, _headers, value in form._fields}


@pytest.mark.parametrize(
    "method",
    [
        SendMessage(chat_id=7, text="Шаг <b>1</b> из 5", reply_markup=choice()),
        SendMessage(
            chat_id=7,
            text="Поделитесь контактом",
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            reply_markup=ReplyKeyboardMarkup(
                keyboard=[[KeyboardButton(text="📱 Контакт", request_contact=True)]],
                resize_keyboard=True,
            ),
        ),
        SendMessage(chat_id=7, text="Спасибо", reply_markup=ReplyKeyboardRemove()),
        EditMessageText(chat_id=7, message_id=3, text="Округ №2", reply_markup=choice()),
        AnswerCallbackQuery(callback_query_id="42", text="Готово", show_alert=False),
        GetUpdates(offset=10, timeout=5, allowed_updates=["message", "callback_query"]),
    ],
    ids=lambda method: type(method).__name__,
)
async def test_json_fields_carry_what_aiogram_form_carries(
    bot: Bot, method: TelegramMethod[Any]
) -> None:
    session = bot.session
    assert isinstance(session, JsonBotSession)
    fields = session.json_fields(bot, method, {})
    # A form carries text; aiogram writes each non-text value as JSON (json.dumps).
    as_form = {key: v if isinstance(v, str) else json.dumps(v) for key, v in fields.items()}
    assert as_form == _form_fields(bot, method)
