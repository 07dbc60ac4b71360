"""Broadcasts: a coordinator's message to a segment of candidates, as rows of the reminder outbox.

One broadcast is one outbox row per recipient, keyed `broadcast:<id>:<user id>`: planning is
idempotent, so a repeated confirm or a restart never doubles a message, and the reminder
dispatcher sends them rate-limited, in waking hours, once each, dropping blocked users.

A segment is always intersected with the sender's scope: a coordinator of one organisation or
formation reaches only its candidates, an admin (or a coordinator of the whole city) everyone.
"""

from __future__ import annotations

import enum
import html
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, or_, select

from bot.db.models import (
    Candidate,
    CandidateStatus,
    ElectoralDistrict,
    Reminder,
    ReminderStatus,
    User,
)
from bot.db.uow import UnitOfWork
from bot.services.directory import Scope
from bot.services.errors import InputError
from bot.services.roles import Actor

KIND = "broadcast"
MAX_TEXT = 3500
STALLED_DAYS = 7
# A broadcast held up longer than this (the bot was down) is dropped, not sent late.
TTL = timedelta(days=3)
_ID = re.compile(r"^[0-9a-f]{8}$")


class SegmentKind(enum.StrEnum):
    ALL = "all"
    STAGE = "stage"  # value: the quest stage id the candidate is currently at
    ORGANISATION = "org"  # value: organisation code
    FORMATION = "mf"  # value: municipal formation name (current election)
    STALLED = "stalled"  # no progress for STALLED_DAYS or more


NEEDS_VALUE = (SegmentKind.STAGE, SegmentKind.ORGANISATION, SegmentKind.FORMATION)


@dataclass(frozen=True)
class Segment:
    kind: SegmentKind
    value: str | None = None


# What a sender may reach: the same rule as everywhere staff see candidates.
Audience = Scope


class BroadcastProgress(NamedTuple):
    pending: int
    sent: int
    dropped: int
    failed: int

    @property
    def total(self) -> int:
        return self.pending + self.sent + self.dropped + self.failed


class StatusRef(NamedTuple):
    """The sender's message that is edited with the live progress of a broadcast."""

    chat_id: int
    message_id: int


@dataclass(frozen=True)
class LiveCounts:
    """What the sender's status message shows. A recipient who blocked the bot (or is gone)
    is `blocked`; a message given up on after retries, or held up past the TTL, is
    `failed`; rows still to send (retries waiting included) are `pending`."""

    sent: int
    blocked: int
    failed: int
    pending: int

    @property
    def total(self) -> int:
        return self.sent + self.blocked + self.failed + self.pending

    @property
    def finished(self) -> bool:
        return self.pending == 0


StageOf = Callable[[Candidate], Awaitable[str]]


def new_id() -> str:
    return secrets.token_hex(4)


def valid_id(broadcast_id: str) -> bool:
    return bool(_ID.match(broadcast_id))


def clean_text(text: str | None) -> str:
    """The text as it will be sent, or InputError: empty or longer than MAX_TEXT."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise InputError("broadcast-empty")
    if len(cleaned) > MAX_TEXT:
        raise InputError("broadcast-too-long", limit=MAX_TEXT, length=len(cleaned))
    return cleaned


def render(header: str, text: str) -> str:
    """The message as recipients see it (parse_mode=HTML): the coordinator's text is plain."""
    return f"{header}\n\n{html.escape(text, quote=False)}"


async def in_scope(uow: UnitOfWork, audience: Audience) -> list[tuple[Candidate, int | None]]:
    """Registered candidates the audience covers, with their formation id."""
    query = (
        select(Candidate, ElectoralDistrict.formation_id)
        .outerjoin(ElectoralDistrict, Candidate.district_id == ElectoralDistrict.id)
        .join(User, User.id == Candidate.user_id)
        # Who blocked the bot is skipped until they come back (see handlers.membership).
        .where(Candidate.status == CandidateStatus.REGISTERED, User.blocked_at.is_(None))
        .order_by(Candidate.id)
    )
    if not audience.everyone:
        query = query.where(
            or_(
                Candidate.organisation_id.in_(audience.organisations or ()),
                ElectoralDistrict.formation_id.in_(audience.formations or ()),
            )
        )
    rows = await uow.session.execute(query)
    return [(candidate, formation_id) for candidate, formation_id in rows.all()]


async def recipients(
    uow: UnitOfWork,
    audience: Audience,
    segment: Segment,
    now: datetime,
    stage_of: StageOf | None = None,
) -> list[int]:
    """User ids of the segment's candidates within the audience, in a stable order.

    `stage_of` tells a candidate's current quest stage (the quest rules live with the
    handlers); it is needed for the stage segment only. An unknown organisation or formation
    is an InputError.
    """
    candidates = await in_scope(uow, audience)
    if segment.kind is SegmentKind.ALL:
        chosen = [candidate for candidate, _ in candidates]
    elif segment.kind is SegmentKind.ORGANISATION:
        organisation = await uow.geography.organisation_by_code(segment.value or "")
        if organisation is None:
            raise InputError("broadcast-unknown-segment")
        chosen = [c for c, _ in candidates if c.organisation_id == organisation.id]
    elif segment.kind is SegmentKind.FORMATION:
        election = await uow.geography.current_election()
        formation = (
            await uow.geography.formation_by_name(election.id, segment.value or "")
            if election
            else None
        )
        if formation is None:
            raise InputError("broadcast-unknown-segment")
        chosen = [c for c, formation_id in candidates if formation_id == formation.id]
    elif segment.kind is SegmentKind.STALLED:
        before = now - timedelta(days=STALLED_DAYS)
        chosen = [
            c
            for c, _ in candidates
            if (since := c.last_progress_at or c.registered_at) is not None and since <= before
        ]
    else:  # SegmentKind.STAGE
        if stage_of is None:
            raise ValueError("the stage segment needs stage_of")
        chosen = [c for c, _ in candidates if await stage_of(c) == segment.value]
    return [candidate.user_id for candidate in chosen]


def key_of(broadcast_id: str, user_id: int) -> str:
    return f"{KIND}:{broadcast_id}:{user_id}"


async def enqueue(
    uow: UnitOfWork,
    broadcast_id: str,
    sender_id: int,
    text: str,
    recipients: list[int],
    now: datetime,
    status: StatusRef | None = None,
) -> int:
    """Plan one outbox row per recipient; rows that exist already are kept. The number of
    rows added (0 when the broadcast was enqueued before). The audit trail gets the count,
    never the text. `status` is the sender's message that shows the live progress: every
    row carries it, so whichever instance sends a row (after a restart too) can update it."""
    added = 0
    payload: dict[str, object] = {"text": text, "from": sender_id, "broadcast": broadcast_id}
    if status is not None:
        payload["status"] = [status.chat_id, status.message_id]
    for user_id in dict.fromkeys(recipients):
        added += await uow.reminders.plan(
            Reminder(
                key=key_of(broadcast_id, user_id),
                user_id=user_id,
                kind=KIND,
                due_at=now,
                not_after=now + TTL,
                payload=dict(payload),
            )
        )
    if added:
        await uow.audit.record(sender_id, "broadcast_sent", KIND, broadcast_id, count=added)
    return added


def _rows_of(broadcast_id: str) -> object:
    return Reminder.key.startswith(f"{KIND}:{broadcast_id}:", autoescape=True)


async def progress(uow: UnitOfWork, broadcast_id: str) -> BroadcastProgress:
    """(pending, sent, dropped, failed) of the broadcast's rows."""
    rows = await uow.session.execute(
        select(Reminder.status, func.count())
        .where(Reminder.kind == KIND, _rows_of(broadcast_id))
        .group_by(Reminder.status)
    )
    counts = {ReminderStatus(status): int(count) for status, count in rows.all()}
    return BroadcastProgress(
        counts.get(ReminderStatus.PENDING, 0),
        counts.get(ReminderStatus.SENT, 0),
        counts.get(ReminderStatus.DROPPED, 0),
        counts.get(ReminderStatus.FAILED, 0),
    )


# Why the dispatcher drops a broadcast row that is not about the recipient: it expired (TTL).
# Every other drop of a broadcast row means the person cannot be reached (blocked, gone).
_EXPIRED = "expired"


async def live_counts(uow: UnitOfWork, broadcast_id: str) -> LiveCounts:
    rows = await uow.session.execute(
        select(Reminder.status, Reminder.last_error, func.count())
        .where(Reminder.kind == KIND, _rows_of(broadcast_id))
        .group_by(Reminder.status, Reminder.last_error)
    )
    sent = blocked = failed = pending = 0
    for status, error, count in rows.all():
        state = ReminderStatus(status)
        if state is ReminderStatus.SENT:
            sent += count
        elif state is ReminderStatus.PENDING:
            pending += count
        elif state is ReminderStatus.DROPPED and error != _EXPIRED:
            blocked += count
        else:
            failed += count
    return LiveCounts(sent, blocked, failed, pending)


def status_ref(payload: dict[str, object] | None) -> tuple[str, StatusRef] | None:
    """(broadcast id, status message) of an outbox row's payload, if it has them."""
    payload = payload or {}
    broadcast_id, status = payload.get("broadcast"), payload.get("status")
    if not isinstance(broadcast_id, str) or not valid_id(broadcast_id):
        return None
    if not (isinstance(status, list) and len(status) == 2):
        return None
    chat_id, message_id = status
    if not (isinstance(chat_id, int) and isinstance(message_id, int)):
        return None
    return broadcast_id, StatusRef(chat_id, message_id)


async def sender_of(uow: UnitOfWork, broadcast_id: str) -> int | None:
    """Who sent the broadcast; None if there is no such broadcast."""
    payload = await uow.session.scalar(
        select(Reminder.payload).where(Reminder.kind == KIND, _rows_of(broadcast_id)).limit(1)
    )
    if payload is None:
        return None
    sender = payload.get("from")
    return int(sender) if isinstance(sender, int) else None


async def visible_progress(
    uow: UnitOfWork, actor: Actor, broadcast_id: str
) -> BroadcastProgress | None:
    """The progress for its sender or an admin; None otherwise (as if it did not exist)."""
    if not valid_id(broadcast_id):
        return None
    sender = await sender_of(uow, broadcast_id)
    if sender is None or (sender != actor.user_id and not actor.is_admin):
        return None
    return await progress(uow, broadcast_id)
