"""Protection of people at risk: the key hierarchy, staff PINs, the wipe, the audit chain.

Wrapped keys live here; the master key that unwraps them never does (it is DATA_KEY, kept out
of the database and its backups).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models import AuditEntry, Base, UtcDateTime, _now


class DataKey(Base):
    """A data key (AES-256-GCM) wrapped by the master key. `kind` is system, index, org or
    person; `owner` the organisation or user id. `ref` names the key inside every ciphertext
    it made, so a token finds its key. Deleting the row destroys the key (crypto-shredding)."""

    __tablename__ = "data_keys"
    __table_args__ = (UniqueConstraint("kind", "owner", name="kind_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(64))
    ref: Mapped[str] = mapped_column(String(24), unique=True)
    wrapped: Mapped[str] = mapped_column(Text)
    # Which master key wrapped it (a fingerprint, not the key): rotation progress is visible.
    master_fp: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class StaffPin(Base):
    """A staff member's PIN (argon2id hash), the second factor for dangerous actions."""

    __tablename__ = "staff_pins"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    pin_hash: Mapped[str] = mapped_column(Text)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    set_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class WipeRequest(Base):
    """The emergency wipe: one admin asks, a different admin confirms, both with their PIN.
    `master_fp` remembers which master key was destroyed, so it is never used again."""

    __tablename__ = "wipe_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by: Mapped[int] = mapped_column(BigInteger)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    confirmed_by: Mapped[int | None] = mapped_column(BigInteger)
    executed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    master_fp: Mapped[str | None] = mapped_column(String(16))


class AuditSeal(Base):
    """The hash chain over the audit log, one seal per entry, in `seq` order. No foreign
    key on purpose: a deleted entry leaves its seal behind, and the verifier sees the gap.
    The chain covers a digest of the personal parts (actor, subject, details), so /forget_me
    can pseudonymise an entry (`erased`) without breaking the chain."""

    __tablename__ = "audit_seals"

    audit_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    # "<actor digest>:<subject and details digest>", so an erasure is checked part by part.
    content_digest: Mapped[str] = mapped_column(String(129))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    erased: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditHead(Base):
    """The chain's last link (one row): cutting entries off the end changes it."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    entry_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class CandidateName(Base):
    """A candidate's full name, the only copy: encrypted under the person's own key (so
    /forget_me shreds it), with a blind index of the normalised name for exact look-up.
    Read it through `bot.services.names` (SECURITY.md, "Names")."""

    __tablename__ = "candidate_names"

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    full_name_enc: Mapped[str] = mapped_column(Text)
    name_index: Mapped[str] = mapped_column(String(64), index=True)


# Anomaly checks count one actor's recent reads on every staff update.
Index("ix_audit_log_actor_at", AuditEntry.actor_id, AuditEntry.at)
