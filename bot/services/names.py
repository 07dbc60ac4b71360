"""Candidates' full names, encrypted. `candidates.full_name` is still plaintext because other
features read it; this keeps an encrypted copy (under the person's own key, so /forget_me
shreds it) and a blind index of the normalised name for exact look-up. Readers move to
`full_name()` / `find_exact()`; then the plaintext column is dropped (SECURITY.md, "Names").
"""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Candidate
from bot.db.models.protection import CandidateName
from bot.db.uow import UnitOfWork
from bot.services.crypto import FieldCipher
from bot.services.keyring import person_cipher, preload_people, read


def normalised(name: str) -> str:
    return " ".join(name.lower().replace("ё", "е").split())


def name_index(cipher: FieldCipher, name: str) -> str:
    return cipher.blind_index("name:" + normalised(name))


async def store(uow: UnitOfWork, cipher: FieldCipher, candidate: Candidate, name: str) -> None:
    own = await person_cipher(uow, cipher, candidate.user_id)
    assert own is not None
    encrypted = own.encrypt(name)
    assert encrypted is not None
    if candidate.id is None:
        await uow.session.flush()
    row = await uow.session.get(CandidateName, candidate.id)
    if row is None:
        uow.session.add(
            CandidateName(
                candidate_id=candidate.id,
                full_name_enc=encrypted,
                name_index=name_index(cipher, name),
            )
        )
    else:
        row.full_name_enc, row.name_index = encrypted, name_index(cipher, name)


async def full_name(uow: UnitOfWork, cipher: FieldCipher, candidate: Candidate) -> str | None:
    """From the encrypted copy; the plaintext column only for rows written before it."""
    row = await uow.session.get(CandidateName, candidate.id)
    if row is None:
        return candidate.full_name
    await preload_people(uow, cipher, [candidate.user_id])
    return read(cipher, row.full_name_enc)


async def find_exact(uow: UnitOfWork, cipher: FieldCipher, name: str) -> list[int]:
    """Candidate ids whose full name is exactly this (case and ё aside)."""
    result = await uow.session.scalars(
        select(CandidateName.candidate_id).where(
            CandidateName.name_index == name_index(cipher, name)
        )
    )
    return list(result)


async def backfill(uow: UnitOfWork, cipher: FieldCipher, batch: int = 500) -> int:
    """Encrypted copies for names written before they existed (or by code that does not pass
    a cipher yet); run at start-up, so the plaintext column can go once readers moved."""
    missing = await uow.session.scalars(
        select(Candidate)
        .outerjoin(CandidateName, CandidateName.candidate_id == Candidate.id)
        .where(CandidateName.candidate_id.is_(None), Candidate.full_name.is_not(None))
        .limit(batch)
    )
    count = 0
    for candidate in list(missing):
        assert candidate.full_name is not None
        await store(uow, cipher, candidate, candidate.full_name)
        count += 1
    return count
