"""Anomalies: someone reading personal data faster than a person reads. A candidate paging
through hundreds of supporters a minute, or a coordinator exporting again and again, is more
likely a taken-over account or an insider collecting the base than real work.

Counted from the audit log (shared by every instance). Over a rule's limit the actor is
refused further reads until the window slides on, and the admins are told once per hour.
Another feature makes its own view counted with one line: `watch("supporter_viewed")`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from bot.db.models import AuditEntry
from bot.db.uow import UnitOfWork
from bot.services.clock import utcnow

ALERT_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class Rule:
    name: str
    window: timedelta
    limit: int
    actions: set[str] = field(default_factory=set)


VIEWS = Rule(
    "views",
    timedelta(minutes=1),
    30,
    {"candidate_viewed", "task_viewed", "questions_listed", "candidate_messaged", "export"},
)
EXPORTS = Rule("exports", timedelta(hours=1), 5, {"export"})
RULES = (VIEWS, EXPORTS)


def watch(action: str, rule: Rule = VIEWS) -> None:
    """Count an audit action as a read of personal data."""
    rule.actions.add(action)


@dataclass(frozen=True)
class Alert:
    actor_id: int
    rule: str
    count: int
    window_minutes: int


def _watched() -> set[str]:
    """Every action some rule counts (features add theirs with `watch` at import)."""
    return set().union(*(rule.actions for rule in RULES))


async def counts(uow: UnitOfWork, actor_id: int) -> list[int]:
    """This actor's reads within each rule's window, in the order of RULES: one query for all
    the rules (the watch runs on every button and command of staff and candidates)."""
    now = utcnow()
    columns = [
        func.count().filter(
            AuditEntry.action.in_(rule.actions), AuditEntry.at >= now - rule.window
        )
        for rule in RULES
    ]
    row = (
        await uow.session.execute(
            select(*columns).where(
                AuditEntry.actor_id == actor_id,
                AuditEntry.action.in_(_watched()),
                AuditEntry.at >= now - max(rule.window for rule in RULES),
            )
        )
    ).one()
    return [int(count or 0) for count in row]


def over(counts: Sequence[int]) -> Rule | None:
    """The rule these counts are over, if any: the actor's reads wait."""
    for rule, count in zip(RULES, counts, strict=True):
        if count >= rule.limit:
            return rule
    return None


async def check(uow: UnitOfWork, actor_id: int, before: Sequence[int]) -> Alert | None:
    """After an update: an alert to send to the admins, at most once per ALERT_EVERY.

    `before` are the counts taken before the update; they are counted again only if the
    update recorded a watched read of this actor (otherwise nothing they count changed:
    a candidate's ordinary button costs one query, not two). Reads another update of the
    same actor records are checked by that update."""
    watched = _watched()
    read = any(actor == actor_id and action in watched for actor, action in uow.audit.recorded)
    now = await counts(uow, actor_id) if read else list(before)
    for rule, count in zip(RULES, now, strict=True):
        if count < rule.limit:
            continue
        reported = await uow.session.scalar(
            select(AuditEntry.id).where(
                AuditEntry.action == "anomaly",
                AuditEntry.subject_type == "user",
                AuditEntry.subject_id == str(actor_id),
                AuditEntry.at >= utcnow() - ALERT_EVERY,
            )
        )
        if reported is not None:
            return None
        await uow.audit.record(None, "anomaly", "user", actor_id, rule=rule.name, count=count)
        return Alert(actor_id, rule.name, count, int(rule.window.total_seconds() // 60))
    return None
