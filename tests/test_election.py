"""The election's calendar and numbers: the signature rule, dates relative to calendar events,
the config's validation, election files (service and CLI), and the admin commands."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_session_factory
from bot.db.models import AuditEntry, Election
from bot.db.uow import UnitOfWorkFactory
from bot.handlers.election_admin import _card
from bot.i18n import LOCALES, Catalog
from bot.services.election import (
    CALENDAR_EVENTS,
    CONFIG_KEYS,
    SETTABLE_KEYS,
    TARGETS,
    ElectionConfig,
    check_calendar,
    config_of,
    current_view,
    import_election,
    load_election_file,
    parse_date,
    resolve_date,
    set_value,
    signatures_max,
    signatures_required,
    validate_config,
)
from bot.services.errors import InputError
from bot.services.geography import DEMO_ELECTION_FILE
from tests.conftest import ADMIN_ID, DATA_KEY, RunningBot

REPO_ROOT = Path(__file__).resolve().parent.parent


# The signature rule


@pytest.mark.parametrize(
    ("voters", "seats", "required", "maximum"),
    [
        # 0.5% = 50, / 5 seats = 10; under 40 required, so 4 more may be filed.
        (10_000, 5, 10, 14),
        # 0.5% = 150, / 2 = 75; 10% more is 7.5, rounded down: 8 more would be over 10%.
        (30_000, 2, 75, 82),
        # 0.5% = 500 in a one-seat district; 10% more = 50.
        (100_000, 1, 500, 550),
        # 505 required; 10% is 50.5, so 50 more.
        (101_000, 1, 505, 555),
        # 61.725 / 3 = 20.575: a part of a signature is still one to collect, so 21.
        (12_345, 3, 21, 25),
        # 39 is "fewer than 40": +4, where 10% would have allowed only 3.
        (7_800, 1, 39, 43),
        # 39.005 rounds up to 40, which is not fewer than 40: 10% = 4.
        (7_801, 1, 40, 44),
        # 0.5% of 1,000 is 5: the minimum of 10 applies.
        (1_000, 1, 10, 14),
        (0, 3, 10, 14),
    ],
)
def test_signature_rule_worked_numbers(
    voters: int, seats: int, required: int, maximum: int
) -> None:
    assert signatures_required(voters, seats) == required
    assert signatures_max(voters, seats) == maximum


def test_half_a_percent_is_exact_not_a_float_artefact() -> None:
    # 10,000 * 0.005 in floats is 50.00000000000001, which ceil would make 51.
    assert signatures_required(10_000, 1) == 50
    assert signatures_required(2_000_000, 1) == 10_000


def test_unknown_voters_give_no_number() -> None:
    assert signatures_required(None, 5) is None
    assert signatures_max(None, 5) is None


def test_a_district_without_seats_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="seat"):
        signatures_required(1_000, 0)
    with pytest.raises(ValueError, match="negative"):
        signatures_required(-1, 1)


def test_the_rule_follows_the_election_config() -> None:
    config = ElectionConfig(
        signature_percent=1,
        signature_min=5,
        signature_extra_percent=5,
        signature_extra_small=2,
        signature_small_threshold=20,
    )
    assert signatures_required(300, 1, config) == 5  # 1% = 3, the minimum is 5
    assert signatures_max(300, 1, config) == 7  # fewer than 20: +2
    assert signatures_required(4_000, 2, config) == 20  # 1% = 40, / 2
    assert signatures_max(4_000, 2, config) == 21  # 5% of 20 = 1
    assert TARGETS["signatures_required"](4_000, 2, config) == 20
    assert TARGETS["signatures_max"](4_000, 2, config) == 21


# ElectionConfig


def test_config_defaults_are_the_laws_usual_values() -> None:
    config = ElectionConfig()
    assert (
        config.signature_percent,
        config.signature_min,
        config.signature_extra_percent,
        config.signature_extra_small,
        config.signature_small_threshold,
        config.donation_return_days,
    ) == (0.5, 10, 10, 4, 40, 10)
    assert config.fund_limit_rub is None
    assert config.stored() == {}  # nothing set: defaults stay implicit


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"signature_percent": 0}, "error-election-range"),
        ({"signature_percent": 11}, "error-election-range"),
        ({"signature_min": 0}, "error-election-range"),
        ({"fund_limit_rub": -1}, "error-election-range"),
        ({"donation_return_days": 0}, "error-election-range"),
        ({"signature_min": 10.5}, "error-election-integer"),
        ({"fund_limit_rub": True}, "error-election-number"),
        ({"fund_limit_rub": "a lot"}, "error-election-number"),
        ({"fund_limit": 100}, "error-election-key"),
        (
            {"fund_limit_rub": 100_000, "donation_cap_legal_rub": 200_000},
            "error-election-cap-over-limit",
        ),
    ],
)
def test_bad_config_is_refused_with_a_message(data: dict[str, object], code: str) -> None:
    with pytest.raises(InputError) as caught:
        validate_config(data)
    assert caught.value.code == code


def test_good_config_keeps_only_what_was_set() -> None:
    config = validate_config(
        {"signature_percent": 1, "fund_limit_rub": 500_000, "donation_cap_citizen_rub": None}
    )
    assert config.signature_percent == 1.0
    assert config.signature_min == 10
    assert config.stored() == {
        "signature_percent": 1.0,
        "fund_limit_rub": 500_000,
        "donation_cap_citizen_rub": None,
    }


def test_every_label_exists_in_both_catalogues(catalog: Catalog) -> None:
    # The labels are looked up through variables, which the key scan of test_i18n cannot follow.
    for locale in LOCALES:
        for label in (*CALENDAR_EVENTS.values(), *CONFIG_KEYS.values()):
            assert catalog.text(locale, label)
    assert set(SETTABLE_KEYS) == set(CALENDAR_EVENTS) | set(ElectionConfig.model_fields)


# Dates


@dataclass
class FakeElection:
    election_day: date = date(2027, 9, 19)
    calendar: dict[str, str] = field(
        default_factory=lambda: {"nomination_opens": "2027-06-21", "campaign_closes": "2027-09-18"}
    )


def test_resolve_date() -> None:
    election = FakeElection()
    assert resolve_date(election, "election_day") == date(2027, 9, 19)
    assert resolve_date(election, "election_day", -30) == date(2027, 8, 20)
    assert resolve_date(election, "nomination_opens", 19) == date(2027, 7, 10)
    assert resolve_date(election, "campaign_closes") == date(2027, 9, 18)
    assert resolve_date(election, "final_report_due") is None
    assert resolve_date(election, "final_report_due", 5) is None
    with pytest.raises(ValueError, match="unknown calendar event"):
        resolve_date(election, "party_day")


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("12.07.2027", date(2027, 7, 12)),
        ("2027-07-12", date(2027, 7, 12)),
        (" 1.7.2027 ", date(2027, 7, 1)),  # one-digit day and month, stray spaces
    ],
)
def test_parse_date(typed: str, day: date) -> None:
    assert parse_date(typed) == day


@pytest.mark.parametrize("typed", ["31.02.2027", "12/07/2027", "завтра", "", "2027-13-01"])
def test_parse_date_refuses_non_dates(typed: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_date(typed)
    assert caught.value.code == "error-election-date"
    assert caught.value.params == {"value": typed}


def test_calendar_order_is_checked() -> None:
    day = date(2027, 9, 19)
    check_calendar(day, {"nomination_opens": "2027-06-21", "nomination_closes": "2027-07-10"})
    with pytest.raises(InputError) as caught:
        check_calendar(day, {"nomination_opens": "2027-07-21", "nomination_closes": "2027-07-10"})
    assert caught.value.code == "error-election-order"
    assert caught.value.params["earlier"] == "nomination_opens"
    assert caught.value.params["later_date"] == "10.07.2027"
    with pytest.raises(InputError):
        check_calendar(day, {"final_report_due": "2027-09-01"})  # before election day
    with pytest.raises(InputError):
        check_calendar(day, {"campaign_closes": "2027-09-20"})  # after election day


# Election files


@pytest.fixture
def uow_factory(engine: AsyncEngine) -> UnitOfWorkFactory:
    return UnitOfWorkFactory(create_session_factory(engine))


ELECTION_TOML = """\
[election]
code = "test-2029"
name = "Тестовые выборы"
election_day = 2029-09-16
districts_file = "districts/test.csv"

[election.calendar]
nomination_opens = 2029-06-18
nomination_closes = "2029-07-07"
final_report_due = "2029-10-16"

[election.config]
signature_percent = 1
fund_limit_rub = 1_000_000
"""

DISTRICTS_CSV = """\
admin_district,municipal_formation,district_number,seats,voters
Центральный,Тестовое,1,5,10000
Центральный,Тестовое,2,2,30000
Невский,Другое,1,3,
"""


def write_election(root: Path, toml: str = ELECTION_TOML, csv: str = DISTRICTS_CSV) -> Path:
    (root / "districts").mkdir(exist_ok=True)
    (root / "districts" / "test.csv").write_text(csv, encoding="utf-8")
    path = root / "election.toml"
    path.write_text(toml, encoding="utf-8")
    return path


async def test_import_election_creates_then_changes_nothing(
    uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    path = write_election(tmp_path)
    async with uow_factory() as uow:
        first = await import_election(uow, path, make_current=True, actor_id=ADMIN_ID)
    assert first.created and first.is_current
    assert first.district_rows == 3
    assert first.districts is not None and first.districts.districts_added == 3
    async with uow_factory() as uow:
        election = await uow.geography.current_election()
        assert election is not None and election.code == "test-2029"
        assert election.election_day == date(2029, 9, 16)
        assert election.calendar == {
            "nomination_opens": "2029-06-18",
            "nomination_closes": "2029-07-07",
            "final_report_due": "2029-10-16",
        }
        assert election.config == {"signature_percent": 1.0, "fund_limit_rub": 1_000_000}
        demo = await uow.geography.election_by_code("spb-demo")
        assert demo is not None and demo.is_current is False  # one current election
        view = await current_view(uow)
    assert view is not None
    assert (view.formations, view.districts, view.seats) == (2, 3, 10)
    # Samples: smallest, median, largest by voters; 1% of 10,000 / 5 = 20, of 30,000 / 2 = 150.
    assert [(s.formation, s.number, s.required, s.maximum) for s in view.samples] == [
        ("Тестовое", 1, 20, 24),
        ("Тестовое", 2, 150, 165),
    ]

    async with uow_factory() as uow:
        second = await import_election(uow, path, make_current=True)
    assert not second.created and second.changed == ()
    assert second.districts is not None
    assert (second.districts.districts_added, second.districts.districts_updated) == (0, 0)

    changed = ELECTION_TOML.replace('"2029-07-07"', '"2029-07-08"').replace(
        "signature_percent = 1\n", ""
    )
    write_election(tmp_path, changed, DISTRICTS_CSV.replace("2,2,30000", "2,2,31000"))
    async with uow_factory() as uow:
        third = await import_election(uow, path)
        election = await uow.geography.election_by_code("test-2029")
        assert election is not None
        assert election.calendar["nomination_closes"] == "2029-07-08"
        assert config_of(election).signature_percent == 0.5  # removed from the file: default
        entries = await uow.audit.for_subject("election", "test-2029")
    assert third.changed == ("calendar", "config")
    assert third.districts is not None and third.districts.districts_updated == 1
    imports = [e for e in entries if e.action == "election_imported"]
    assert [e.details["created"] for e in imports] == [True, False, False]
    assert imports[0].actor_id == ADMIN_ID


@pytest.mark.parametrize(
    ("toml", "code", "fragment"),
    [
        ("[election\n", "error-election-file-read", "election.toml"),
        (ELECTION_TOML.replace("final_report_due", "final_report"), "error-election-file-field",
         "election.calendar.final_report"),
        (ELECTION_TOML.replace('code = "test-2029"\n', ""), "error-election-file-field",
         "election.code"),
        (ELECTION_TOML.replace("2029-06-18", "2029-07-18"), "error-election-order", ""),
        (ELECTION_TOML.replace("fund_limit_rub", "fund_limit"), "error-election-key", ""),
        (ELECTION_TOML.replace("test.csv", "missing.csv"), "error-election-file-read",
         "missing.csv"),
    ],
)  # fmt: skip
async def test_bad_election_files_are_refused_and_write_nothing(
    uow_factory: UnitOfWorkFactory, tmp_path: Path, toml: str, code: str, fragment: str
) -> None:
    path = write_election(tmp_path, toml)
    async with uow_factory() as uow:
        with pytest.raises(InputError) as caught:
            await import_election(uow, path)
        assert await uow.geography.election_by_code("test-2029") is None
    assert caught.value.code == code
    assert fragment in " ".join(str(value) for value in caught.value.params.values())


def test_a_bad_districts_file_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write_election(tmp_path, csv=DISTRICTS_CSV.replace("2,2,30000", "2,two,30000"))
    with pytest.raises(InputError) as caught:
        load_election_file(path)
    assert caught.value.code == "error-districts-number"
    assert caught.value.params == {"line": 3}


async def test_demo_election_has_a_full_calendar_and_its_config(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        election = await uow.geography.current_election()
        assert election is not None and election.code == "spb-demo"
        days = {event: resolve_date(election, event) for event in CALENDAR_EVENTS}
        config = config_of(election)
        stored = dict(election.config)
    assert None not in days.values()
    assert days["nomination_opens"] == days["campaign_opens"] == date(2027, 6, 21)
    assert days["campaign_closes"] == date(2027, 9, 18)  # the day before election day
    assert days["registration_docs_due"] == date(2027, 7, 30)
    check_calendar(date(2027, 9, 19), {k: d.isoformat() for k, d in days.items() if d})
    assert stored == {
        "fund_limit_rub": 1_500_000,
        "donation_cap_citizen_rub": 15_000,
        "donation_cap_legal_rub": 150_000,
    }
    assert config.signature_percent == 0.5  # not set in the demo: the default


async def test_the_demo_file_is_a_valid_election_file(uow_factory: UnitOfWorkFactory) -> None:
    # What ensure_demo_data stored is exactly what import-election makes of the same file.
    async with uow_factory() as uow:
        summary = await import_election(uow, DEMO_ELECTION_FILE)
    assert not summary.created and summary.changed == ()
    assert summary.districts is not None
    assert (summary.districts.districts_added, summary.districts.districts_updated) == (0, 0)


# Editing one value


async def election_row(uow_factory: UnitOfWorkFactory) -> Election:
    async with uow_factory() as uow:
        election = await uow.geography.current_election()
        assert election is not None
        return election


async def test_set_value_edits_dates_and_numbers_with_audit(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        result = await set_value(uow, ADMIN_ID, "nomination_closes", "12.07.2027")
    assert (result.old, result.new) == (date(2027, 7, 10), date(2027, 7, 12))
    async with uow_factory() as uow:
        await set_value(uow, ADMIN_ID, "final_report_due", "-")
        await set_value(uow, ADMIN_ID, "election_day", "2027-09-20")
        await set_value(uow, ADMIN_ID, "fund_limit_rub", "2 000 000")
        percent = await set_value(uow, ADMIN_ID, "SIGNATURE_PERCENT", "0,75")
        cleared = await set_value(uow, ADMIN_ID, "donation_cap_legal_rub", "none")
    assert (percent.key, percent.old, percent.new) == ("signature_percent", 0.5, 0.75)
    assert (cleared.old, cleared.new) == (150_000, None)
    election = await election_row(uow_factory)
    assert election.calendar["nomination_closes"] == "2027-07-12"
    assert "final_report_due" not in election.calendar
    assert election.election_day == date(2027, 9, 20)
    assert election.config == {
        "fund_limit_rub": 2_000_000,
        "donation_cap_citizen_rub": 15_000,
        "signature_percent": 0.75,
    }
    async with uow_factory() as uow:
        entries = await uow.audit.for_subject("election", "spb-demo")
    edits = [e for e in entries if e.action == "election_value_set"]
    assert [e.details["key"] for e in edits] == [
        "nomination_closes",
        "final_report_due",
        "election_day",
        "fund_limit_rub",
        "signature_percent",
        "donation_cap_legal_rub",
    ]
    assert edits[0].details == {
        "key": "nomination_closes",
        "old": "2027-07-10",
        "new": "2027-07-12",
    }
    assert {e.actor_id for e in edits} == {ADMIN_ID}


@pytest.mark.parametrize(
    ("key", "raw", "code"),
    [
        ("nomination_closes", "31.02.2027", "error-election-date"),
        ("nomination_closes", "01.06.2027", "error-election-order"),
        ("election_day", "-", "error-election-day-required"),
        ("election_day", "01.07.2027", "error-election-order"),
        ("signature_min", "ten", "error-election-integer"),
        ("signature_min", "2.5", "error-election-integer"),
        ("signature_percent", "half", "error-election-number"),
        ("signature_percent", "inf", "error-election-number"),
        ("signature_percent", "50", "error-election-range"),
        ("donation_cap_citizen_rub", "2000000", "error-election-cap-over-limit"),
        ("voting_day", "01.01.2027", "error-election-key"),
    ],
)
async def test_set_value_refuses_bad_input_and_changes_nothing(
    uow_factory: UnitOfWorkFactory, key: str, raw: str, code: str
) -> None:
    before = await election_row(uow_factory)
    async with uow_factory() as uow:
        with pytest.raises(InputError) as caught:
            await set_value(uow, ADMIN_ID, key, raw)
    assert caught.value.code == code
    after = await election_row(uow_factory)
    assert (after.calendar, after.config, after.election_day) == (
        before.calendar,
        before.config,
        before.election_day,
    )


async def test_the_card_renders_in_both_languages(
    uow_factory: UnitOfWorkFactory, catalog: Catalog
) -> None:
    async with uow_factory() as uow:
        view = await current_view(uow)
    assert view is not None
    english = _card(catalog.translator("en"), view)
    assert "Election day: <b>19.09.2027</b>" in english
    assert "Electoral fund limit, ₽: 1,500,000 — <code>fund_limit_rub</code>" in english
    assert "(default) — <code>signature_min</code>" in english
    russian = _card(catalog.translator("ru"), view)
    assert "Конец выдвижения: 10.07.2027 — <code>nomination_closes</code>" in russian
    assert len(view.samples) == 3
    smallest, median, largest = view.samples
    assert smallest.voters is not None and median.voters is not None
    assert largest.voters is not None
    assert smallest.voters <= median.voters <= largest.voters
    for sample in view.samples:
        assert sample.required == signatures_required(sample.voters, sample.seats)
        assert f"нужно {sample.required}" in russian


# The command line


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    # DATA_KEY is given so that stderr holds nothing but the error under test.
    environment = {"PATH": "/usr/bin:/bin", "DATA_DIR": str(data_dir), "DATA_KEY": DATA_KEY}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@dataclass(frozen=True)
class CliRuns:
    data_dir: Path
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]
    bad: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> CliRuns:
    root = tmp_path_factory.mktemp("election-cli")
    path = write_election(root)
    bad = root / "bad.toml"
    bad.write_text(ELECTION_TOML.replace("2029-06-18", "2029-07-18"), encoding="utf-8")
    data_dir = root / "data"
    first = run_cli("import-election", str(path), "--current", data_dir=data_dir)
    second = run_cli("import-election", str(path), "--current", data_dir=data_dir)
    bad_run = run_cli("import-election", str(bad), data_dir=root / "bad-data")
    return CliRuns(data_dir, first, second, bad_run)


def test_cli_import_election_is_idempotent(cli: CliRuns) -> None:
    assert cli.first.returncode == 0, cli.first.stderr
    assert "election test-2029 created, current; 3 rows" in cli.first.stdout
    assert "districts added 3, updated 0" in cli.first.stdout
    assert cli.second.returncode == 0, cli.second.stderr
    assert "election test-2029 unchanged, current" in cli.second.stdout
    assert "districts added 0, updated 0" in cli.second.stdout
    with sqlite3.connect(cli.data_dir / "shtab.db") as connection:
        rows = connection.execute(
            "SELECT code, election_day, is_current, calendar, config FROM elections"
        ).fetchall()
    assert len(rows) == 1
    code, day, current, calendar, config = rows[0]
    assert (code, day, current) == ("test-2029", "2029-09-16", 1)
    assert '"nomination_closes": "2029-07-07"' in calendar
    assert '"fund_limit_rub": 1000000' in config


def test_cli_bad_election_file_exits_2_with_one_line(cli: CliRuns) -> None:
    assert cli.bad.returncode == 2
    lines = cli.bad.stderr.splitlines()
    assert len(lines) == 1, cli.bad.stderr
    assert lines[0].startswith("config error: The dates are out of order: nomination_opens")
    assert "Traceback" not in cli.bad.stderr


# The admin commands, end to end


async def test_admin_sees_and_edits_the_election(running: RunningBot) -> None:
    admin = running.admin()
    await admin.send("/election")
    card = await admin.expect("Выборы депутатов муниципальных советов Санкт-Петербурга (демо)")
    assert "День голосования: 19.09.2027" in card["text"]
    assert "Конец выдвижения: 10.07.2027" in card["text"]
    assert "Итоговый финансовый отчёт — до: 19.10.2027" in card["text"]
    assert "нужно" in card["text"]  # sample districts with their signature numbers

    await admin.send("/election_set nomination_closes 12.07.2027")
    done = await admin.expect("Сохранено")
    assert "было 10.07.2027, стало 12.07.2027" in done["text"]
    async with running.app.uow_factory() as uow:
        election = await uow.geography.current_election()
        assert election is not None
        assert election.calendar["nomination_closes"] == "2027-07-12"
        entries = await uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "election_value_set")
        )
        assert [(e.actor_id, e.details["new"]) for e in entries] == [(ADMIN_ID, "2027-07-12")]

    await admin.send("/election_set nomination_closes 31.02.2027")
    refused = await admin.expect("не дата")
    assert "ДД.ММ.ГГГГ" in refused["text"]
    await admin.send("/election_set fund_limit_rub lots")
    await admin.expect("не целое число")
    await admin.send("/election_set")
    await admin.expect("Формат: /election_set")
    async with running.app.uow_factory() as uow:
        election = await uow.geography.current_election()
        assert election is not None
        assert election.calendar["nomination_closes"] == "2027-07-12"
        assert election.config["fund_limit_rub"] == 1_500_000


async def test_election_commands_do_not_exist_for_others(running: RunningBot) -> None:
    user = running.user()
    await user.send("/election")
    unknown = await user.expect("Не знаю такой команды")
    await user.send("/election_set nomination_closes 12.07.2027")
    assert (await user.expect("Не знаю такой команды"))["text"] == unknown["text"]
    async with running.app.uow_factory() as uow:
        election = await uow.geography.current_election()
        assert election is not None
        assert election.calendar["nomination_closes"] == "2027-07-10"
