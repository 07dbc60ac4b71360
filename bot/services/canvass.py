"""Door-to-door canvassing: who canvasses for whom (invites, volunteers), the buildings of the
district, and the notes taken at doors. What the campaign gets back from the notes is in
bot.services.canvass_report. No aiogram here.

Scope is one rule: a canvasser (the candidate or a volunteer they invited) works in the
candidate's electoral district only. Every building and note id that comes from a button or
a typed text is checked against the caller's campaign; out of reach looks exactly like gone.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from bot.db.models import Candidate, CandidateStatus, RoleGrant, RoleName
from bot.db.models.addresses import Building
from bot.db.models.canvass import CanvassInvite, CanvassVisit, CanvassVolunteer
from bot.db.uow import UnitOfWork
from bot.services import supporters, validation
from bot.services.addresses import Address, address_key
from bot.services.canvass_addresses import MATCH_RADIUS_M, label, nearest, suggestions
from bot.services.canvass_line import OUTCOMES, TOPICS, ParsedLine
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError

CANVASS_SOURCE = "canvass"  # supporter-base source key: canvass:<visit id>

MAX_NAME = 40
MAX_NOTE = 1000
MAX_APARTMENT = 9999
# "Many doors within seconds": this many notes by one canvasser inside the window.
FAST_COUNT = 5
FAST_WINDOW = timedelta(seconds=60)
# A shared location farther than this from the building it was used for is flagged.
FAR_M = MATCH_RADIUS_M
HISTORY_LIMIT = 15


@dataclass(frozen=True)
class Campaign:
    """Whose canvass a person works on now, and where."""

    candidate_id: int
    candidate_user_id: int
    district_id: int
    election_id: int
    volunteer_id: int
    is_candidate: bool


async def campaign_of(uow: UnitOfWork, user_id: int) -> Campaign | None:
    """A registered candidate canvasses their own district; anyone else the campaign they
    joined last by invite. None: no campaign (not invited, or the candidate is gone)."""
    candidate = await uow.candidates.by_user(user_id)
    membership: CanvassVolunteer | None = None
    if candidate is not None and candidate.status is CandidateStatus.REGISTERED:
        membership = await uow.canvass.membership(candidate.id, user_id)
        if membership is None:
            membership = CanvassVolunteer(candidate_id=candidate.id, user_id=user_id)
            membership.is_candidate = True
            uow.canvass.add(membership)
            await uow.canvass.flush()
    else:
        found = await uow.canvass.latest_membership(user_id)
        if found is None:
            return None
        membership, candidate = found
    if candidate is None or candidate.district_id is None:
        return None
    election_id = await uow.canvass.election_of_district(candidate.district_id)
    if election_id is None:
        return None
    return Campaign(
        candidate_id=candidate.id,
        candidate_user_id=candidate.user_id,
        district_id=candidate.district_id,
        election_id=election_id,
        volunteer_id=membership.id,
        is_candidate=membership.is_candidate,
    )


# --- invites and volunteers -------------------------------------------------------------------


async def invite_token(uow: UnitOfWork, cipher: FieldCipher, candidate_id: int) -> str:
    """The candidate's current invite token, created on first use."""
    invite = await uow.canvass.active_invite(candidate_id)
    if invite is not None:
        return cipher.decrypt(invite.token_enc) or ""
    return await new_invite(uow, cipher, candidate_id)


async def new_invite(uow: UnitOfWork, cipher: FieldCipher, candidate_id: int) -> str:
    """A fresh token; the old link stops working (a link shared too widely is revoked)."""
    old = await uow.canvass.active_invite(candidate_id)
    if old is not None:
        old.revoked_at = utcnow()
    token = secrets.token_urlsafe(18)  # 24 characters of A-Z a-z 0-9 _ -
    uow.canvass.add(
        CanvassInvite(
            candidate_id=candidate_id,
            token_enc=cipher.encrypt(token) or "",
            token_index=cipher.blind_index(f"canvass-invite:{token}"),
        )
    )
    await uow.canvass.flush()
    return token


async def invite_candidate(uow: UnitOfWork, cipher: FieldCipher, token: str) -> Candidate | None:
    invite = await uow.canvass.invite_by_index(cipher.blind_index(f"canvass-invite:{token}"))
    if invite is None:
        return None
    candidate = await uow.quest.candidate(invite.candidate_id)
    if candidate is None or candidate.status is not CandidateStatus.REGISTERED:
        return None
    return candidate


def normalise_display_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name or len(name) > MAX_NAME:
        raise InputError("canvass-name-invalid", limit=MAX_NAME)
    if name.startswith("/") or not any(ch.isalpha() for ch in name):
        raise InputError("canvass-name-invalid", limit=MAX_NAME)
    return name


async def join(
    uow: UnitOfWork, cipher: FieldCipher, token: str, user_id: int, display_name: str
) -> Candidate:
    """The person (who consented) joins the campaign of the invite as a volunteer."""
    name = normalise_display_name(display_name)
    candidate = await invite_candidate(uow, cipher, token)
    if candidate is None:
        raise InputError("canvass-invite-invalid")
    if candidate.user_id == user_id:
        raise InputError("canvass-invite-own")
    membership = await uow.canvass.membership(candidate.id, user_id)
    if membership is None:
        membership = CanvassVolunteer(candidate_id=candidate.id, user_id=user_id)
        uow.canvass.add(membership)
    membership.display_name_enc = cipher.encrypt(name)
    membership.removed_at = None
    membership.joined_at = utcnow()
    if not any(g.role is RoleName.VOLUNTEER for g in await uow.users.grants(user_id)):
        await uow.users.add_grant(RoleGrant(user_id=user_id, role=RoleName.VOLUNTEER))
    await uow.canvass.flush()
    await uow.audit.record(user_id, "volunteer_joined", "candidate", candidate.id)
    return candidate


async def remove_volunteer(uow: UnitOfWork, campaign: Campaign, volunteer_id: int) -> None:
    volunteer = await uow.canvass.volunteer(volunteer_id)
    if (
        volunteer is None
        or volunteer.candidate_id != campaign.candidate_id
        or volunteer.is_candidate
        or not campaign.is_candidate
    ):
        raise InputError("canvass-gone")
    volunteer.removed_at = utcnow()
    await uow.audit.record(
        campaign.candidate_user_id, "volunteer_removed", "candidate", campaign.candidate_id
    )


@dataclass(frozen=True)
class VolunteerView:
    id: int
    name: str
    active: bool
    is_candidate: bool


async def volunteers(
    uow: UnitOfWork, cipher: FieldCipher, candidate_id: int
) -> list[VolunteerView]:
    return [
        VolunteerView(v.id, display_name(cipher, v), v.removed_at is None, v.is_candidate)
        for v in await uow.canvass.volunteers(candidate_id)
    ]


def display_name(cipher: FieldCipher, volunteer: CanvassVolunteer | None) -> str:
    if volunteer is None:
        return "—"  # a volunteer who left (/forget_me)
    if volunteer.is_candidate:
        return "★"
    return cipher.decrypt(volunteer.display_name_enc) or f"#{volunteer.id}"


# --- buildings ---------------------------------------------------------------------------------


async def district_buildings(uow: UnitOfWork, campaign: Campaign) -> list[Building]:
    return await uow.addresses.in_district(campaign.district_id)


async def building_in(uow: UnitOfWork, campaign: Campaign, building_id: int) -> Building:
    building = await uow.addresses.get(building_id)
    if (
        building is None
        or building.district_id != campaign.district_id
        or building.election_id != campaign.election_id
    ):
        raise InputError("canvass-gone")
    return building


@dataclass(frozen=True)
class Lookup:
    address: Address | None
    exact: Building | None
    options: list[Building]


async def find_building(uow: UnitOfWork, campaign: Campaign, text: str) -> Lookup:
    """The building typed: the exact key in the district, or the nearest spellings."""
    from bot.services.addresses import split_address

    address = split_address(text)
    if address is not None:
        found = await uow.addresses.by_key(campaign.election_id, address.key)
        if found is not None and found.district_id == campaign.district_id:
            return Lookup(address, found, [])
    buildings = await district_buildings(uow, campaign)
    if address is None:
        return Lookup(None, None, suggestions(buildings, text, None, None, limit=8))
    options = suggestions(buildings, address.street, address.house, address.block)
    return Lookup(address, None, options)


async def add_review_building(uow: UnitOfWork, campaign: Campaign, address: Address) -> Building:
    """An address the list lacks, added while canvassing: kept, flagged for review."""
    key = address_key(address.street, address.house, address.block)
    existing = await uow.addresses.by_key(campaign.election_id, key)
    if existing is not None:
        if existing.district_id != campaign.district_id:
            raise InputError("canvass-not-in-district")
        return existing
    district = await uow.geography.district(campaign.district_id)
    building = Building(
        election_id=campaign.election_id,
        formation_id=district.formation_id if district else None,
        district_id=campaign.district_id,
        street=address.street[:200],
        house=address.house[:20],
        block=address.block,
        address_key=key,
        needs_review=True,
        note="added while canvassing",
    )
    uow.addresses.add(building)
    await uow.session.flush()
    return building


async def building_by_location(
    uow: UnitOfWork, campaign: Campaign, latitude: float, longitude: float
) -> tuple[Building, int] | None:
    found = nearest(await district_buildings(uow, campaign), latitude, longitude)
    if found is None:
        return None
    return found[0], round(found[1])


def check_apartment(building: Building, raw: str) -> str:
    text = raw.strip().lower().removeprefix("кв").strip(" .")
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits or len(text) > 6 or not text[: len(digits)].isdigit():
        raise InputError("canvass-apartment-invalid")
    number = int(digits)
    if number < 1 or number > MAX_APARTMENT:
        raise InputError("canvass-apartment-invalid")
    if building.apartments is not None and number > building.apartments:
        raise InputError(
            "canvass-apartment-too-big",
            address=label(building),
            number=number,
            apartments=building.apartments,
        )
    return text


# --- notes -------------------------------------------------------------------------------------


@dataclass
class Draft:
    """A note being put together in the form; kept in the (encrypted) dialog data."""

    building_id: int
    apartment: str | None = None
    outcome: str | None = None
    topics: list[str] = field(default_factory=list)
    follow_up: bool = False
    note: str | None = None
    voice: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None  # only ever set after the resident's consent
    distance_m: int | None = None

    def to_data(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: object) -> Draft | None:
        if not isinstance(data, dict) or not isinstance(data.get("building_id"), int):
            return None
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        draft = cls(**known)
        draft.topics = [t for t in draft.topics if t in TOPICS]
        return draft


def toggle_topic(draft: Draft, topic: str) -> None:
    if topic not in TOPICS:
        raise InputError("canvass-gone")
    if topic in draft.topics:
        draft.topics.remove(topic)
    else:
        draft.topics.append(topic)


def set_note(draft: Draft, text: str) -> None:
    text = text.strip()
    if not text:
        raise InputError("canvass-note-empty")
    if len(text) > MAX_NOTE:
        raise InputError("canvass-note-too-long", limit=MAX_NOTE, length=len(text))
    draft.note = text


def contact_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name or len(name) > 100 or not any(ch.isalpha() for ch in name):
        raise InputError("canvass-contact-name-invalid")
    return name


async def _flags(uow: UnitOfWork, campaign: Campaign, distance_m: int | None) -> list[str]:
    flags = []
    recent = await uow.canvass.recent_by_volunteer(campaign.volunteer_id, utcnow() - FAST_WINDOW)
    if recent + 1 >= FAST_COUNT:
        flags.append("fast")
    if distance_m is not None and distance_m > FAR_M:
        flags.append("far")
    return flags


async def save_note(
    uow: UnitOfWork,
    cipher: FieldCipher,
    campaign: Campaign,
    draft: Draft,
    *,
    source: str = "form",
    confirmed: bool = True,
    message_id: int | None = None,
) -> CanvassVisit:
    building = await building_in(uow, campaign, draft.building_id)
    if draft.outcome not in OUTCOMES:
        raise InputError("canvass-outcome-missing")
    phone = draft.contact_phone
    flags = await _flags(uow, campaign, draft.distance_m)
    # Every read before the first write: SQLite's write lock is held only to the commit.
    volunteer = await uow.canvass.volunteer(campaign.volunteer_id)
    visit = CanvassVisit(
        candidate_id=campaign.candidate_id,
        volunteer_id=campaign.volunteer_id,
        building_id=building.id,
        apartment=draft.apartment,
        outcome=draft.outcome,
        topics=[t for t in draft.topics if t in TOPICS],
        note_enc=cipher.encrypt(draft.note) if draft.note else None,
        voice_file_enc=cipher.encrypt(draft.voice) if draft.voice else None,
        follow_up=draft.follow_up or draft.outcome == "later",
        distance_m=draft.distance_m,
        flags=flags,
        source=source,
        confirmed=confirmed,
        message_id=message_id,
        created_at=utcnow(),
    )
    if phone and confirmed:
        _set_contact(visit, cipher, draft.contact_name, phone)
    uow.canvass.add(visit)
    if volunteer is not None:
        volunteer.last_building_id = building.id
    await uow.canvass.flush()
    if phone and confirmed:
        await _hand_to_supporter_base(
            uow, cipher, campaign, visit, building, draft.contact_name, phone
        )
    return visit


def _set_contact(visit: CanvassVisit, cipher: FieldCipher, name: str | None, phone: str) -> None:
    visit.contact_name_enc = cipher.encrypt(name) if name else None
    visit.contact_phone_enc = cipher.encrypt(phone)
    visit.contact_phone_index = cipher.blind_index(phone)
    visit.contact_consent_at = utcnow()


async def line_draft(uow: UnitOfWork, campaign: Campaign, parsed: ParsedLine) -> Draft:
    """The form's draft from a parsed one-line note; the building must be the exact one in
    the district (else the caller offers the nearest spellings)."""
    building = await uow.addresses.by_key(campaign.election_id, parsed.address.key)
    if building is None or building.district_id != campaign.district_id:
        raise InputError("canvass-line-unknown-address", address=_typed(parsed.address))
    return draft_for(building, parsed)


def draft_for(building: Building, parsed: ParsedLine) -> Draft:
    apartment = check_apartment(building, parsed.apartment) if parsed.apartment else None
    return Draft(
        building_id=building.id,
        apartment=apartment,
        outcome=parsed.outcome,
        topics=list(parsed.topics),
        follow_up=parsed.follow_up,
        note=parsed.note,
    )


def _typed(address: Address) -> str:
    block = f" к{address.block}" if address.block else ""
    return f"{address.street} {address.house}{block}"


async def own_visit(uow: UnitOfWork, campaign: Campaign, visit_id: int) -> CanvassVisit:
    """A note the caller may change: their own; the candidate may change any of theirs."""
    visit = await uow.canvass.visit(visit_id)
    if (
        visit is None
        or visit.candidate_id != campaign.candidate_id
        or (not campaign.is_candidate and visit.volunteer_id != campaign.volunteer_id)
    ):
        raise InputError("canvass-gone")
    return visit


async def confirm_line(
    uow: UnitOfWork,
    cipher: FieldCipher,
    campaign: Campaign,
    visit_id: int,
    contact: tuple[str | None, str] | None,
) -> tuple[CanvassVisit, Building]:
    visit = await own_visit(uow, campaign, visit_id)
    if visit.confirmed:
        raise InputError("canvass-already-confirmed")
    # Read first, then change: the UPDATE waits for the commit, SQLite's lock is held briefly.
    building = await building_in(uow, campaign, visit.building_id)
    visit.confirmed = True
    if contact is not None:
        _set_contact(visit, cipher, contact[0], contact[1])
        await _hand_to_supporter_base(uow, cipher, campaign, visit, building, *contact)
    return visit, building


async def _hand_to_supporter_base(
    uow: UnitOfWork,
    cipher: FieldCipher,
    campaign: Campaign,
    visit: CanvassVisit,
    building: Building,
    name: str | None,
    phone: str,
) -> None:
    """A resident who supports the candidate and agreed to be contacted joins the coalition's
    supporter base (source `canvass:<visit>`), placed in the campaign's district. Without a
    name there is no one to list: the contact stays in the canvass log only."""
    if visit.outcome != "supporter" or not name:
        return
    candidate = await uow.quest.candidate(campaign.candidate_id)
    await supporters.add_supporter(
        uow,
        cipher,
        name=name,
        phone=phone,
        district_id=campaign.district_id,
        address=label(building),
        consents={"contact": True},
        source=f"{CANVASS_SOURCE}:{visit.id}",
        organisation_id=candidate.organisation_id if candidate else None,
    )


async def cancel_line(uow: UnitOfWork, campaign: Campaign, visit_id: int) -> None:
    visit = await own_visit(uow, campaign, visit_id)
    if visit.confirmed:
        raise InputError("canvass-already-confirmed")
    building_id = visit.building_id
    await uow.canvass.delete_visit(visit)
    await uow.canvass.flush()
    await uow.canvass.delete_orphan_building(building_id)


async def erase_resident(
    uow: UnitOfWork, cipher: FieldCipher, campaign: Campaign, phone: str
) -> int:
    """A resident withdrew consent: their contact leaves every note of the campaign (the
    doors' outcomes stay, anonymous). Returns how many notes held it."""
    visits = await uow.canvass.with_phone(campaign.candidate_id, cipher.blind_index(phone))
    for visit in visits:
        await uow.canvass.erase_contact(visit)
        # The consent given at the door is withdrawn in the supporter base too.
        await supporters.withdraw_source(uow, f"{CANVASS_SOURCE}:{visit.id}")
    await uow.audit.record(
        campaign.candidate_user_id,
        "canvass_contact_erased",
        "candidate",
        campaign.candidate_id,
        notes=len(visits),
    )
    return len(visits)


async def follow_up_done(uow: UnitOfWork, campaign: Campaign, visit_id: int) -> CanvassVisit:
    visit = await uow.canvass.visit(visit_id)
    if visit is None or visit.candidate_id != campaign.candidate_id:
        raise InputError("canvass-gone")
    visit.follow_up_done_at = utcnow()
    return visit


@dataclass(frozen=True)
class PastVisit:
    apartment: str | None
    outcome: str
    topics: list[str]
    note: str | None
    follow_up: bool
    at: datetime
    volunteer: str


async def history(
    uow: UnitOfWork, cipher: FieldCipher, campaign: Campaign, building_id: int
) -> list[PastVisit]:
    """Earlier notes at this building, newest first; contacts never shown here."""
    await building_in(uow, campaign, building_id)
    visits = await uow.canvass.building_visits(campaign.candidate_id, building_id, HISTORY_LIMIT)
    people = {v.id: v for v in await uow.canvass.volunteers(campaign.candidate_id)}
    return [
        PastVisit(
            apartment=v.apartment,
            outcome=v.outcome,
            topics=list(v.topics or []),
            note=cipher.decrypt(v.note_enc),
            follow_up=v.follow_up and v.follow_up_done_at is None,
            at=v.created_at,
            volunteer=display_name(cipher, people.get(v.volunteer_id or 0)),
        )
        for v in visits
    ]


def contact_phone(raw: str) -> str:
    return validation.normalise_phone(raw)
