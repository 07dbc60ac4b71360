"""The reminder outbox and notification settings.

Claiming is one atomic UPDATE ... RETURNING over the due rows: on PostgreSQL the candidate rows
are picked with FOR UPDATE SKIP LOCKED, so two instances never claim the same row; SQLite has a
single writer, so the UPDATE alone is atomic. A claim is a lease: rows of an instance that died
mid-send become claimable again when it expires.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import NotificationSettings, Reminder, ReminderStatus


class ReminderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def plan(self, reminder: Reminder) -> bool:
        """Add the reminder unless one with its key exists. True if it was added."""
        existing = await self._session.scalar(
            select(Reminder.id).where(Reminder.key == reminder.key)
        )
        if existing is not None:
            return False
        self._session.add(reminder)
        await self._session.flush()
        return True

    async def claim(
        self, instance: str, now: datetime, limit: int, lease: timedelta
    ) -> list[Reminder]:
        due = (
            select(Reminder.id)
            .where(
                Reminder.status == ReminderStatus.PENDING,
                Reminder.due_at <= now,
                or_(Reminder.claimed_until.is_(None), Reminder.claimed_until < now),
            )
            .order_by(Reminder.due_at, Reminder.id)
            .limit(limit)
        )
        if self._session.bind is not None and self._session.bind.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        claimed = await self._session.scalars(
            update(Reminder)
            .where(Reminder.id.in_(due.scalar_subquery()))
            .values(
                claimed_by=instance,
                claimed_until=now + lease,
                attempts=Reminder.attempts + 1,
            )
            .returning(Reminder.id)
        )
        ids = list(claimed)
        if not ids:
            return []
        rows = await self._session.scalars(
            select(Reminder)
            .where(Reminder.id.in_(ids))
            .order_by(Reminder.due_at, Reminder.id)
            .execution_options(populate_existing=True)
        )
        return list(rows)

    async def settings(self, user_id: int) -> NotificationSettings | None:
        return await self._session.get(NotificationSettings, user_id)

    async def save_settings(self, row: NotificationSettings) -> None:
        self._session.add(row)
        await self._session.flush()

    async def pending_for(self, user_id: int) -> list[Reminder]:
        result = await self._session.scalars(
            select(Reminder).where(
                Reminder.user_id == user_id, Reminder.status == ReminderStatus.PENDING
            )
        )
        return list(result)

    async def count(self, status: ReminderStatus) -> int:
        result = await self._session.scalar(
            select(func.count()).select_from(Reminder).where(Reminder.status == status)
        )
        return int(result or 0)

    async def erase_user(self, user_id: int) -> None:
        await self._session.execute(delete(Reminder).where(Reminder.user_id == user_id))

    async def release(self, reminder: Reminder) -> None:
        reminder.claimed_by = None
        reminder.claimed_until = None


def mark(
    reminder: Reminder, status: ReminderStatus, now: datetime, error: str | None = None
) -> None:
    reminder.status = status
    if status is ReminderStatus.SENT:
        reminder.sent_at = now
    reminder.last_error = error
    reminder.claimed_until = None
