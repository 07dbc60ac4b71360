"""The coordinators' daily digest: what waits for them in their scope this morning.

- how many items wait in /pending (every registered kind: `bot.services.pending`);
- the unanswered questions, oldest first: who asked and how long ago (not the text: the
  digest is a push, the question itself is read in /questions, where reading is audited);
- the stalled candidates (no step forward for STALLED_DAYS or more), the longest stalled
  first, with the days.

A staff member's scope is the one rule (`bot.services.directory.scope_of`) applied to their
grants; an admin (ADMIN_IDS) sees the whole coalition. Naming people in a push is showing
personal data: the caller records it in the audit trail with the ids shown. No aiogram here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db.models import Candidate, CandidateStatus, RoleName
from bot.db.repositories.questions import QuestionRepository
from bot.db.repositories.stats import StatsRepository
from bot.db.uow import UnitOfWork
from bot.services import names
from bot.services.crypto import FieldCipher
from bot.services.directory import Scope, scope_of
from bot.services.roles import Actor
from bot.services.roles import Scope as GrantScope
from bot.services.stats import is_stalled

STALLED_DAYS = 7
SHOWN = 10  # people named per list; the rest are counted
OPEN_QUESTIONS_CAP = 1000  # counting open questions stops here ("1000+" is plenty to act on)


@dataclass(frozen=True)
class OpenQuestion:
    id: int
    name: str
    days: int  # waiting for an answer since


@dataclass(frozen=True)
class Stalled:
    candidate_id: int
    name: str
    days: int  # without a step forward


@dataclass(frozen=True)
class Digest:
    waiting: int
    questions: tuple[OpenQuestion, ...]
    questions_total: int
    stalled: tuple[Stalled, ...]
    stalled_total: int

    @property
    def empty(self) -> bool:
        return not (self.waiting or self.questions_total or self.stalled_total)


async def staff_scope(uow: UnitOfWork, user_id: int, admin_ids: Iterable[int]) -> Scope | None:
    """The scope a staff member's digest covers; None for someone who is not staff (any
    more): their digest is not sent."""
    grants = [g for g in await uow.users.grants(user_id) if g.role is RoleName.COORDINATOR]
    admin = user_id in set(admin_ids)
    if not grants and not admin:
        return None
    actor = Actor(
        user_id,
        "ru",
        roles=frozenset({RoleName.ADMIN} if admin else {RoleName.COORDINATOR}),
        coordinator_scopes=tuple(GrantScope(g.organisation_id, g.formation_id) for g in grants),
    )
    return scope_of(actor)


def _sets(scope: Scope) -> tuple[set[int] | None, set[int] | None]:
    if scope.everyone:
        return None, None
    return set(scope.organisations or ()), set(scope.formations or ())


async def collect(
    uow: UnitOfWork, cipher: FieldCipher, scope: Scope, now: datetime, waiting: int
) -> Digest:
    """`waiting`: the /pending count in this scope (the caller asks the registry)."""
    organisations, formations = _sets(scope)
    open_rows = await QuestionRepository(uow.session).open_in_scope(
        organisations, formations, OPEN_QUESTIONS_CAP
    )
    asking = await names.full_names(uow, cipher, [c for _, c in open_rows[:SHOWN]])
    questions = tuple(
        OpenQuestion(q.id, asking.get(c.id) or str(c.id), (now - q.asked_at).days)
        for q, c in open_rows[:SHOWN]
    )
    cutoff = now - timedelta(days=STALLED_DAYS)
    facts = [
        f
        for f in await StatsRepository(uow.session).candidates(organisations, formations)
        if f.status is CandidateStatus.REGISTERED and is_stalled(f, cutoff)
    ]
    # The longest without a step first (a candidate with no date at all counts as longest).
    facts.sort(
        key=lambda f: (
            f.last_progress_at or f.registered_at or datetime.min.replace(tzinfo=now.tzinfo),
            f.id,
        )
    )
    stalled = []
    for f in facts[:SHOWN]:
        candidate = await uow.session.get(Candidate, f.id)
        since = f.last_progress_at or f.registered_at
        stalled.append(
            Stalled(
                f.id,
                (await names.full_name(uow, cipher, candidate) if candidate else None)
                or str(f.id),
                (now - since).days if since else 0,
            )
        )
    return Digest(waiting, questions, len(open_rows), tuple(stalled), len(facts))
