"""Queries of the electoral fund: a candidate's account and ledger, and the fund status of many
candidates at once for coordinators."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Reminder
from bot.db.models.fund import EntryKind, FundAccount, FundEntry


@dataclass(frozen=True)
class Totals:
    raised_kop: int = 0
    spent_kop: int = 0
    returned_kop: int = 0  # flagged amounts already sent back
    to_return_kop: int = 0  # flagged amounts still on the account
    flagged_open: int = 0  # donations still to return


class FundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def account(self, candidate_id: int) -> FundAccount | None:
        return await self._session.scalar(
            select(FundAccount).where(FundAccount.candidate_id == candidate_id)
        )

    async def account_by_token(self, token: str) -> FundAccount | None:
        return await self._session.scalar(select(FundAccount).where(FundAccount.token == token))

    async def accounts(self, candidate_ids: Iterable[int]) -> dict[int, FundAccount]:
        ids = list(candidate_ids)
        if not ids:
            return {}
        rows = await self._session.scalars(
            select(FundAccount).where(FundAccount.candidate_id.in_(ids))
        )
        return {row.candidate_id: row for row in rows}

    async def add(self, row: FundAccount | FundEntry) -> None:
        self._session.add(row)
        await self._session.flush()

    async def planned_keys(self, keys: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(keys), 500):  # bound the IN list
            chunk = keys[start : start + 500]
            found |= set(
                await self._session.scalars(select(Reminder.key).where(Reminder.key.in_(chunk)))
            )
        return found

    async def add_reminders(self, rows: list[dict[str, object]]) -> None:
        """Outbox rows in one executemany: nobody needs their ids back."""
        if rows:
            await self._session.execute(insert(Reminder), rows)

    def stage(self, row: FundEntry) -> None:
        """Added without a flush (bulk imports): written with the next flush or commit."""
        self._session.add(row)

    async def donor_totals(self, candidate_id: int) -> dict[str, int]:
        """Every donor's total (less what goes back to them) in one query."""
        rows = await self._session.execute(
            select(FundEntry.donor_index, func.sum(FundEntry.amount_kop - FundEntry.return_kop))
            .where(
                FundEntry.candidate_id == candidate_id,
                FundEntry.donor_index.is_not(None),
                FundEntry.kind == EntryKind.DONATION,
            )
            .group_by(FundEntry.donor_index)
        )
        return {str(index): int(total or 0) for index, total in rows}

    async def entry(self, entry_id: int) -> FundEntry | None:
        return await self._session.get(FundEntry, entry_id)

    async def entries(self, candidate_id: int) -> list[FundEntry]:
        rows = await self._session.scalars(
            select(FundEntry)
            .where(FundEntry.candidate_id == candidate_id)
            .order_by(FundEntry.booked_on, FundEntry.id)
        )
        return list(rows)

    async def flagged(self, candidate_id: int, *, open_only: bool = True) -> list[FundEntry]:
        query = select(FundEntry).where(
            FundEntry.candidate_id == candidate_id, FundEntry.flag.is_not(None)
        )
        if open_only:
            query = query.where(FundEntry.returned_at.is_(None))
        rows = await self._session.scalars(query.order_by(FundEntry.return_due, FundEntry.id))
        return list(rows)

    async def donor_total(self, candidate_id: int, donor_index: str) -> int:
        """What one donor has given so far, less what was flagged to go back to them."""
        total = await self._session.scalar(
            select(func.coalesce(func.sum(FundEntry.amount_kop - FundEntry.return_kop), 0)).where(
                FundEntry.candidate_id == candidate_id,
                FundEntry.donor_index == donor_index,
                FundEntry.kind == EntryKind.DONATION,
            )
        )
        return int(total or 0)

    async def import_keys(self, candidate_id: int) -> set[str]:
        rows = await self._session.scalars(
            select(FundEntry.import_key).where(
                FundEntry.candidate_id == candidate_id, FundEntry.import_key.is_not(None)
            )
        )
        return {key for key in rows if key}

    async def totals(self, candidate_ids: Iterable[int]) -> dict[int, Totals]:
        """Every candidate's totals in one query (the coordinators' overview)."""
        ids = list(candidate_ids)
        if not ids:
            return {}
        donation = FundEntry.kind == EntryKind.DONATION
        returned = FundEntry.returned_at.is_not(None)
        flagged = FundEntry.flag.is_not(None)
        query = (
            select(
                FundEntry.candidate_id,
                func.sum(case((donation, FundEntry.amount_kop), else_=0)),
                func.sum(case((~donation, FundEntry.amount_kop), else_=0)),
                func.sum(case((flagged & returned, FundEntry.return_kop), else_=0)),
                func.sum(case((flagged & ~returned, FundEntry.return_kop), else_=0)),
                func.sum(case((flagged & ~returned, 1), else_=0)),
            )
            .where(FundEntry.candidate_id.in_(ids))
            .group_by(FundEntry.candidate_id)
        )
        result: dict[int, Totals] = {}
        for row in await self._session.execute(query):
            result[row[0]] = Totals(*(int(value or 0) for value in row[1:]))
        return result
