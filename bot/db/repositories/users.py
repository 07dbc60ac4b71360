"""Users, their role grants, and the data behind /privacy and /forget_me."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Candidate, FsmRecord, RoleGrant, RoleName, User


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> User | None:
        return await self._session.get(User, user_id)

    async def add(self, user: User) -> User:
        self._session.add(user)
        await self._session.flush()
        return user

    async def touch(self, user: User, now: datetime) -> None:
        user.last_seen_at = now

    async def grants(self, user_id: int) -> list[RoleGrant]:
        result = await self._session.scalars(
            select(RoleGrant).where(RoleGrant.user_id == user_id).order_by(RoleGrant.id)
        )
        return list(result)

    async def add_grant(self, grant: RoleGrant) -> None:
        self._session.add(grant)
        await self._session.flush()

    async def remove_grants(self, user_id: int, role: RoleName) -> int:
        result = await self._session.execute(
            delete(RoleGrant).where(RoleGrant.user_id == user_id, RoleGrant.role == role)
        )
        return result.rowcount or 0  # type: ignore[attr-defined]

    async def users_with_role(self, role: RoleName) -> list[int]:
        result = await self._session.scalars(
            select(RoleGrant.user_id).where(RoleGrant.role == role).distinct()
        )
        return list(result)

    async def erase(self, user_id: int) -> None:
        """Delete the person and everything keyed by them (cascades cover the rest)."""
        await self._session.execute(delete(FsmRecord).where(FsmRecord.user_id == user_id))
        await self._session.execute(delete(Candidate).where(Candidate.user_id == user_id))
        await self._session.execute(delete(RoleGrant).where(RoleGrant.user_id == user_id))
        await self._session.execute(delete(User).where(User.id == user_id))
        self._session.expunge_all()  # nothing of the person stays cached in this session
