"""The process's snapshot of organisations, the current election, its formations and districts:
the same as the database says, and never older than a write made through this process (or,
for a write by another process, than its maximum age)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine, create_session_factory
from bot.db.models import MunicipalFormation
from bot.db.repositories.reference import ReferenceCache
from bot.db.uow import UnitOfWorkFactory


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def uow_factory(engine: AsyncEngine, clock: FakeMonotonic) -> UnitOfWorkFactory:
    factory = UnitOfWorkFactory(create_session_factory(engine))
    factory.reference = ReferenceCache(max_age=30.0, monotonic=clock)
    return factory


async def formation_names(factory: UnitOfWorkFactory) -> list[str]:
    async with factory() as uow:
        return [f.name for f in (await uow.geography.reference()).formations]


async def rename(factory: UnitOfWorkFactory, old: str, new: str) -> None:
    async with factory() as uow:
        await uow.session.execute(
            update(MunicipalFormation).where(MunicipalFormation.name == old).values(name=new)
        )


async def test_the_snapshot_is_what_the_database_holds(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        snapshot = await uow.geography.reference()
        election = await uow.geography.current_election()
        assert election is not None and snapshot.election_id == election.id
        rows = await uow.geography.formations(election.id, with_districts=True)
        organisations = await uow.geography.organisations()
    assert [(f.id, f.name, f.admin_district, f.search_name) for f in snapshot.formations] == [
        (f.id, f.name, f.admin_district, f.search_name) for f in rows
    ]
    assert len(snapshot.formations) == 111
    for cached, row in zip(snapshot.formations, rows, strict=True):
        assert [(d.id, d.number, d.seats) for d in cached.districts] == [
            (d.id, d.number, d.seats) for d in row.districts
        ]
        for district in cached.districts:
            assert snapshot.district(district.id) == district
            assert district.formation_name == row.name
            assert district.admin_district == row.admin_district
    assert [(o.id, o.code, o.name) for o in snapshot.organisations] == [
        (o.id, o.code, o.name) for o in organisations
    ]
    first = snapshot.organisations[0]
    assert snapshot.organisation(first.id) == first == snapshot.organisation_by_code(first.code)
    assert snapshot.organisation(10**9) is None and snapshot.district(10**9) is None


async def test_a_write_through_this_process_shows_at_once(
    uow_factory: UnitOfWorkFactory, data_dir: Path
) -> None:
    assert "Гавань" in await formation_names(uow_factory)
    await rename(uow_factory, "Гавань", "Гавань-2")
    assert "Гавань-2" in await formation_names(uow_factory)
    # Another engine of the same process (the command line's import, say) counts too.
    other = create_engine(f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}")
    try:
        await rename(UnitOfWorkFactory(create_session_factory(other)), "Гавань-2", "Гавань-3")
    finally:
        await other.dispose()
    names = await formation_names(uow_factory)
    assert "Гавань-3" in names and "Гавань-2" not in names


async def test_a_snapshot_read_while_a_write_was_uncommitted_is_read_again(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as writer:
        await writer.session.execute(
            update(MunicipalFormation)
            .where(MunicipalFormation.name == "Гавань")
            .values(name="Новая Гавань")
        )
        # Another update rebuilds the snapshot now: it cannot see the uncommitted name.
        assert "Гавань" in await formation_names(uow_factory)
    assert "Новая Гавань" in await formation_names(uow_factory)


async def test_a_write_by_another_process_shows_after_the_maximum_age(
    uow_factory: UnitOfWorkFactory, clock: FakeMonotonic, data_dir: Path
) -> None:
    assert "Гавань" in await formation_names(uow_factory)
    # The sqlite3 module, not SQLAlchemy: as invisible to this process as another process.
    with sqlite3.connect(data_dir / "shtab.db") as foreign:
        foreign.execute("UPDATE municipal_formations SET name = 'Гавань-Z' WHERE name = 'Гавань'")
    clock.now += 29.0
    assert "Гавань" in await formation_names(uow_factory)
    clock.now += 2.0
    assert "Гавань-Z" in await formation_names(uow_factory)


async def test_a_current_election_switch_empties_the_formations(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        before = await uow.geography.reference()
        election = await uow.geography.current_election()
        assert election is not None
        election.is_current = False
    async with uow_factory() as uow:
        after = await uow.geography.reference()
        still = await uow.session.scalar(select(MunicipalFormation.id).limit(1))
    assert before.election_id is not None and len(before.formations) == 111
    assert after.election_id is None and after.formations == ()
    assert still is not None  # the rows are there; they are just not the current election's
