"""Virtual people who drive the bot through a BotApiEmulator, and assert on its replies.

Bot messages and edits in the user's chat are queued as they happen; `next_message()` and
`expect()` consume that queue in order, waiting on it (never sleeping in a loop).
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from bot.telegram.emulator import BotAction, BotApiEmulator

JsonDict = dict[str, Any]

# A 1x1 JPEG, so a photo the bot downloads is a real image.
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b"
    "0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ff"
    "c0000b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0b"
    "ffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a108"
    "2342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a53545556"
    "5758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9"
    "aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7"
    "f8f9faffda0008010100003f00fbd3ffd9"
)


def message_text(message: JsonDict) -> str:
    return str(message.get("text") or message.get("caption") or "")


def describe(message: JsonDict) -> str:
    """One readable line for a transcript: who, what, and which buttons."""
    who = "🤖" if message.get("from", {}).get("is_bot") else "👤"
    body = message_text(message)
    for kind in ("document", "photo", "sticker", "contact", "location"):
        if kind in message:
            body = f"[{kind}] {body}".rstrip()
    buttons = [
        f"[{button['text']}]"
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
    ]
    edited = " (edited)" if "edit_date" in message else ""
    return f"{who} #{message['message_id']}{edited}: {body} {' '.join(buttons)}".rstrip()


class VirtualUser:
    """A person chatting with the bot; each action returns the Update it produced."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        user_id: int,
        first_name: str = "Иван",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        phone: str | None = None,
    ) -> None:
        self.emulator = emulator
        self.user_id = user_id
        self.user = emulator.add_user(user_id, first_name, last_name, username, language_code)
        self.phone = phone or f"+7911{user_id % 10_000_000:07d}"
        self._inbox: asyncio.Queue[BotAction] = asyncio.Queue()
        self.callback_answers: list[JsonDict] = []
        self._answers: asyncio.Queue[JsonDict] = asyncio.Queue()
        self._unsubscribe = emulator.subscribe(self._on_action)

    def _on_action(self, action: BotAction) -> None:
        if action.chat_id != self.user_id:
            return
        if action.kind in ("message", "edit"):
            self._inbox.put_nowait(action)
        elif action.kind == "callback_answer":
            self.callback_answers.append(action.params)
            self._answers.put_nowait(action.params)

    def close(self) -> None:
        """Stop listening to the emulator (the user object is not usable afterwards)."""
        self._unsubscribe()

    async def _produced(self) -> JsonDict:
        # Give the bot's polling task a chance to run, as a real network round trip would.
        await asyncio.sleep(0)
        assert self.emulator.last_update is not None
        return self.emulator.last_update

    # ------------------------------------------------------------------ actions

    async def send(self, text: str, *, forward_from: JsonDict | None = None) -> JsonDict:
        self.emulator.user_sends_text(self.user_id, text, forward_from=forward_from)
        return await self._produced()

    async def press(self, text_or_substring: str) -> JsonDict:
        """Tap an inline button of the last bot message that has an inline keyboard."""
        message = self._last_with_inline_keyboard()
        button = _find_button(message, text_or_substring)
        if "callback_data" not in button:
            raise AssertionError(f"button {button['text']!r} has no callback_data: {button}")
        return await self.press_data(button["callback_data"], message["message_id"])

    async def press_data(self, callback_data: str, message_id: int | None = None) -> JsonDict:
        """Forge a callback query, as a stale or malicious client could."""
        if message_id is None:
            message_id = self._last_with_inline_keyboard()["message_id"]
        self.emulator.user_presses(self.user_id, message_id, callback_data)
        return await self._produced()

    async def press_reply(self, text_or_substring: str) -> JsonDict:
        """Tap a reply-keyboard button: contact/location requests send those, others text."""
        markup = self.emulator.reply_keyboard(self.user_id)
        rows = markup["keyboard"] if markup else []
        buttons = [_reply_button(button) for button in itertools.chain.from_iterable(rows)]
        button = _pick(buttons, text_or_substring, "reply keyboard")
        self.emulator.hide_reply_keyboard(self.user_id)
        if button.get("request_contact"):
            return await self.share_contact()
        if button.get("request_location"):
            return await self.send_location(59.9386, 30.3141)
        return await self.send(button["text"])

    async def share_contact(
        self, phone: str | None = None, *, of_user_id: int | None = None
    ) -> JsonDict:
        """Share the own contact (as the request_contact button does) or someone else's."""
        if of_user_id is None:
            owner = self.user
            number = phone or self.phone
        else:
            owner = self.emulator.users.get(of_user_id, {"first_name": "Контакт"})
            number = phone or f"+7911{of_user_id % 10_000_000:07d}"
        self.emulator.user_sends_contact(
            self.user_id,
            number,
            owner["first_name"],
            of_user_id if of_user_id is not None else self.user_id,
            last_name=owner.get("last_name"),
        )
        return await self._produced()

    async def send_photo(self, data: bytes = TINY_JPEG, caption: str | None = None) -> JsonDict:
        self.emulator.user_sends_photo(self.user_id, data, caption)
        return await self._produced()

    async def send_sticker(self) -> JsonDict:
        self.emulator.user_sends_sticker(self.user_id)
        return await self._produced()

    async def send_document(
        self, data: bytes, file_name: str = "file.txt", mime_type: str = "text/plain"
    ) -> JsonDict:
        self.emulator.user_sends_document(self.user_id, data, file_name, mime_type)
        return await self._produced()

    async def send_location(self, lat: float, lon: float) -> JsonDict:
        self.emulator.user_sends_location(self.user_id, lat, lon)
        return await self._produced()

    async def block(self) -> JsonDict:
        self.emulator.block_bot(self.user_id)
        return await self._produced()

    # ------------------------------------------------------------------ assertions

    async def next_message(self, timeout: float = 5.0) -> JsonDict:  # noqa: ASYNC109
        """The next bot message or edit in this chat not yet consumed by this user."""
        try:
            action = await asyncio.wait_for(self._inbox.get(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"no bot message within {timeout} s.\n{self.format_transcript()}"
            ) from None
        assert action.message is not None
        return action.message

    async def expect(self, substring: str, timeout: float = 5.0) -> JsonDict:  # noqa: ASYNC109
        """Consume bot messages/edits until one contains `substring`."""
        seen: list[str] = []
        try:
            async with asyncio.timeout(timeout):
                while True:
                    message = (await self._inbox.get()).message or {}
                    if substring in message_text(message):
                        return message
                    seen.append(describe(message))
        except TimeoutError:
            skipped = "\n".join(seen) or "(nothing)"
            raise AssertionError(
                f"no bot message containing {substring!r} within {timeout} s.\n"
                f"Skipped:\n{skipped}\n{self.format_transcript()}"
            ) from None

    async def expect_answer(self, substring: str = "", timeout: float = 5.0) -> JsonDict:  # noqa: ASYNC109
        """Consume the bot's callback answers (toasts, alerts) until one contains substring."""
        seen: list[str] = []
        try:
            async with asyncio.timeout(timeout):
                while True:
                    answer = await self._answers.get()
                    if substring in (answer.get("text") or ""):
                        return answer
                    seen.append(repr(answer.get("text")))
        except TimeoutError:
            raise AssertionError(
                f"no callback answer containing {substring!r} within {timeout} s; "
                f"seen: {', '.join(seen) or 'none'}.\n{self.format_transcript()}"
            ) from None

    async def quiet(self, timeout: float = 0.3) -> None:  # noqa: ASYNC109
        """Assert the bot sends nothing new; the one place a short wait is the point."""
        try:
            action = await asyncio.wait_for(self._inbox.get(), timeout)
        except TimeoutError:
            return
        assert action.message is not None
        raise AssertionError(
            f"expected silence, the bot sent: {describe(action.message)}\n"
            f"{self.format_transcript()}"
        )

    def drain(self) -> list[JsonDict]:
        """Consume and return every bot message/edit already received."""
        drained: list[JsonDict] = []
        while not self._inbox.empty():
            message = self._inbox.get_nowait().message
            if message is not None:
                drained.append(message)
        return drained

    @property
    def transcript(self) -> list[JsonDict]:
        """All bot messages in this chat, as they look now."""
        return self.emulator.bot_messages(self.user_id)

    @property
    def last_message(self) -> JsonDict | None:
        messages = self.transcript
        return messages[-1] if messages else None

    @property
    def reply_keyboard(self) -> list[str]:
        """Texts of the reply-keyboard buttons the user currently sees."""
        markup = self.emulator.reply_keyboard(self.user_id)
        rows = markup["keyboard"] if markup else []
        return [_reply_button(button)["text"] for button in itertools.chain.from_iterable(rows)]

    @property
    def inline_buttons(self) -> list[str]:
        """Texts of the inline buttons of the last bot message that has any."""
        try:
            message = self._last_with_inline_keyboard()
        except AssertionError:
            return []
        return [button["text"] for button in _inline_buttons(message)]

    def format_transcript(self) -> str:
        history = self.emulator.chat_history(self.user_id)
        lines = [describe(message) for message in history] or ["(empty chat)"]
        return "Transcript:\n" + "\n".join(lines)

    def _last_with_inline_keyboard(self) -> JsonDict:
        for message in reversed(self.transcript):
            if _inline_buttons(message):
                return message
        transcript = self.format_transcript()
        raise AssertionError(f"no bot message with an inline keyboard.\n{transcript}")


def _inline_buttons(message: JsonDict) -> list[JsonDict]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return list(itertools.chain.from_iterable(rows))


def _reply_button(button: JsonDict | str) -> JsonDict:
    # A reply keyboard button may be a bare string in the Bot API.
    return {"text": button} if isinstance(button, str) else button


def _find_button(message: JsonDict, wanted: str) -> JsonDict:
    return _pick(_inline_buttons(message), wanted, f"message #{message['message_id']}")


def _pick(buttons: list[JsonDict], wanted: str, where: str) -> JsonDict:
    """Exact text first, then a unique substring; a clear error lists what is there."""
    exact = [button for button in buttons if button["text"] == wanted]
    if exact:
        return exact[0]
    partial = [button for button in buttons if wanted in button["text"]]
    if len(partial) == 1:
        return partial[0]
    available = ", ".join(repr(button["text"]) for button in buttons) or "none"
    problem = "ambiguous" if partial else "no"
    raise AssertionError(f"{problem} button {wanted!r} on {where}; available: {available}")
