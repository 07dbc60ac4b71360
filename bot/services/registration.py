"""Candidate registration: consent first, then one answer at a time into a draft card.

Every accepted answer is saved at once, so /cancel, a crash or a restart loses nothing, and
/start resumes at the first question still open.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.db.models import Candidate, CandidateStatus, User
from bot.db.repositories.reference import DistrictRef, ReferenceSnapshot
from bot.db.uow import UnitOfWork
from bot.services import names, validation
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.errors import InputError
from bot.services.keyring import person_cipher, preload_people, read

CONSENT_VERSION = "2026-11"


class Step(enum.StrEnum):
    CONSENT = "consent"
    FULL_NAME = "full_name"
    PHONE = "phone"
    EMAIL = "email"
    ORGANISATION = "organisation"
    DISTRICT = "district"
    SUMMARY = "summary"
    DONE = "done"


def next_step(user: User | None, candidate: Candidate | None, has_name: bool) -> Step:
    if user is None:
        return Step.CONSENT
    if candidate is None or not has_name:
        return Step.FULL_NAME
    if not candidate.phone_enc:
        return Step.PHONE
    if not candidate.email_answered:
        return Step.EMAIL
    if candidate.organisation_id is None:
        return Step.ORGANISATION
    if candidate.district_id is None:
        return Step.DISTRICT
    if candidate.status is CandidateStatus.DRAFT:
        return Step.SUMMARY
    return Step.DONE


async def current_step(uow: UnitOfWork, user_id: int) -> Step:
    user = await uow.users.get(user_id)
    candidate = await uow.candidates.by_user(user_id) if user else None
    return next_step(user, candidate, await names.has_name(uow, candidate))


async def give_consent(uow: UnitOfWork, user_id: int, locale: str) -> Candidate:
    """The first moment anything about the person is stored."""
    now = utcnow()
    user = await uow.users.get(user_id)
    candidate = None
    if user is None:
        user = await uow.users.add(
            User(id=user_id, locale=locale, consent_at=now, consent_version=CONSENT_VERSION)
        )
        await uow.audit.record(user_id, "consent_given", "user", user_id, version=CONSENT_VERSION)
    else:
        candidate = await uow.candidates.by_user(user_id)  # a new person has none yet
    if candidate is None:
        # No name row yet: known, so "has a name?" needs no query (names.has_name).
        candidate = await uow.candidates.add(
            Candidate(user_id=user_id, updated_at=now, name_row=None)
        )
    return candidate


async def _draft(uow: UnitOfWork, user_id: int, *, changing: bool = True) -> Candidate:
    candidate = await uow.candidates.by_user(user_id)
    if candidate is None:
        raise InputError("error-consent-first")
    if changing:
        candidate.updated_at = utcnow()
    return candidate


async def set_full_name(uow: UnitOfWork, user_id: int, raw: str, cipher: FieldCipher) -> str:
    name = validation.normalise_full_name(raw)
    candidate = await _draft(uow, user_id, changing=False)
    await names.store(uow, cipher, candidate, name)
    # Touched after the key look-ups: an earlier change would be flushed by their query
    # as an UPDATE of its own.
    candidate.updated_at = utcnow()
    return name


async def set_phone(
    uow: UnitOfWork, cipher: FieldCipher, user_id: int, raw_phone: str, contact_user_id: int | None
) -> str:
    # Only the person's own contact: Telegram sets contact.user_id for the sender's own card.
    if contact_user_id != user_id:
        raise InputError("error-phone-not-own")
    phone = validation.normalise_phone(raw_phone)
    candidate = await _draft(uow, user_id, changing=False)
    # The person's own key (erased with them); the index under the shared index key.
    own = await person_cipher(uow, cipher, user_id)
    assert own is not None
    candidate.phone_enc = own.encrypt(phone)
    candidate.phone_index = cipher.blind_index(phone)
    candidate.updated_at = utcnow()
    return phone


async def set_email(uow: UnitOfWork, cipher: FieldCipher, user_id: int, raw: str | None) -> None:
    """None means the candidate chose to skip the optional e-mail."""
    candidate = await _draft(uow, user_id, changing=False)
    own = await person_cipher(uow, cipher, user_id)
    assert own is not None
    candidate.email_enc = own.encrypt(validation.normalise_email(raw)) if raw else None
    candidate.email_answered = True
    candidate.updated_at = utcnow()


async def set_organisation(uow: UnitOfWork, user_id: int, organisation_id: int) -> None:
    if (await uow.geography.reference()).organisation(organisation_id) is None:
        raise InputError("error-stale-choice")
    (await _draft(uow, user_id)).organisation_id = organisation_id


async def set_district(uow: UnitOfWork, user_id: int, district_id: int) -> None:
    # The snapshot holds the current election's districts only: any other is a stale button.
    if (await uow.geography.reference()).district(district_id) is None:
        raise InputError("error-stale-choice")
    (await _draft(uow, user_id)).district_id = district_id


async def confirm(uow: UnitOfWork, user_id: int) -> Candidate:
    candidate = await _draft(uow, user_id)
    user = await uow.users.get(user_id)
    if next_step(user, candidate, await names.has_name(uow, candidate)) is not Step.SUMMARY:
        raise InputError("error-registration-incomplete")
    candidate.status = CandidateStatus.REGISTERED
    candidate.registered_at = utcnow()
    await uow.audit.record(user_id, "candidate_registered", "candidate", candidate.id)
    return candidate


@dataclass(frozen=True)
class RegistrationCard:
    full_name: str | None
    phone: str | None
    email: str | None
    email_answered: bool
    organisation: str | None
    formation: str | None
    admin_district: str | None
    district_number: int | None
    seats: int | None
    registered: bool


async def card(
    uow: UnitOfWork, cipher: FieldCipher, user_id: int, locale: str
) -> RegistrationCard:
    candidate = await _draft(uow, user_id, changing=False)
    reference = await uow.geography.reference()
    organisation = reference.organisation(candidate.organisation_id or 0)
    district = await _district(uow, reference, candidate.district_id)
    await preload_people(uow, cipher, [user_id])
    return RegistrationCard(
        full_name=await names.full_name(uow, cipher, candidate),
        phone=read(cipher, candidate.phone_enc),
        email=read(cipher, candidate.email_enc),
        email_answered=candidate.email_answered,
        organisation=organisation.display_name(locale) if organisation else None,
        formation=district.formation_name if district else None,
        admin_district=district.admin_district if district else None,
        district_number=district.number if district else None,
        seats=district.seats if district else None,
        registered=candidate.status is CandidateStatus.REGISTERED,
    )


async def _district(
    uow: UnitOfWork, reference: ReferenceSnapshot, district_id: int | None
) -> DistrictRef | None:
    """The candidate's district, also when it belongs to an election that is no longer the
    current one (the snapshot has the current election's only)."""
    if district_id is None:
        return None
    found = reference.district(district_id)
    if found is not None:
        return found
    row = await uow.geography.district(district_id)
    if row is None:
        return None
    formation = row.formation
    return DistrictRef(
        row.id, row.number, row.seats, formation.id, formation.name, formation.admin_district
    )
