"""Anomalies: someone reading personal data faster than a person reads. A candidate paging
through hundreds of supporters a minute, or a coordinator exporting again and again, is more
likely a taken-over account or an insider collecting the base than real work.

Counted from the audit log (shared by every instance). Over a rule's limit the actor is
refused further reads until the window slides on, and the admins are told once per hour.
Another feature makes its own view counted with one line: `watch("supporter_viewed")`.
"""

from __future__ import annotations

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


async def _counts(uow: UnitOfWork, actor_id: int) -> list[int]:
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
                AuditEntry.action.in_(set().union(*(rule.actions for rule in RULES))),
                AuditEntry.at >= now - max(rule.window for rule in RULES),
            )
        )
    ).one()
    return [int(count or 0) for count in row]


async def blocked(uow: UnitOfWork, actor_id: int) -> Rule | None:
    """The rule this actor is over right now, if any: their reads wait."""
    for rule, count in zip(RULES, await _counts(uow, actor_id), strict=True):
        if count >= rule.limit:
            return rule
    return None


async def check(uow: UnitOfWork, actor_id: int) -> Alert | None:
    """After an update: an alert to send to the admins, at most once per ALERT_EVERY."""
    for rule, count in zip(RULES, await _counts(uow, actor_id), strict=True):
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
