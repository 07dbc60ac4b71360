"""Least data: how long each kind of data is kept, and the purge that enforces it.

A kind is kept either for a period after the current election's day (`after_election`) or
for a period after its own timestamp (`older_than` with `column`). When due, its rows are
deleted, or only the listed personal columns are blanked (`clear`) when the row itself is
still needed (a candidate's quest progress keeps its points, not its answers).
Registering a new kind is one line, e.g. from the canvass feature:
    retention.register("canvass_notes", CanvassNote, after_election=timedelta(days=30))
The purge runs on a schedule (`purge_due`), every run recorded in the audit log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, or_, update

from bot.db.models import (
    Candidate,
    FsmRecord,
    ProcessedUpdate,
    Question,
    Reminder,
    TaskProgress,
)
from bot.db.models.protection import CandidateName, DataKey
from bot.db.uow import UnitOfWork
from bot.services.clock import utcnow

Purge = Callable[[UnitOfWork, datetime], Awaitable[int]]


@dataclass(frozen=True)
class Kind:
    name: str
    model: Any = None
    after_election: timedelta | None = None
    older_than: timedelta | None = None
    column: str | None = None
    clear: tuple[str, ...] = ()
    purge: Purge | None = None  # for what a plain delete cannot say


KINDS: dict[str, Kind] = {}


def register(
    name: str,
    model: Any = None,
    *,
    after_election: timedelta | None = None,
    older_than: timedelta | None = None,
    column: str | None = None,
    clear: tuple[str, ...] = (),
    purge: Purge | None = None,
) -> None:
    if (after_election is None) == (older_than is None):
        raise ValueError(f"{name}: give exactly one of after_election, older_than")
    if older_than is not None and column is None:
        raise ValueError(f"{name}: older_than needs the timestamp column")
    if model is None and purge is None:
        raise ValueError(f"{name}: a model or a purge function")
    KINDS[name] = Kind(name, model, after_election, older_than, column, clear, purge)


def days(n: int) -> timedelta:
    return timedelta(days=n)


async def _destroy_person_keys(uow: UnitOfWork, _cutoff: datetime) -> int:
    # Crypto-shredding for everyone at once: whatever a person's key encrypted is gone.
    result = await uow.session.execute(delete(DataKey).where(DataKey.kind == "person"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# What Shtab itself stores. The periods are the coalition's policy; change them here.
register("dialog_state", FsmRecord, older_than=days(30), column="updated_at")
register("processed_updates", ProcessedUpdate, older_than=days(2), column="at")
register("reminders", Reminder, older_than=days(90), column="created_at")
register("questions", Question, after_election=days(60))
register("quest_answers", TaskProgress, after_election=days(60), clear=("data_enc",))
register(
    "candidate_contacts",
    Candidate,
    after_election=days(180),
    clear=("phone_enc", "phone_index", "email_enc"),
)
register("candidate_names_enc", CandidateName, after_election=days(180))
register("person_keys", after_election=days(180), purge=_destroy_person_keys)


async def cutoffs(uow: UnitOfWork, now: datetime) -> dict[str, datetime]:
    """For each kind that is due now, the moment before which its data goes."""
    election = await uow.geography.current_election()
    due: dict[str, datetime] = {}
    for kind in KINDS.values():
        if kind.older_than is not None:
            due[kind.name] = now - kind.older_than
        elif election is not None and kind.after_election is not None:
            end = datetime.combine(election.election_day, time(0), UTC) + kind.after_election
            if now >= end:
                due[kind.name] = end
    return due


async def purge_due(uow: UnitOfWork) -> dict[str, int]:
    """Purge every kind that is due; returns the rows touched per kind."""
    now = utcnow()
    counts: dict[str, int] = {}
    for name, cutoff in (await cutoffs(uow, now)).items():
        kind = KINDS[name]
        if kind.purge is not None:
            counts[name] = await kind.purge(uow, cutoff)
            continue
        model = kind.model
        where = [getattr(model, kind.column) < cutoff] if kind.column else []
        if kind.clear:
            # Only rows that still hold something: a purge that is done touches nothing.
            where.append(or_(*(getattr(model, column).is_not(None) for column in kind.clear)))
            statement: Any = update(model).where(*where).values(dict.fromkeys(kind.clear))
        else:
            statement = delete(model).where(*where)
        result = await uow.session.execute(statement.execution_options(synchronize_session=False))
        counts[name] = int(result.rowcount or 0)
    touched = {name: count for name, count in counts.items() if count}
    if touched:
        await uow.audit.record(None, "retention_purge", None, None, **touched)
    return touched
