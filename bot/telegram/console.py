"""A local console chat with the bot: the real aiogram polling path against the emulator.

The person at the terminal is one Telegram user. Bot messages are printed with their
buttons numbered (inline) or lettered (reply keyboard); typing the number or letter presses
the button. Files the bot sends are saved into `files_dir`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import mimetypes
import pathlib
import string
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession

from bot.telegram.emulator import BotAction, BotApiEmulator
from bot.telegram.emulator_session import EmulatorSession

InputFunc = Callable[[], Awaitable[str | None]]
JsonDict = dict[str, Any]

DEFAULT_PHONE = "+79110000000"
DEFAULT_CONSOLE_USER_ID = 100000001
CONSOLE_TOKEN = "1:CONSOLE"
USAGE = """\
Shtab console: you are a Telegram user chatting with the bot.
  text          send a message            /file PATH   send a document
  1, 2, ...     press an inline button    /photo PATH  send a photo
  a, b, ...     press a reply button      /location LAT LON
  /quit or EOF  leave
"""

_ANSI = {
    "bold": ("\033[1m", "\033[22m"),
    "italic": ("\033[3m", "\033[23m"),
    "underline": ("\033[4m", "\033[24m"),
    "strikethrough": ("\033[9m", "\033[29m"),
    "code": ("\033[2m", "\033[22m"),
    "pre": ("\033[2m", "\033[22m"),
    "spoiler": ("\033[7m", "\033[27m"),
}


def render_text(text: str, entities: list[JsonDict], *, ansi: bool) -> str:
    """Apply entities (UTF-16 offsets) as ANSI styles; links always show their URL."""
    units = text.encode("utf-16-le")
    inserts: dict[int, list[str]] = {}
    for entity in entities:
        start, end = entity["offset"], entity["offset"] + entity["length"]
        if entity["type"] == "text_link":
            inserts.setdefault(end, []).append(f" ({entity['url']})")
        elif ansi and entity["type"] in _ANSI:
            opening, closing = _ANSI[entity["type"]]
            inserts.setdefault(start, []).append(opening)
            inserts.setdefault(end, []).append(closing)
    pieces: list[str] = []
    cursor = 0
    for position in sorted(inserts):
        pieces.append(units[cursor * 2 : position * 2].decode("utf-16-le"))
        pieces.extend(inserts[position])
        cursor = position
    pieces.append(units[cursor * 2 :].decode("utf-16-le"))
    return "".join(pieces)


class ConsoleChat:
    """Renders the bot's actions for one user and turns typed lines into user actions."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        user: JsonDict,
        *,
        files_dir: pathlib.Path,
        output: TextIO,
        phone: str = DEFAULT_PHONE,
    ) -> None:
        self.emulator = emulator
        self.user = user
        self.user_id: int = user["id"]
        self.files_dir = files_dir
        self.output = output
        self.phone = phone
        self.ansi = bool(getattr(output, "isatty", lambda: False)())
        self.inline_message_id: int | None = None  # last bot message with an inline keyboard
        self.inline_buttons: list[JsonDict] = []

    # ------------------------------------------------------------------ output

    def print(self, line: str = "") -> None:
        self.output.write(line + "\n")
        self.output.flush()

    def on_action(self, action: BotAction) -> None:
        if action.chat_id != self.user_id:
            return
        if action.kind in ("message", "edit") and action.message is not None:
            self.show_message(action.message, edited=action.kind == "edit")
            self.show_reply_keyboard(action.reply_markup)
        elif action.kind == "delete" and action.message is not None:
            self.print(f"🗑  message #{action.message['message_id']} deleted")
        elif action.kind == "callback_answer" and action.params.get("text"):
            prefix = "⚠️  alert" if action.params.get("show_alert") else "💬 toast"
            self.print(f"{prefix}: {action.params['text']}")
        elif action.kind == "chat_action":
            self.print(f"… {action.params.get('action', 'typing')}")

    def show_message(self, message: JsonDict, *, edited: bool) -> None:
        label = f"✏️  edited #{message['message_id']}" if edited else "🤖"
        if "text" in message:
            body = render_text(message["text"], message.get("entities", []), ansi=self.ansi)
        else:
            caption = message.get("caption", "")
            body = render_text(caption, message.get("caption_entities", []), ansi=self.ansi)
        self.print(f"{label} {body}".rstrip())
        self.save_attachments(message)
        self.show_inline_keyboard(message)

    def show_inline_keyboard(self, message: JsonDict) -> None:
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        if not rows:
            if message["message_id"] == self.inline_message_id:
                self.inline_message_id, self.inline_buttons = None, []  # keyboard removed
            return
        self.inline_message_id = message["message_id"]
        self.inline_buttons = list(itertools.chain.from_iterable(rows))
        number = itertools.count(1)
        for row in rows:
            cells = [f"[{next(number)}] {_button_label(button)}" for button in row]
            self.print("   " + "  ".join(cells))

    def show_reply_keyboard(self, markup: JsonDict | None) -> None:
        if markup is None:
            return
        if markup.get("remove_keyboard"):
            self.print("   ⌨  (keyboard removed)")
            return
        letters = iter(string.ascii_lowercase)
        for row in markup.get("keyboard", []):
            cells = [f"[{next(letters, '?')}] {_reply_text(button)}" for button in row]
            self.print("   ⌨  " + "  ".join(cells))

    def save_attachments(self, message: JsonDict) -> None:
        if "document" in message:
            document = message["document"]
            self.save_file(document["file_id"], document.get("file_name") or "document.bin")
        if "photo" in message:
            largest = message["photo"][-1]
            self.save_file(largest["file_id"], f"photo_{message['message_id']}.jpg")

    def save_file(self, file_id: str, file_name: str) -> None:
        stored = self.emulator.file_by_id(file_id)
        if stored is None:
            self.print(f"📎 {file_name}: not available")
            return
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = _free_path(self.files_dir / pathlib.Path(file_name).name)
        path.write_bytes(stored.data)
        self.print(f"📎 saved {path} ({len(stored.data)} bytes)")

    # ------------------------------------------------------------------ input

    def handle_line(self, line: str) -> None:
        """Turn one typed line into what the user does in Telegram."""
        if not line:
            return
        keyboard = self.emulator.reply_keyboard(self.user_id)
        if line.isdigit():
            self.press_inline(int(line))
        elif len(line) == 1 and line in string.ascii_lowercase and keyboard:
            self.press_reply(keyboard, string.ascii_lowercase.index(line))
        elif line.startswith("/file "):
            self.send_file(pathlib.Path(line.removeprefix("/file ").strip()), photo=False)
        elif line.startswith("/photo "):
            self.send_file(pathlib.Path(line.removeprefix("/photo ").strip()), photo=True)
        elif line.startswith("/location "):
            self.send_location(line.split()[1:])
        else:
            self.emulator.user_sends_text(self.user_id, line)

    def press_inline(self, number: int) -> None:
        if self.inline_message_id is None or not 1 <= number <= len(self.inline_buttons):
            self.print(f"(no inline button [{number}])")
            return
        button = self.inline_buttons[number - 1]
        if "callback_data" in button:
            self.print(f"👆 [{number}] {button['text']}")
            self.emulator.user_presses(
                self.user_id, self.inline_message_id, button["callback_data"]
            )
        else:
            self.print(f"(button [{number}] is not a callback button: {_button_label(button)})")

    def press_reply(self, keyboard: JsonDict, index: int) -> None:
        buttons = [_reply_button(b) for b in itertools.chain.from_iterable(keyboard["keyboard"])]
        if index >= len(buttons):
            self.print(f"(no reply button [{string.ascii_lowercase[index]}])")
            return
        button = buttons[index]
        self.print(f"👆 [{string.ascii_lowercase[index]}] {button['text']}")
        self.emulator.hide_reply_keyboard(self.user_id)
        if button.get("request_contact"):
            self.emulator.user_sends_contact(
                self.user_id, self.phone, self.user["first_name"], self.user_id
            )
        elif button.get("request_location"):
            self.emulator.user_sends_location(self.user_id, 59.9386, 30.3141)
        else:
            self.emulator.user_sends_text(self.user_id, button["text"])

    def send_file(self, path: pathlib.Path, *, photo: bool) -> None:
        try:
            data = path.expanduser().read_bytes()
        except OSError as error:
            self.print(f"(cannot read {path}: {error.strerror})")
            return
        if photo:
            self.emulator.user_sends_photo(self.user_id, data)
            return
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.emulator.user_sends_document(self.user_id, data, path.name, mime_type)

    def send_location(self, parts: list[str]) -> None:
        try:
            lat, lon = (float(part) for part in parts)
        except ValueError:
            self.print("(usage: /location LAT LON)")
            return
        self.emulator.user_sends_location(self.user_id, lat, lon)


def _button_label(button: JsonDict) -> str:
    if "url" in button:
        return f"{button['text']} ↗ {button['url']}"
    return str(button["text"])


def _reply_button(button: JsonDict | str) -> JsonDict:
    return {"text": button} if isinstance(button, str) else button


def _reply_text(button: JsonDict | str) -> str:
    return str(_reply_button(button)["text"])


def _free_path(path: pathlib.Path) -> pathlib.Path:
    """Never overwrite: report.pdf, report-1.pdf, report-2.pdf..."""
    candidate = path
    for number in itertools.count(1):
        if not candidate.exists():
            return candidate
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    raise AssertionError("unreachable")


def _stdin_reader() -> InputFunc:
    async def read_line() -> str | None:
        # input() would block the event loop and freeze the bot; read in a worker thread.
        line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        return line if line else None

    return read_line


async def run_console(
    dispatcher: Dispatcher,
    *,
    files_dir: pathlib.Path,
    user_id: int = DEFAULT_CONSOLE_USER_ID,
    first_name: str = "Console",
    language_code: str = "ru",
    input_func: InputFunc | None = None,
    output: TextIO = sys.stdout,
    phone: str = DEFAULT_PHONE,
    emulator: BotApiEmulator | None = None,
    bot_factory: Callable[[BaseSession], Bot] | None = None,
    **polling_kwargs: Any,
) -> None:
    """Chat with the bot from the terminal until EOF or /quit.

    `bot_factory` builds the Bot around the emulator's session, so the console runs with the
    same request middlewares as production.
    """
    emulator = emulator or BotApiEmulator(token=CONSOLE_TOKEN)
    user = emulator.add_user(user_id, first_name, language_code=language_code)
    chat = ConsoleChat(emulator, user, files_dir=files_dir, output=output, phone=phone)
    unsubscribe = emulator.subscribe(chat.on_action)
    if bot_factory is not None:
        bot = bot_factory(EmulatorSession(emulator))
    else:
        bot = Bot(
            emulator.token,
            session=EmulatorSession(emulator),
            default=DefaultBotProperties(parse_mode="HTML"),
        )
    read_line = input_func or _stdin_reader()
    # One update at a time: the console waits for the bot to finish each one, so a script
    # piped into it reads like a conversation, and replies print before the next line.
    polling_kwargs.setdefault("handle_as_tasks", False)
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, **polling_kwargs)
    )
    try:
        await _settled(emulator, polling)
        chat.print(USAGE)
        while (line := await read_line()) is not None:
            line = line.strip()
            if line == "/quit":
                break
            chat.handle_line(line)
            await _settled(emulator, polling)
            if polling.done():
                break  # polling crashed: its exception is raised below
    finally:
        unsubscribe()
        await _stop_polling(dispatcher, polling)


async def _settled(emulator: BotApiEmulator, polling: asyncio.Task[None]) -> None:
    """Wait until the bot took every update and is long-polling again (handling done)."""
    while not polling.done() and (emulator.pending_updates or not emulator.waiting_pollers):
        waiter = asyncio.ensure_future(emulator.wait_for_poller(timeout=3600))
        await asyncio.wait({waiter, polling}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if emulator.pending_updates:
            await asyncio.sleep(0)  # the poller was woken: let it take the updates


async def _stop_polling(dispatcher: Dispatcher, polling: asyncio.Task[None]) -> None:
    if not polling.done():
        try:
            await dispatcher.stop_polling()
        except RuntimeError:
            polling.cancel()  # it had not started yet: nothing to stop gracefully
        with contextlib.suppress(asyncio.CancelledError):
            await polling
    elif not polling.cancelled() and (error := polling.exception()) is not None:
        raise error
