"""Finding a municipal formation from part of its name, and loading elections' districts."""

from __future__ import annotations

import csv
import difflib
import io
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from bot.db.models import Election, ElectoralDistrict, MunicipalFormation
from bot.db.uow import UnitOfWork
from bot.services.errors import InputError

DATA_DIR = Path(__file__).parent.parent / "data"
DEMO_ELECTION_FILE = DATA_DIR / "demo_election.toml"
MAX_MATCHES = 8
MIN_QUERY = 2


def search_key(text: str) -> str:
    """Case, ё/е, quotes and the № sign don't matter when a person types a name."""
    text = text.lower().replace("ё", "е").replace("№", " ")
    text = re.sub(r"[\"'«»().,]", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class FormationMatch:
    id: int
    name: str
    admin_district: str


class Searchable(Protocol):
    """A formation as the search needs it: an ORM row or the process's snapshot of one."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def admin_district(self) -> str: ...
    @property
    def search_name(self) -> str: ...


def match_formations(
    query: str, formations: Sequence[Searchable]
) -> tuple[list[FormationMatch], int]:
    """Matches for a typed query (at most MAX_MATCHES) and how many there were in all."""
    key = search_key(query)
    if len(key) < MIN_QUERY and not key.isdigit():
        raise InputError("error-formation-query-short", minimum=MIN_QUERY)
    if len(key) > 100:
        raise InputError("error-formation-query-long")
    starts = [f for f in formations if f.search_name.startswith(key)]
    inside = [
        f
        for f in formations
        if f not in starts and any(word.startswith(key) for word in f.search_name.split())
    ]
    anywhere = [
        f for f in formations if f not in starts and f not in inside and key in f.search_name
    ]
    found = starts + inside + anywhere
    if not found:
        # Typos: "Сосоновское". difflib is enough for 111 names and keeps a dependency out.
        by_key = {f.search_name: f for f in formations}
        close = difflib.get_close_matches(key, list(by_key), n=MAX_MATCHES, cutoff=0.6)
        found = [by_key[name] for name in close]
    matches = [FormationMatch(f.id, f.name, f.admin_district) for f in found[:MAX_MATCHES]]
    return matches, len(found)


@dataclass(frozen=True)
class DistrictRow:
    admin_district: str
    formation: str
    number: int
    seats: int
    voters: int | None


def parse_districts_csv(text: str) -> list[DistrictRow]:
    """Rows of municipal_formation, district_number, seats[, voters][, admin_district]."""
    reader = csv.DictReader(io.StringIO(text))
    required = {"municipal_formation", "district_number", "seats"}
    missing = required - set(reader.fieldnames or [])
    if missing:
        raise InputError("error-districts-columns", missing=", ".join(sorted(missing)))
    rows = []
    for row in reader:
        line_number = reader.line_num  # the file's own line, blank lines included
        try:
            number, seats = int(row["district_number"]), int(row["seats"])
            voters = int(row["voters"]) if row.get("voters") else None
        except (TypeError, ValueError):  # TypeError: a short row leaves fields as None
            raise InputError("error-districts-number", line=line_number) from None
        name = " ".join((row["municipal_formation"] or "").split())
        if not name or number < 1 or not 1 <= seats <= 5 or (voters is not None and voters < 0):
            raise InputError("error-districts-number", line=line_number)
        rows.append(
            DistrictRow(row.get("admin_district", "").strip(), name, number, seats, voters)
        )
    return rows


@dataclass(frozen=True)
class ImportSummary:
    formations_added: int
    districts_added: int
    districts_updated: int


async def import_districts(
    uow: UnitOfWork,
    rows: list[DistrictRow],
    *,
    election_code: str,
    election_name: str | None = None,
    election_day: date | None = None,
    calendar: dict[str, str] | None = None,
    note: str | None = None,
    make_current: bool = False,
) -> ImportSummary:
    """Create or update an election's formations and districts; importing twice changes nothing."""
    election = await uow.geography.election_by_code(election_code)
    if election is None:
        if election_name is None or election_day is None:
            raise InputError("error-election-unknown", code=election_code)
        election = Election(
            code=election_code,
            name=election_name,
            election_day=election_day,
            calendar=calendar or {},
            note=note,
        )
        await uow.geography.add(election)
    if make_current:
        current = await uow.geography.current_election()
        if current is not None and current.id != election.id:
            current.is_current = False
        election.is_current = True
    formations = {
        f.name: f for f in await uow.geography.formations(election.id, with_districts=True)
    }
    added_formations = added = updated = 0
    for row in rows:
        formation = formations.get(row.formation)
        if formation is None:
            formation = MunicipalFormation(
                election_id=election.id,
                admin_district=row.admin_district,
                name=row.formation,
                search_name=search_key(row.formation),
                districts=[],
            )
            uow.geography.stage(formation)
            formations[row.formation] = formation
            added_formations += 1
        district = next((d for d in formation.districts if d.number == row.number), None)
        if district is None:
            # Appended to the relationship: one flush at the end writes them all.
            formation.districts.append(
                ElectoralDistrict(number=row.number, seats=row.seats, voters=row.voters)
            )
            added += 1
        elif (district.seats, district.voters) != (row.seats, row.voters):
            district.seats, district.voters = row.seats, row.voters
            updated += 1
    await uow.session.flush()
    await uow.audit.record(
        None, "districts_imported", "election", election.code, added=added, updated=updated
    )
    return ImportSummary(added_formations, added, updated)


async def ensure_demo_data(uow: UnitOfWork) -> bool:
    """Load the demo election and organisations into an empty database. True if it did."""
    if await uow.geography.current_election() is not None:
        return False
    spec = tomllib.loads(DEMO_ELECTION_FILE.read_text(encoding="utf-8"))
    for order, organisation in enumerate(spec["organisations"]):
        await uow.geography.upsert_organisation(
            organisation["code"], organisation["name"], organisation.get("name_en"), order
        )
    election = spec["election"]
    rows = parse_districts_csv((DATA_DIR / election["districts_file"]).read_text("utf-8"))
    await import_districts(
        uow,
        rows,
        election_code=election["code"],
        election_name=election["name"],
        election_day=date.fromisoformat(election["election_day"]),
        calendar=dict(election.get("calendar", {})),
        note=election.get("note"),
        make_current=True,
    )
    # Imported here: bot.services.election builds on this module (import_districts).
    from bot.services.election import validate_config

    stored = await uow.geography.election_by_code(election["code"])
    assert stored is not None  # import_districts just created it
    stored.config = validate_config(election.get("config", {})).stored()
    return True
