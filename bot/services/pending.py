"""The approvals queue: everything that waits for a coordinator, behind one /pending.

A feature whose items wait for a coordinator's decision (quest tasks, nomination documents,
the fund's payments, print runs...) plugs in with ONE registration, at import time of its
module:

    from bot.services import pending

    class PrintRunKind:
        code = "print"                  # a-z, at most 8 letters: it travels in button data
        async def waiting(self, ctx, scope, limit, candidate_id=None): ...
        async def card(self, ctx, item_id, scope): ...
        async def decide(self, ctx, item_id, scope, approve, comment): ...

    pending.register(PrintRunKind())

What a kind implements (`PendingKind`):

- `waiting(ctx, scope, limit, candidate_id=None)` -> `list[PendingItem]`: its items waiting
  for a decision, oldest first, only of candidates within `scope` (the one staff rule,
  `bot.services.directory.Scope`; `scope_sets` gives it as SQL filters), at most `limit`;
  with `candidate_id`, only that candidate's (the candidate card lists them).
- `card(ctx, item_id, scope)` -> `PendingCard`: what the coordinator looks at before deciding,
  in `ctx.t`'s language (HTML, arguments escaped by `t`), with files to show. Opening a card
  shows personal data: the kind writes it to the audit trail (`ctx.uow.audit.record`).
- `decide(ctx, item_id, scope, approve, comment)` -> `Decided`: approve, or return with the
  coordinator's comment. It changes its own rows, writes the audit trail, and returns the
  candidate's notice already rendered in their language; /pending delivers it.

Every method raises `InputError("review-gone")` for an item that is missing, out of scope
(which must look exactly like missing) or already decided: ids come from buttons, and
buttons can be forged. The handlers (bot.handlers.review) do the rest: the list, the buttons
(`rv:<action>:<code>:<id>`), the comment dialog, delivering the notice, the candidate card's
shortcuts (bot.handlers.directory), and the daily digest counts every kind.

No aiogram here. `ctx.quest` is the running quest's holder, typed loosely on purpose
(services do not import handlers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.config import Settings
from bot.db.uow import UnitOfWork
from bot.i18n import Translator
from bot.services.crypto import FieldCipher
from bot.services.directory import Scope

_CODE = re.compile(r"^[a-z]{1,8}$")


@dataclass(frozen=True)
class PendingContext:
    uow: UnitOfWork
    cipher: FieldCipher
    settings: Settings
    t: Translator  # the coordinator's language; `t.catalog` gives the candidate's
    actor_id: int
    quest: Any = None  # bot.handlers.quest.QuestHolder


@dataclass(frozen=True)
class PendingItem:
    kind: str  # the kind's code
    item_id: int
    candidate_id: int
    candidate_name: str
    title: str  # what waits, in the coordinator's language ("Заявление о согласии")
    since: datetime  # waiting since: the queue is oldest first across kinds


@dataclass(frozen=True)
class Attachment:
    kind: str  # "photo" or "document"
    file_id: str  # a file Telegram already has; empty when `data` carries the file itself
    data: bytes | None = None  # a file made by the bot (e.g. a generated PDF)
    filename: str | None = None
    caption: str | None = None


@dataclass(frozen=True)
class PendingCard:
    text: str
    files: tuple[Attachment, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Decided:
    candidate_user_id: int
    notice: str  # to the candidate, in their language


class PendingKind(Protocol):
    code: str

    async def waiting(
        self, ctx: PendingContext, scope: Scope, limit: int, candidate_id: int | None = None
    ) -> list[PendingItem]: ...

    async def card(self, ctx: PendingContext, item_id: int, scope: Scope) -> PendingCard: ...

    async def decide(
        self,
        ctx: PendingContext,
        item_id: int,
        scope: Scope,
        approve: bool,
        comment: str | None,
    ) -> Decided: ...


_KINDS: dict[str, PendingKind] = {}


def register(kind: PendingKind) -> PendingKind:
    """Plug a kind of pending item into /pending. Registering the same class again replaces
    it (a reload); another class under a code already taken is a programming error."""
    if not _CODE.match(kind.code):
        raise ValueError(f"a pending kind's code is 1-8 letters a-z, not {kind.code!r}")
    taken = _KINDS.get(kind.code)
    if taken is not None and type(taken) is not type(kind):
        raise ValueError(f"pending kind {kind.code!r} is taken by {type(taken).__name__}")
    _KINDS[kind.code] = kind
    return kind


def kind_of(code: str) -> PendingKind | None:
    return _KINDS.get(code)


def kinds() -> list[PendingKind]:
    return list(_KINDS.values())


async def waiting(
    ctx: PendingContext, scope: Scope, limit: int, candidate_id: int | None = None
) -> list[PendingItem]:
    """Every kind's waiting items within scope, oldest first, at most `limit`."""
    items: list[PendingItem] = []
    for kind in kinds():
        items += await kind.waiting(ctx, scope, limit, candidate_id)
    items.sort(key=lambda item: (item.since, item.kind, item.item_id))
    return items[:limit]
