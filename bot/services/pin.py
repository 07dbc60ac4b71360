"""The staff PIN: a second factor for dangerous actions, so a stolen Telegram session alone
cannot export the base, grant roles or wipe the keys.

Stored as an argon2id hash (memory-hard: a leaked hash of a short PIN still costs an attacker
real memory per guess). Hashing is CPU work: done in a worker thread. After MAX_FAILED wrong
PINs in a row the PIN is locked for LOCK_MINUTES, then each further failure locks it again;
the lock is in the database, so every instance honours it.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.db.models.protection import StaffPin
from bot.db.uow import UnitOfWork
from bot.services.clock import utcnow
from bot.services.errors import InputError

MAX_FAILED = 5
LOCK_MINUTES = 15
_SHAPE = re.compile(r"^\d{6,12}$")
_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (64 MiB, t=3)


class PinState(enum.StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    NOT_SET = "not_set"


@dataclass(frozen=True)
class Verdict:
    state: PinState
    attempts_left: int = 0
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.state is PinState.OK


def looks_like_pin(text: str) -> bool:
    return bool(_SHAPE.match(text.strip()))


def check_new(pin: str) -> str:
    """6 to 12 digits, not one digit repeated, not a run like 123456."""
    pin = pin.strip()
    if not _SHAPE.match(pin):
        raise InputError("pin-format")
    steps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    if len(set(pin)) == 1 or steps in ({1}, {-1}):
        raise InputError("pin-too-simple")
    return pin


async def has_pin(uow: UnitOfWork, user_id: int) -> bool:
    return await uow.session.get(StaffPin, user_id) is not None


async def draft(pin: str) -> str:
    """The hash of a new PIN, held between typing it and typing it again."""
    return await asyncio.to_thread(_hasher.hash, check_new(pin))


async def matches_draft(pin_hash: str, pin: str) -> bool:
    return bool(pin_hash) and await asyncio.to_thread(_matches, pin_hash, pin.strip())


async def set_pin(uow: UnitOfWork, user_id: int, pin: str) -> None:
    await set_hash(uow, user_id, await draft(pin))


async def set_hash(uow: UnitOfWork, user_id: int, pin_hash: str) -> None:
    row = await uow.session.get(StaffPin, user_id)
    if row is None:
        uow.session.add(StaffPin(user_id=user_id, pin_hash=pin_hash, failed=0))
    else:
        row.pin_hash, row.failed, row.locked_until, row.set_at = pin_hash, 0, None, utcnow()
    await uow.audit.record(user_id, "pin_set", "user", user_id)


async def reset(uow: UnitOfWork, admin_id: int, user_id: int) -> bool:
    """An admin removes someone's PIN (forgotten): they set a new one with /pin."""
    row = await uow.session.get(StaffPin, user_id)
    if row is None:
        return False
    await uow.session.delete(row)
    await uow.audit.record(admin_id, "pin_reset", "user", user_id)
    return True


def _matches(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


async def verify(uow: UnitOfWork, user_id: int, pin: str) -> Verdict:
    row = await uow.session.get(StaffPin, user_id)
    if row is None:
        return Verdict(PinState.NOT_SET)
    now = utcnow()
    if row.locked_until is not None and row.locked_until > now:
        return Verdict(PinState.LOCKED, locked_until=row.locked_until)
    if await asyncio.to_thread(_matches, row.pin_hash, pin.strip()):
        row.failed, row.locked_until = 0, None
        return Verdict(PinState.OK)
    row.failed += 1
    if row.failed >= MAX_FAILED:
        # Still counting: after a lock runs out, one more failure locks it again.
        row.failed = MAX_FAILED - 1
        row.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        await uow.audit.record(user_id, "pin_locked", "user", user_id)
        return Verdict(PinState.LOCKED, locked_until=row.locked_until)
    await uow.audit.record(user_id, "pin_failed", "user", user_id)
    return Verdict(PinState.WRONG, attempts_left=MAX_FAILED - row.failed)
