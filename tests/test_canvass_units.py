"""Canvassing rules without the chat: the one-line parser, the address list CSV, the nearest
building, the GOTV schedule."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.db.models import Candidate, Election
from bot.db.models.addresses import Building
from bot.services import canvass, canvass_report
from bot.services.canvass_addresses import (
    import_addresses_cli,
    nearest,
    parse_addresses_csv,
    suggestions,
)
from bot.services.canvass_line import looks_like_note, parse_line
from bot.services.errors import InputError
from tests.conftest import make_settings


def test_the_one_line_form_is_parsed() -> None:
    parsed = parse_line("Ленина 5 кв 12 сторонник +79111234567 двор")
    assert parsed.address.key == "ленина|5|"
    assert (parsed.apartment, parsed.outcome, parsed.topics) == ("12", "supporter", ["yards"])
    assert parsed.phone == "+79111234567" and parsed.name is None and parsed.note is None
    parsed = parse_line("пр. Кима 6к2, кв.7 не открыли перезвонить Просили вечером")
    assert parsed.address.key == "кима|6|2"
    assert (parsed.apartment, parsed.outcome, parsed.follow_up) == ("7", "no_answer", True)
    assert parsed.note == "Просили вечером"  # the note keeps the canvasser's case
    # The first outcome word wins: "за парковку" later in the line is part of the note.
    parsed = parse_line("Ленина 5 кв 3 против, Ёлки за парковку")
    assert (parsed.outcome, parsed.topics) == ("against", ["parking"])
    assert parsed.note == "Ёлки за"
    parsed = parse_line("Ленина 5 кв 3 колеблется 8 921 555-44-33 Анна ЖКХ транспорт")
    assert (parsed.phone, parsed.name) == ("+79215554433", "Анна")
    assert parsed.topics == ["transport", "housing"]
    # English words for a Russian address list.
    parsed = parse_line("Ленина 5 apt 12 supporter yards follow-up")
    assert (parsed.apartment, parsed.outcome, parsed.topics) == ("12", "supporter", ["yards"])
    assert parsed.follow_up and parsed.note is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("кв 12 сторонник", "canvass-line-no-address"),
        ("Ленина 5 кв 12", "canvass-line-no-outcome"),
        ("Ленина 5 кв 12 сторонник +7 000 000-00-00", "canvass-line-bad-phone"),
    ],
)
def test_bad_lines_say_what_is_missing(text: str, code: str) -> None:
    with pytest.raises(InputError) as error:
        parse_line(text)
    assert error.value.code == code


def test_only_an_address_with_an_outcome_looks_like_a_note() -> None:
    assert looks_like_note("Ленина 5 против")
    assert not looks_like_note("Ленина 5")
    assert not looks_like_note("Как подать документы?")
    assert not looks_like_note("Иванова Мария Сергеевна")


def test_the_address_csv_keeps_every_row_and_says_what_is_wrong() -> None:
    rows = parse_addresses_csv(
        "улица;дом;корпус;квартир;широта;долгота;уик\n"
        "ул. Ленина;5;;120;59,94;30,25;1234\n"
        "Ленина;7;2;много;;;\n"
        "Шкиперский проток;;;;;;\n"
        "Морская;15;;40;95;30;\n"
        ";;;;;;\n"
    )
    assert [r.line for r in rows] == [2, 3, 4, 5]
    assert rows[0].key == "ленина|5|" and rows[0].latitude == 59.94
    assert rows[0].polling_station == "1234" and rows[0].problems == ()
    assert rows[1].key == "ленина|7|2" and rows[1].problems == ("apartments",)
    assert rows[2].problems == ("house",) and rows[2].key.startswith("?|")
    assert rows[3].problems == ("coordinates",) and rows[3].latitude is None
    with pytest.raises(InputError) as error:
        parse_addresses_csv("a,b\n1,2\n")
    assert error.value.code == "canvass-import-header"


def _building(key: str, lat: float | None = None, lon: float | None = None) -> Building:
    street, house, block = key.split("|")
    return Building(
        street=street, house=house, block=block or None, address_key=key, latitude=lat,
        longitude=lon,
    )  # fmt: skip


def test_nearest_building_and_spelling_suggestions() -> None:
    buildings = [
        _building("ленина|5|", 59.9400, 30.2500),
        _building("ленина|7|", 59.9410, 30.2510),
        _building("морская|15|2"),
    ]
    found = nearest(buildings, 59.94101, 30.25101)
    assert found is not None and found[0].address_key == "ленина|7|" and found[1] < 5
    assert [b.address_key for b in suggestions(buildings, "Ленна", "5", None)] == ["ленина|5|"]
    assert [b.address_key for b in suggestions(buildings, "Ленина", "99", None)] == [
        "ленина|5|",
        "ленина|7|",
    ]


def test_gotv_pushes_are_planned_before_the_silence_day() -> None:
    election = Election(code="e", name="e", election_day=date(2027, 9, 19))
    candidate = Candidate(id=7, user_id=70)
    planned = canvass_report.plan_gotv(candidate, election, ZoneInfo("Europe/Moscow"))
    assert [p.due_at.date().isoformat() for p in planned] == [
        "2027-09-05",
        "2027-09-12",
        "2027-09-17",
    ]
    assert all(p.not_after is not None and p.not_after.date().isoformat() == "2027-09-17"
               for p in planned)  # fmt: skip
    payload = planned[0].payload
    assert canvass_report.gotv_still_relevant(payload, election, date(2027, 9, 17))
    assert not canvass_report.gotv_still_relevant(payload, election, date(2027, 9, 18))
    moved = Election(code="e", name="e", election_day=date(2027, 9, 26))
    assert not canvass_report.gotv_still_relevant(payload, moved, date(2027, 9, 5))


def test_apartment_numbers_are_checked_against_the_building() -> None:
    building = _building("ленина|5|")
    building.apartments = 120
    assert canvass.check_apartment(building, "12") == "12"
    assert canvass.check_apartment(building, "кв. 12а") == "12а"
    for wrong in ("0", "abc", "-3", "12345"):
        with pytest.raises(InputError):
            canvass.check_apartment(building, wrong)
    with pytest.raises(InputError) as error:
        canvass.check_apartment(building, "121")
    assert error.value.code == "canvass-apartment-too-big"


async def test_the_command_line_imports_a_district_list(data_dir: Path) -> None:
    settings = make_settings(data_dir)
    path = data_dir / "list.csv"
    path.write_text("street,house,apartments\nЛенина,5,120\nпроток,,\n", encoding="utf-8")
    line = await import_addresses_cli(settings, path, "Гавань", 2)
    assert "2 rows; added 2" in line and "needs review 1" in line and "review lines: 3" in line
    from bot.config import ConfigError

    with pytest.raises(ConfigError):
        await import_addresses_cli(settings, path, "Нет такого", 2)
