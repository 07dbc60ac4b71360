"""What the campaign gets back from its canvass: coverage per building, outcomes, the team's
activity, follow-ups due, residents who consented to be contacted (what the supporter base
takes over), the get-out-the-vote list and its pushes, quality flags, the export table.
No aiogram here; every function takes the candidate's own campaign or id."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db.models import Candidate, Election
from bot.db.models.canvass import CanvassVisit
from bot.db.uow import UnitOfWork
from bot.services.canvass import Campaign, display_name, district_buildings
from bot.services.canvass_addresses import label
from bot.services.canvass_line import OUTCOMES, TOPICS
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.export import Table
from bot.services.export_protect import pseudonymise
from bot.services.reminders import SEND_HOUR, Planned, at_local, end_of_day
from bot.services.validation import mask_phone

GOTV_KIND = "gotv"
GOTV_DAYS = (14, 7, 2)  # days before election day; the last comes before the silence day


@dataclass(frozen=True)
class Coverage:
    label: str
    visited: int
    apartments: int | None
    needs_review: bool
    polling_station: str | None = None


@dataclass(frozen=True)
class Activity:
    name: str
    notes: int
    last_week: int
    flagged: int
    last_at: datetime | None


@dataclass(frozen=True)
class Summary:
    buildings: int
    buildings_visited: int
    apartments: int
    doors: int
    notes: int
    outcomes: dict[str, int]
    topics: dict[str, int]
    coverage: list[Coverage]
    activity: list[Activity]
    follow_ups: int
    contacts: int
    flagged: int
    needs_review: int


def _door(visit: CanvassVisit) -> tuple[int, str]:
    return visit.building_id, visit.apartment or f"#{visit.id}"


async def summary(uow: UnitOfWork, cipher: FieldCipher, campaign: Campaign) -> Summary:
    buildings = await district_buildings(uow, campaign)
    visits = await uow.canvass.visits(campaign.candidate_id)
    latest: dict[tuple[int, str], CanvassVisit] = {}
    for visit in visits:  # oldest first: the last one per door wins
        latest[_door(visit)] = visit
    doors_by_building: Counter[int] = Counter(building for building, _ in latest)
    outcomes = Counter(v.outcome for v in latest.values())
    topics = Counter(topic for v in visits for topic in (v.topics or []))
    coverage = [
        Coverage(
            label(b),
            doors_by_building.get(b.id, 0),
            b.apartments,
            b.needs_review,
            b.polling_station,
        )
        for b in buildings
    ]
    coverage.sort(key=lambda c: (-c.visited, c.label))
    week_ago = utcnow() - timedelta(days=7)
    per_volunteer: dict[int | None, list[CanvassVisit]] = defaultdict(list)
    for visit in visits:
        per_volunteer[visit.volunteer_id].append(visit)
    people = {v.id: v for v in await uow.canvass.volunteers(campaign.candidate_id)}
    activity = [
        Activity(
            name=display_name(cipher, people.get(volunteer_id or 0)),
            notes=len(notes),
            last_week=sum(1 for v in notes if v.created_at >= week_ago),
            flagged=sum(1 for v in notes if v.flags),
            last_at=notes[-1].created_at if notes else None,
        )
        for volunteer_id, notes in per_volunteer.items()
    ]
    activity.sort(key=lambda a: -a.notes)
    return Summary(
        buildings=len(buildings),
        buildings_visited=sum(1 for b in buildings if doors_by_building.get(b.id)),
        apartments=sum(b.apartments or 0 for b in buildings),
        doors=len(latest),
        notes=len(visits),
        outcomes={outcome: outcomes.get(outcome, 0) for outcome in OUTCOMES},
        topics={topic: topics[topic] for topic in TOPICS if topics.get(topic)},
        coverage=coverage,
        activity=activity,
        follow_ups=sum(1 for v in visits if v.follow_up and v.follow_up_done_at is None),
        contacts=sum(1 for v in visits if v.contact_consent_at is not None),
        flagged=sum(1 for v in visits if v.flags),
        needs_review=sum(1 for b in buildings if b.needs_review),
    )


@dataclass(frozen=True)
class DueFollowUp:
    visit_id: int
    address: str
    apartment: str | None
    outcome: str
    note: str | None
    at: datetime


async def follow_ups(
    uow: UnitOfWork, cipher: FieldCipher, campaign: Campaign, limit: int = 20
) -> list[DueFollowUp]:
    visits = await uow.canvass.follow_ups(campaign.candidate_id, limit)
    buildings = await uow.canvass.buildings({v.building_id for v in visits})
    return [
        DueFollowUp(
            v.id,
            label(buildings[v.building_id]),
            v.apartment,
            v.outcome,
            cipher.decrypt(v.note_enc),
            v.created_at,
        )
        for v in visits
        if v.building_id in buildings
    ]


@dataclass(frozen=True)
class ConsentingContact:
    """A resident who agreed to be contacted: what the supporter base takes over."""

    visit_id: int
    candidate_id: int
    name: str | None
    phone: str
    phone_index: str
    outcome: str
    address: str
    apartment: str | None
    polling_station: str | None
    consent_at: datetime


async def consenting_contacts(
    uow: UnitOfWork, cipher: FieldCipher, candidate_id: int
) -> list[ConsentingContact]:
    """Every resident of the candidate's canvass who consented to be contacted, one per
    phone (the latest note wins). The supporter base is wired to this function."""
    visits = await uow.canvass.with_contacts(candidate_id)
    buildings = await uow.canvass.buildings({v.building_id for v in visits})
    by_phone: dict[str, ConsentingContact] = {}
    for v in visits:
        phone = cipher.decrypt(v.contact_phone_enc)
        building = buildings.get(v.building_id)
        if not phone or v.contact_phone_index is None or building is None:
            continue
        assert v.contact_consent_at is not None
        by_phone[v.contact_phone_index] = ConsentingContact(
            visit_id=v.id,
            candidate_id=candidate_id,
            name=cipher.decrypt(v.contact_name_enc),
            phone=phone,
            phone_index=v.contact_phone_index,
            outcome=v.outcome,
            address=label(building),
            apartment=v.apartment,
            polling_station=building.polling_station,
            consent_at=v.contact_consent_at,
        )
    return list(by_phone.values())


@dataclass(frozen=True)
class GotvGroup:
    polling_station: str | None
    address: str
    people: list[ConsentingContact]


async def gotv_list(uow: UnitOfWork, cipher: FieldCipher, candidate_id: int) -> list[GotvGroup]:
    """Supporters with consent and a phone, by polling station, then building."""
    groups: dict[tuple[str, str], list[ConsentingContact]] = defaultdict(list)
    for contact in await consenting_contacts(uow, cipher, candidate_id):
        if contact.outcome == "supporter":
            groups[(contact.polling_station or "", contact.address)].append(contact)
    return [
        GotvGroup(station or None, address, sorted(people, key=_apartment_order))
        for (station, address), people in sorted(groups.items())
    ]


def _apartment_order(contact: ConsentingContact) -> tuple[int, str]:
    digits = "".join(ch for ch in contact.apartment or "" if ch.isdigit())
    return (int(digits) if digits else 0, contact.apartment or "")


def plan_gotv(candidate: Candidate, election: Election, tz: ZoneInfo) -> list[Planned]:
    """The get-out-the-vote pushes to the candidate: 14, 7 and 2 days before election
    day, the last before the silence day. Each goes only if the list is not empty then."""
    day = election.election_day
    return [
        Planned(
            key=f"{GOTV_KIND}:{candidate.id}:{election.code}:{day}:{days}",
            user_id=candidate.user_id,
            kind=GOTV_KIND,
            due_at=at_local(day - timedelta(days=days), SEND_HOUR, tz),
            not_after=end_of_day(day - timedelta(days=2), tz),
            payload={"candidate": candidate.id, "date": day.isoformat(), "days": days},
        )
        for days in GOTV_DAYS
    ]


def gotv_still_relevant(
    payload: dict[str, object], election: Election | None, today: date
) -> bool:
    if election is None or election.election_day.isoformat() != payload.get("date"):
        return False  # the election moved: the pushes planned for the new day take over
    return today < election.election_day - timedelta(days=1)


@dataclass(frozen=True)
class Flagged:
    visit_id: int
    address: str
    apartment: str | None
    flags: list[str]
    volunteer: str
    at: datetime
    distance_m: int | None


async def flagged(
    uow: UnitOfWork, cipher: FieldCipher, candidate_id: int, limit: int = 20
) -> list[Flagged]:
    visits = [v for v in await uow.canvass.visits(candidate_id) if v.flags][-limit:]
    buildings = await uow.canvass.buildings({v.building_id for v in visits})
    people = {v.id: v for v in await uow.canvass.volunteers(candidate_id)}
    return [
        Flagged(
            v.id,
            label(buildings[v.building_id]) if v.building_id in buildings else "?",
            v.apartment,
            list(v.flags),
            display_name(cipher, people.get(v.volunteer_id or 0)),
            v.created_at,
            v.distance_m,
        )
        for v in reversed(visits)
    ]


async def export_table(
    uow: UnitOfWork,
    cipher: FieldCipher,
    campaign: Campaign,
    header: tuple[str, ...],
    outcome_names: dict[str, str],
    topic_names: dict[str, str],
) -> Table:
    """The candidate's own notes, one line per note, contacts decrypted (the caller audits)."""
    visits = await uow.canvass.visits(campaign.candidate_id)
    buildings = await uow.canvass.buildings({v.building_id for v in visits})
    people = {v.id: v for v in await uow.canvass.volunteers(campaign.candidate_id)}
    rows: list[tuple[object, ...]] = []
    for v in visits:
        building = buildings.get(v.building_id)
        rows.append(
            (
                v.created_at.strftime("%Y-%m-%d %H:%M"),
                display_name(cipher, people.get(v.volunteer_id or 0)),
                label(building) if building else "",
                v.apartment or "",
                (building.polling_station if building else None) or "",
                outcome_names.get(v.outcome, v.outcome),
                ", ".join(topic_names.get(t, t) for t in v.topics or []),
                "✓" if v.follow_up and v.follow_up_done_at is None else "",
                cipher.decrypt(v.contact_name_enc) or "",
                cipher.decrypt(v.contact_phone_enc) or "",
                v.contact_consent_at.strftime("%Y-%m-%d") if v.contact_consent_at else "",
                cipher.decrypt(v.note_enc) or "",
                ", ".join(v.flags or []),
            )
        )
    return Table(header, rows)


def pseudonymised(table: Table, cipher: FieldCipher) -> Table:
    """The notes without who lives where: volunteers as stable pseudonyms, no apartment,
    resident's name or note, the phone masked. Enough to count doors and topics per building."""
    return pseudonymise(
        table,
        {
            1: lambda line: (
                "В-" + cipher.blind_index(f"pseudonym:volunteer:{line[1]}")[:6] if line[1] else ""
            ),
            3: "",
            8: "",
            9: lambda line: mask_phone(str(line[9])) if line[9] else "",
            11: "",
        },
    )


async def flagged_by_candidate(
    uow: UnitOfWork, candidate_ids: Sequence[int] | None
) -> dict[int, int]:
    return await uow.canvass.flagged_counts(
        list(candidate_ids) if candidate_ids is not None else None
    )


def coverage_table(summary: Summary, header: tuple[str, ...], review: str) -> Table:
    """Every building of the district: doors visited of apartments, most covered first."""
    rows: list[tuple[object, ...]] = [
        (
            c.label,
            c.polling_station or "",
            c.apartments if c.apartments is not None else "",
            c.visited,
            round(100 * c.visited / c.apartments) if c.apartments else "",
            review if c.needs_review else "",
        )
        for c in summary.coverage
    ]
    return Table(header, rows)
