"""An in-process emulator of the Telegram Bot API for one bot.

It keeps the state of a tiny Telegram (users, private chats, messages, files, pending
updates) and answers Bot API methods with the same HTTP status codes, envelopes and error
descriptions as the real server, so the bot can be run and tested without the network.
Pure asyncio + stdlib on purpose: the fake HTTP server and the aiogram session both wrap it.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import math
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]
Files = dict[str, tuple[str, bytes]]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_CALLBACK_DATA_BYTES = 64
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
DEFAULT_CALLBACK_QUERY_TTL = 15.0

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_TERMINATED = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)

# Updates Telegram sends when allowed_updates was never specified.
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
    }
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Nested objects arrive JSON-encoded in form posts; these keys are decoded on the way in.
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
        "reply_parameters",
    }
)


class BotApiError(Exception):
    """A Bot API failure: becomes the `{"ok": false, ...}` envelope with this HTTP status."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def envelope(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {reason}")


def utf16_len(text: str) -> int:
    """Telegram measures entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------- HTML parse_mode


_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_ALLOWED_TAGS = frozenset({*_SIMPLE_TAGS, "a", "span", "tg-emoji"})
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot);")
_ATTR_RE = re.compile(r"""\s*([A-Za-z_:-][\w:.-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the output text


def _entity_error(reason: str) -> BotApiError:
    return bad_request(f"can't parse entities: {reason}")


class _HtmlParser:
    """A hand parser mirroring tdlib's parse_html: same tags, same error texts and offsets."""

    def __init__(self, source: str):
        self.source = source
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0  # UTF-16 length of the output so far
        self.stack: list[_OpenTag] = []
        self.entities: list[JsonDict] = []

    def byte_offset(self, pos: int) -> int:
        return len(self.source[:pos].encode("utf-8"))

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.out_len += utf16_len(chunk)

    def parse(self) -> tuple[str, list[JsonDict]]:
        while self.pos < len(self.source):
            char = self.source[self.pos]
            if char == "&":
                self.parse_entity()
            elif char == "<":
                self.parse_tag()
            else:
                self.emit(char)
                self.pos += 1
        if self.stack:
            name = self.stack[-1].name
            raise _entity_error(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def parse_entity(self) -> None:
        match = _ENTITY_RE.match(self.source, self.pos)
        if match is None:
            # Real Telegram lets an undecodable "&" through; Shtab's brief asks for strictness
            # so that a bot forgetting html.escape() fails in tests instead of in production.
            offset = self.byte_offset(self.pos)
            raise _entity_error(f"Character '&' must be escaped as &amp; at byte offset {offset}")
        name = match.group(1)
        if name.startswith("#x"):
            self.emit(chr(int(name[2:], 16)))
        elif name.startswith("#"):
            self.emit(chr(int(name[1:])))
        else:
            self.emit(_NAMED_ENTITIES[name])
        self.pos = match.end()

    def parse_tag(self) -> None:
        begin = self.pos
        end = self.source.find(">", begin)
        if self.source.startswith("</", begin):
            self.close_tag(begin, end)
            return
        name_end = begin + 1
        while name_end < len(self.source) and not self.source[name_end].isspace():
            if self.source[name_end] == ">":
                break
            name_end += 1
        if name_end >= len(self.source):
            raise _entity_error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = self.source[begin + 1 : name_end].lower()
        if name not in _ALLOWED_TAGS:
            raise _entity_error(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        if end == -1:
            raise _entity_error(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        attrs = self.parse_attrs(self.source[name_end:end], name, begin)
        self.stack.append(_OpenTag(name, attrs, self.out_len))
        self.pos = end + 1

    def parse_attrs(self, raw: str, tag: str, begin: int) -> dict[str, str]:
        attrs: dict[str, str] = {}
        rest = raw.strip()
        while rest:
            match = _ATTR_RE.match(rest)
            if match is None:
                raise _entity_error(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {self.byte_offset(begin)}'
                )
            value = (match.group(2) or "").strip("'\"")
            attrs[match.group(1).lower()] = _ENTITY_RE.sub(_decode_entity, value)
            rest = rest[match.end() :].strip()
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise _entity_error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        return attrs

    def close_tag(self, begin: int, end: int) -> None:
        offset = self.byte_offset(begin)
        if not self.stack:
            raise _entity_error(f"Unexpected end tag at byte offset {offset}")
        if end == -1:
            raise _entity_error(f"Unclosed end tag at byte offset {offset}")
        name = self.source[begin + 2 : end].strip().lower()
        opened = self.stack.pop()
        if name and name != opened.name:
            raise _entity_error(
                f'Unmatched end tag at byte offset {offset}, expected "</{opened.name}>", '
                f'found "</{name}>"'
            )
        self.add_entity(opened)
        self.pos = end + 1

    def add_entity(self, tag: _OpenTag) -> None:
        length = self.out_len - tag.start
        if length <= 0:
            return  # Telegram silently drops empty entities
        entity: JsonDict = {"offset": tag.start, "length": length}
        if tag.name == "a":
            if not tag.attrs.get("href"):
                return
            entity.update(type="text_link", url=tag.attrs["href"])
        elif tag.name in ("span", "tg-spoiler"):
            entity["type"] = "spoiler"
        elif tag.name == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=tag.attrs.get("emoji-id", ""))
        elif tag.name == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "pre" and "language" in tag.attrs:
            entity.update(type="pre", language=tag.attrs["language"])
        elif tag.name == "code" and self.stack and self.stack[-1].name == "pre":
            # <pre><code class="language-x"> is one pre entity carrying the language.
            language = tag.attrs.get("class", "")
            if language.startswith("language-"):
                self.stack[-1].attrs["language"] = language.removeprefix("language-")
            return
        else:
            entity["type"] = _SIMPLE_TAGS[tag.name]
        self.entities.append(entity)


def _decode_entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return _NAMED_ENTITIES[name]


def parse_html(source: str) -> tuple[str, list[JsonDict]]:
    """Return (plain text, entities) for a parse_mode=HTML text, or raise BotApiError."""
    text, entities = _HtmlParser(source).parse()
    return text, entities


def _strip_text(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Telegram trims surrounding whitespace and shifts the entities accordingly."""
    stripped = text.strip()
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    result: list[JsonDict] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


# --------------------------------------------------------------------------- parameters


class _Params:
    """Typed access to request parameters that may arrive as strings (form posts, query)."""

    def __init__(self, raw: dict[str, Any]):
        self.raw = {key: self._decode(key, value) for key, value in raw.items()}

    @staticmethod
    def _decode(key: str, value: Any) -> Any:
        if key in JSON_PARAMS and isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {key} JSON object") from None
        return value

    def get(self, key: str, default: Any = None) -> Any:
        value = self.raw.get(key)
        return default if value is None else value

    def get_str(self, key: str, default: str | None = None) -> str | None:
        value = self.raw.get(key)
        return default if value is None else str(value)

    def get_int(self, key: str, default: int | None = None) -> int | None:
        value = self.raw.get(key)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {key} specified") from None

    def get_float(self, key: str, default: float) -> float:
        value = self.raw.get(key)
        return default if value is None else float(value)

    def get_bool(self, key: str) -> bool:
        value = self.raw.get(key)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def require_int(self, key: str) -> int:
        value = self.get_int(key)
        if value is None:
            raise bad_request(f"{key} is empty")
        return value


# --------------------------------------------------------------------------- state records


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None


@dataclass
class BotAction:
    """Something the bot did that a person would notice; delivered to subscribers."""

    kind: str  # "message" | "edit" | "delete" | "callback_answer" | "chat_action"
    chat_id: int | None
    message: JsonDict | None = None  # snapshot of the message after the action
    reply_markup: JsonDict | None = None  # markup as sent, reply keyboards included
    params: JsonDict = field(default_factory=dict)


@dataclass
class _PendingUpdate:
    update: JsonDict
    delivered: bool = False
    # Re-pushed duplicates must survive the confirmation that already covered their id.
    raw: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])


@dataclass
class _Fault:
    status: int
    description: str
    retry_after: int | None
    times: int


@dataclass
class _Bucket:
    """Token bucket: `rate` tokens per second, at most `capacity` saved up."""

    rate: float
    capacity: float
    tokens: float
    stamp: float

    def retry_after(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


@dataclass
class _CallbackQuery:
    user_id: int
    created: float
    answered: bool = False


Handler = Callable[["_Params", Files], Awaitable[Any]]
Subscriber = Callable[[BotAction], None]

_SEND_METHODS = frozenset({"sendmessage", "senddocument", "sendphoto"})


# --------------------------------------------------------------------------- the emulator


class BotApiEmulator:
    """The state of a tiny Telegram for one bot, answering Bot API calls like the real one."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST",
        bot_username: str = "shtab_test_bot",
        bot_first_name: str = "Shtab",
        clock: Callable[[], float] = time.monotonic,
        rate_limits: bool = False,
        callback_query_ttl: float = DEFAULT_CALLBACK_QUERY_TTL,
        chat_burst: int = 5,
        global_rate: int = 30,
    ):
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: JsonDict = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.clock = clock
        self.rate_limits = rate_limits
        self.callback_query_ttl = callback_query_ttl
        self.chat_burst = chat_burst
        self.global_rate = global_rate

        self.users: dict[int, JsonDict] = {}
        self.chats: dict[int, JsonDict] = {}
        self.blocked: set[int] = set()
        self.messages: dict[int, dict[int, JsonDict]] = {}  # chat_id -> message_id -> message
        self.bot_message_ids: dict[int, list[int]] = {}
        self.reply_keyboards: dict[int, JsonDict] = {}
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.webhook: JsonDict = {}
        self.actions: list[BotAction] = []
        self.updates_log: list[JsonDict] = []
        self.last_update: JsonDict | None = None
        # Every error answered to the bot: (method, envelope, injected by a test or not).
        self.error_responses: list[tuple[str, JsonDict, bool]] = []

        self._message_ids: dict[int, itertools.count[int]] = {}
        self._update_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._callbacks: dict[str, _CallbackQuery] = {}
        self._pending: list[_PendingUpdate] = []
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._faults: dict[str, list[_Fault]] = {}
        self._subscribers: list[Subscriber] = []
        self._buckets: dict[int | None, _Bucket] = {}
        self._updates_changed: asyncio.Condition | None = None
        self._poll_generation = 0
        self._wake_generation = 0
        self.waiting_pollers = 0
        self._notify_tasks: set[asyncio.Task[None]] = set()
        self._poller_waits: asyncio.Event | None = None
        self._handlers: dict[str, Handler] = {
            "getme": self._get_me,
            "getupdates": self._get_updates_method,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "getfile": self._get_file,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "sendchataction": self._send_chat_action,
            "logout": self._ok,
            "close": self._ok,
        }

    # ------------------------------------------------------------------ users and chats

    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
    ) -> JsonDict:
        user = _drop_none(
            {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name,
                "last_name": last_name,
                "username": username,
                "language_code": language_code,
            }
        )
        self.users[user_id] = user
        return user

    def block_bot(self, user_id: int) -> None:
        """The user blocks the bot: later sends fail with 403, the bot gets my_chat_member."""
        self.blocked.add(user_id)
        self._push_member_update(user_id, old="member", new="kicked")

    def unblock_bot(self, user_id: int) -> None:
        if user_id in self.blocked:
            self.blocked.discard(user_id)
            self._push_member_update(user_id, old="kicked", new="member")

    def _user(self, user_id: int) -> JsonDict:
        if user_id not in self.users:
            raise KeyError(f"unknown user {user_id}: call add_user() first")
        return self.users[user_id]

    def _open_private_chat(self, user_id: int) -> JsonDict:
        """A private chat exists once the user has written to the bot."""
        user = self._user(user_id)
        self.unblock_bot(user_id)  # writing to a blocked bot means pressing "Restart"
        if user_id not in self.chats:
            chat_keys = ("id", "first_name", "last_name", "username")
            chat = {key: user[key] for key in chat_keys if key in user}
            self.chats[user_id] = {**chat, "type": "private"}
            self.messages[user_id] = {}
            self.bot_message_ids[user_id] = []
            self._message_ids[user_id] = itertools.count(1)
        return self.chats[user_id]

    # ------------------------------------------------------------------ user actions

    def user_sends_text(
        self, user_id: int, text: str, *, forward_from: JsonDict | None = None
    ) -> JsonDict:
        extra: JsonDict = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            extra["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        if forward_from is not None:
            date = int(time.time())
            extra["forward_origin"] = {"type": "user", "date": date, "sender_user": forward_from}
            extra["forward_from"] = forward_from
            extra["forward_date"] = date
        return self._user_message(user_id, extra)

    def user_sends_contact(
        self,
        user_id: int,
        phone_number: str,
        first_name: str,
        contact_user_id: int | None,
        last_name: str | None = None,
    ) -> JsonDict:
        contact = _drop_none(
            {
                "phone_number": phone_number,
                "first_name": first_name,
                "last_name": last_name,
                "user_id": contact_user_id,
            }
        )
        return self._user_message(user_id, {"contact": contact})

    def user_sends_photo(self, user_id: int, data: bytes, caption: str | None = None) -> JsonDict:
        stored = self._store_file(data, "photos", "photo.jpg", "image/jpeg")
        photo = [self._photo_size(stored)]
        return self._user_message(user_id, _drop_none({"photo": photo, "caption": caption}))

    def user_sends_document(
        self, user_id: int, data: bytes, file_name: str, mime_type: str
    ) -> JsonDict:
        stored = self._store_file(data, "documents", file_name, mime_type)
        return self._user_message(user_id, {"document": self._document(stored)})

    def user_sends_sticker(self, user_id: int, emoji: str = "👍") -> JsonDict:
        stored = self._store_file(b"RIFF-fake-webp", "stickers", "sticker.webp", "image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.data),
        }
        return self._user_message(user_id, {"sticker": sticker})

    def user_sends_location(self, user_id: int, lat: float, lon: float) -> JsonDict:
        return self._user_message(user_id, {"location": {"latitude": lat, "longitude": lon}})

    def user_presses(self, user_id: int, message_id: int, callback_data: str) -> JsonDict:
        """The user taps an inline button (or a test forges the tap): a callback_query."""
        chat = self._open_private_chat(user_id)
        message = self.messages[user_id].get(message_id)
        if message is None:
            # A tap on a message the client no longer has: Telegram sends it as inaccessible.
            message = {"chat": chat, "message_id": message_id, "date": 0}
        query_id = f"{self.bot_id}{next(self._callback_ids):08d}"
        self._callbacks[query_id] = _CallbackQuery(user_id=user_id, created=self.clock())
        query = {
            "id": query_id,
            "from": self._user(user_id),
            "message": copy.deepcopy(message),
            "chat_instance": str(-(self.bot_id * 7 + user_id)),
            "data": callback_data,
        }
        self._push_update({"callback_query": query})
        return query

    def _user_message(self, user_id: int, content: JsonDict) -> JsonDict:
        chat = self._open_private_chat(user_id)
        message = {
            "message_id": next(self._message_ids[user_id]),
            "from": self._user(user_id),
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        self.messages[user_id][message["message_id"]] = message
        self._push_update({"message": copy.deepcopy(message)})
        return message

    def _push_member_update(self, user_id: int, *, old: str, new: str) -> None:
        if user_id not in self.chats:
            return
        member_update = {
            "chat": self.chats[user_id],
            "from": self._user(user_id),
            "date": int(time.time()),
            "old_chat_member": _member(old, self.bot_user),
            "new_chat_member": _member(new, self.bot_user),
        }
        self._push_update({"my_chat_member": member_update})

    # ------------------------------------------------------------------ updates queue

    def _condition(self) -> asyncio.Condition:
        # Created lazily so the emulator can be built outside a running loop.
        if self._updates_changed is None:
            self._updates_changed = asyncio.Condition()
        return self._updates_changed

    def _push_update(self, content: JsonDict) -> JsonDict:
        update = {"update_id": next(self._update_ids), **content}
        self._enqueue(_PendingUpdate(update))
        return update

    def push_raw_update(self, update: JsonDict) -> None:
        """Deliver an update as given, same update_id included (to test duplicate delivery)."""
        self._enqueue(_PendingUpdate(copy.deepcopy(update), raw=True))

    def _enqueue(self, pending: _PendingUpdate) -> None:
        self._pending.append(pending)
        self.updates_log.append(pending.update)
        self.last_update = pending.update
        self._notify_pollers()

    def _notify_pollers(self) -> None:
        condition = self._condition()

        async def notify() -> None:
            async with condition:
                condition.notify_all()

        # Without a running loop nobody can be waiting either.
        with contextlib.suppress(RuntimeError):
            task = asyncio.get_running_loop().create_task(notify())
            # Keep a reference: the loop only holds tasks weakly.
            self._notify_tasks.add(task)
            task.add_done_callback(self._notify_tasks.discard)

    def _set_waiting(self, delta: int) -> None:
        self.waiting_pollers += delta
        if self._poller_waits is None:
            self._poller_waits = asyncio.Event()
        if self.waiting_pollers:
            self._poller_waits.set()
        else:
            self._poller_waits.clear()

    async def wait_for_poller(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until a getUpdates call is long-polling, to test that an update wakes it."""
        if self._poller_waits is None:
            self._poller_waits = asyncio.Event()
        await asyncio.wait_for(self._poller_waits.wait(), timeout)

    def release_pollers(self) -> None:
        """Make every waiting getUpdates return now (used when a server shuts down)."""
        self._wake_generation += 1
        self._notify_pollers()

    @property
    def pending_updates(self) -> list[JsonDict]:
        return [pending.update for pending in self._pending]

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int = 100,
        timeout: float = 0,  # noqa: ASYNC109 - the Bot API's long-polling parameter
        allowed_updates: list[str] | None = None,
    ) -> list[JsonDict]:
        """Long polling exactly like Telegram; raises BotApiError for 409 and injected faults."""
        self._raise_injected("getupdates")
        if self.webhook.get("url"):
            raise BotApiError(409, WEBHOOK_ACTIVE)
        if allowed_updates:
            self._allowed_updates = frozenset(allowed_updates)
        self._confirm(offset)
        condition = self._condition()
        self._poll_generation += 1
        generation, wake = self._poll_generation, self._wake_generation
        async with condition:
            # Wake a poller that is still waiting so it can find out it was superseded.
            condition.notify_all()
            if timeout > 0 and not self._deliverable():
                self._set_waiting(+1)
                try:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(
                            condition.wait_for(
                                lambda: (
                                    bool(self._deliverable())
                                    or generation != self._poll_generation
                                    or wake != self._wake_generation
                                )
                            ),
                            timeout,
                        )
                finally:
                    self._set_waiting(-1)
            if generation != self._poll_generation:
                raise BotApiError(409, POLL_TERMINATED)
        return self._deliver(max(1, min(limit, 100)))

    async def webhook_batch(self, timeout: float) -> list[_PendingUpdate]:  # noqa: ASYNC109
        """What Telegram would push to a webhook now: every deliverable update not yet
        acknowledged (waiting up to `timeout` for one). The caller acknowledges each one."""
        condition = self._condition()
        async with condition:
            if not self._deliverable():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        condition.wait_for(lambda: bool(self._deliverable())), timeout
                    )
        return list(self._deliverable())

    def acknowledge(self, pending: _PendingUpdate) -> None:
        """The webhook answered 200 for this update: Telegram forgets it."""
        with contextlib.suppress(ValueError):
            self._pending.remove(pending)

    def _confirm(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset < 0:
            keep = -offset
            self._pending = self._pending[-keep:]
            return
        self._pending = [
            pending
            for pending in self._pending
            if pending.update_id >= offset or (pending.raw and not pending.delivered)
        ]

    def _deliverable(self) -> list[_PendingUpdate]:
        # Updates of types the bot did not ask for are dropped, as Telegram does.
        self._pending = [
            pending
            for pending in self._pending
            if _update_type(pending.update) in self._allowed_updates
        ]
        return self._pending

    def _deliver(self, limit: int) -> list[JsonDict]:
        batch = self._deliverable()[:limit]
        for pending in batch:
            pending.delivered = True
        return [copy.deepcopy(pending.update) for pending in batch]

    # ------------------------------------------------------------------ fault injection

    def inject_error(
        self,
        method: str,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail with this status and description."""
        fault = _Fault(error_code, description, retry_after, times)
        self._faults.setdefault(method.lower(), []).append(fault)

    def _raise_injected(self, method: str) -> None:
        faults = self._faults.get(method)
        if not faults:
            return
        fault = faults[0]
        fault.times -= 1
        if fault.times <= 0:
            faults.pop(0)
        raise BotApiError(fault.status, fault.description, retry_after=fault.retry_after)

    # ------------------------------------------------------------------ observing the bot

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback` synchronously for every BotAction; returns an unsubscribe function."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def _record(self, action: BotAction) -> None:
        self.actions.append(action)
        for callback in list(self._subscribers):
            callback(action)

    def bot_messages(self, chat_id: int) -> list[JsonDict]:
        """The bot's messages in a chat as they look now (edits applied, deleted ones gone)."""
        chat_messages = self.messages.get(chat_id, {})
        ids = self.bot_message_ids.get(chat_id, [])
        return [copy.deepcopy(chat_messages[i]) for i in ids if i in chat_messages]

    def chat_history(self, chat_id: int) -> list[JsonDict]:
        """Every message still in the chat, both sides, in order."""
        chat_messages = self.messages.get(chat_id, {})
        return [copy.deepcopy(chat_messages[i]) for i in sorted(chat_messages)]

    def reply_keyboard(self, chat_id: int) -> JsonDict | None:
        """The reply keyboard the user currently sees, as the bot sent it."""
        return copy.deepcopy(self.reply_keyboards.get(chat_id))

    def hide_reply_keyboard(self, chat_id: int) -> None:
        """What a client does after a tap on a one_time_keyboard."""
        keyboard = self.reply_keyboards.get(chat_id)
        if keyboard and keyboard.get("one_time_keyboard"):
            del self.reply_keyboards[chat_id]

    def file_bytes(self, file_path: str) -> bytes | None:
        for stored in self.files.values():
            if stored.file_path == file_path:
                return stored.data
        return None

    def file_by_id(self, file_id: str) -> StoredFile | None:
        return self.files.get(file_id)

    # ------------------------------------------------------------------ dispatch

    async def call(
        self, method: str, params: dict[str, Any] | None = None, files: Files | None = None
    ) -> tuple[int, JsonDict]:
        """Run one Bot API method; returns (HTTP status, JSON envelope) like Telegram."""
        handler = self._handlers.get(method.lower())
        if handler is None:
            return 404, BotApiError(404, "Not Found").envelope()
        try:
            self._raise_injected(method.lower())
        except BotApiError as error:
            self.error_responses.append((method, error.envelope(), True))
            return error.status, error.envelope()
        try:
            result = await handler(_Params(params or {}), files or {})
        except BotApiError as error:
            self.error_responses.append((method, error.envelope(), False))
            return error.status, error.envelope()
        return 200, {"ok": True, "result": result}

    async def _ok(self, params: _Params, files: Files) -> bool:
        return True

    async def _get_me(self, params: _Params, files: Files) -> JsonDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates_method(self, params: _Params, files: Files) -> list[JsonDict]:
        allowed = params.get("allowed_updates")
        return await self.get_updates(
            offset=params.get_int("offset"),
            limit=params.get_int("limit", 100) or 100,
            timeout=params.get_float("timeout", 0),
            allowed_updates=allowed if isinstance(allowed, list) else None,
        )

    # ------------------------------------------------------------------ webhook

    async def _set_webhook(self, params: _Params, files: Files) -> bool:
        url = params.get_str("url", "") or ""
        if url:
            _check_webhook_url(url)
        secret = params.get_str("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("secret token contains unallowed characters")
        max_connections = params.get_int("max_connections", 40) or 40
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        if params.get_bool("drop_pending_updates"):
            self._pending.clear()
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list) and allowed:
            self._allowed_updates = frozenset(allowed)
        self.webhook = {"url": url, "max_connections": max_connections, "secret_token": secret}
        if url:
            self.release_pollers()  # a waiting poller is cut off by the new webhook
        return True

    async def _delete_webhook(self, params: _Params, files: Files) -> bool:
        if params.get_bool("drop_pending_updates"):
            self._pending.clear()
        self.webhook = {}
        return True

    async def _get_webhook_info(self, params: _Params, files: Files) -> JsonDict:
        info: JsonDict = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook.get("url"):
            info["max_connections"] = self.webhook["max_connections"]
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    # ------------------------------------------------------------------ sending

    def _target_chat(self, params: _Params) -> int:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None  # "@username" of a private chat
        if chat_id not in self.chats:
            raise bad_request("chat not found")
        if chat_id in self.blocked:
            raise BotApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _check_rate(self, chat_id: int) -> None:
        if not self.rate_limits:
            return
        now = self.clock()
        chat = self._bucket(chat_id, rate=1.0, capacity=float(self.chat_burst), now=now)
        overall_rate = float(self.global_rate)
        overall = self._bucket(None, rate=overall_rate, capacity=overall_rate, now=now)
        wait = max(chat.retry_after(now), overall.retry_after(now))
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise BotApiError(
                429, f"Too Many Requests: retry after {seconds}", retry_after=seconds
            )
        chat.take()
        overall.take()

    def _bucket(self, key: int | None, *, rate: float, capacity: float, now: float) -> _Bucket:
        if key not in self._buckets:
            self._buckets[key] = _Bucket(rate, capacity, capacity, now)
        return self._buckets[key]

    def _formatted(
        self, params: _Params, text_key: str, entities_key: str
    ) -> tuple[str, list[JsonDict]]:
        text = params.get_str(text_key, "") or ""
        parse_mode = (params.get_str("parse_mode") or "").lower()
        entities = params.get(entities_key)
        if isinstance(entities, list):
            return _strip_text(text, entities)
        if parse_mode == "html":
            return _strip_text(*parse_html(text))
        if parse_mode in ("", "markdown", "markdownv2"):
            # Markdown is not emulated: the text is kept as written, without entities.
            return _strip_text(text, [])
        raise bad_request("unsupported parse_mode")

    def _message_text(self, params: _Params) -> tuple[str, list[JsonDict]]:
        text, entities = self._formatted(params, "text", "entities")
        if not text:
            raise bad_request("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return text, entities

    def _caption(self, params: _Params) -> JsonDict:
        caption, entities = self._formatted(params, "caption", "caption_entities")
        if len(caption) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        return _drop_none({"caption": caption or None, "caption_entities": entities or None})

    def _new_bot_message(
        self, chat_id: int, content: JsonDict, markup: JsonDict | None
    ) -> JsonDict:
        message: JsonDict = {
            "message_id": next(self._message_ids[chat_id]),
            "from": self.bot_user,
            "chat": self.chats[chat_id],
            "date": int(time.time()),
            **content,
        }
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # only inline keyboards belong to a message
        self.messages[chat_id][message["message_id"]] = message
        self.bot_message_ids[chat_id].append(message["message_id"])
        self._apply_reply_keyboard(chat_id, markup)
        self._record(BotAction("message", chat_id, copy.deepcopy(message), copy.deepcopy(markup)))
        return copy.deepcopy(message)

    def _apply_reply_keyboard(self, chat_id: int, markup: JsonDict | None) -> None:
        if markup is None:
            return
        if "keyboard" in markup:
            self.reply_keyboards[chat_id] = copy.deepcopy(markup)
        elif markup.get("remove_keyboard"):
            self.reply_keyboards.pop(chat_id, None)

    async def _send_message(self, params: _Params, files: Files) -> JsonDict:
        chat_id = self._target_chat(params)
        text, entities = self._message_text(params)
        markup = _checked_markup(params.get("reply_markup"))
        self._check_rate(chat_id)
        content = _drop_none({"text": text, "entities": entities or None})
        content.update(self._reply_to(chat_id, params))
        return self._new_bot_message(chat_id, content, markup)

    def _reply_to(self, chat_id: int, params: _Params) -> JsonDict:
        reply = params.get("reply_parameters")
        reply_id = reply.get("message_id") if isinstance(reply, dict) else None
        reply_id = reply_id or params.get_int("reply_to_message_id")
        if reply_id is None:
            return {}
        original = self.messages[chat_id].get(int(reply_id))
        if original is None:
            raise bad_request("message to be replied not found")
        return {"reply_to_message": copy.deepcopy(original)}

    async def _send_document(self, params: _Params, files: Files) -> JsonDict:
        chat_id = self._target_chat(params)
        caption = self._caption(params)
        markup = _checked_markup(params.get("reply_markup"))
        stored = self._input_file(params, files, "document", "documents")
        self._check_rate(chat_id)
        content = {"document": self._document(stored), **caption}
        return self._new_bot_message(chat_id, content, markup)

    async def _send_photo(self, params: _Params, files: Files) -> JsonDict:
        chat_id = self._target_chat(params)
        caption = self._caption(params)
        markup = _checked_markup(params.get("reply_markup"))
        stored = self._input_file(params, files, "photo", "photos")
        self._check_rate(chat_id)
        content = {"photo": [self._photo_size(stored)], **caption}
        return self._new_bot_message(chat_id, content, markup)

    async def _send_chat_action(self, params: _Params, files: Files) -> bool:
        chat_id = self._target_chat(params)
        action = params.get_str("action", "") or ""
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._record(BotAction("chat_action", chat_id, params={"action": action}))
        return True

    # ------------------------------------------------------------------ files

    def _input_file(
        self, params: _Params, files: Files, field_name: str, folder: str
    ) -> StoredFile:
        """Resolve an InputFile: multipart upload, attach://name, or an existing file_id."""
        value = params.get_str(field_name)
        upload = files.get(field_name)
        if value and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        if upload is not None:
            file_name, data = upload
            if len(data) > MAX_UPLOAD_BYTES:
                raise BotApiError(413, "Request Entity Too Large")
            return self._store_file(data, folder, file_name, _guess_mime(file_name))
        if not value:
            raise bad_request(f"there is no {field_name} in the request")
        if value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        stored = self.files.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored

    def _store_file(
        self, data: bytes, folder: str, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        number = next(self._file_ids)
        suffix = "." + file_name.rsplit(".", 1)[1] if file_name and "." in file_name else ""
        stored = StoredFile(
            file_id=f"BQACAgIAAx{number:06d}{self.bot_id}",
            file_unique_id=f"AgAD{number:06d}",
            data=data,
            file_path=f"{folder}/file_{number}{suffix}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    @staticmethod
    def _document(stored: StoredFile) -> JsonDict:
        return _drop_none(
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": stored.file_name,
                "mime_type": stored.mime_type,
                "file_size": len(stored.data),
            }
        )

    @staticmethod
    def _photo_size(stored: StoredFile) -> JsonDict:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 800,
            "height": 600,
            "file_size": len(stored.data),
        }

    async def _get_file(self, params: _Params, files: Files) -> JsonDict:
        file_id = params.get_str("file_id", "") or ""
        stored = self.files.get(file_id)
        if stored is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    # ------------------------------------------------------------------ editing

    def _editable(self, params: _Params, error: str) -> tuple[int, JsonDict]:
        if params.get("inline_message_id"):
            raise bad_request(error)  # inline messages are not emulated
        chat_id = self._target_chat(params)
        message_id = params.require_int("message_id")
        message = self.messages[chat_id].get(message_id)
        if message is None:
            raise bad_request(error)
        return chat_id, message

    def _store_edit(self, chat_id: int, message: JsonDict, changes: JsonDict) -> JsonDict:
        markup = changes.pop("reply_markup", None)
        edited = {key: value for key, value in message.items() if key != "reply_markup"}
        edited.update({key: value for key, value in changes.items() if value is not None})
        for key, value in changes.items():
            if value is None:
                edited.pop(key, None)
        if markup:
            edited["reply_markup"] = markup
        if _content(edited) == _content(message):
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        edited["edit_date"] = int(time.time())
        self.messages[chat_id][message["message_id"]] = edited
        self._record(BotAction("edit", chat_id, copy.deepcopy(edited), copy.deepcopy(markup)))
        return copy.deepcopy(edited)

    def _own_message(self, message: JsonDict) -> None:
        if message.get("from", {}).get("id") != self.bot_id:
            raise bad_request("message can't be edited")

    async def _edit_message_text(self, params: _Params, files: Files) -> JsonDict:
        chat_id, message = self._editable(params, "message to edit not found")
        self._own_message(message)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._message_text(params)
        markup = _checked_markup(params.get("reply_markup"), inline_only=True)
        self._check_rate(chat_id)
        changes = {"text": text, "entities": entities or None, "reply_markup": markup}
        return self._store_edit(chat_id, message, changes)

    async def _edit_message_caption(self, params: _Params, files: Files) -> JsonDict:
        chat_id, message = self._editable(params, "message to edit not found")
        self._own_message(message)
        if "text" in message:
            raise bad_request("there is no caption in the message to edit")
        caption = self._caption(params)
        markup = _checked_markup(params.get("reply_markup"), inline_only=True)
        changes = {
            "caption": caption.get("caption"),
            "caption_entities": caption.get("caption_entities"),
            "reply_markup": markup,
        }
        return self._store_edit(chat_id, message, changes)

    async def _edit_message_reply_markup(self, params: _Params, files: Files) -> JsonDict:
        chat_id, message = self._editable(params, "message to edit not found")
        self._own_message(message)
        markup = _checked_markup(params.get("reply_markup"), inline_only=True)
        return self._store_edit(chat_id, message, {"reply_markup": markup})

    async def _delete_message(self, params: _Params, files: Files) -> bool:
        chat_id, message = self._editable(params, "message to delete not found")
        del self.messages[chat_id][message["message_id"]]
        self._record(BotAction("delete", chat_id, copy.deepcopy(message)))
        return True

    # ------------------------------------------------------------------ callbacks, commands

    async def _answer_callback_query(self, params: _Params, files: Files) -> bool:
        query_id = params.get_str("callback_query_id", "") or ""
        query = self._callbacks.get(query_id)
        expired = query is None or self.clock() - query.created > self.callback_query_ttl
        if query is None or query.answered or expired:
            raise bad_request(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        text = params.get_str("text", "") or ""
        if len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        answer = {
            "callback_query_id": query_id,
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
        }
        self._record(BotAction("callback_answer", query.user_id, params=answer))
        return True

    @staticmethod
    def _commands_key(params: _Params) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get_str("language_code", "") or ""

    async def _set_my_commands(self, params: _Params, files: Files) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request('parameter "commands" is required')
        if len(commands) > 100:
            raise bad_request("too many commands")
        for command in commands:
            _check_command(command)
        self.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: _Params, files: Files) -> list[JsonDict]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: _Params, files: Files) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True


# --------------------------------------------------------------------------- helpers


def _drop_none(data: JsonDict) -> JsonDict:
    return {key: value for key, value in data.items() if value is not None}


def _member(status: str, user: JsonDict) -> JsonDict:
    member: JsonDict = {"status": status, "user": user}
    if status == "kicked":
        member["until_date"] = 0
    return member


def _update_type(update: JsonDict) -> str:
    return next((key for key in update if key != "update_id"), "")


def _content(message: JsonDict) -> JsonDict:
    keys = ("text", "entities", "caption", "caption_entities", "reply_markup")
    return {key: message.get(key) for key in keys}


def _guess_mime(file_name: str | None) -> str:
    guessed, _ = mimetypes.guess_type(file_name or "")
    return guessed or "application/octet-stream"


def _check_webhook_url(url: str) -> None:
    match = re.fullmatch(r"https://([^/:]+)(?::(\d+))?(/.*)?", url)
    if match is None:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    port = int(match.group(2) or 443)
    if port not in (443, 80, 88, 8443):
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


def _check_command(command: Any) -> None:
    if not isinstance(command, dict):
        raise bad_request("can't parse BotCommand")
    if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
        raise bad_request("BOT_COMMAND_INVALID")
    if not 1 <= len(str(command.get("description", ""))) <= 256:
        raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")


_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _checked_markup(markup: Any, *, inline_only: bool = False) -> JsonDict | None:
    """Validate reply_markup the way Telegram does; returns it normalised or None."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "keyboard" must be an Array')
        return markup
    return markup


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" must be an Array of Arrays')
    for button in itertools.chain.from_iterable(rows):
        if not isinstance(button, dict) or not button.get("text"):
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed "
                "in the inline keyboard"
            )
        if not any(key in button for key in _BUTTON_ACTIONS):
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed "
                "in the inline keyboard"
            )
        data = button.get("callback_data")
        if data is not None:
            size = len(str(data).encode("utf-8"))
            if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")
