"""Finding a municipal formation from a typed fragment, the shipped demo data, and the CSV
of an election's districts."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_session_factory
from bot.db.models import AuditEntry, Election, ElectoralDistrict, MunicipalFormation, Organisation
from bot.db.uow import UnitOfWorkFactory
from bot.services.errors import InputError
from bot.services.geography import (
    MAX_MATCHES,
    FormationMatch,
    ensure_demo_data,
    import_districts,
    match_formations,
    parse_districts_csv,
    search_key,
)


@pytest.fixture
def uow_factory(engine: AsyncEngine) -> UnitOfWorkFactory:
    return UnitOfWorkFactory(create_session_factory(engine))


@pytest.fixture
async def formations(uow_factory: UnitOfWorkFactory) -> list[MunicipalFormation]:
    async with uow_factory() as uow:
        election = await uow.geography.current_election()
        assert election is not None
        return await uow.geography.formations(election.id)


# search_key


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Сосновское", "сосновское"),
        ("СОСНОВСКОЕ", "сосновское"),
        ("Семёновский", "семеновский"),
        ("ЁЛКИ", "елки"),
        ("№7", "7"),
        ("Муниципальный округ №72", "муниципальный округ 72"),
        ("«Гавань»", "гавань"),
        ('"Гавань"', "гавань"),
        ("'Гавань'", "гавань"),
        ("  Гавань ,  Васильевский. (ВО) ", "гавань васильевский во"),
        ("Петро-Славянка", "петро-славянка"),
        ("", ""),
    ],
)
def test_search_key(typed: str, key: str) -> None:
    assert search_key(typed) == key


# match_formations over the demo data


def names(found: list[FormationMatch]) -> list[str]:
    return [match.name for match in found]


def test_a_fragment_finds_the_formation_first(formations: list[MunicipalFormation]) -> None:
    found, total = match_formations("гаван", formations)
    assert names(found)[0] == "Гавань"
    assert total == len(found) >= 1
    assert found[0].admin_district == "Василеостровский"
    assert found[0].id == next(f.id for f in formations if f.name == "Гавань")


def test_case_and_yo_do_not_matter(formations: list[MunicipalFormation]) -> None:
    assert names(match_formations("ГАВАНЬ", formations)[0])[0] == "Гавань"
    yo, _ = match_formations("Семёновский", formations)
    ye, _ = match_formations("семеновский", formations)
    assert names(yo) == names(ye)
    assert "Семеновский" in names(yo)


def test_many_matches_are_capped(formations: list[MunicipalFormation]) -> None:
    found, total = match_formations("ско", formations)
    assert total > MAX_MATCHES == 8
    assert len(found) == MAX_MATCHES
    assert all("ско" in search_key(name) for name in names(found))
    everything = {f.name for f in formations if "ско" in f.search_name}
    assert total == len(everything)


def test_names_starting_with_the_query_come_first(formations: list[MunicipalFormation]) -> None:
    found, _ = match_formations("ко", formations)
    keys = [search_key(name) for name in names(found)]
    starting = [key.startswith("ко") for key in keys]
    # Once a name that does not start with the query appears, no starting name follows.
    assert starting == sorted(starting, reverse=True)
    assert starting[0]


def test_a_typo_is_forgiven(formations: list[MunicipalFormation]) -> None:
    found, total = match_formations("Сосоновское", formations)
    assert names(found)[0] == "Сосновское"
    assert total == len(found)


def test_a_one_letter_query_is_too_short(formations: list[MunicipalFormation]) -> None:
    with pytest.raises(InputError) as caught:
        match_formations("а", formations)
    assert caught.value.code == "error-formation-query-short"
    assert caught.value.params == {"minimum": 2}


def test_a_very_long_query_is_refused(formations: list[MunicipalFormation]) -> None:
    with pytest.raises(InputError) as caught:
        match_formations("а" * 101, formations)
    assert caught.value.code == "error-formation-query-long"


def test_a_number_matches_the_numbered_formation(formations: list[MunicipalFormation]) -> None:
    found, _ = match_formations("7", formations)
    assert names(found)[0] == "№7"
    assert all("7" in name for name in names(found))
    assert names(match_formations("№ 7", formations)[0])[0] == "№7"


def test_nothing_close_finds_nothing(formations: list[MunicipalFormation]) -> None:
    assert match_formations("qwxzqwxz", formations) == ([], 0)


# The demo data


async def test_demo_data_shape(uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        election = await uow.geography.current_election()
        assert election is not None
        assert election.code == "spb-demo"
        assert election.note is not None and "invented" in election.note.lower()
        assert election.calendar["nomination_opens"] < election.calendar["nomination_closes"]
        formations = await uow.geography.formations(election.id)
        assert len(formations) == 111
        assert len({f.name for f in formations}) == 111
        districts = await uow.session.scalars(
            select(ElectoralDistrict).order_by(
                ElectoralDistrict.formation_id, ElectoralDistrict.number
            )
        )
        by_formation: dict[int, list[ElectoralDistrict]] = {}
        for district in districts:
            by_formation.setdefault(district.formation_id, []).append(district)
        assert set(by_formation) == {f.id for f in formations}
        for formation in formations:
            assert formation.admin_district, formation.name
            assert formation.search_name == search_key(formation.name)
            own = by_formation[formation.id]
            assert 2 <= len(own) <= 4, formation.name
            assert [d.number for d in own] == list(range(1, len(own) + 1)), formation.name
            for district in own:
                assert 1 <= district.seats <= 5, (formation.name, district.number)
                assert district.voters is not None and district.voters > 0
        organisations = await uow.geography.organisations()
        assert [o.code for o in organisations][:2] == ["civic", "city"]
        assert len(organisations) == 6


async def count_rows(engine: AsyncEngine) -> dict[str, int]:
    counts = {}
    async with engine.connect() as connection:
        for model in (Election, MunicipalFormation, ElectoralDistrict, Organisation, AuditEntry):
            counts[model.__tablename__] = int(
                await connection.scalar(select(func.count()).select_from(model)) or 0
            )
    return counts


async def test_ensure_demo_data_on_a_seeded_database_changes_nothing(
    engine: AsyncEngine, uow_factory: UnitOfWorkFactory
) -> None:
    before = await count_rows(engine)
    assert before["municipal_formations"] == 111
    async with uow_factory() as uow:
        assert await ensure_demo_data(uow) is False
    assert await count_rows(engine) == before


# parse_districts_csv


HEADER = "admin_district,municipal_formation,district_number,seats,voters\n"


def test_csv_rows_are_parsed() -> None:
    rows = parse_districts_csv(
        HEADER + "Центральный, Литейный  округ ,1,5,1000\nЦентральный,Литейный округ,2,1,\n"
    )
    assert [(r.admin_district, r.formation, r.number, r.seats, r.voters) for r in rows] == [
        ("Центральный", "Литейный округ", 1, 5, 1000),
        ("Центральный", "Литейный округ", 2, 1, None),
    ]


def test_csv_without_optional_columns() -> None:
    rows = parse_districts_csv("municipal_formation,district_number,seats\nГавань,1,3\n")
    assert [(r.admin_district, r.formation, r.voters) for r in rows] == [("", "Гавань", None)]


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("admin_district,municipal_formation,district_number\n", "seats"),
        ("municipal_formation\n", "district_number, seats"),
        ("name,number,mandates\n", "district_number, municipal_formation, seats"),
        ("", "district_number, municipal_formation, seats"),
    ],
)
def test_csv_missing_columns_are_named(header: str, missing: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_districts_csv(header + "Гавань,1,3\n")
    assert caught.value.code == "error-districts-columns"
    assert caught.value.params == {"missing": missing}


@pytest.mark.parametrize(
    "bad_row",
    [
        "Центральный,Гавань,1,0,1000",
        "Центральный,Гавань,1,6,1000",
        "Центральный,Гавань,1,-1,1000",
        "Центральный,Гавань,0,3,1000",
        "Центральный,Гавань,один,3,1000",
        "Центральный,Гавань,1,три,1000",
        "Центральный,Гавань,1,3,много",
        "Центральный,Гавань,1.5,3,1000",
        "Центральный,,1,3,1000",
        "Центральный,Гавань,,3,1000",
    ],
)
def test_bad_csv_row_names_its_line(bad_row: str) -> None:
    good = "Центральный,Гавань,1,3,1000\n"
    with pytest.raises(InputError) as caught:
        parse_districts_csv(HEADER + good + good.replace(",1,", ",2,") + bad_row + "\n")
    assert caught.value.code == "error-districts-number"
    assert caught.value.params == {"line": 4}


def test_short_csv_row_names_its_line() -> None:
    with pytest.raises(InputError) as caught:
        parse_districts_csv(HEADER + "Центральный,Гавань,1,3,1000\nЦентральный,Гавань,2\n")
    assert caught.value.params == {"line": 3}


def test_line_number_after_a_blank_line_is_the_real_one() -> None:
    text = HEADER + "Центральный,Гавань,1,3,1000\n\nЦентральный,Гавань,2,9,1000\n"
    with pytest.raises(InputError) as caught:
        parse_districts_csv(text)
    assert caught.value.params == {"line": 4}


async def test_importing_into_an_unknown_election_needs_its_name(
    uow_factory: UnitOfWorkFactory,
) -> None:
    rows = parse_districts_csv("municipal_formation,district_number,seats\nГавань,1,3\n")
    with pytest.raises(InputError) as caught:
        async with uow_factory() as uow:
            await import_districts(uow, rows, election_code="spb-2099")
    assert caught.value.code == "error-election-unknown"
    assert caught.value.params == {"code": "spb-2099"}


async def test_reimport_updates_changed_districts_and_switches_the_current_election(
    uow_factory: UnitOfWorkFactory,
) -> None:
    header = "admin_district,municipal_formation,district_number,seats,voters\n"
    first = parse_districts_csv(
        header + "Центральный,Тестовое,1,5,100\nЦентральный,Тестовое,2,3,\n"
    )
    async with uow_factory() as uow:
        summary = await import_districts(
            uow, first, election_code="e1", election_name="N", election_day=date(2027, 9, 19)
        )
    assert (summary.formations_added, summary.districts_added, summary.districts_updated) == (
        1,
        2,
        0,
    )
    second = parse_districts_csv(
        header + "Центральный,Тестовое,1,5,100\nЦентральный,Тестовое,2,4,\n"
    )
    async with uow_factory() as uow:
        summary = await import_districts(uow, second, election_code="e1", make_current=True)
    assert (summary.formations_added, summary.districts_added, summary.districts_updated) == (
        0,
        0,
        1,
    )
    async with uow_factory() as uow:
        current = await uow.geography.current_election()
        demo = await uow.geography.election_by_code("spb-demo")
        assert current is not None and current.code == "e1"
        assert demo is not None and demo.is_current is False
        formation = await uow.geography.formation_by_name(current.id, "Тестовое")
        assert formation is not None
        assert [(d.number, d.seats) for d in formation.districts] == [(1, 5), (2, 4)]
