"""A unit of work: one database session per update, its repositories, one commit.

Inside an update the unit of work is also reachable through `current_uow`: the SQL FSM storage
joins its transaction (a dialog step and the answer it saved commit together), and the request
guard commits it before anything is sent to Telegram, so what a user sees is never ahead of
what is stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar, Token
from functools import cached_property
from types import TracebackType

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.dialogs import DialogRow, write_dialog, written
from bot.db.engine import transaction_wrote
from bot.db.models import ProcessedUpdate
from bot.db.repositories.addresses import AddressRepository
from bot.db.repositories.audit import AuditRepository
from bot.db.repositories.candidates import CandidateRepository
from bot.db.repositories.canvass import CanvassRepository
from bot.db.repositories.documents import DocumentsRepository
from bot.db.repositories.fund import FundRepository
from bot.db.repositories.geography import GeographyRepository
from bot.db.repositories.materials import MaterialsRepository
from bot.db.repositories.operations import OperationsRepository
from bot.db.repositories.quest import QuestRepository
from bot.db.repositories.reference import ReferenceCache
from bot.db.repositories.reminders import ReminderRepository
from bot.db.repositories.supporters import SupporterRepository
from bot.db.repositories.teams import TeamRepository
from bot.db.repositories.updates import UpdateRepository
from bot.db.repositories.users import UserRepository


class UnitOfWork:
    def __init__(self, session: AsyncSession, reference: ReferenceCache | None = None) -> None:
        self.session = session
        self._reference = reference
        self._update: tuple[int, int] | None = None
        self._update_stored = False
        # Dialog-state rows read in this unit of work by key (SqlStorage); their changes are
        # written by the commit.
        self.dialogs: dict[str, DialogRow] = {}
        # Run after the next commit: (action, also after a rollback).
        self._after_commit: list[tuple[Callable[[], Awaitable[None]], bool]] = []

    # Repositories are made on first use: an update needs two or three of the fifteen.
    @cached_property
    def users(self) -> UserRepository:
        return UserRepository(self.session)

    @cached_property
    def candidates(self) -> CandidateRepository:
        return CandidateRepository(self.session)

    @cached_property
    def geography(self) -> GeographyRepository:
        return GeographyRepository(self.session, self._reference)

    @cached_property
    def audit(self) -> AuditRepository:
        return AuditRepository(self.session)

    @cached_property
    def updates(self) -> UpdateRepository:
        return UpdateRepository(self.session)

    @cached_property
    def quest(self) -> QuestRepository:
        return QuestRepository(self.session)

    @cached_property
    def reminders(self) -> ReminderRepository:
        return ReminderRepository(self.session)

    @cached_property
    def addresses(self) -> AddressRepository:
        return AddressRepository(self.session)

    @cached_property
    def teams(self) -> TeamRepository:
        return TeamRepository(self.session)

    @cached_property
    def materials(self) -> MaterialsRepository:
        return MaterialsRepository(self.session)

    @cached_property
    def documents(self) -> DocumentsRepository:
        return DocumentsRepository(self.session)

    @cached_property
    def fund(self) -> FundRepository:
        return FundRepository(self.session)

    @cached_property
    def supporters(self) -> SupporterRepository:
        return SupporterRepository(self.session)

    @cached_property
    def canvass(self) -> CanvassRepository:
        return CanvassRepository(self.session)

    @cached_property
    def operations(self) -> OperationsRepository:
        return OperationsRepository(self.session)

    def record_update(self, bot_id: int, update_id: int) -> None:
        """Mark the update handled in the next commit (not before: no early write lock)."""
        self._update = (bot_id, update_id)

    def drop_update_record(self) -> None:
        """The update turned out to be a redelivery: it is recorded already."""
        self._update = None

    async def commit(self) -> None:
        """Commit what this update did since its last commit; nothing done, nothing to do.

        Any statement, ORM or Core, read or write, opens the session's transaction, so an
        update whose handler sent its last message (which committed, see RequestGuard) and
        did nothing after costs no second commit."""
        if (
            self.session.in_transaction()
            or self._pending()
            or (self._update is not None and not self._update_stored)
        ):
            await self._commit()
        while self._after_commit:
            action, _ = self._after_commit.pop(0)
            await action()

    def after_commit(
        self, action: Callable[[], Awaitable[None]], *, after_rollback_too: bool = False
    ) -> None:
        """Run `action` right after the next commit, in order (the update's last commit
        comes at its end, so it runs at the latest then). A rollback drops it unless
        `after_rollback_too`: what it would confirm did not happen."""
        self._after_commit.append((action, after_rollback_too))

    def _pending(self) -> bool:
        """Changes made in memory and not written yet: ORM objects, dialog rows."""
        session = self.session
        return bool(
            session.new
            or session.dirty
            or session.deleted
            or any(row.changed for row in self.dialogs.values())
        )

    async def holds_writes(self) -> bool:
        """Whether this unit of work has changes not committed yet, written or pending."""
        if self._pending():
            return True
        if not self.session.in_transaction():
            return False
        return transaction_wrote((await self.session.connection()).info)

    async def _commit(self) -> None:
        adding = self._update is not None and not self._update_stored
        if adding:
            assert self._update is not None
            bot_id, update_id = self._update
            # Core, not session.add: one row per update through the ORM's flush cost more
            # than the statement itself. A redelivery fails here, before the commit.
            await self.session.execute(_RECORD_UPDATE, {"bot_id": bot_id, "update_id": update_id})
        changed = [row for row in self.dialogs.values() if row.changed]
        for row in changed:
            await write_dialog(self.session, row)
        await self.session.commit()
        for row in changed:
            written(row)
        if adding:
            self._update_stored = True  # a later rollback cannot undo a commit

    async def rollback(self) -> None:
        await self.session.rollback()
        # Dialog changes not committed are undone with the rest: read again when needed.
        self.dialogs.clear()
        self._after_commit = [entry for entry in self._after_commit if entry[1]]


_RECORD_UPDATE = insert(ProcessedUpdate.__table__)

current_uow: ContextVar[UnitOfWork | None] = ContextVar("current_uow", default=None)


class UnitOfWorkFactory:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory
        # Shared by this factory's units of work: one database, one snapshot.
        self.reference = ReferenceCache()

    def __call__(self) -> _UnitOfWorkContext:
        return _UnitOfWorkContext(self.session_factory, self.reference)


class _UnitOfWorkContext:
    """`async with uow_factory() as uow:` commits on success, rolls back on error."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], reference: ReferenceCache
    ) -> None:
        self._session_factory = session_factory
        self._reference = reference
        self._uow: UnitOfWork | None = None
        self._token: Token[UnitOfWork | None] | None = None

    async def __aenter__(self) -> UnitOfWork:
        self._uow = UnitOfWork(self._session_factory(), self._reference)
        self._token = current_uow.set(self._uow)
        return self._uow

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._uow is not None and self._token is not None
        current_uow.reset(self._token)
        try:
            if exc_type is None:
                await self._uow.commit()
            else:
                await self._uow.rollback()
        finally:
            await self._uow.session.close()
