"""Importing a district's address list (CSV), and finding buildings in it: by typed address
(exact key, then fuzzy street), by a shared location (the nearest building with coordinates).

CSV columns (a header row; Russian or English names; order free):
street, house, building (корпус), apartments, latitude, longitude, polling_station.
Only street and house are required. A row that cannot be read fully is still stored, flagged
`needs_review` with a note saying why: an address list is never silently shortened.
"""

from __future__ import annotations

import asyncio
import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import ConfigError, Settings
from bot.db.models import ElectoralDistrict
from bot.db.models.addresses import Building
from bot.db.uow import UnitOfWork
from bot.services.addresses import address_key, closest_streets, fold, normalise_house
from bot.services.errors import InputError

MAX_ROWS = 20_000
MAX_APARTMENTS = 3_000
# A shared location farther than this from every known building matches none of them.
MATCH_RADIUS_M = 300

_COLUMNS = {
    "street": ("street", "улица"),
    "house": ("house", "дом"),
    "block": ("building", "block", "корпус", "корп"),
    "apartments": ("apartments", "flats", "квартир", "квартиры", "кол-во квартир"),
    "latitude": ("latitude", "lat", "широта"),
    "longitude": ("longitude", "lon", "lng", "долгота"),
    "polling_station": ("polling_station", "station", "уик", "участок"),
}


@dataclass(frozen=True)
class AddressRow:
    line: int
    street: str
    house: str
    block: str | None
    apartments: int | None
    latitude: float | None
    longitude: float | None
    polling_station: str | None
    problems: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        if "house" in self.problems:
            # Unreadable house: a key of its own, so the row is kept and never merged.
            return f"?|{fold(self.street)}|{fold(self.house)}"[:250]
        return address_key(self.street, self.house, self.block)


def _header_map(header: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        folded = fold(name.strip().lstrip("\ufeff"))
        for column, names in _COLUMNS.items():
            if folded in names and column not in found:
                found[column] = index
    return found


def _number(raw: str, kind: type[int] | type[float]) -> int | float | None:
    raw = raw.strip().replace(",", ".") if kind is float else raw.strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        return None


def decode_csv(raw: bytes) -> str:
    """An address list's bytes as text: UTF-8 (with or without BOM), else Windows-1251, the
    encoding Excel on Windows saves CSV in."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1251", errors="replace")


def parse_addresses_csv(text: str) -> list[AddressRow]:
    """Rows of the list; raises InputError only when the file as a whole is unusable."""
    sample = text[:2048]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("canvass-import-empty") from None
    columns = _header_map(header)
    if "street" not in columns or "house" not in columns:
        raise InputError("canvass-import-header")
    rows: list[AddressRow] = []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise InputError("canvass-import-too-many", limit=MAX_ROWS)

        def cell(column: str, cells: list[str] = cells) -> str:
            index = columns.get(column)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        problems: list[str] = []
        street, house, block = cell("street")[:200], cell("house")[:20], cell("block")[:20]
        number, _ = normalise_house(house, block or None)
        if not street or not number[:1].isdigit():
            problems.append("house")
        apartments = _number(cell("apartments"), int)
        if cell("apartments") and (
            apartments is None or not 0 < int(apartments) <= MAX_APARTMENTS
        ):
            problems.append("apartments")
            apartments = None
        latitude, longitude = _number(cell("latitude"), float), _number(cell("longitude"), float)
        if (cell("latitude") or cell("longitude")) and not _valid_point(latitude, longitude):
            problems.append("coordinates")
            latitude = longitude = None
        rows.append(
            AddressRow(
                line=line,
                street=street or cell("house") or "?",
                house=house,
                block=block or None,
                apartments=int(apartments) if apartments is not None else None,
                latitude=latitude,
                longitude=longitude,
                polling_station=cell("polling_station")[:20] or None,
                problems=tuple(problems),
            )
        )
    return rows


def _valid_point(latitude: float | None, longitude: float | None) -> bool:
    return (
        latitude is not None
        and longitude is not None
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    )


@dataclass
class ImportSummary:
    rows: int = 0
    added: int = 0
    updated: int = 0
    needs_review: int = 0
    other_district: int = 0
    review_lines: list[int] = field(default_factory=list)


async def import_addresses(
    uow: UnitOfWork, district: ElectoralDistrict, rows: Sequence[AddressRow]
) -> ImportSummary:
    """Create or update the district's buildings. Importing the same file twice changes
    nothing; a building already placed in another district is not moved, it is flagged."""
    election_id = await _election_of(uow, district)
    summary = ImportSummary(rows=len(rows))
    existing = await uow.addresses.by_keys(election_id, list(dict.fromkeys(r.key for r in rows)))
    for row in rows:
        building = existing.get(row.key)
        problems = list(row.problems)
        if building is None:
            building = Building(
                election_id=election_id,
                formation_id=district.formation_id,
                district_id=district.id,
                street=row.street,
                house=row.house or "?",
                block=row.block,
                address_key=row.key,
            )
            uow.addresses.add(building)
            existing[row.key] = building
            summary.added += 1
        elif building.district_id not in (None, district.id):
            problems.append("other_district")
            summary.other_district += 1
        else:
            building.district_id = district.id
            building.formation_id = district.formation_id
            summary.updated += 1
        if "other_district" not in problems:
            building.apartments = (
                row.apartments if row.apartments is not None else building.apartments
            )
            if row.latitude is not None:
                building.latitude, building.longitude = row.latitude, row.longitude
            building.polling_station = row.polling_station or building.polling_station
        if problems:
            building.needs_review = True
            building.note = f"import line {row.line}: {', '.join(problems)}"
            summary.needs_review += 1
            summary.review_lines.append(row.line)
    await uow.session.flush()
    return summary


async def _election_of(uow: UnitOfWork, district: ElectoralDistrict) -> int:
    formation = await uow.geography.formation(district.formation_id)
    if formation is None:
        raise InputError("canvass-unknown-district")
    return formation.election_id


# --- finding buildings -------------------------------------------------------------------------


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), metres."""
    radius = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def nearest(
    buildings: Sequence[Building], latitude: float, longitude: float
) -> tuple[Building, float] | None:
    best: tuple[Building, float] | None = None
    for building in buildings:
        if building.latitude is None or building.longitude is None:
            continue
        metres = distance_m(latitude, longitude, building.latitude, building.longitude)
        if best is None or metres < best[1]:
            best = (building, metres)
    return best


def street_of(building: Building) -> str:
    return building.address_key.split("|", 1)[0]


def suggestions(
    buildings: Sequence[Building],
    street: str,
    house: str | None,
    block: str | None,
    limit: int = 6,
) -> list[Building]:
    """Buildings of the district on the streets nearest to what was typed: the same house
    number first, then the street's other houses."""
    streets = {street_of(b) for b in buildings}
    close = [name for name, _ in closest_streets(street, streets, limit=3)]
    found: list[Building] = []
    if house is not None:
        wanted = address_key("x", house, block).split("|", 1)[1]
        found = [b for b in buildings if street_of(b) in close and b.address_key.endswith(wanted)]
        if not found:
            number = wanted.split("|", 1)[0]
            found = [
                b
                for b in buildings
                if street_of(b) in close and b.address_key.split("|")[1] == number
            ]
    if not found:
        found = [b for b in buildings if street_of(b) in close]
    found.sort(key=lambda b: (close.index(street_of(b)), _house_order(b)))
    return found[:limit]


def _house_order(building: Building) -> tuple[int, str]:
    number = building.address_key.split("|")[1]
    digits = "".join(ch for ch in number if ch.isdigit())
    return (int(digits) if digits else 0, building.address_key)


def label(building: Building) -> str:
    block = f" к{building.block}" if building.block else ""
    return f"{building.street} {building.house}{block}".strip()


async def import_addresses_cli(
    settings: Settings, path: Path, formation_name: str, number: int
) -> str:
    """`python -m bot import-addresses FILE --formation NAME --district N` (current election)."""
    from bot.db.engine import create_engine, create_session_factory
    from bot.db.uow import UnitOfWorkFactory
    from bot.i18n import Catalog

    engine = create_engine(settings.database_url)
    catalog = Catalog()
    try:
        raw = await asyncio.to_thread(path.read_bytes)
        rows = parse_addresses_csv(decode_csv(raw))
        async with UnitOfWorkFactory(create_session_factory(engine))() as uow:
            election = await uow.geography.current_election()
            formation = (
                await uow.geography.formation_by_name(election.id, formation_name)
                if election
                else None
            )
            district = next(
                (d for d in (formation.districts if formation else []) if d.number == number),
                None,
            )
            if district is None:
                raise InputError("canvass-unknown-district")
            summary = await import_addresses(uow, district, rows)
            await uow.audit.record(
                None, "addresses_imported", "district", district.id, rows=summary.rows
            )
    except InputError as error:
        raise ConfigError(catalog.text("en", error.code, **error.params)) from None
    finally:
        await engine.dispose()
    line = (
        f"{path}: {summary.rows} rows; added {summary.added}, updated {summary.updated}, "
        f"needs review {summary.needs_review}, in another district {summary.other_district}"
    )
    if summary.review_lines:
        line += f"; review lines: {', '.join(map(str, summary.review_lines[:50]))}"
    return line
