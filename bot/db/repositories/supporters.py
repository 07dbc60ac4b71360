"""The supporter base: bulk reads and writes for imports, scoped lists for views."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models.supporters import (
    Supporter,
    SupporterImport,
    SupporterMatch,
    SupporterSource,
)
from bot.services.supporters_dedup import Person, SourceConsent

BATCH = 500  # rows per statement: under SQLite's bound-parameter limit with 20 columns


@dataclass(frozen=True)
class Visibility:
    """Which supporters a list may show: everything, or any of the conditions."""

    everyone: bool = False
    organisations: frozenset[int] = frozenset()
    formations: frozenset[int] = frozenset()
    district_id: int | None = None  # a candidate: their district, consent to contact only


# For review: an address the election's address list does not know (people without any
# address cannot be placed and are not listed).
_UNASSIGNED = Supporter.district_id.is_(None) & Supporter.address_enc.is_not(None)


class _Driver:
    """Bulk writes through the DB-API driver (aiosqlite "?" or asyncpg "$1")."""

    def __init__(self, connection: Any, qmark: bool, processors: dict[str, Any]) -> None:
        self._connection = connection
        self._qmark = qmark
        self._processors = processors
        self.quote = connection.dialect.identifier_preparer.quote

    def mark(self, position: int) -> str:
        return "?" if self._qmark else f"${position}"

    def _params(
        self, columns: list[str], rows: list[dict[str, object]]
    ) -> list[tuple[object, ...]]:
        # Converted once per distinct object: every row shares the same timestamp.
        cache: dict[tuple[str, int], object] = {}
        processors = self._processors

        def convert(name: str, value: object) -> object:
            processor = processors.get(name)
            if processor is None or value is None or isinstance(value, str | int):
                return value
            key = (name, id(value))
            if key not in cache:
                cache[key] = processor(value)
            return cache[key]

        return [tuple(convert(c, row[c]) for c in columns) for row in rows]

    async def executemany(
        self, sql: str, columns: list[str], rows: list[dict[str, object]]
    ) -> None:
        params = await asyncio.to_thread(self._params, columns, rows)  # off the event loop
        for start in range(0, len(params), BATCH * 10):
            await self._connection.exec_driver_sql(sql, params[start : start + BATCH * 10])


class SupporterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- imports --------------------------------------------------------------------------

    async def people(self) -> list[Person]:
        rows = await self._session.execute(
            select(
                Supporter.id,
                Supporter.phone_index,
                Supporter.email_index,
                Supporter.address_index,
                Supporter.birth_index,
                Supporter.name_enc,
                Supporter.district_id,
                Supporter.address_enc.is_not(None),
            )
        )
        return [
            Person(r[0], r[1], r[2], r[3], r[4], name_enc=r[5], district_id=r[6], has_address=r[7])
            for r in rows
        ]

    async def consents(
        self, supporter_ids: Sequence[int] | None = None
    ) -> dict[int, list[SourceConsent]]:
        query = select(
            SupporterSource.supporter_id,
            SupporterSource.key,
            SupporterSource.organisation_id,
            SupporterSource.consent_contact,
            SupporterSource.consent_volunteer,
            SupporterSource.consent_news,
        )
        found: dict[int, list[SourceConsent]] = defaultdict(list)
        chunks = (
            [None]
            if supporter_ids is None
            else [supporter_ids[i : i + BATCH] for i in range(0, len(supporter_ids), BATCH)]
        )
        for chunk in chunks:
            chunk_query = query
            if chunk is not None:
                chunk_query = query.where(SupporterSource.supporter_id.in_(chunk))
            for row in await self._session.execute(chunk_query):
                values = {"contact": row[3], "volunteer": row[4], "news": row[5]}
                found[row[0]].append(SourceConsent(row[1], row[2], values))
        return dict(found)

    async def organisation_sources(self, organisation_id: int) -> dict[str, tuple[int, int, str]]:
        rows = await self._session.execute(
            select(
                SupporterSource.key,
                SupporterSource.id,
                SupporterSource.supporter_id,
                SupporterSource.row_hash,
            ).where(SupporterSource.organisation_id == organisation_id)
        )
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    async def add_import(self, record: SupporterImport) -> int:
        self._session.add(record)
        await self._session.flush()
        return record.id

    async def _driver(self, table: Any, columns: list[str]) -> _Driver | None:
        """The connection, placeholder style and value converters for writing `columns`
        through the driver's own executemany. SQLAlchemy's executemany builds and converts
        parameters row by row in Python: for 60,000 rows that was the largest part of
        writing an import. None for a driver whose placeholders are not known here."""
        connection = await self._session.connection()
        dialect = connection.dialect
        if dialect.paramstyle not in ("qmark", "numeric_dollar"):
            return None
        processors = {}
        for name in columns:
            processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        return _Driver(connection, dialect.paramstyle == "qmark", processors)

    async def _insert_many(self, table: Any, rows: list[dict[str, object]]) -> None:
        if not rows:
            return
        columns = list(rows[0])
        driver = await self._driver(table, columns)
        if driver is None:
            connection = await self._session.connection()
            for start in range(0, len(rows), BATCH):
                await connection.execute(insert(table), rows[start : start + BATCH])
            return
        quoted = ", ".join(driver.quote(c) for c in columns)
        marks = ", ".join(driver.mark(i) for i in range(1, len(columns) + 1))
        sql = f"INSERT INTO {table.name} ({quoted}) VALUES ({marks})"
        await driver.executemany(sql, columns, rows)

    async def insert_people(self, rows: list[dict[str, object]]) -> list[int]:
        """Ids of the new rows, in the order given. The ids are read back afterwards and
        paired through `name_enc`, unique per row (a Fernet token has a random IV); the ORM's
        bulk insert with RETURNING ran row by row on aiosqlite."""
        if not rows:
            return []
        before = await self._session.scalar(select(func.max(Supporter.id))) or 0
        await self._insert_many(Supporter.__table__, rows)
        connection = await self._session.connection()
        result = await connection.execute(
            select(Supporter.id, Supporter.name_enc).where(Supporter.id > before)
        )
        by_token = {token: row_id for row_id, token in result}
        return [by_token[row["name_enc"]] for row in rows]

    async def _update_many(self, table: Any, rows: list[dict[str, object]]) -> None:
        """UPDATE ... WHERE id = ? as executemany, one statement per set of columns."""
        groups: dict[tuple[str, ...], list[dict[str, object]]] = defaultdict(list)
        for row in rows:
            columns = tuple(sorted(k for k in row if k != "id"))
            if columns:
                groups[columns].append(row)
        for columns, items in groups.items():
            driver = await self._driver(table, [*columns, "id"])
            if driver is None:
                connection = await self._session.connection()
                statement = (
                    update(table)
                    .where(table.c.id == bindparam("row_id"))
                    .values({c: bindparam(c) for c in columns})
                )
                params = [{"row_id": i["id"], **{c: i[c] for c in columns}} for i in items]
                for start in range(0, len(params), BATCH):
                    await connection.execute(statement, params[start : start + BATCH])
                continue
            assignments = ", ".join(
                f"{driver.quote(c)} = {driver.mark(i)}" for i, c in enumerate(columns, start=1)
            )
            sql = (
                f"UPDATE {table.name} SET {assignments} WHERE id = {driver.mark(len(columns) + 1)}"
            )
            await driver.executemany(sql, [*columns, "id"], items)

    async def update_people(self, patches: dict[int, dict[str, object]]) -> None:
        await self._update_many(
            Supporter.__table__, [{"id": ref, **columns} for ref, columns in patches.items()]
        )

    async def insert_sources(self, rows: list[dict[str, object]]) -> None:
        await self._insert_many(SupporterSource.__table__, rows)

    async def update_sources(self, rows: list[dict[str, object]]) -> None:
        await self._update_many(SupporterSource.__table__, rows)

    async def add_matches(self, pairs: dict[tuple[int, int], tuple[float, str]]) -> int:
        if not pairs:
            return 0
        result = await self._session.execute(
            select(SupporterMatch.supporter_id, SupporterMatch.other_id)
        )
        existing = {(a, b) for a, b in result}
        rows = [
            {"supporter_id": a, "other_id": b, "score": score, "reason": reason, "status": "open"}
            for (a, b), (score, reason) in pairs.items()
            if (a, b) not in existing
        ]
        for start in range(0, len(rows), BATCH):
            await self._session.execute(insert(SupporterMatch), rows[start : start + BATCH])
        return len(rows)

    # --- single people --------------------------------------------------------------------

    async def get(self, supporter_id: int) -> Supporter | None:
        return await self._session.get(Supporter, supporter_id)

    async def by_user(self, user_id: int) -> Supporter | None:
        return await self._session.scalar(select(Supporter).where(Supporter.user_id == user_id))

    async def by_index(self, *, phone: str | None, email: str | None) -> Supporter | None:
        for column, value in ((Supporter.phone_index, phone), (Supporter.email_index, email)):
            if value:
                found = await self._session.scalar(
                    select(Supporter).where(column == value).order_by(Supporter.id).limit(1)
                )
                if found is not None:
                    return found
        return None

    def add(self, supporter: Supporter) -> None:
        self._session.add(supporter)

    def add_source(self, source: SupporterSource) -> None:
        self._session.add(source)

    async def flush(self) -> None:
        await self._session.flush()

    async def sources(self, supporter_ids: Sequence[int]) -> dict[int, list[SupporterSource]]:
        found: dict[int, list[SupporterSource]] = defaultdict(list)
        for start in range(0, len(supporter_ids), BATCH):
            rows = await self._session.scalars(
                select(SupporterSource)
                .where(SupporterSource.supporter_id.in_(supporter_ids[start : start + BATCH]))
                .order_by(SupporterSource.id)
            )
            for source in rows:
                found[source.supporter_id].append(source)
        return dict(found)

    async def source(self, key: str) -> SupporterSource | None:
        return await self._session.scalar(
            select(SupporterSource).where(SupporterSource.key == key)
        )

    async def delete(self, supporter_id: int) -> None:
        await self._session.execute(delete(Supporter).where(Supporter.id == supporter_id))

    async def move_sources(self, from_id: int, to_id: int) -> None:
        await self._session.execute(
            update(SupporterSource)
            .where(SupporterSource.supporter_id == from_id)
            .values(supporter_id=to_id)
        )

    # --- lists ----------------------------------------------------------------------------

    def _visible(
        self, query: Select[tuple[Supporter]], seen: Visibility
    ) -> Select[tuple[Supporter]]:
        if seen.district_id is not None:
            return query.where(
                Supporter.district_id == seen.district_id, Supporter.consent_contact.is_(True)
            )
        if seen.everyone:
            return query
        conditions = []
        if seen.organisations:
            conditions.append(
                Supporter.id.in_(
                    select(SupporterSource.supporter_id).where(
                        SupporterSource.organisation_id.in_(seen.organisations)
                    )
                )
            )
        if seen.formations:
            conditions.append(Supporter.formation_id.in_(seen.formations))
        return query.where(or_(*conditions)) if conditions else query.where(Supporter.id < 0)

    async def count(self, seen: Visibility, *, unassigned: bool = False) -> int:
        query = self._visible(select(Supporter), seen)
        if unassigned:
            query = query.where(_UNASSIGNED)
        return int(
            await self._session.scalar(select(func.count()).select_from(query.subquery())) or 0
        )

    async def page(
        self, seen: Visibility, offset: int, limit: int, *, unassigned: bool = False
    ) -> list[Supporter]:
        query = self._visible(select(Supporter), seen)
        if unassigned:
            query = query.where(_UNASSIGNED)
        rows = await self._session.scalars(
            query.order_by(Supporter.id).offset(offset).limit(limit)
        )
        return list(rows)

    async def visible(self, seen: Visibility, supporter_id: int) -> Supporter | None:
        query = self._visible(select(Supporter), seen).where(Supporter.id == supporter_id)
        return await self._session.scalar(query)

    async def all_visible(self, seen: Visibility) -> list[Supporter]:
        rows = await self._session.scalars(
            self._visible(select(Supporter), seen).order_by(Supporter.id)
        )
        return list(rows)

    async def open_matches(self, seen: Visibility, limit: int = 1) -> list[SupporterMatch]:
        visible_ids = self._visible(select(Supporter.id), seen)  # type: ignore[arg-type]
        rows = await self._session.scalars(
            select(SupporterMatch)
            .where(
                SupporterMatch.status == "open",
                SupporterMatch.supporter_id.in_(visible_ids),
                SupporterMatch.other_id.in_(visible_ids),
            )
            .order_by(SupporterMatch.id)
            .limit(limit)
        )
        return list(rows)

    async def count_open_matches(self) -> int:
        return int(
            await self._session.scalar(
                select(func.count())
                .select_from(SupporterMatch)
                .where(SupporterMatch.status == "open")
            )
            or 0
        )

    async def match(self, match_id: int) -> SupporterMatch | None:
        return await self._session.get(SupporterMatch, match_id)
