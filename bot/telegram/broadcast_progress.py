"""Live progress of a broadcast: the sender's status message is edited while the outbox rows go
out (sent / blocked / failed of the total), and once more with the final numbers.

The reminder dispatcher tells the board about every broadcast row it handled (`touched`) and
calls `flush` at the end of each run. Edits of one status message are at least `interval`
seconds apart: an edit counts against Telegram's per-chat limit (about one message a second),
and the sender's chat must stay usable while thousands of messages go out. The final edit
is not held back (it happens once); if Telegram refuses it (429, a network error) it is tried
again at the next flush. "Message is not modified" (another instance, or a restarted one,
wrote the same numbers already) counts as done. A status message that can no longer be
edited (deleted by the sender) is left alone.

The board lives in memory, per instance: after a restart the rows carry the status message
(see `bot.services.broadcast.enqueue`), so the new instance picks the edits up where the old
one left off. With several instances each keeps its own pace.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramRetryAfter

from bot.config import Settings
from bot.db.uow import UnitOfWorkFactory
from bot.i18n import Catalog, Translator
from bot.services import broadcast
from bot.services.broadcast import LiveCounts, StatusRef

log = logging.getLogger(__name__)
EDIT_INTERVAL = 3.0  # seconds between two edits of one status message


def render_live(t: Translator, broadcast_id: str, counts: LiveCounts) -> str:
    key = "broadcast-live-done" if counts.finished else "broadcast-live"
    return t(
        key,
        id=broadcast_id,
        sent=counts.sent,
        blocked=counts.blocked,
        failed=counts.failed,
        pending=counts.pending,
        total=counts.total,
    )


@dataclass
class _Watched:
    status: StatusRef
    next_at: float = -math.inf  # the clock time from which the next edit may go out
    dirty: bool = True  # rows were handled since the last edit
    paused_until: float = -math.inf  # Telegram said 429: not even the final edit before this


class ProgressBoard:
    def __init__(
        self,
        bot: Bot,
        *,
        uow_factory: UnitOfWorkFactory,
        catalog: Catalog,
        settings: Settings,
        interval: float = EDIT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bot = bot
        self._uow_factory = uow_factory
        self._catalog = catalog
        self._settings = settings
        self.interval = interval
        self._clock = clock
        self._watched: dict[str, _Watched] = {}
        self._abandoned: set[str] = set()  # status messages that cannot be edited any more

    async def touched(self, payload: dict[str, object] | None) -> None:
        """A row of the outbox was handled; edit its broadcast's status if it is time."""
        found = broadcast.status_ref(payload)
        if found is None:
            return
        broadcast_id, status = found
        if broadcast_id in self._abandoned:
            return
        watched = self._watched.setdefault(broadcast_id, _Watched(status))
        watched.dirty = True
        if self._clock() >= watched.next_at:
            await self._safely(broadcast_id, watched)

    async def flush(self) -> None:
        """At the end of a dispatcher run (every run, even an empty one): the final numbers
        of finished broadcasts, and progress held back by the interval once it is due."""
        for broadcast_id, watched in list(self._watched.items()):
            if watched.dirty:
                await self._safely(broadcast_id, watched, final_only=True)

    async def _safely(
        self, broadcast_id: str, watched: _Watched, final_only: bool = False
    ) -> None:
        # The status message is a courtesy: nothing in it may stop the messages themselves.
        try:
            await self._edit(broadcast_id, watched, final_only)
        except Exception:
            log.exception("broadcast %s: status update failed", broadcast_id)

    async def _edit(self, broadcast_id: str, watched: _Watched, final_only: bool = False) -> None:
        """Edit the status now; with `final_only`, only if finished or the interval is over."""
        async with self._uow_factory() as uow:
            counts = await broadcast.live_counts(uow, broadcast_id)
            sender = await broadcast.sender_of(uow, broadcast_id)
            user = await uow.users.get(sender) if sender is not None else None
        now = self._clock()
        if now < watched.paused_until or (
            final_only and not counts.finished and now < watched.next_at
        ):
            return
        t = self._catalog.translator(user.locale if user else self._settings.default_locale)
        try:
            await self._bot.edit_message_text(
                text=render_live(t, broadcast_id, counts),
                chat_id=watched.status.chat_id,
                message_id=watched.status.message_id,
            )
        except TelegramRetryAfter as error:
            watched.paused_until = watched.next_at = now + error.retry_after
            return
        except TelegramBadRequest as error:
            if "message is not modified" not in error.message:
                log.info("broadcast %s: status not editable (%s)", broadcast_id, error.message)
                self._watched.pop(broadcast_id, None)
                self._abandoned.add(broadcast_id)
                return
        except TelegramAPIError as error:  # 5xx, network: try again at the next chance
            log.warning("broadcast %s: status edit failed (%s)", broadcast_id, error.message)
            watched.next_at = now + self.interval
            return
        watched.next_at = now + self.interval
        watched.dirty = False
        if counts.finished:
            self._watched.pop(broadcast_id, None)
