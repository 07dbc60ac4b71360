"""What Shtab stores about a person (/privacy) and erasing it on request (/forget_me)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, delete, or_, select, update

from bot.db.models import (
    AuditEntry,
    Candidate,
    CandidateStatus,
    FaqEntry,
    Question,
    RoleName,
)
from bot.db.models.materials import MaterialResource
from bot.db.models.protection import StaffPin
from bot.db.uow import UnitOfWork
from bot.services import audit_chain, registration, supporters, teams
from bot.services.crypto import FieldCipher
from bot.services.keyring import keyring_of
from bot.services.validation import mask_email, mask_phone


@dataclass(frozen=True)
class PrivacyReport:
    stored: bool
    consent_at: str | None
    locale: str | None
    full_name: str | None
    phone_masked: str | None
    email_masked: str | None
    organisation: str | None
    district: str | None
    roles: tuple[str, ...]
    team: str | None = None  # district team (bot.services.teams.membership)
    leaflets: int = 0  # campaign materials: leaflets and print runs
    print_runs: int = 0
    # The nomination questionnaire (encrypted answers) and the generated documents' versions.
    nomination_answers: int = 0
    nomination_documents: int = 0
    # The electoral fund: (account details stored, ledger entries). Donors' data in the
    # entries is encrypted and goes with the candidate on /forget_me (ON DELETE CASCADE).
    fund: tuple[bool, int] | None = None
    canvass_teams: int = 0  # candidates' canvass teams the person volunteers in
    canvass_notes: int = 0


async def describe(
    uow: UnitOfWork, cipher: FieldCipher, user_id: int, locale: str
) -> PrivacyReport:
    user = await uow.users.get(user_id)
    if user is None:
        return PrivacyReport(False, None, None, None, None, None, None, None, ())
    await uow.audit.record(user_id, "privacy_viewed", "user", user_id)
    candidate = await uow.candidates.by_user(user_id)
    card = await registration.card(uow, cipher, user_id, locale) if candidate else None
    grants = await uow.users.grants(user_id)
    answers, documents = await uow.documents.count(candidate.id) if candidate else (0, 0)
    fund = None
    if candidate is not None:
        account = await uow.fund.account(candidate.id)
        entries = len(await uow.fund.entries(candidate.id))
        fund = (account is not None, entries) if account is not None or entries else None
    district = None
    if card and card.formation:
        district = f"{card.formation}, №{card.district_number}"
    return PrivacyReport(
        stored=True,
        consent_at=user.consent_at.strftime("%d.%m.%Y"),
        locale=user.locale,
        full_name=card.full_name if card else None,
        phone_masked=mask_phone(card.phone) if card and card.phone else None,
        email_masked=mask_email(card.email) if card and card.email else None,
        organisation=card.organisation if card else None,
        district=district,
        team=await teams.membership(uow, candidate),
        leaflets=await uow.materials.count_leaflets(candidate.id) if candidate else 0,
        print_runs=len(await uow.materials.runs(candidate.id)) if candidate else 0,
        nomination_answers=answers,
        nomination_documents=documents,
        fund=fund,
        roles=tuple(
            sorted(
                {grant.role.value for grant in grants}
                | _own_roles(candidate)
                | ({RoleName.SUPPORTER.value} if await uow.supporters.by_user(user_id) else set())
            )
        ),
        canvass_teams=len(volunteering := await uow.canvass.memberships_of(user_id)),
        canvass_notes=await uow.canvass.notes_by(volunteering),
    )


def _own_roles(candidate: Candidate | None) -> set[str]:
    registered = candidate is not None and candidate.status is CandidateStatus.REGISTERED
    return {RoleName.CANDIDATE.value} if registered else set()


async def forget(uow: UnitOfWork, cipher: FieldCipher, user_id: int) -> None:
    """Erase the person (their district-team consent goes with the candidate row, by
    cascade). The audit trail keeps that things happened, not to whom: the subject
    id is replaced by a keyed hash and the details are dropped."""
    keyring = keyring_of(cipher)
    if keyring is not None:
        # Crypto-shredding: the key goes first, so any copy of their rows is unreadable.
        await keyring.destroy_person(uow, user_id)
    await uow.reminders.erase_user(user_id)
    candidate = await uow.candidates.by_user(user_id)
    if candidate is not None:
        await uow.documents.erase(candidate.id)  # questionnaire answers and stored PDFs
    await supporters.forget(uow, user_id)  # their supporter record and every merged source
    await uow.session.execute(delete(StaffPin).where(StaffPin.user_id == user_id))
    await uow.users.erase(user_id)
    uow.candidates.forget(user_id)
    uow.dialogs.clear()  # the erased dialog rows must not be written back
    pseudonym = cipher.blind_index(f"user:{user_id}")[:32]
    # The chain keeps covering these entries; their seals say the change was an erasure.
    touched = await uow.session.scalars(
        select(AuditEntry.id).where(
            or_(
                and_(AuditEntry.subject_type == "user", AuditEntry.subject_id == str(user_id)),
                AuditEntry.actor_id == user_id,
            )
        )
    )
    await audit_chain.mark_erased(uow, list(touched))
    await uow.session.execute(
        update(AuditEntry)
        .where(AuditEntry.subject_type == "user", AuditEntry.subject_id == str(user_id))
        .values(subject_id=pseudonym, details={})
    )
    await uow.session.execute(
        update(AuditEntry).where(AuditEntry.actor_id == user_id).values(actor_id=None)
    )
    # A coordinator who leaves: the answers and FAQ entries stay, without their id.
    await uow.session.execute(
        update(Question).where(Question.answered_by == user_id).values(answered_by=None)
    )
    await uow.session.execute(
        update(FaqEntry).where(FaqEntry.created_by == user_id).values(created_by=None)
    )
    # Leaflets and print runs go with the candidate (cascade); directory entries stay.
    await uow.session.execute(
        update(MaterialResource).where(MaterialResource.added_by == user_id).values(added_by=None)
    )
    await uow.audit.record(None, "user_erased", "user", pseudonym)
