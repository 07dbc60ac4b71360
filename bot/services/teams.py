"""District teams (/team): candidates of one electoral district who agreed to see each other.

Consent both ways: joining the team is agreeing to be seen by the district's other candidates
(name and organisation), and only members see the team. The Telegram contact (a mention link
by user id: no username is stored) is shown only for members who chose to share it. Nobody
ever sees a candidate of another district: the team is read by the viewer's own district id,
taken from their candidate row, never from anything the client sends.

Joining, leaving and sharing the contact are consents and go to the audit trail; so does each
look at the team (it shows other people's names). No aiogram here.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.models import Candidate, CandidateStatus
from bot.db.models.console import TeamMember
from bot.db.uow import UnitOfWork
from bot.services import names
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError


@dataclass(frozen=True)
class Teammate:
    name: str
    organisation: str | None
    user_id: int | None  # only when they agreed to share their Telegram contact


@dataclass(frozen=True)
class TeamView:
    formation: str
    number: int
    joined: bool
    share_contact: bool
    mates: tuple[Teammate, ...]  # the other members; empty unless the viewer joined


async def _district(uow: UnitOfWork, candidate: Candidate) -> tuple[int, str, int]:
    if candidate.status is not CandidateStatus.REGISTERED or candidate.district_id is None:
        raise InputError("team-register-first")
    district = await uow.geography.district(candidate.district_id)
    if district is None:
        raise InputError("team-register-first")
    return district.id, district.formation.name, district.number


async def _membership(
    uow: UnitOfWork, candidate: Candidate, district_id: int
) -> TeamMember | None:
    """The candidate's consent, if it was given for their current district."""
    member = await uow.teams.member(candidate.id)
    return member if member is not None and member.district_id == district_id else None


async def view(
    uow: UnitOfWork, cipher: FieldCipher, candidate: Candidate, locale: str
) -> TeamView:
    district_id, formation, number = await _district(uow, candidate)
    own = await _membership(uow, candidate, district_id)
    if own is None:
        return TeamView(formation, number, False, False, ())
    organisations = {o.id: o.display_name(locale) for o in await uow.geography.organisations()}
    members = [
        (other, member)
        for other, member in await uow.teams.of_district(district_id)
        if other.id != candidate.id
    ]
    found = await names.full_names(uow, cipher, [other for other, _ in members])
    mates = tuple(
        Teammate(
            name=found.get(other.id) or "—",
            organisation=organisations.get(other.organisation_id or 0),
            user_id=other.user_id if member.share_contact else None,
        )
        for other, member in members
    )
    await uow.audit.record(
        candidate.user_id, "team_viewed", "district", district_id, members=len(mates)
    )
    return TeamView(formation, number, True, own.share_contact, mates)


async def join(uow: UnitOfWork, candidate: Candidate, share_contact: bool) -> bool:
    """Join (or change what is shared). True when the candidate was not a member of their
    current district's team before."""
    district_id, _, _ = await _district(uow, candidate)
    new = await _membership(uow, candidate, district_id) is None
    await uow.teams.join(candidate.id, district_id, share_contact)
    await uow.audit.record(
        candidate.user_id,
        "team_joined" if new else "team_contact_changed",
        "candidate",
        candidate.id,
        share_contact=share_contact,
    )
    return new


async def set_contact(uow: UnitOfWork, candidate: Candidate, share: bool) -> None:
    """Show or hide the Telegram contact; only a member can."""
    district_id, _, _ = await _district(uow, candidate)
    if await _membership(uow, candidate, district_id) is None:
        raise InputError("team-not-member")
    await join(uow, candidate, share)


async def leave(uow: UnitOfWork, candidate: Candidate) -> None:
    if await uow.teams.leave(candidate.id):
        await uow.audit.record(candidate.user_id, "team_left", "candidate", candidate.id)


async def members_to_tell(uow: UnitOfWork, candidate: Candidate) -> list[int]:
    """User ids of the other members of the candidate's district team (to tell them someone
    joined)."""
    district_id, _, _ = await _district(uow, candidate)
    return [
        other.user_id
        for other, _ in await uow.teams.of_district(district_id)
        if other.id != candidate.id
    ]


async def membership(uow: UnitOfWork, candidate: Candidate | None) -> str | None:
    """For /privacy: None (not in a team), "visible" or "contact"."""
    if candidate is None or candidate.district_id is None:
        return None
    member = await _membership(uow, candidate, candidate.district_id)
    if member is None:
        return None
    return "contact" if member.share_contact else "visible"
