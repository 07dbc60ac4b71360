"""What /audit shows: recent entries, one line each, optionally of one actor."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.db.models import AuditEntry
from bot.db.uow import UnitOfWork

RECENT = 25


async def recent(uow: UnitOfWork, actor_id: int | None, limit: int = RECENT) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    return list(await uow.session.scalars(query))


def line(entry: AuditEntry, tz: ZoneInfo) -> str:
    at = entry.at.astimezone(tz).strftime("%d.%m %H:%M")
    who = str(entry.actor_id) if entry.actor_id is not None else "—"
    subject = f" {entry.subject_type}:{entry.subject_id}" if entry.subject_type else ""
    details = " ".join(f"{key}={value}" for key, value in sorted((entry.details or {}).items()))
    return f"#{entry.id} {at} {who} {entry.action}{subject} {details}".rstrip()[:200]
