"""What an election is made of besides its districts: the calendar of named dates and the numbers
that change from one election to the next (signature rule, fund limit, donation caps).

The signature percentages and minimums come from a secondary source (marked [check] in
/work/shared/reference/election-law.md), so they are configuration with the law's usual values
as defaults, never constants: a commission's own numbers override them per election.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

from annotated_types import Ge, Le
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.db.models import Election, ElectoralDistrict
from bot.db.uow import UnitOfWork
from bot.services.errors import InputError
from bot.services.geography import (
    DistrictRow,
    ImportSummary,
    import_districts,
    parse_districts_csv,
)

# Event name -> catalogue message id of its label. `election_day` is Election.election_day; the
# others live in Election.calendar as ISO dates. The order is the order they are shown in.
CALENDAR_EVENTS: dict[str, str] = {
    "nomination_opens": "election-event-nomination-opens",
    "nomination_closes": "election-event-nomination-closes",
    "campaign_opens": "election-event-campaign-opens",
    "registration_docs_due": "election-event-registration-docs-due",
    "campaign_closes": "election-event-campaign-closes",
    "election_day": "election-event-election-day",
    "final_report_due": "election-event-final-report-due",
}
ELECTION_DAY = "election_day"

# Pairs (earlier, later) a calendar must respect when both dates are known. Only orderings that
# hold by definition: anything finer differs between elections and is the commission's call.
_ORDER: tuple[tuple[str, str], ...] = (
    ("nomination_opens", "nomination_closes"),
    ("campaign_opens", "campaign_closes"),
    ("nomination_opens", ELECTION_DAY),
    ("nomination_closes", ELECTION_DAY),
    ("registration_docs_due", ELECTION_DAY),
    ("campaign_opens", ELECTION_DAY),
    ("campaign_closes", ELECTION_DAY),
    (ELECTION_DAY, "final_report_due"),
)

MAX_RUB = 10**12  # a sanity bound: a typo with extra zeros is refused, any real sum passes


class ElectionConfig(BaseModel):
    """Election.config: the numbers of one election. Stored as the values set explicitly, so a
    value nobody set shows (and follows) the default here."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Signatures: percent of the district's voters, divided by its seats, never below the minimum.
    signature_percent: float = Field(default=0.5, ge=0.01, le=10)
    signature_min: int = Field(default=10, ge=1, le=10_000, strict=True)
    # How many more may be filed: a percent of the required number, or a fixed count when fewer
    # than signature_small_threshold are required.
    signature_extra_percent: int = Field(default=10, ge=0, le=100, strict=True)
    signature_extra_small: int = Field(default=4, ge=0, le=1_000, strict=True)
    signature_small_threshold: int = Field(default=40, ge=0, le=100_000, strict=True)
    # 1: the nomination package includes the income and property declaration (67-ФЗ art. 33
    # p. 3) — the usual case [check with the commission]; 0: this election does not ask for it.
    income_declaration: int = Field(default=1, ge=0, le=1, strict=True)
    # Electoral fund: unknown until the commission publishes them, hence no defaults.
    fund_limit_rub: int | None = Field(default=None, ge=0, le=MAX_RUB, strict=True)
    donation_cap_citizen_rub: int | None = Field(default=None, ge=0, le=MAX_RUB, strict=True)
    donation_cap_legal_rub: int | None = Field(default=None, ge=0, le=MAX_RUB, strict=True)
    # Illegal or excess donations go back within this many days of arriving.
    donation_return_days: int = Field(default=10, ge=1, le=365, strict=True)

    @model_validator(mode="after")
    def _caps_within_the_fund(self) -> ElectionConfig:
        for cap in _CAPS:
            value = getattr(self, cap)
            limit = self.fund_limit_rub
            if value is not None and limit is not None and value > limit:
                raise ValueError(f"{cap} is above fund_limit_rub")
        return self

    def stored(self) -> dict[str, object]:
        """What goes into Election.config: the values given, defaults left implicit."""
        return self.model_dump(exclude_unset=True)


_CAPS = ("donation_cap_citizen_rub", "donation_cap_legal_rub")

# Config key -> catalogue message id of its label, in display order.
CONFIG_KEYS: dict[str, str] = {
    name: "election-config-" + name.replace("_", "-") for name in ElectionConfig.model_fields
}

SETTABLE_KEYS: tuple[str, ...] = (*CALENDAR_EVENTS, *CONFIG_KEYS)


def label_of(key: str) -> str:
    """The catalogue message id naming a calendar event or a config key."""
    return CALENDAR_EVENTS.get(key) or CONFIG_KEYS[key]


def _bounds(key: str) -> tuple[float, float]:
    lowest, highest = -math.inf, math.inf
    for rule in ElectionConfig.model_fields[key].metadata:
        if isinstance(rule, Ge):
            lowest = float(rule.ge)
        elif isinstance(rule, Le):
            highest = float(rule.le)
    return lowest, highest


def _integral(key: str) -> bool:
    return key != "signature_percent"


def validate_config(data: Mapping[str, object]) -> ElectionConfig:
    """Election.config from untrusted data, or InputError naming the first bad key."""
    for key, value in data.items():
        if key not in CONFIG_KEYS:
            raise InputError("error-election-key", key=key, keys=", ".join(SETTABLE_KEYS))
        if value is None:
            continue
        # bool is an int to Python; True as a fund limit is a typo, not 1 rouble.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError("error-election-number", key=key, value=str(value))
        if _integral(key) and not isinstance(value, int):
            raise InputError("error-election-integer", key=key, value=str(value))
        lowest, highest = _bounds(key)
        if not lowest <= value <= highest:
            raise InputError(
                "error-election-range", key=key, value=value, min=_num(lowest), max=_num(highest)
            )
    try:
        return ElectionConfig.model_validate(dict(data))
    except ValidationError:
        # Every per-key rule was checked above: what is left is a cap above the fund limit.
        raise InputError("error-election-cap-over-limit") from None


def _num(value: float) -> int | float:
    return int(value) if value == int(value) else value


def config_of(election: Election) -> ElectionConfig:
    """The election's numbers, defaults filled in. Keys this version no longer knows are
    skipped rather than breaking every screen that shows the election."""
    known = {k: v for k, v in (election.config or {}).items() if k in CONFIG_KEYS}
    return ElectionConfig.model_validate(known)


# The signature rule


def signatures_required(
    voters: int | None, seats: int, config: ElectionConfig | None = None
) -> int | None:
    """Signatures needed to register in a district; None while its voters are unknown.

    signature_percent of the voters divided by the seats, rounded UP (a fraction of a signature
    still has to be collected), and never fewer than signature_min.
    """
    config = config or ElectionConfig()
    if seats < 1:
        raise ValueError(f"a district has at least one seat, not {seats}")
    if voters is None:
        return None
    if voters < 0:
        raise ValueError(f"voters cannot be negative: {voters}")
    # Exact arithmetic: 0.5% as a float would make 10,000 voters 50.00000000000001 -> 51.
    share = Fraction(str(config.signature_percent)) * voters / (100 * seats)
    return max(math.ceil(share), config.signature_min)


def signatures_max(
    voters: int | None, seats: int, config: ElectionConfig | None = None
) -> int | None:
    """The most signatures that may be filed; None while the district's voters are unknown.

    Under signature_small_threshold required: signature_extra_small more. Otherwise up to
    signature_extra_percent more, rounded DOWN: the excess may not go over that percent, so for
    75 required 10% allows 7 more (82), since 8 more would be 10.7% over.
    """
    config = config or ElectionConfig()
    required = signatures_required(voters, seats, config)
    if required is None:
        return None
    if required < config.signature_small_threshold:
        return required + config.signature_extra_small
    return required + required * config.signature_extra_percent // 100


# Targets a quest counter can take from the election (bot/quests/schema.py, target_from).
TARGETS: dict[str, Callable[[int | None, int, ElectionConfig | None], int | None]] = {
    "signatures_required": signatures_required,
    "signatures_max": signatures_max,
}


# The calendar


class HasCalendar(Protocol):
    @property
    def election_day(self) -> date: ...
    @property
    def calendar(self) -> dict[str, str]: ...


def resolve_date(election: HasCalendar, event: str, days: int = 0) -> date | None:
    """The date `days` after (or before, if negative) an event; None if the calendar lacks it."""
    if event not in CALENDAR_EVENTS:
        raise ValueError(f"unknown calendar event {event!r}")
    if event == ELECTION_DAY:
        day: date | None = election.election_day
    else:
        stored = (election.calendar or {}).get(event)
        day = date.fromisoformat(stored) if stored else None
    return None if day is None else day + timedelta(days=days)


def check_calendar(election_day: date, calendar: Mapping[str, str]) -> None:
    """Refuse a calendar whose known dates are out of their necessary order."""
    days = {key: date.fromisoformat(value) for key, value in calendar.items()}
    days[ELECTION_DAY] = election_day
    for earlier, later in _ORDER:
        if earlier in days and later in days and days[earlier] > days[later]:
            raise InputError(
                "error-election-order",
                earlier=earlier,
                earlier_date=_display(days[earlier]),
                later=later,
                later_date=_display(days[later]),
            )


def _display(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def parse_date(raw: str) -> date:
    """A date as people type it (31.12.2027) or as files hold it (2027-12-31)."""
    text = raw.strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise InputError("error-election-date", value=raw)


# The election file


class _CalendarSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nomination_opens: date | None = None
    nomination_closes: date | None = None
    registration_docs_due: date | None = None
    campaign_opens: date | None = None
    campaign_closes: date | None = None
    final_report_due: date | None = None


class _ElectionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1, max_length=300)
    election_day: date
    note: str | None = None
    districts_file: str | None = None
    calendar: _CalendarSpec = Field(default_factory=_CalendarSpec)
    config: dict[str, Any] = Field(default_factory=dict)


class _ElectionFile(BaseModel):
    # Other top-level tables (the demo's [[organisations]]) are not the election's business.
    model_config = ConfigDict(extra="ignore")

    election: _ElectionSpec


@dataclass(frozen=True)
class ElectionSpec:
    """An election file, checked: everything import_election writes."""

    code: str
    name: str
    election_day: date
    note: str | None
    calendar: dict[str, str]
    config: ElectionConfig
    districts: tuple[DistrictRow, ...] | None  # None: the file names no districts file


def load_election_file(path: Path) -> ElectionSpec:
    """Read and check an election TOML file; InputError says what is wrong, and where.

    ```toml
    [election]
    code = "spb-2029"
    name = "..."
    election_day = 2029-09-16          # a TOML date or an ISO string
    districts_file = "districts.csv"   # optional, relative to this file
    [election.calendar]
    nomination_opens = 2029-06-18      # any of CALENDAR_EVENTS except election_day
    [election.config]
    fund_limit_rub = 1_500_000         # any ElectionConfig field
    ```
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(
            "error-election-file-read", path=str(path), reason=_one_line(error)
        ) from None
    try:
        spec = _ElectionFile.model_validate(raw).election
    except ValidationError as error:
        first = error.errors()[0]
        raise InputError(
            "error-election-file-field",
            path=str(path),
            field=".".join(str(part) for part in first["loc"]),
            reason=_one_line(first["msg"]),
        ) from None
    calendar = {
        key: value.isoformat()
        for key, value in spec.calendar.model_dump(exclude_none=True).items()
    }
    check_calendar(spec.election_day, calendar)
    config = validate_config(spec.config)
    districts = None
    if spec.districts_file is not None:
        csv_path = path.parent / spec.districts_file
        try:
            text = csv_path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(
                "error-election-file-read", path=str(csv_path), reason=_one_line(error)
            ) from None
        districts = tuple(parse_districts_csv(text))
    return ElectionSpec(
        spec.code, spec.name, spec.election_day, spec.note, calendar, config, districts
    )


def _one_line(value: object) -> str:
    # CLI errors are one line (an operator greps them), and TOML errors carry positions anyway.
    return " ".join(str(value).split())


@dataclass(frozen=True)
class ElectionImportSummary:
    code: str
    created: bool
    changed: tuple[str, ...]  # fields of an existing election that the file changed
    is_current: bool
    district_rows: int
    districts: ImportSummary | None


async def import_election(
    uow: UnitOfWork,
    path: Path,
    *,
    make_current: bool = False,
    actor_id: int | None = None,
) -> ElectionImportSummary:
    """Create or update an election from its file, with its districts; a second run with the
    same file changes nothing. The file is the whole election: calendar dates and config values
    missing from it are removed (so edits made with /election_set are overwritten)."""
    spec = load_election_file(path)
    election = await uow.geography.election_by_code(spec.code)
    created = election is None
    wanted: dict[str, object] = {
        "name": spec.name,
        "election_day": spec.election_day,
        "note": spec.note,
        "calendar": spec.calendar,
        "config": spec.config.stored(),
    }
    changed: list[str] = []
    if election is None:
        election = Election(code=spec.code, is_current=False, **wanted)
        await uow.geography.add(election)
    else:
        for field, value in wanted.items():
            if getattr(election, field) != value:
                # Whole new values, never in-place edits: the JSON columns track assignment only.
                setattr(election, field, value)
                changed.append(field)
    if make_current and not election.is_current:
        await _make_current(uow, election)
        if not created:
            changed.append("is_current")
    districts = None
    if spec.districts is not None:
        districts = await import_districts(uow, list(spec.districts), election_code=spec.code)
    await uow.session.flush()
    await uow.audit.record(
        actor_id,
        "election_imported",
        "election",
        spec.code,
        created=created,
        changed=changed,
        file=path.name,
    )
    return ElectionImportSummary(
        spec.code,
        created,
        tuple(changed),
        election.is_current,
        len(spec.districts or ()),
        districts,
    )


async def _make_current(uow: UnitOfWork, election: Election) -> None:
    current = await uow.geography.current_election()
    while current is not None and current.id != election.id:
        current.is_current = False
        await uow.session.flush()
        current = await uow.geography.current_election()
    election.is_current = True


# Showing an election


@dataclass(frozen=True)
class CalendarLine:
    key: str
    label_id: str
    day: date | None


@dataclass(frozen=True)
class ConfigLine:
    key: str
    label_id: str
    value: int | float | None
    is_default: bool  # nobody set it for this election


@dataclass(frozen=True)
class SampleDistrict:
    formation: str
    number: int
    seats: int
    voters: int | None
    required: int | None
    maximum: int | None


@dataclass(frozen=True)
class ElectionView:
    code: str
    name: str
    election_day: date
    is_current: bool
    note: str | None
    calendar: tuple[CalendarLine, ...]
    config: tuple[ConfigLine, ...]
    formations: int
    districts: int
    seats: int
    samples: tuple[SampleDistrict, ...]


SAMPLE_COUNT = 3


def describe(
    election: Election, districts: Sequence[tuple[str, ElectoralDistrict]] = ()
) -> ElectionView:
    """The election for display. `districts` are (formation name, district) pairs; the samples
    are the smallest, the median and the largest district by voters, to show the range."""
    config = config_of(election)
    explicit = set(election.config or {})
    calendar = tuple(
        CalendarLine(key, label, resolve_date(election, key))
        for key, label in CALENDAR_EVENTS.items()
    )
    config_lines = tuple(
        ConfigLine(key, label, getattr(config, key), key not in explicit)
        for key, label in CONFIG_KEYS.items()
    )
    return ElectionView(
        code=election.code,
        name=election.name,
        election_day=election.election_day,
        is_current=election.is_current,
        note=election.note,
        calendar=calendar,
        config=config_lines,
        formations=len({name for name, _ in districts}),
        districts=len(districts),
        seats=sum(d.seats for _, d in districts),
        samples=tuple(_sample(name, d, config) for name, d in _pick_samples(districts)),
    )


def _pick_samples(
    districts: Sequence[tuple[str, ElectoralDistrict]],
) -> list[tuple[str, ElectoralDistrict]]:
    known = sorted(
        (pair for pair in districts if pair[1].voters is not None),
        key=lambda pair: (pair[1].voters or 0, pair[0], pair[1].number),
    )
    if not known:
        return list(districts[:1])  # shows that the voters are unknown
    if len(known) <= SAMPLE_COUNT:
        return known
    return [known[0], known[len(known) // 2], known[-1]]


def _sample(name: str, district: ElectoralDistrict, config: ElectionConfig) -> SampleDistrict:
    return SampleDistrict(
        name,
        district.number,
        district.seats,
        district.voters,
        signatures_required(district.voters, district.seats, config),
        signatures_max(district.voters, district.seats, config),
    )


async def current_view(uow: UnitOfWork) -> ElectionView | None:
    election = await uow.geography.current_election()
    if election is None:
        return None
    formations = await uow.geography.formations(election.id, with_districts=True)
    pairs = [(f.name, d) for f in formations for d in f.districts]
    return describe(election, pairs)


# Editing one value


@dataclass(frozen=True)
class SetResult:
    key: str
    label_id: str
    old: date | int | float | None
    new: date | int | float | None


CLEAR = frozenset({"-", "none", "null", "нет"})


async def set_value(uow: UnitOfWork, admin_id: int, key: str, raw_value: str) -> SetResult:
    """Set one calendar date or config value of the current election ("-" clears it)."""
    election = await uow.geography.current_election()
    if election is None:
        raise InputError("error-election-none")
    key = key.strip().lower()
    if key not in SETTABLE_KEYS:
        raise InputError("error-election-key", key=key, keys=", ".join(SETTABLE_KEYS))
    clear = raw_value.strip().lower() in CLEAR
    if key in CALENDAR_EVENTS:
        old: date | int | float | None = resolve_date(election, key)
        new: date | int | float | None = None if clear else parse_date(raw_value)
        if key == ELECTION_DAY:
            if not isinstance(new, date):
                raise InputError("error-election-day-required")
            check_calendar(new, election.calendar or {})
            election.election_day = new
        else:
            calendar = dict(election.calendar or {})
            if isinstance(new, date):
                calendar[key] = new.isoformat()
            else:
                calendar.pop(key, None)
            check_calendar(election.election_day, calendar)
            election.calendar = calendar
    else:
        old = getattr(config_of(election), key)
        stored = {k: v for k, v in (election.config or {}).items() if k in CONFIG_KEYS}
        if clear:
            stored.pop(key, None)
        else:
            stored[key] = _parse_number(key, raw_value)
        config = validate_config(stored)
        election.config = config.stored()
        new = getattr(config, key)
    await uow.audit.record(
        admin_id,
        "election_value_set",
        "election",
        election.code,
        key=key,
        old=_jsonable(old),
        new=_jsonable(new),
    )
    return SetResult(key, label_of(key), old, new)


def _parse_number(key: str, raw: str) -> int | float:
    # People type "1 500 000" and "0,5"; spaces (also non-breaking) and a decimal comma are fine.
    text = "".join(raw.split()).replace("_", "").replace(",", ".")
    try:
        if _integral(key):
            return int(text)
        value = float(text)
    except ValueError:
        code = "error-election-integer" if _integral(key) else "error-election-number"
        raise InputError(code, key=key, value=raw) from None
    if not math.isfinite(value):
        raise InputError("error-election-number", key=key, value=raw)
    return value


def _jsonable(value: date | int | float | None) -> str | int | float | None:
    return value.isoformat() if isinstance(value, date) else value
