"""Reference data nearly every dialog reads: the coalition's organisations, the current
election and its municipal formations with their electoral districts.

It changes a few times a campaign (an import, an admin's edit) and is read on most updates:
the registration alone asked for it thirteen times, the formation search loading 111 ORM
objects. So a process keeps one snapshot of it as plain frozen values, built from three
queries, and rebuilds it

- after any write to these tables through any engine of this process (seen at the statement
  and again at its commit, so a rebuild that raced the writer's transaction is redone);
- when it is older than `max_age` seconds, for writes made by another process (the command
  line `import-districts`, another bot instance on PostgreSQL).

The ORM methods of GeographyRepository stay for everything that edits these rows or needs
their other columns (calendar, config, voters).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Election,
    ElectoralDistrict,
    MunicipalFormation,
    Organisation,
    organisation_display_name,
)
from bot.db.statements import is_write

MAX_AGE_S = 30.0
TABLES = tuple(
    model.__tablename__
    for model in (Organisation, Election, MunicipalFormation, ElectoralDistrict)
)


@dataclass(frozen=True, slots=True)
class OrganisationRef:
    id: int
    code: str
    name: str
    name_en: str | None

    def display_name(self, locale: str) -> str:
        return organisation_display_name(self.name, self.name_en, locale)


@dataclass(frozen=True, slots=True)
class DistrictRef:
    id: int
    number: int
    seats: int
    formation_id: int
    formation_name: str
    admin_district: str


@dataclass(frozen=True, slots=True)
class FormationRef:
    id: int
    name: str
    admin_district: str
    search_name: str
    districts: tuple[DistrictRef, ...]


@dataclass(frozen=True)
class ReferenceSnapshot:
    election_id: int | None
    organisations: tuple[OrganisationRef, ...]
    formations: tuple[FormationRef, ...]  # of the current election, by name
    _organisations: dict[int, OrganisationRef] = field(init=False, repr=False)
    _formations: dict[int, FormationRef] = field(init=False, repr=False)
    _districts: dict[int, DistrictRef] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: the indexes are built once, here
        set_(self, "_organisations", {o.id: o for o in self.organisations})
        set_(self, "_formations", {f.id: f for f in self.formations})
        set_(self, "_districts", {d.id: d for f in self.formations for d in f.districts})

    def organisation(self, organisation_id: int) -> OrganisationRef | None:
        return self._organisations.get(organisation_id)

    def organisation_by_code(self, code: str) -> OrganisationRef | None:
        return next((o for o in self.organisations if o.code == code), None)

    def formation(self, formation_id: int) -> FormationRef | None:
        """A formation of the current election; None for any other."""
        return self._formations.get(formation_id)

    def district(self, district_id: int) -> DistrictRef | None:
        """An electoral district of the current election; None for any other."""
        return self._districts.get(district_id)


class _Generation:
    """Bumped by every write to a reference table in this process."""

    value = 0


def _note_write(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if is_write(statement) and any(table in statement for table in TABLES):
        _Generation.value += 1
        conn.info["shtab_reference_written"] = True


def _note_commit(conn: Any) -> None:
    if conn.info.pop("shtab_reference_written", False):
        _Generation.value += 1


def _note_rollback(conn: Any) -> None:
    conn.info.pop("shtab_reference_written", None)


# On the Engine class: every engine of the process, the command line's included.
event.listen(Engine, "after_cursor_execute", _note_write)
event.listen(Engine, "commit", _note_commit)
event.listen(Engine, "rollback", _note_rollback)


class ReferenceCache:
    """One snapshot per unit-of-work factory (i.e. per database), shared by its updates."""

    def __init__(
        self, *, max_age: float = MAX_AGE_S, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._max_age = max_age
        self._monotonic = monotonic
        self._snapshot: ReferenceSnapshot | None = None
        self._generation = -1
        self._loaded_at = 0.0

    async def snapshot(self, session: AsyncSession) -> ReferenceSnapshot:
        fresh = (
            self._snapshot is not None
            and self._generation == _Generation.value
            and self._monotonic() - self._loaded_at < self._max_age
        )
        if fresh:
            assert self._snapshot is not None
            return self._snapshot
        # Taken before reading: a write during the read leaves the snapshot stale at once.
        generation, loaded_at = _Generation.value, self._monotonic()
        snapshot = await load(session)
        self._snapshot, self._generation, self._loaded_at = snapshot, generation, loaded_at
        return snapshot


async def load(session: AsyncSession) -> ReferenceSnapshot:
    election_id = await session.scalar(
        select(Election.id)
        .where(Election.is_current.is_(True))
        .order_by(Election.id.desc())
        .limit(1)
    )
    organisations = tuple(
        OrganisationRef(*row)
        for row in await session.execute(
            select(
                Organisation.id, Organisation.code, Organisation.name, Organisation.name_en
            ).order_by(Organisation.sort_order, Organisation.name)
        )
    )
    formations: list[FormationRef] = []
    if election_id is not None:
        rows = await session.execute(
            select(
                MunicipalFormation.id,
                MunicipalFormation.name,
                MunicipalFormation.admin_district,
                MunicipalFormation.search_name,
                ElectoralDistrict.id,
                ElectoralDistrict.number,
                ElectoralDistrict.seats,
            )
            .outerjoin(ElectoralDistrict)
            .where(MunicipalFormation.election_id == election_id)
            .order_by(MunicipalFormation.name, ElectoralDistrict.number)
        )
        districts: dict[int, list[DistrictRef]] = {}
        heads: dict[int, tuple[str, str, str]] = {}
        for fid, name, admin, search, did, number, seats in rows:
            heads.setdefault(fid, (name, admin, search))
            found = districts.setdefault(fid, [])
            if did is not None:
                found.append(DistrictRef(did, number, seats, fid, name, admin))
        formations = [
            FormationRef(fid, name, admin, search, tuple(districts[fid]))
            for fid, (name, admin, search) in heads.items()
        ]
    return ReferenceSnapshot(election_id, organisations, tuple(formations))
