"""The Bot API client: aiogram's aiohttp session, posting JSON and parsing answers in one pass.

aiogram's AiohttpSession posts every call as a form: each non-string field is serialised to
JSON text, then the whole form is percent-encoded (every Cyrillic letter becomes six bytes),
and the answer is decoded to text, parsed by the json module and validated by pydantic. The
Bot API accepts an `application/json` body for every method without files, so here the
fields go out as one JSON document and the answer goes straight from bytes into pydantic's
JSON validator. Calls that upload files take aiogram's own multipart path unchanged, and
error answers are classified by aiogram's own `check_response` (TelegramRetryAfter,
TelegramForbiddenError...), so the rest of the bot sees exactly the exceptions it always did.

Measured in bench/registration.py (bench/README.md, "Fourth pass"): the Bot API calls were
about half of the event loop's CPU per update.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup
from aiohttp import ClientError, ClientTimeout
from pydantic_core import from_json
from yarl import URL

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.types import InputFile

_JSON_HEADERS = {"Content-Type": "application/json"}

# aiogram parses every answer with `Response[method.__returning__]`. pydantic keeps such
# parametrised models in a weak cache, so under load they were collected and rebuilt again and
# again (measured: a tenth of the bot's CPU). One reference per type here stops that, for this
# session's parsing and, through RequestGuard, for any other session's.
_RESPONSE_MODELS: dict[Any, type[Response[Any]]] = {}


def response_model(method: TelegramMethod[Any]) -> type[Response[Any]]:
    """`Response[method.__returning__]`, built once per type and kept."""
    returning = method.__returning__
    model = _RESPONSE_MODELS.get(returning)
    if model is None:
        model = _RESPONSE_MODELS[returning] = Response[returning]  # type: ignore[valid-type]
    return model


def _validated(
    model: type[Response[Any]], method: TelegramMethod[Any], raw: bytes, context: dict[str, Any]
) -> Response[Any]:
    """The answer as aiogram's model. A sent message comes back with the inline keyboard it
    was sent with: that part is taken from the request, already a validated object, instead
    of validating a dozen fields of every button again (half the cost of the answer)."""
    markup = getattr(method, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return model.model_validate_json(raw, context=context)
    envelope = from_json(raw)  # parsed once, whether the keyboard is in it or not
    result = envelope.get("result") if isinstance(envelope, dict) else None
    if isinstance(result, dict) and "reply_markup" in result:
        result["reply_markup"] = markup
    return model.model_validate(envelope, context=context)


class JsonBotSession(AiohttpSession):
    """An AiohttpSession whose calls without files travel as JSON."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._urls: dict[tuple[str, str], URL] = {}

    def json_fields(
        self, bot: Bot, method: TelegramMethod[Any], files: dict[str, InputFile]
    ) -> dict[str, Any]:
        """The method's fields as JSON values, prepared by aiogram's `prepare_value` (bot
        defaults such as parse_mode applied, objects dumped); files found are put in `files`.
        As in aiogram's form, absent (None) and empty-string fields are left out."""
        fields: dict[str, Any] = {}
        # exclude_none drops the unset optional fields of every nested object in pydantic's
        # own code (a keyboard button has a dozen); prepare_value would drop them one by one.
        for key, value in method.model_dump(warnings=False, exclude_none=True).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is None or prepared == "":
                continue
            fields[key] = prepared
        return fields

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        files: dict[str, InputFile] = {}
        fields = self.json_fields(bot, method, files)
        if files:
            return await super().make_request(bot, method, timeout)
        body = json.dumps(fields, ensure_ascii=False).encode()
        session = await self.create_session()
        try:
            async with session.post(
                self._url(bot.token, method.__api_method__),
                data=body,
                headers=_JSON_HEADERS,
                timeout=ClientTimeout(total=self.timeout if timeout is None else timeout),
            ) as response:
                raw = await response.read()
        except TimeoutError as error:
            raise TelegramNetworkError(method=method, message="Request timeout error") from error
        except ClientError as error:
            message = f"{type(error).__name__}: {error}"
            raise TelegramNetworkError(method=method, message=message) from error
        return self._result(bot, method, response.status, raw)

    def _result(
        self, bot: Bot, method: TelegramMethod[TelegramType], status: int, raw: bytes
    ) -> TelegramType:
        if HTTPStatus.OK <= status <= HTTPStatus.IM_USED:
            model = response_model(method)
            try:
                answer = _validated(model, method, raw, {"bot": bot})
            except ValueError:  # pydantic's ValidationError, or JSON that does not parse
                answer = None  # aiogram's check below raises its own decode error
            if answer is not None and answer.ok:
                return cast(TelegramType, answer.result)
        # Errors (and anything undecodable): aiogram's classification into its exceptions.
        checked = self.check_response(
            bot=bot, method=method, status_code=status, content=raw.decode("utf-8", "replace")
        )
        return cast(TelegramType, checked.result)

    def _url(self, token: str, api_method: str) -> URL:
        # Parsed once per method: yarl would otherwise parse the same string on every call.
        url = self._urls.get((token, api_method))
        if url is None:
            url = URL(self.api.api_url(token=token, method=api_method))
            self._urls[(token, api_method)] = url
        return url
