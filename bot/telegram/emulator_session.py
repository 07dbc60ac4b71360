"""An aiogram session that talks to a BotApiEmulator in-process instead of over HTTP.

Parameters are prepared exactly as AiohttpSession prepares its form (same prepare_value,
same attach:// file references), and responses go through BaseSession.check_response, so
aiogram's real error mapping (TelegramBadRequest, TelegramRetryAfter, ...) applies.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile
from aiohttp import ClientResponseError, RequestInfo
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from bot.telegram.emulator import BotApiEmulator, Files

if TYPE_CHECKING:
    from aiogram.client.bot import Bot

_FILE_ROUTE = "/file/bot"


class EmulatorSession(BaseSession):
    """Routes every Bot API request of an aiogram Bot to a BotApiEmulator."""

    def __init__(self, emulator: BotApiEmulator, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.emulator = emulator
        self.closed = False

    async def close(self) -> None:
        # Nothing to release: there is no connection pool, only the in-memory emulator.
        self.closed = True

    async def build_params(
        self, bot: Bot, method: TelegramMethod[TelegramType]
    ) -> tuple[dict[str, Any], Files]:
        """The same fields AiohttpSession.build_form_data would post, files read into memory."""
        params: dict[str, Any] = {}
        input_files: dict[str, InputFile] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=input_files)
            if not prepared:
                continue
            params[key] = prepared
        files: Files = {}
        for key, input_file in input_files.items():
            data = b"".join([chunk async for chunk in input_file.read(bot)])
            files[key] = (input_file.filename or key, data)
        return params, files

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - BaseSession's signature
    ) -> TelegramType:
        params, files = await self.build_params(bot, method)
        request_timeout = self.timeout if timeout is None else timeout
        try:
            # getUpdates long-polls inside the emulator for its own `timeout` parameter;
            # the request timeout is the outer bound, as for a real HTTP request.
            status, envelope = await asyncio.wait_for(
                self.emulator.call(method.__api_method__, params, files), request_timeout
            )
        except TimeoutError as error:
            raise TelegramNetworkError(method=method, message="Request timeout error") from error
        response = self.check_response(
            bot=bot, method=method, status_code=status, content=json.dumps(envelope)
        )
        return cast(TelegramType, response.result)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - BaseSession's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        data = self._file_for_url(url)
        if data is None:
            if raise_for_status:
                raise _not_found(url)
            yield json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}).encode()
            return
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]

    def _file_for_url(self, url: str) -> bytes | None:
        """`{api}/file/bot{token}/{file_path}` -> the bytes the emulator keeps for that path."""
        _, found, rest = url.partition(_FILE_ROUTE)
        token, _, file_path = rest.partition("/")
        if not found or token != self.emulator.token:
            return None
        return self.emulator.file_bytes(file_path)


def _not_found(url: str) -> ClientResponseError:
    # The same exception AiohttpSession raises for a 404 when raise_for_status is on.
    request_info = RequestInfo(URL(url), "GET", CIMultiDictProxy(CIMultiDict()), URL(url))
    return ClientResponseError(request_info, (), status=404, message="Not Found")
