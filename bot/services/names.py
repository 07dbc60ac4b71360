"""Candidates' full names, encrypted (issue 12). The name lives only in `candidate_names`:
AES-256-GCM under the person's own key (so /forget_me shreds it) with a keyed blind index of
the normalised name for exact look-up. There is no plaintext copy anywhere.

Readers use one accessor: `await names.full_name(uow, cipher, candidate)`, or for lists
`await names.full_names(uow, cipher, candidates)` (one query, one key preload). Partial-name
search decrypts the names within the staff member's scope in memory (`matching`): a
coalition is ~800 candidates; `bench/names.py` measures 2,000.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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
    row = await _row(uow, candidate)
    if row is None:
        row = CandidateName(
            candidate_id=candidate.id,
            full_name_enc=encrypted,
            name_index=name_index(cipher, name),
        )
        uow.session.add(row)
    else:
        row.full_name_enc, row.name_index = encrypted, name_index(cipher, name)
    # Kept on the candidate (a view-only relationship, never flushed from there): the
    # session holds new rows only weakly, and the next "has a name?" would ask again.
    candidate.name_row = row


async def _row(uow: UnitOfWork, candidate: Candidate) -> CandidateName | None:
    """The name row: from the candidate when it came loaded with it, else by key."""
    if "name_row" in candidate.__dict__:
        return candidate.name_row
    return await uow.session.get(CandidateName, candidate.id)


async def has_name(uow: UnitOfWork, candidate: Candidate | None) -> bool:
    """Whether the candidate gave a name (registration's next step), without decrypting."""
    if candidate is None or candidate.id is None:
        return False
    return await _row(uow, candidate) is not None


async def full_name(uow: UnitOfWork, cipher: FieldCipher, candidate: Candidate) -> str | None:
    """The candidate's name; None when they gave none or their key is gone (erased, wiped)."""
    if candidate.id is None:
        return None
    row = await _row(uow, candidate)
    if row is None:
        return None
    await preload_people(uow, cipher, [candidate.user_id])
    return read(cipher, row.full_name_enc)


async def full_names(
    uow: UnitOfWork, cipher: FieldCipher, candidates: Iterable[Candidate]
) -> dict[int, str | None]:
    """Names of many candidates by candidate id: one query and one key preload."""
    people = {c.id: c.user_id for c in candidates if c.id is not None}
    if not people:
        return {}
    rows: dict[int, str] = {}
    ids = list(people)
    for start in range(0, len(ids), 900):  # SQLite's bound-parameter limit
        chunk = ids[start : start + 900]
        result = await uow.session.execute(
            select(CandidateName.candidate_id, CandidateName.full_name_enc).where(
                CandidateName.candidate_id.in_(chunk)
            )
        )
        rows.update({candidate_id: token for candidate_id, token in result.all()})
    await preload_people(uow, cipher, [people[c] for c in rows])
    return {c: (read(cipher, rows[c]) if c in rows else None) for c in people}


async def find_exact(uow: UnitOfWork, cipher: FieldCipher, name: str) -> list[int]:
    """Candidate ids whose full name is exactly this (case and ё aside)."""
    result = await uow.session.scalars(
        select(CandidateName.candidate_id).where(
            CandidateName.name_index == name_index(cipher, name)
        )
    )
    return list(result)


async def matching(
    uow: UnitOfWork, cipher: FieldCipher, candidates: Sequence[Candidate], query: str
) -> list[Candidate]:
    """Those of `candidates` (the staff member's scope) whose name contains the query:
    the names are decrypted in memory, never compared in the database."""
    key = normalised(query)
    if not key:
        return list(candidates)
    found = await full_names(uow, cipher, candidates)
    return [c for c in candidates if key in normalised(found.get(c.id) or "")]
