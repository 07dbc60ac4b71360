"""The tamper-evident audit log: every entry is sealed into a chain of keyed hashes.

Entries are written as before (`uow.audit.record`, no lock on the hot path). A sealer gives
the unsealed ones, in id order, a sequence number and a link:
    link = HMAC(audit key, previous link + seq, id, time, action, subject type, digest)
where digest = SHA-256 of the personal parts (actor, subject id, details). The chain covers
the digest, not the personal parts themselves, so /forget_me can pseudonymise an entry
(marked `erased`) without breaking it. The verifier walks the chain and reports:
- an entry whose content or link no longer matches (edited),
- a sealed entry that is gone, or a seal that is gone (deleted),
- a chain shorter than its head (cut off at the end).
The links are keyed with a data key the master key wraps: someone who can write the
database but does not hold DATA_KEY cannot recompute the chain after an edit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC

from sqlalchemy import select

from bot.db.models import AuditEntry
from bot.db.models.protection import AuditHead, AuditSeal
from bot.db.uow import UnitOfWork
from bot.services.clock import utcnow

GENESIS = "0" * 64
SEAL_BATCH = 5000


def _canon(value: object) -> bytes:
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def _actor_digest(entry: AuditEntry) -> str:
    return hashlib.sha256(_canon({"actor": entry.actor_id})).hexdigest()


def _subject_digest(entry: AuditEntry) -> str:
    # Through JSON once, so a dict fresh from Python and one read back digest the same.
    details = json.loads(_canon(entry.details or {}))
    return hashlib.sha256(_canon({"subject": entry.subject_id, "details": details})).hexdigest()


def content_digest(entry: AuditEntry) -> str:
    return f"{_actor_digest(entry)}:{_subject_digest(entry)}"


def link(key: bytes, prev: str, seq: int, entry: AuditEntry, digest: str) -> str:
    at = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    core = {
        "seq": seq,
        "id": entry.id,
        "at": at,
        "action": entry.action,
        "type": entry.subject_type,
        "digest": digest,
    }
    return hmac.new(key, prev.encode() + _canon(core), hashlib.sha256).hexdigest()


async def seal(uow: UnitOfWork, key: bytes) -> int:
    """Seal the entries written since the last run; returns how many. The head row is
    locked (FOR UPDATE on PostgreSQL) so two instances never fork the chain."""
    session = uow.session
    await session.flush()
    head = await session.get(AuditHead, 1, with_for_update=True)
    if head is None:
        head = AuditHead(id=1, seq=0, entry_hash=GENESIS)
        session.add(head)
    entries = await session.scalars(
        select(AuditEntry)
        .outerjoin(AuditSeal, AuditSeal.audit_id == AuditEntry.id)
        .where(AuditSeal.audit_id.is_(None))
        .order_by(AuditEntry.id)
        .limit(SEAL_BATCH)
    )
    count = 0
    for entry in entries:
        digest = content_digest(entry)
        seq = head.seq + 1
        entry_hash = link(key, head.entry_hash, seq, entry, digest)
        session.add(
            AuditSeal(
                audit_id=entry.id,
                seq=seq,
                content_digest=digest,
                prev_hash=head.entry_hash,
                entry_hash=entry_hash,
                erased=False,
            )
        )
        head.seq, head.entry_hash, head.updated_at = seq, entry_hash, utcnow()
        count += 1
    await session.flush()
    return count


async def mark_erased(uow: UnitOfWork, audit_ids: list[int]) -> None:
    """Called by /forget_me for the entries it pseudonymises."""
    if not audit_ids:
        return
    for row in await uow.session.scalars(
        select(AuditSeal).where(AuditSeal.audit_id.in_(audit_ids))
    ):
        row.erased = True


@dataclass
class ChainReport:
    sealed: int = 0
    pending: int = 0
    erased: int = 0
    head: str = GENESIS
    # (seq, audit entry id, what is wrong)
    problems: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _erasure_ok(entry: AuditEntry, sealed_digest: str) -> bool:
    """Only what /forget_me changes may differ: the actor removed, or the subject
    pseudonymised with its details dropped. Everything else must still match."""
    actor, _, subject = sealed_digest.partition(":")
    actor_ok = _actor_digest(entry) == actor or entry.actor_id is None
    subject_ok = _subject_digest(entry) == subject or (
        entry.subject_type == "user" and not entry.details
    )
    return actor_ok and subject_ok


async def verify(uow: UnitOfWork, key: bytes) -> ChainReport:
    session = uow.session
    await session.flush()
    report = ChainReport()
    seals = list(await session.scalars(select(AuditSeal).order_by(AuditSeal.seq)))
    entries = {e.id: e for e in await session.scalars(select(AuditEntry))}
    prev, expected = GENESIS, 1
    for item in seals:
        if item.seq != expected:
            report.problems.append((expected, 0, "missing"))
        if item.prev_hash != prev:
            report.problems.append((item.seq, item.audit_id, "broken"))
        entry = entries.pop(item.audit_id, None)
        if entry is None:
            report.problems.append((item.seq, item.audit_id, "deleted"))
        elif link(key, item.prev_hash, item.seq, entry, item.content_digest) != item.entry_hash:
            report.problems.append((item.seq, item.audit_id, "edited"))
        elif content_digest(entry) != item.content_digest:
            if item.erased and _erasure_ok(entry, item.content_digest):
                report.erased += 1
            else:
                report.problems.append((item.seq, item.audit_id, "edited"))
        prev, expected = item.entry_hash, item.seq + 1
        report.sealed += 1
    head = await session.get(AuditHead, 1)
    if head is not None and (head.seq != expected - 1 or head.entry_hash != prev):
        report.problems.append((head.seq, 0, "truncated"))
    report.head = prev
    report.pending = len(entries)
    return report
