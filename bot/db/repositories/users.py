"""Users, their role grants, and the data behind /privacy and /forget_me."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.db.dialogs import DialogRow, read_dialog
from bot.db.models import Candidate, FsmRecord, RoleGrant, RoleName, User

# The candidate card and its name row come joined. Role grants do not: nearly everyone has
# none (candidates, volunteers), and the join with its de-duplication cost more than the
# EXISTS that says whether to read them (staff only).
_PERSON_LOADS = (joinedload(User.candidate).joinedload(Candidate.name_row),)
_HAS_GRANTS = select(RoleGrant.id).where(RoleGrant.user_id == User.id).exists().label("has_grants")
# Built once, with bound parameters: every update runs one of these, and building the
# statement and its cache key anew cost a third of executing it (0.5 of 1.7 ms, measured).
_PERSON = select(User, _HAS_GRANTS).options(*_PERSON_LOADS).where(User.id == bindparam("user_id"))
_PERSON_AND_DIALOG = (
    select(User, _HAS_GRANTS, FsmRecord.state, FsmRecord.data_enc, FsmRecord.key)
    .outerjoin(FsmRecord, FsmRecord.key == bindparam("dialog_key"))
    .options(*_PERSON_LOADS)
    .where(User.id == bindparam("user_id"))
)


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # The session's identity map holds objects weakly; an update asks for its person many
        # times, so the repository (alive for one unit of work) keeps them.
        self._people: dict[int, User | None] = {}
        # Whether a person loaded by `person` has role grants, and the grants once read.
        self._has_grants: dict[int, bool] = {}
        self._grants: dict[int, list[RoleGrant]] = {}

    async def get(self, user_id: int) -> User | None:
        if user_id not in self._people:
            self._people[user_id] = await self._session.get(User, user_id)
        return self._people[user_id]

    async def person(self, user_id: int) -> User | None:
        """The user with their candidate card, in one query (see `person_grants`)."""
        if user_id in self._people:
            cached = self._people[user_id]
            # None is definite: users are created through `add`, which records them here.
            if cached is None or user_id in self._has_grants:
                return cached
        row = (await self._session.execute(_PERSON, {"user_id": user_id})).one_or_none()
        return self._remember(user_id, row)

    async def person_grants(self, user: User) -> list[RoleGrant]:
        """The role grants of a person `person` loaded: no query for someone who has none."""
        if not self._has_grants.get(user.id, True):
            return []
        if user.id not in self._grants:
            self._grants[user.id] = await self.grants(user.id)
        return self._grants[user.id]

    async def person_and_dialog(
        self, user_id: int, dialog_key: str
    ) -> tuple[User | None, DialogRow]:
        """The person (as `person` loads them) and their dialog-state row, in one query.

        Every update of a private chat reads both, the state first (aiogram's FSM middleware
        runs before the actor is resolved); one statement instead of two is a tenth of an
        update's SQL. Someone who is not a user yet has no row to join the state to: their
        state is read on its own."""
        result = await self._session.execute(
            _PERSON_AND_DIALOG, {"user_id": user_id, "dialog_key": dialog_key}
        )
        row = result.one_or_none()
        user = self._remember(user_id, row)
        if row is None:
            return None, await read_dialog(self._session, dialog_key, user_id)
        state, data_enc, stored_key = row[2:]
        stored = stored_key is not None
        return user, DialogRow(dialog_key, user_id, state, data_enc, stored=stored)

    def _remember(self, user_id: int, row: Any) -> User | None:
        user: User | None = None if row is None else row[0]
        self._people[user_id] = user
        if row is not None:
            self._has_grants[user_id] = bool(row[1])
        return user

    async def add(self, user: User) -> User:
        self._session.add(user)
        await self._session.flush()
        self._people[user.id] = user
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
        self._has_grants[grant.user_id] = True
        self._grants.pop(grant.user_id, None)

    async def remove_grants(self, user_id: int, role: RoleName) -> int:
        self._has_grants.pop(user_id, None)
        self._grants.pop(user_id, None)
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
        self._people.pop(user_id, None)
        await self._session.execute(delete(FsmRecord).where(FsmRecord.user_id == user_id))
        await self._session.execute(delete(Candidate).where(Candidate.user_id == user_id))
        await self._session.execute(delete(RoleGrant).where(RoleGrant.user_id == user_id))
        await self._session.execute(delete(User).where(User.id == user_id))
        self._session.expunge_all()  # nothing of the person stays cached in this session
        self._people.pop(user_id, None)
