"""The reminder jobs APScheduler runs: the planner fills the outbox, the dispatcher claims due
rows atomically and sends each through the rate-limited sender.

A claimed row is sent, then marked, in two commits: if the process dies in between, the claim's
lease expires and the row is sent again — the only window where a reminder can be doubled, and
it is milliseconds wide. A row is never marked sent before it was sent, so none is lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Settings
from bot.db.models import Reminder, ReminderStatus, RoleName
from bot.db.repositories.reminders import mark
from bot.db.uow import UnitOfWork, UnitOfWorkFactory
from bot.handlers import fund_ledger, materials
from bot.handlers.quest import QuestHolder, service_for
from bot.i18n import Catalog, Translator
from bot.services import broadcast, canvass_report, names
from bot.services import fund as fund_rules
from bot.services import reminders as rules
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.election import CALENDAR_EVENTS, label_of
from bot.services.payload import int_of
from bot.telegram.broadcast_progress import ProgressBoard
from bot.telegram.callbacks import QuestCb
from bot.telegram.digest import digest_text
from bot.telegram.sender import Outcome, RateLimitedSender

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=5)


@dataclass
class DispatchStats:
    sent: int = 0
    dropped: int = 0
    rescheduled: int = 0
    failed: int = 0

    def add(self, other: DispatchStats) -> None:
        self.sent += other.sent
        self.dropped += other.dropped
        self.rescheduled += other.rescheduled
        self.failed += other.failed

    @property
    def total(self) -> int:
        return self.sent + self.dropped + self.rescheduled + self.failed


@dataclass(frozen=True)
class Rendered:
    text: str
    markup: InlineKeyboardMarkup | None = None


class ReminderDispatcher:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        sender: RateLimitedSender,
        catalog: Catalog,
        quest_holder: QuestHolder,
        settings: Settings,
        cipher: FieldCipher,
        instance: str,
        batch: int = 200,
    ) -> None:
        self._uow_factory = uow_factory
        self._sender = sender
        self._catalog = catalog
        self._quest = quest_holder
        self._settings = settings
        self._cipher = cipher
        self._instance = instance
        self._batch = batch
        # Broadcasts' live status messages (replaceable, e.g. with a test clock).
        self.progress = ProgressBoard(
            sender.bot, uow_factory=uow_factory, catalog=catalog, settings=settings
        )

    async def run_once(self) -> DispatchStats:
        now = utcnow()
        async with self._uow_factory() as uow:
            claimed = [
                (row.id, row.payload if row.kind == broadcast.KIND else None)
                for row in await uow.reminders.claim(self._instance, now, self._batch, LEASE)
            ]
        stats = DispatchStats()
        for reminder_id, broadcast_payload in claimed:
            try:
                stats.add(await self._deliver(reminder_id, now))
            except Exception:  # one broken reminder must not stop the others
                log.exception("reminder %s failed", reminder_id)
                stats.failed += 1
            if broadcast_payload is not None:
                await self.progress.touched(broadcast_payload)
        await self.progress.flush()
        return stats

    async def drain(self) -> DispatchStats:
        total = DispatchStats()
        while True:
            stats = await self.run_once()
            total.add(stats)
            if stats.total == 0:
                return total

    async def _deliver(self, reminder_id: int, now: datetime) -> DispatchStats:
        async with self._uow_factory() as uow:
            reminder = await uow.session.get(Reminder, reminder_id)
            if (
                reminder is None
                or reminder.status is not ReminderStatus.PENDING
                or reminder.claimed_by != self._instance
            ):
                return DispatchStats()
            recipient = await uow.users.get(reminder.user_id)
            if recipient is not None and recipient.blocked_at is not None:
                mark(reminder, ReminderStatus.DROPPED, now, "blocked")
                return DispatchStats(dropped=1)
            settings_row = await uow.reminders.settings(reminder.user_id)
            if reminder.kind in (settings_row.muted if settings_row else []):
                mark(reminder, ReminderStatus.DROPPED, now, "muted")
                return DispatchStats(dropped=1)
            if reminder.not_after is not None and reminder.not_after < now:
                mark(reminder, ReminderStatus.DROPPED, now, "expired")
                return DispatchStats(dropped=1)
            quiet = rules.Quiet.of(settings_row, self._settings.tz)
            morning = quiet.next_allowed(now)
            if morning is not None:
                reminder.due_at = morning  # quiet hours: the same reminder, in the morning
                await uow.reminders.release(reminder)
                return DispatchStats(rescheduled=1)
            rendered = await self._render(uow, reminder, now)
            if rendered is None:
                mark(reminder, ReminderStatus.DROPPED, now, "no longer relevant")
                return DispatchStats(dropped=1)
            result = await self._sender.send(reminder.user_id, rendered.text, rendered.markup)
            if result.outcome is Outcome.SENT:
                mark(reminder, ReminderStatus.SENT, now)
                return DispatchStats(sent=1)
            if result.outcome is Outcome.BLOCKED:
                if recipient is not None:
                    recipient.blocked_at = now  # later reminders and broadcasts skip them
                mark(reminder, ReminderStatus.DROPPED, now, result.error or "blocked")
                return DispatchStats(dropped=1)
            if reminder.attempts >= MAX_ATTEMPTS:
                mark(reminder, ReminderStatus.FAILED, now, result.error)
                return DispatchStats(failed=1)
            reminder.due_at = now + rules.retry_delay(reminder.attempts)
            reminder.last_error = result.error
            await uow.reminders.release(reminder)
            return DispatchStats(rescheduled=1)

    def _translator(self, locale: str | None) -> Translator:
        return self._catalog.translator(locale or self._settings.default_locale)

    async def _render(self, uow: UnitOfWork, reminder: Reminder, now: datetime) -> Rendered | None:
        """The message in the recipient's language, or None if it no longer makes sense."""
        user = await uow.users.get(reminder.user_id)
        t = self._translator(user.locale if user else None)
        today = now.astimezone(self._settings.tz).date()
        payload = reminder.payload or {}
        quest_button = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(
                text=t("reminder-open-quest"), callback_data=QuestCb(action="stages").pack()
            )]]
        )  # fmt: skip
        if reminder.kind == "test":
            return Rendered(str(payload.get("text", "")))
        if reminder.kind == broadcast.KIND:  # typed by a coordinator: plain text, escaped
            return Rendered(broadcast.render(t("broadcast-header"), str(payload.get("text", ""))))
        if reminder.kind == "deadline":
            candidate = await uow.candidates.by_user(reminder.user_id)
            if candidate is None:
                return None
            service = await service_for(
                uow, self._cipher, self._quest, candidate, t.locale, self._settings
            )
            view = await service.view()
            if not rules.deadline_still_relevant(payload, view, today):
                return None
            task_view = view.task(str(payload["task"]))
            assert task_view is not None and task_view.deadline is not None
            text = t(
                "reminder-deadline",
                title=task_view.item.task.title.get(t.locale),
                left=t("quest-days-left", days=(task_view.deadline - today).days),
                date=task_view.deadline.strftime("%d.%m.%Y"),
            )
            button = InlineKeyboardButton(
                text=t("reminder-open-task"),
                callback_data=QuestCb(action="task", task=task_view.full_id).pack(),
            )
            return Rendered(text, InlineKeyboardMarkup(inline_keyboard=[[button]]))
        if reminder.kind == "calendar":
            if not rules.calendar_still_relevant(payload, today):
                return None
            day = date.fromisoformat(str(payload["date"]))
            when = (
                t("reminder-today")
                if day == today
                else t("reminder-on", date=day.strftime("%d.%m.%Y"))
            )
            event = str(payload.get("event"))
            if event not in CALENDAR_EVENTS:
                return None
            text = t("reminder-calendar", event=t(label_of(event)), when=when)
            return Rendered(text, quest_button)
        if reminder.kind == "nudge":
            candidate = await uow.candidates.by_user(reminder.user_id)
            if not rules.nudge_still_relevant(payload, candidate, now):
                return None
            return Rendered(t("reminder-nudge", days=int_of(payload, "days")), quest_button)
        if reminder.kind == "stalled":
            candidate = await uow.quest.candidate(int_of(payload, "candidate"))
            if not rules.nudge_still_relevant(payload, candidate, now):
                return None
            assert candidate is not None
            return Rendered(
                t(
                    "reminder-stalled",
                    name=await names.full_name(uow, self._cipher, candidate) or candidate.id,
                    days=int_of(payload, "days"),
                )
            )
        if reminder.kind == "digest":  # bot.telegram.digest: scoped, lists who and what waits
            text = await digest_text(
                uow, self._cipher, self._settings, self._quest, t, reminder.user_id, now
            )
            return Rendered(text) if text is not None else None
        if reminder.kind == materials.REMINDER_KIND:
            found = await materials.copy_reminder(
                uow, t, reminder.user_id, payload, now, self._settings.tz
            )
            return Rendered(*found) if found else None
        if reminder.kind == fund_rules.REMINDER_KIND:
            found = await fund_ledger.render_return_reminder(uow, t, payload, today)
            return Rendered(*found) if found else None
        if reminder.kind == canvass_report.GOTV_KIND:
            return await render_gotv(uow, self._cipher, t, reminder, today)
        log.warning("reminder %s of unknown kind %r dropped", reminder.id, reminder.kind)
        return None


class ReminderPlanner:
    """Fills the outbox from the quest, the calendar and the candidates' progress."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        quest_holder: QuestHolder,
        settings: Settings,
        cipher: FieldCipher,
    ) -> None:
        self._uow_factory = uow_factory
        self._quest = quest_holder
        self._settings = settings
        self._cipher = cipher

    async def plan_all(self) -> int:
        added = 0
        tz = self._settings.tz
        async with self._uow_factory() as uow:
            if not await uow.operations.hold_exclusively("reminders.plan"):
                return 0  # another instance is planning right now; the outbox is shared
            election = await uow.geography.current_election()
            coordinators = await uow.users.users_with_role(RoleName.COORDINATOR)
            # Only staff who have talked to the bot: Telegram has no chat with the others.
            staff = [
                user_id
                for user_id in sorted(set(coordinators) | set(self._settings.admin_ids))
                if (staff_user := await uow.users.get(user_id)) is not None
                and staff_user.blocked_at is None
            ]
            today = utcnow().astimezone(tz).date()
            planned: list[rules.Planned] = [
                rules.plan_digest(user_id, today, tz) for user_id in staff
            ]
            for candidate in await uow.candidates.registered():
                user = await uow.users.get(candidate.user_id)
                if user is not None and user.blocked_at is not None:
                    continue  # nothing to plan for someone who blocked the bot
                service = await service_for(
                    uow,
                    self._cipher,
                    self._quest,
                    candidate,
                    user.locale if user else "ru",
                    self._settings,
                )
                planned += rules.plan_deadlines(candidate, await service.view(), tz)
                if election is not None:
                    planned += rules.plan_calendar(candidate.user_id, election, tz)
                    planned += canvass_report.plan_gotv(candidate, election, tz)
                covering = await _coordinators_of(uow, candidate, coordinators, staff)
                planned += rules.plan_nudges(candidate, covering, tz)
            for item in planned:
                added += await uow.reminders.plan(
                    Reminder(
                        key=item.key,
                        user_id=item.user_id,
                        kind=item.kind,
                        due_at=item.due_at,
                        not_after=item.not_after,
                        payload=item.payload,
                    )
                )
        return added


async def _coordinators_of(
    uow: UnitOfWork, candidate: object, coordinators: list[int], staff: list[int]
) -> list[int]:
    """Coordinators whose scope covers the candidate; else the staff who have a chat with
    the bot (admins included)."""
    covering = []
    district = (
        await uow.geography.district(candidate.district_id) if candidate.district_id else None
    )  # type: ignore[attr-defined]
    for user_id in coordinators:
        for grant in await uow.users.grants(user_id):
            if grant.role is not RoleName.COORDINATOR:
                continue
            whole = grant.organisation_id is None and grant.formation_id is None
            organisation = grant.organisation_id == candidate.organisation_id  # type: ignore[attr-defined]
            formation = district is not None and grant.formation_id == district.formation_id
            if whole or organisation or formation:
                covering.append(user_id)
                break
    return covering or staff


async def render_gotv(
    uow: UnitOfWork, cipher: FieldCipher, t: Translator, reminder: Reminder, today: date
) -> Rendered | None:
    """The get-out-the-vote list of the candidate's canvass, as it stands when it goes out;
    nothing when it is empty or the election moved."""
    from bot.handlers.canvass_views import gotv_text

    payload = reminder.payload or {}
    candidate = await uow.quest.candidate(int_of(payload, "candidate"))
    election = await uow.geography.current_election()
    if candidate is None or candidate.user_id != reminder.user_id:
        return None
    if not canvass_report.gotv_still_relevant(payload, election, today):
        return None
    groups = await canvass_report.gotv_list(uow, cipher, candidate.id)
    if not groups:
        return None
    await uow.audit.record(None, "canvass_gotv_pushed", "candidate", candidate.id)
    assert election is not None
    days = (election.election_day - today).days
    return Rendered(gotv_text(t, groups, days))


def start_scheduler(
    dispatcher: ReminderDispatcher, planner: ReminderPlanner, *, dispatch_seconds: int = 20
) -> AsyncIOScheduler:
    """Two jobs with fixed ids: plan every 15 minutes, dispatch every few seconds. Each runs
    one at a time (max_instances=1) and missed runs collapse into one (coalesce)."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        planner.plan_all, "interval", minutes=15, id="reminders.plan",
        next_run_time=datetime.now(UTC), max_instances=1, coalesce=True,
    )  # fmt: skip
    scheduler.add_job(
        dispatcher.run_once, "interval", seconds=dispatch_seconds, id="reminders.dispatch",
        max_instances=1, coalesce=True,
    )  # fmt: skip
    scheduler.start()
    return scheduler
