"""What to remind whom, when — and whether a reminder still makes sense when its time comes.

Planning is idempotent: every reminder has a key built from what it is about (the task and its
deadline, the event and its date, the progress it nudges about), so planning again creates
nothing new, and a moved deadline plans new reminders while the old ones turn irrelevant.
Relevance is checked again at sending: a reminder that fell due while the bot was down goes out
once when it is back if it still makes sense, and a passed deadline is never announced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db.models import Candidate, Election, NotificationSettings
from bot.services.payload import int_of
from bot.services.quest import QuestView

DEADLINE_OFFSETS = (7, 3, 1)  # days before a task's deadline
NUDGE_DAYS = (3, 7, 14)  # days without progress
ESCALATE_DAYS = 14  # from here on the coordinator hears about it too
SEND_HOUR = 10  # planned reminders go out at 10:00 local time
DIGEST_HOUR = 9
QUIET_START = 22 * 60
QUIET_END = 9 * 60
# Kinds a person can mute in /settings.
MUTABLE_KINDS = ("deadline", "calendar", "nudge", "digest", "stalled", "gotv")


@dataclass(frozen=True)
class Planned:
    key: str
    user_id: int
    kind: str
    due_at: datetime
    not_after: datetime | None = None
    payload: dict[str, object] = field(default_factory=dict)


def at_local(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def plan_deadlines(candidate: Candidate, view: QuestView, tz: ZoneInfo) -> list[Planned]:
    planned = []
    for stage in view.stages:
        for task in stage.tasks:
            if task.deadline is None or not task.actionable:
                continue
            for days in DEADLINE_OFFSETS:
                planned.append(
                    Planned(
                        key=f"deadline:{candidate.id}:{task.full_id}:{task.deadline}:{days}",
                        user_id=candidate.user_id,
                        kind="deadline",
                        due_at=at_local(task.deadline - timedelta(days=days), SEND_HOUR, tz),
                        not_after=end_of_day(task.deadline, tz),
                        payload={
                            "task": task.full_id,
                            "deadline": task.deadline.isoformat(),
                            "days": days,
                        },
                    )
                )
    return planned


def calendar_events(election: Election) -> dict[str, date]:
    events = {"election_day": election.election_day}
    for name, raw in (election.calendar or {}).items():
        events[name] = date.fromisoformat(raw)
    return events


def plan_calendar(user_id: int, election: Election, tz: ZoneInfo) -> list[Planned]:
    """A push the day before each event of the electoral calendar."""
    return [
        Planned(
            key=f"calendar:{user_id}:{election.code}:{event}:{day}",
            user_id=user_id,
            kind="calendar",
            due_at=at_local(day - timedelta(days=1), SEND_HOUR, tz),
            not_after=end_of_day(day, tz),
            payload={"event": event, "date": day.isoformat()},
        )
        for event, day in calendar_events(election).items()
    ]


def progress_since(candidate: Candidate) -> datetime | None:
    return candidate.last_progress_at or candidate.registered_at


def plan_nudges(candidate: Candidate, coordinators: list[int], tz: ZoneInfo) -> list[Planned]:
    """Nudges after 3, 7 and 14 days without progress; at 14 the coordinators hear too."""
    since = progress_since(candidate)
    if since is None:
        return []
    since_day = since.astimezone(tz).date()
    stamp = since.isoformat()
    planned = [
        Planned(
            key=f"nudge:{candidate.id}:{stamp}:{days}",
            user_id=candidate.user_id,
            kind="nudge",
            due_at=at_local(since_day + timedelta(days=days), SEND_HOUR, tz),
            payload={"candidate": candidate.id, "since": stamp, "days": days},
        )
        for days in NUDGE_DAYS
    ]
    planned += [
        Planned(
            key=f"stalled:{coordinator}:{candidate.id}:{stamp}",
            user_id=coordinator,
            kind="stalled",
            due_at=at_local(since_day + timedelta(days=ESCALATE_DAYS), SEND_HOUR, tz),
            payload={"candidate": candidate.id, "since": stamp, "days": ESCALATE_DAYS},
        )
        for coordinator in coordinators
    ]
    return planned


def plan_digest(user_id: int, day: date, tz: ZoneInfo) -> Planned:
    return Planned(
        key=f"digest:{user_id}:{day}",
        user_id=user_id,
        kind="digest",
        due_at=at_local(day, DIGEST_HOUR, tz),
        not_after=end_of_day(day, tz),
        payload={"day": day.isoformat()},
    )


# --- at sending time -------------------------------------------------------------------------


def deadline_still_relevant(payload: dict[str, object], view: QuestView, today: date) -> bool:
    """The task is still open, its deadline (unchanged) not passed, and no later reminder
    of the same task is due already: after downtime only the most urgent one goes out."""
    task = view.task(str(payload.get("task")))
    if task is None or not task.actionable or task.deadline is None:
        return False
    if task.deadline.isoformat() != payload.get("deadline"):
        return False  # the deadline moved: reminders planned for the new one take over
    days_left = (task.deadline - today).days
    days = int_of(payload, "days")
    smaller = [d for d in DEADLINE_OFFSETS if d < days]
    next_offset = max(smaller) if smaller else -1
    return next_offset < days_left <= days


def calendar_still_relevant(payload: dict[str, object], today: date) -> bool:
    day = date.fromisoformat(str(payload.get("date")))
    return day >= today


def nudge_still_relevant(
    payload: dict[str, object], candidate: Candidate | None, now: datetime
) -> bool:
    """No progress since it was planned, and no later nudge is due yet: after a long
    silence (or downtime) one nudge goes out, the most recent one, not all of them."""
    if candidate is None:
        return False
    since = progress_since(candidate)
    if since is None or since.isoformat() != payload.get("since"):
        return False
    days = int_of(payload, "days")
    later = [level for level in NUDGE_DAYS if level > days]
    silent_days = (now - since).days
    return not later or silent_days < min(later)


@dataclass(frozen=True)
class Quiet:
    tz: ZoneInfo
    start: int = QUIET_START  # minutes after local midnight
    end: int = QUIET_END

    @classmethod
    def of(cls, settings: NotificationSettings | None, default_tz: ZoneInfo) -> Quiet:
        if settings is None:
            return cls(default_tz)
        tz = ZoneInfo(settings.timezone) if settings.timezone else default_tz
        return cls(tz, settings.quiet_start, settings.quiet_end)

    def next_allowed(self, now: datetime) -> datetime | None:
        """None when `now` is outside quiet hours; else when they end (the morning)."""
        if self.start == self.end:
            return None  # no quiet hours
        local = now.astimezone(self.tz)
        minute = local.hour * 60 + local.minute
        wraps = self.start > self.end  # 22:00-09:00 spans midnight
        inside = (
            (minute >= self.start or minute < self.end)
            if wraps
            else (self.start <= minute < self.end)
        )
        if not inside:
            return None
        day = local.date() + timedelta(days=1) if wraps and minute >= self.start else local.date()
        end = datetime.combine(day, time(self.end // 60, self.end % 60), tzinfo=self.tz)
        return end.astimezone(UTC)


def retry_delay(attempts: int) -> timedelta:
    return timedelta(minutes=min(60, 2**attempts))
