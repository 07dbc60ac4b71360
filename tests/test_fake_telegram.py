"""The fake Telegram must fail exactly like the real one, seen through a real aiogram Bot."""

from __future__ import annotations

import asyncio
import io
import pathlib
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)

from bot.telegram.console import run_console
from bot.telegram.emulator import NOT_MODIFIED, QUERY_TOO_OLD, BotApiEmulator
from bot.telegram.emulator_session import EmulatorSession
from bot.telegram.session import JsonBotSession
from tests.fake_telegram import FakeTelegramServer, VirtualUser

USER_ID = 100000001


# ----------------------------------------------------------------------------- fixtures


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    fake = FakeTelegramServer()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def emulator(server: FakeTelegramServer) -> BotApiEmulator:
    return server.emulator


def http_bot(server: FakeTelegramServer, session_class: type[AiohttpSession]) -> Bot:
    """An aiogram Bot reaching `server` over HTTP through `session_class`, HTML by default
    as the production bot is configured."""
    session = session_class(api=TelegramAPIServer.from_base(server.base_url))
    return Bot(
        server.emulator.token, session=session, default=DefaultBotProperties(parse_mode="HTML")
    )


@pytest_asyncio.fixture(params=[AiohttpSession, JsonBotSession], ids=["form", "json"])
async def bot(server: FakeTelegramServer, request: pytest.FixtureRequest) -> AsyncIterator[Bot]:
    # aiogram's own form-posting session and the bot's JSON one must meet the same Telegram.
    client = http_bot(server, request.param)
    yield client
    await client.session.close()


@pytest_asyncio.fixture
async def user(emulator: BotApiEmulator) -> VirtualUser:
    ivan = VirtualUser(emulator, USER_ID)
    await ivan.send("/start")  # a private chat exists only after the user wrote first
    return ivan


def yes_no() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="Да", callback_data="yes"),
                InlineKeyboardButton(text="Нет", callback_data="no"),
            ]
        ]
    )


def make_router() -> Router:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Привет! <b>Готовы?</b>", reply_markup=yes_no())
        keyboard = ReplyKeyboardMarkup(
            keyboard=[
                [KeyboardButton(text="📱 Поделиться контактом", request_contact=True)],
                [KeyboardButton(text="Помощь")],
            ],
            resize_keyboard=True,
        )
        await message.answer("Поделитесь контактом", reply_markup=keyboard)

    @router.callback_query(F.data == "yes")
    async def yes(query: CallbackQuery) -> None:
        await query.answer("Отлично!")
        assert isinstance(query.message, Message)
        await query.message.edit_text("Вы ответили: <i>Да</i>")

    @router.message(F.contact)
    async def contact(message: Message) -> None:
        assert message.contact is not None
        await message.answer(f"Телефон: {message.contact.phone_number}")
        report = BufferedInputFile(b"quest report", filename="report.txt")
        await message.answer_document(report, caption="Ваш отчёт")

    return router


# ----------------------------------------------------------------------------- limits


@pytest.mark.asyncio
async def test_message_length_is_checked_after_entity_parsing(bot: Bot, user: VirtualUser) -> None:
    await bot.send_message(USER_ID, "я" * 4096)
    await bot.send_message(USER_ID, f"<b>{'я' * 4096}</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(USER_ID, "я" * 4097)
    assert error.value.message == "Bad Request: message is too long"
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(USER_ID, "<b> </b>", parse_mode="HTML")
    assert error.value.message == "Bad Request: message text is empty"


@pytest.mark.asyncio
async def test_html_errors_match_telegram(bot: Bot, user: VirtualUser) -> None:
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(USER_ID, "Привет <foo>x</foo>", parse_mode="HTML")
    assert error.value.message == (
        'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 13'
    )
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(USER_ID, "1 < 2", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(USER_ID, "Tom & Jerry", parse_mode="HTML")
    sent = await bot.send_message(USER_ID, "<b>Tom</b> &amp; Jerry &lt;3", parse_mode="HTML")
    assert sent.text == "Tom & Jerry <3"
    assert sent.entities is not None and sent.entities[0].type == "bold"


@pytest.mark.asyncio
async def test_callback_data_is_limited_in_bytes(bot: Bot, user: VirtualUser) -> None:
    def keyboard(data: str) -> InlineKeyboardMarkup:
        button = InlineKeyboardButton(text="Кнопка", callback_data=data)
        return InlineKeyboardMarkup(inline_keyboard=[[button]])

    await bot.send_message(USER_ID, "ok", reply_markup=keyboard("я" * 32))  # 64 bytes
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(USER_ID, "too long", reply_markup=keyboard("я" * 33))
    assert error.value.message == "Bad Request: BUTTON_DATA_INVALID"


@pytest.mark.asyncio
async def test_unknown_chat_and_blocked_user(bot: Bot, user: VirtualUser) -> None:
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(42, "кто здесь?")
    assert error.value.message == "Bad Request: chat not found"
    await user.block()
    with pytest.raises(TelegramForbiddenError) as forbidden:
        await bot.send_message(USER_ID, "вернитесь")
    assert forbidden.value.message == "Forbidden: bot was blocked by the user"


@pytest.mark.asyncio
async def test_injected_errors(bot: Bot, emulator: BotApiEmulator, user: VirtualUser) -> None:
    emulator.inject_error("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(USER_ID, "раз")
    assert error.value.retry_after == 7
    assert error.value.message.endswith("Original description: Too Many Requests: retry after 7")
    await bot.send_message(USER_ID, "два")  # only the next call failed
    emulator.inject_error("getUpdates", 502, "Bad Gateway", times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.get_updates()
    assert len(await bot.get_updates()) == 1


@pytest.mark.asyncio
async def test_edit_and_delete_errors(bot: Bot, user: VirtualUser) -> None:
    sent = await bot.send_message(USER_ID, "Вопрос", reply_markup=yes_no())
    with pytest.raises(TelegramBadRequest) as error:
        await bot.edit_message_text(
            "Вопрос", chat_id=USER_ID, message_id=sent.message_id, reply_markup=yes_no()
        )
    assert error.value.message == NOT_MODIFIED
    edited = await bot.edit_message_text("Ответ", chat_id=USER_ID, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.reply_markup is None
    with pytest.raises(TelegramBadRequest) as error:
        await bot.edit_message_text("x", chat_id=USER_ID, message_id=999)
    assert error.value.message == "Bad Request: message to edit not found"
    with pytest.raises(TelegramBadRequest) as error:
        await bot.delete_message(USER_ID, 999)
    assert error.value.message == "Bad Request: message to delete not found"
    assert await bot.delete_message(USER_ID, sent.message_id)


@pytest.mark.asyncio
async def test_callback_answers_expire_and_are_limited() -> None:
    now = [1000.0]
    emulator = BotApiEmulator(clock=lambda: now[0])
    ivan = VirtualUser(emulator, USER_ID)
    await ivan.send("/start")
    first = emulator.user_presses(USER_ID, 1, "yes")
    status, body = await emulator.call(
        "answerCallbackQuery", {"callback_query_id": first["id"], "text": "я" * 201}
    )
    assert (status, body["description"]) == (400, "Bad Request: MESSAGE_TOO_LONG")
    now[0] += 16
    status, body = await emulator.call("answerCallbackQuery", {"callback_query_id": first["id"]})
    assert (status, body["description"]) == (400, QUERY_TOO_OLD)
    second = emulator.user_presses(USER_ID, 1, "yes")
    status, body = await emulator.call("ANSWERCALLBACKQUERY", {"callback_query_id": second["id"]})
    assert (status, body) == (200, {"ok": True, "result": True})


@pytest.mark.asyncio
async def test_rate_limits_through_the_in_process_session() -> None:
    now = [0.0]
    emulator = BotApiEmulator(clock=lambda: now[0], rate_limits=True)
    ivan = VirtualUser(emulator, USER_ID)
    await ivan.send("/start")
    async with Bot(emulator.token, session=EmulatorSession(emulator)) as local_bot:
        for number in range(5):  # the burst allowance
            await local_bot.send_message(USER_ID, f"#{number}")
        with pytest.raises(TelegramRetryAfter) as error:
            await local_bot.send_message(USER_ID, "one too many")
        assert error.value.retry_after == 1
        assert error.value.message.endswith("Too Many Requests: retry after 1")
        now[0] += 1.0
        await local_bot.send_message(USER_ID, "after a second")


# ----------------------------------------------------------------------------- polling


@pytest.mark.asyncio
async def test_long_poll_returns_as_soon_as_a_user_writes(
    bot: Bot, emulator: BotApiEmulator
) -> None:
    ivan = VirtualUser(emulator, USER_ID)
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await emulator.wait_for_poller()
    started = asyncio.get_running_loop().time()
    await ivan.send("привет")
    updates = await asyncio.wait_for(poll, 2)
    assert asyncio.get_running_loop().time() - started < 1
    assert [update.message.text for update in updates if update.message] == ["привет"]


@pytest.mark.asyncio
async def test_duplicate_delivery_and_conflicts(bot: Bot, emulator: BotApiEmulator) -> None:
    ivan = VirtualUser(emulator, USER_ID)
    update = await ivan.send("раз")
    first = await bot.get_updates()
    assert [u.update_id for u in first] == [update["update_id"]]
    offset = update["update_id"] + 1
    assert await bot.get_updates(offset=offset) == []  # confirmed
    emulator.push_raw_update(update)
    again = await bot.get_updates(offset=offset)
    assert [u.update_id for u in again] == [update["update_id"]]

    waiting = asyncio.create_task(bot.get_updates(offset=offset, timeout=10))
    await emulator.wait_for_poller()
    second = asyncio.create_task(bot.get_updates(offset=offset + 1, timeout=10))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(waiting, 2)
    await ivan.send("два")
    assert len(await asyncio.wait_for(second, 2)) == 1

    await bot.set_webhook("https://example.com/hook")
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()


@pytest.mark.asyncio
async def test_virtual_user_drives_a_polling_dispatcher(
    bot: Bot, emulator: BotApiEmulator
) -> None:
    dispatcher = Dispatcher()
    dispatcher.include_router(make_router())
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    try:
        ivan = VirtualUser(emulator, USER_ID)
        await ivan.send("/start")
        greeting = await ivan.expect("Готовы?")
        assert greeting["entities"] == [{"offset": 8, "length": 7, "type": "bold"}]
        await ivan.expect("Поделитесь контактом")
        assert ivan.inline_buttons == ["Да", "Нет"]
        assert ivan.reply_keyboard == ["📱 Поделиться контактом", "Помощь"]
        with pytest.raises(AssertionError, match="available: 'Да', 'Нет'"):
            await ivan.press("Может быть")
        await ivan.press("Да")
        edited = await ivan.next_message()
        assert edited["text"] == "Вы ответили: Да" and "edit_date" in edited
        assert ivan.callback_answers[-1]["text"] == "Отлично!"
        assert ivan.inline_buttons == []  # editing the text without a markup drops it
        await ivan.quiet()
    finally:
        await dispatcher.stop_polling()
        await polling


# ----------------------------------------------------------------------------- files


@pytest.mark.asyncio
async def test_document_upload_get_file_and_download(
    bot: Bot, emulator: BotApiEmulator, user: VirtualUser
) -> None:
    payload = "Отчёт штаба\n".encode() * 100
    sent = await bot.send_document(
        USER_ID, BufferedInputFile(payload, filename="report.txt"), caption="Отчёт"
    )
    assert sent.document is not None and sent.document.file_name == "report.txt"
    file = await bot.get_file(sent.document.file_id)
    assert file.file_path is not None and file.file_size == len(payload)
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == payload

    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_document(USER_ID, sent.document.file_id, caption="я" * 1025)
    assert error.value.message == "Bad Request: message caption is too long"

    update = await user.send_document(b"x" * (20 * 1024 * 1024 + 1), "big.bin", "x/binary")
    with pytest.raises(TelegramBadRequest) as error:
        await bot.get_file(update["message"]["document"]["file_id"])
    assert error.value.message == "Bad Request: file is too big"


@pytest.mark.asyncio
async def test_upload_over_50_mb_is_rejected(bot: Bot, user: VirtualUser) -> None:
    huge = BufferedInputFile(b"\0" * (50 * 1024 * 1024 + 1), filename="huge.bin")
    with pytest.raises(TelegramEntityTooLarge) as error:
        await bot.send_document(USER_ID, huge)
    assert error.value.message == "Request Entity Too Large"


@pytest.mark.asyncio
async def test_wrong_token(server: FakeTelegramServer) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
    async with Bot("999:WRONG", session=session) as stranger:
        with pytest.raises(TelegramUnauthorizedError) as error:
            await stranger.get_me()
    assert error.value.message == "Unauthorized"


@pytest.mark.asyncio
async def test_raw_http_routes(server: FakeTelegramServer, user: VirtualUser) -> None:
    api = f"{server.base_url}/bot{server.emulator.token}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{api}/getMe") as response:
            assert (await response.json())["result"]["username"] == "shtab_test_bot"
        async with http.post(f"{api}/sendMessage", json={"chat_id": USER_ID, "text": "json"}):
            pass
        form = {"chat_id": str(USER_ID), "text": "form"}
        async with http.post(f"{api}/sendmessage", data=form) as response:
            assert response.status == 200
        async with http.get(f"{api}/sendMessage", params={"chat_id": USER_ID, "text": "q"}):
            pass
        async with http.get(f"{api}/noSuchMethod") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with http.get(f"{server.base_url}/file/bot1:WRONG/documents/x") as response:
            assert response.status == 404
    assert [m["text"] for m in user.transcript] == ["json", "form", "q"]


# ----------------------------------------------------------------------------- console


class ConsoleOutput(io.StringIO):
    """A text stream the test can wait on: every write sets an event."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = asyncio.Event()

    def write(self, text: str) -> int:
        self.changed.set()
        return super().write(text)

    async def wait_for(self, text: str, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while text not in self.getvalue():
                self.changed.clear()
                await self.changed.wait()


@pytest.mark.asyncio
async def test_console_renders_buttons_and_saves_files(tmp_path: pathlib.Path) -> None:
    output = ConsoleOutput()
    # (what must be on screen first, what the user then types); None ends the input.
    script: list[tuple[str | None, str | None]] = [
        (None, "/start"),
        ("[a] 📱 Поделиться контактом", "1"),
        ("Вы ответили: Да", "a"),
        ("📎 saved", None),
    ]

    async def next_line() -> str | None:
        wait_text, line = script.pop(0)
        if wait_text is not None:
            await output.wait_for(wait_text)
        return line

    dispatcher = Dispatcher()
    dispatcher.include_router(make_router())
    files_dir = tmp_path / "files"
    await asyncio.wait_for(
        run_console(dispatcher, files_dir=files_dir, input_func=next_line, output=output), 10
    )

    screen = output.getvalue()
    assert "🤖 Привет! Готовы?" in screen  # no ANSI codes: the output is not a tty
    assert "[1] Да  [2] Нет" in screen
    assert "[a] 📱 Поделиться контактом" in screen and "[b] Помощь" in screen
    assert "✏️  edited #2 Вы ответили: Да" in screen
    assert "💬 toast: Отлично!" in screen
    assert "Телефон: +79110000000" in screen
    assert (files_dir / "report.txt").read_bytes() == b"quest report"
