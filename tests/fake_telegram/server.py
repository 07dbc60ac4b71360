"""The fake Bot API over real HTTP: a BotApiEmulator behind an aiohttp web app.

Routes mirror api.telegram.org: `/bot{token}/{method}` (GET or POST with a JSON body, an
urlencoded or multipart form, or a query string) and `/file/bot{token}/{file_path}`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from aiohttp import web

from bot.telegram.emulator import MAX_UPLOAD_BYTES, BotApiEmulator, BotApiError, Files

# Slack over the 50 MB limit so that an oversized upload reaches the emulator's own check
# (and its JSON 413 envelope) instead of aiohttp's HTML error page.
_CLIENT_MAX_SIZE = MAX_UPLOAD_BYTES + 4 * 1024 * 1024


class FakeTelegramServer:
    """Serves one emulated bot on 127.0.0.1; `start()` returns the base URL for aiogram."""

    def __init__(self, emulator: BotApiEmulator | None = None, **emulator_kwargs: Any) -> None:
        self.emulator = emulator or BotApiEmulator(**emulator_kwargs)
        self.base_url = ""
        self._runner: web.AppRunner | None = None
        # How the bot posted its calls: (method, content type) -> count.
        self.requests: Counter[tuple[str, str]] = Counter()
        self.app = web.Application(client_max_size=_CLIENT_MAX_SIZE)
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        self.app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        # A short shutdown timeout: stop() must not wait a minute on a keep-alive client.
        self._runner = web.AppRunner(self.app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound_port = self._runner.addresses[0][1]  # the real port when port=0
        self.base_url = f"http://{host}:{bound_port}"
        return self.base_url

    async def stop(self) -> None:
        # Pending long polls return first, so the runner has no handler left to wait for.
        self.emulator.release_pollers()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegramServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.emulator.token:
            return _envelope(BotApiError(401, "Unauthorized").envelope(), 401)
        self.requests[(request.match_info["method"], request.content_type)] += 1
        if (request.content_length or 0) > MAX_UPLOAD_BYTES:
            return _envelope(BotApiError(413, "Request Entity Too Large").envelope(), 413)
        try:
            params, files = await _read_params(request)
        except web.HTTPRequestEntityTooLarge:
            return _envelope(BotApiError(413, "Request Entity Too Large").envelope(), 413)
        except ValueError:
            return _envelope(BotApiError(400, "Bad Request: invalid request body").envelope(), 400)
        status, body = await self.emulator.call(request.match_info["method"], params, files)
        return _envelope(body, status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        data = None
        if request.match_info["token"] == self.emulator.token:
            data = self.emulator.file_bytes(request.match_info["file_path"])
        if data is None:
            return _envelope(BotApiError(404, "Not Found").envelope(), 404)
        return web.Response(body=data, content_type="application/octet-stream")


def _envelope(body: dict[str, Any], status: int) -> web.Response:
    return web.json_response(body, status=status)


async def _read_params(request: web.Request) -> tuple[dict[str, Any], Files]:
    """Merge the query string with a JSON, urlencoded or multipart body; collect uploads."""
    params: dict[str, Any] = dict(request.query)
    files: Files = {}
    if request.method != "POST" or not request.can_read_body:
        return params, files
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("JSON body must be an object")
        params.update(body)
        return params, files
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = (value.filename or key, value.file.read())
        else:
            params[key] = value
    return params, files
