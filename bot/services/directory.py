"""The coordinators' directory of candidates: who is where, how far, how recently — always
within the coordinator's scope. No aiogram here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.db.models import Candidate, CandidateStatus
from bot.db.uow import UnitOfWork
from bot.services import names, validation
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.roles import Actor

PAGE_SIZE = 10
STALLED_DAYS = 7


@dataclass(frozen=True)
class Scope:
    """None on both axes: the whole coalition (admins, coalition-wide coordinators)."""

    organisations: frozenset[int] | None = None
    formations: frozenset[int] | None = None

    @property
    def everyone(self) -> bool:
        return self.organisations is None and self.formations is None


def scope_of(actor: Actor) -> Scope:
    """What a staff member may see: admins and coalition-wide coordinators everything, other
    coordinators the organisations and formations of their grants."""
    if actor.is_admin or any(
        s.organisation_id is None and s.formation_id is None for s in actor.coordinator_scopes
    ):
        return Scope(None, None)
    return Scope(
        frozenset(s.organisation_id for s in actor.coordinator_scopes if s.organisation_id),
        frozenset(s.formation_id for s in actor.coordinator_scopes if s.formation_id),
    )


def scope_sets(actor: Actor) -> tuple[set[int] | None, set[int] | None]:
    """The same rule as sets for SQL filters: (organisations, formations); None, None is
    the whole coalition."""
    scope = scope_of(actor)
    if scope.everyone:
        return None, None
    return set(scope.organisations or ()), set(scope.formations or ())


@dataclass(frozen=True)
class Filters:
    organisation: str | None = None  # organisation code
    formation: str | None = None  # municipal formation name
    stalled: bool = False


def parse_filters(words: list[str]) -> Filters:
    """org:<code> mf:<name> stalled — anything else is an error that says what is expected."""
    organisation = formation = None
    stalled = False
    for word in words:
        if word.startswith("org:") and len(word) > 4:
            organisation = word[4:]
        elif word.startswith("mf:") and len(word) > 3:
            formation = word[3:]
        elif word in ("stalled", "застрял", "стоят"):
            stalled = True
        else:
            raise InputError("directory-filter-usage")
    return Filters(organisation, formation, stalled)


@dataclass(frozen=True)
class Row:
    candidate: Candidate
    organisation: str | None
    formation: str | None
    district_number: int | None
    idle_days: int | None


def idle_days(candidate: Candidate, now: datetime) -> int | None:
    last = candidate.last_progress_at or candidate.registered_at
    return (now - last).days if last else None


async def in_scope(uow: UnitOfWork, scope: Scope, candidate: Candidate) -> bool:
    if scope.everyone:
        return True
    if candidate.organisation_id in (scope.organisations or frozenset()):
        return True
    if candidate.district_id is None or not scope.formations:
        return False
    district = await uow.geography.district(candidate.district_id)
    return district is not None and district.formation_id in scope.formations


async def rows(uow: UnitOfWork, scope: Scope, filters: Filters) -> list[Row]:
    """Registered candidates in scope matching the filters, the least recently active first."""
    now = utcnow()
    organisations = {o.id: o for o in await uow.geography.organisations()}
    wanted_org = None
    if filters.organisation is not None:
        found = await uow.geography.organisation_by_code(filters.organisation)
        if found is None:
            raise InputError("error-grant-unknown-organisation", code=filters.organisation)
        wanted_org = found.id
    result = []
    for candidate in await uow.candidates.registered():
        if wanted_org is not None and candidate.organisation_id != wanted_org:
            continue
        if not await in_scope(uow, scope, candidate):
            continue
        district = (
            await uow.geography.district(candidate.district_id) if candidate.district_id else None
        )
        formation = district.formation.name if district else None
        if (
            filters.formation is not None
            and (formation or "").lower() != filters.formation.lower()
        ):
            continue
        idle = idle_days(candidate, now)
        if filters.stalled and (idle is None or idle < STALLED_DAYS):
            continue
        organisation = organisations.get(candidate.organisation_id or 0)
        result.append(
            Row(
                candidate,
                organisation.name if organisation else None,
                formation,
                district.number if district else None,
                idle,
            )
        )
    result.sort(key=lambda row: -(row.idle_days or 0))
    return result


def page(items: list[Row], number: int) -> tuple[list[Row], int]:
    """One page (0-based) and the number of pages."""
    pages = max(1, -(-len(items) // PAGE_SIZE))
    number = min(max(number, 0), pages - 1)
    return items[number * PAGE_SIZE : (number + 1) * PAGE_SIZE], pages


async def find(uow: UnitOfWork, cipher: FieldCipher, scope: Scope, query: str) -> list[Row]:
    """A candidate by id, phone (through its blind index) or part of the name."""
    text = query.strip()
    if not text:
        raise InputError("directory-find-usage")
    if text.startswith("@"):
        raise InputError("directory-no-usernames")
    everyone = await rows(uow, scope, Filters())
    if text.isdigit() and len(text) < 10:
        number = int(text)
        return [r for r in everyone if number in (r.candidate.id, r.candidate.user_id)]
    if re.fullmatch(r"[+\d\s()-]{10,}", text):
        try:
            phone = validation.normalise_phone(text)
        except InputError:
            return []
        index = cipher.blind_index(phone)
        return [r for r in everyone if r.candidate.phone_index == index]
    # A whole name through its blind index; otherwise part of a name, decrypted in memory
    # within the staff member's scope only.
    wanted = set(await names.find_exact(uow, cipher, text))
    if not wanted or not any(r.candidate.id in wanted for r in everyone):
        found = await names.matching(uow, cipher, [r.candidate for r in everyone], text)
        wanted = {c.id for c in found}
    return [r for r in everyone if r.candidate.id in wanted]


def is_registered(candidate: Candidate) -> bool:
    return candidate.status is CandidateStatus.REGISTERED
