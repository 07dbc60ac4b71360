"""A unit of work: one database session per update, its repositories, one commit."""

from __future__ import annotations

from contextvars import ContextVar
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.repositories.audit import AuditRepository
from bot.db.repositories.candidates import CandidateRepository
from bot.db.repositories.geography import GeographyRepository
from bot.db.repositories.users import UserRepository

# The session of the update being handled. The SQL FSM storage joins it, so a dialog step and
# the answer it saved commit together (and SQLite never sees two writers in one update).
current_session: ContextVar[AsyncSession | None] = ContextVar("current_session", default=None)


class UnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = UserRepository(session)
        self.candidates = CandidateRepository(session)
        self.geography = GeographyRepository(session)
        self.audit = AuditRepository(session)

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class UnitOfWorkFactory:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    def __call__(self) -> _UnitOfWorkContext:
        return _UnitOfWorkContext(self._session_factory)


class _UnitOfWorkContext:
    """`async with uow_factory() as uow:` commits on success, rolls back on error."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._session_factory()
        self._token = current_session.set(self._session)
        return UnitOfWork(self._session)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._session is not None
        current_session.reset(self._token)
        try:
            if exc_type is None:
                await self._session.commit()
            else:
                await self._session.rollback()
        finally:
            await self._session.close()
