"""The emergency wipe: when a seizure is coming, two different admins, each with their PIN,
destroy the key material, so that every copy of the data — the live database and every
backup — becomes unreadable at once.

What is destroyed: every wrapped data key in the database, the generated key file
(`data/data.key`, overwritten, then removed) and the keys in this process's memory. A DATA_KEY
given in the environment cannot be reached from here: the admins are told to delete it from
the secret store, and Shtab refuses to start again with a master key that was wiped.
Plaintext names (see SECURITY.md) are blanked in the live database too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, select

from bot.db.models.protection import DataKey, WipeRequest
from bot.db.uow import UnitOfWork
from bot.services.clock import utcnow
from bot.services.errors import InputError
from bot.services.keyring import Keyring

CONFIRM_WITHIN = timedelta(minutes=30)


@dataclass(frozen=True)
class WipeResult:
    keys_destroyed: int
    key_file_destroyed: bool


async def pending(uow: UnitOfWork) -> WipeRequest | None:
    return await uow.session.scalar(
        select(WipeRequest)
        .where(
            WipeRequest.executed_at.is_(None),
            WipeRequest.requested_at >= utcnow() - CONFIRM_WITHIN,
        )
        .order_by(WipeRequest.id.desc())
    )


async def request(uow: UnitOfWork, admin_id: int) -> WipeRequest:
    found = await pending(uow)
    if found is not None:
        if found.requested_by == admin_id:
            raise InputError("wipe-already-requested")
        raise InputError("wipe-confirm-instead")
    row = WipeRequest(requested_by=admin_id)
    uow.session.add(row)
    await uow.session.flush()
    await uow.audit.record(admin_id, "wipe_requested", "wipe", row.id)
    return row


async def cancel(uow: UnitOfWork, admin_id: int) -> bool:
    found = await pending(uow)
    if found is None:
        return False
    await uow.session.delete(found)
    await uow.audit.record(admin_id, "wipe_cancelled", "wipe", found.id)
    return True


def _shred(path: Path) -> bool:
    """Overwrite the key file, then remove it. (On SSDs and copy-on-write file systems the
    old blocks may survive: SECURITY.md says so; disk encryption covers that.)"""
    if not path.exists():
        return False
    size = max(path.stat().st_size, 64)
    with open(path, "r+b") as handle:
        handle.write(os.urandom(size))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
    return True


async def confirm(
    uow: UnitOfWork, keyring: Keyring, admin_id: int, key_file: Path | None
) -> WipeResult:
    """The second admin confirms: the keys are destroyed now. Commits by itself, so the
    wrapped keys are gone from the database before the key file and memory are."""
    found = await pending(uow)
    if found is None:
        raise InputError("wipe-nothing-pending")
    if found.requested_by == admin_id:
        raise InputError("wipe-needs-second-admin")
    assert keyring.master is not None
    found.confirmed_by = admin_id
    found.executed_at = utcnow()
    found.master_fp = keyring.master.fingerprint
    result = await uow.session.execute(delete(DataKey))
    await uow.audit.record(admin_id, "wipe_executed", "wipe", found.id, by=found.requested_by)
    await uow.commit()
    shredded = _shred(key_file) if key_file is not None else False
    keyring.forget_all()
    return WipeResult(int(result.rowcount or 0), shredded)  # type: ignore[attr-defined]
