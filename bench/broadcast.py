"""A broadcast to N people at Telegram's rate: once steadily, once with faults and a restart.

    python bench/broadcast.py [--count 5000] [--per-second 28] [--sequential]

A broadcast is N outbox rows of kind "broadcast", planned by `bot.services.broadcast.enqueue`
(one row per recipient, key `broadcast:<id>:<user id>`) and sent by the reminder dispatcher
through `RateLimitedSender`. Two scenarios, each with its own SQLite file (migrated with
`bot.db.migrate.upgrade`), its own fake Telegram (tests/fake_telegram, flood limits ON: 30
messages/s per bot, 1/s per chat with a burst of 5, the real clock) and its own bot:

- steady: ONE dispatcher with `RateLimitedSender(per_second=28)` drains the broadcast, nothing
  injected. Target: at least 27 messages/s and no 429 from the fake Telegram.
- faults: the same, but the fake Telegram answers 429 (retry after 2 s) 5 times and 502 20
  times, injected at the start and after a third of the messages; after half of them the
  draining task is cancelled (the process "dies"), the clock jumps past the claim's lease and
  a fresh app, bot, sender and dispatcher (another instance name) drain the rest. Rows a
  failed send rescheduled are sent once the clock reaches their retry time. Target: none lost.

In both, the coordinator's status message is edited with the live progress while the rows go
out (`bot.telegram.broadcast_progress`: at most one edit per 3 s, and the final numbers); the
edits share Telegram's limits with the messages, and the RESULT line counts them.

Telegram's limits are per bot, so by default both scenarios run at the same time (one process,
two fake Telegrams, two bots); --sequential runs them one after the other (twice as long).

Every person has a user row, quiet hours off, and wrote /start (the chat exists). The wall
clock is real; the application's clock (`bot.services.clock`) is frozen per scenario and only
moved on purpose. One RESULT line per scenario, the faults scenario last (see bench/README.md).
Exit status 1 when a recipient got no message.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# Run as a script, the repository root is not on sys.path; the fake Telegram lives in tests/.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.reminders import insert_people  # noqa: E402
from bot.app import build_app, build_bot  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.db.engine import create_engine  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.models import Reminder, ReminderStatus  # noqa: E402
from bot.services import broadcast  # noqa: E402
from bot.services.broadcast import StatusRef  # noqa: E402
from bot.services.clock import FrozenClock, reset_clock, set_clock  # noqa: E402
from bot.telegram.emulator import BotAction  # noqa: E402
from bot.telegram.reminders import LEASE, DispatchStats  # noqa: E402
from bot.telegram.sender import RateLimitedSender  # noqa: E402
from tests.fake_telegram import BotApiEmulator, FakeTelegramServer  # noqa: E402

BOT_TOKEN = "123456:TEST_TOKEN_for_shtab_bench"
FIRST_USER_ID = 20_000_000
SENDER_ID = FIRST_USER_ID - 1  # the coordinator who sends the broadcast
BROADCAST_ID = "b0adca57"
TEXT = "Сбор волонтёров в субботу в 12:00 в штабе. Возьмите паспорт!"
TELEGRAM_RATE = 30  # messages a second per bot, Telegram's and the fake Telegram's limit
TARGET_RATE = 27.0
# Faults of the second scenario: (fraction of the messages sent when injected, method, code,
# description, retry_after, times). In all: 429 five times and 502 twenty times.
FAULTS = (
    (0.0, "sendMessage", 429, "Too Many Requests: retry after 2", 2, 2),
    (0.0, "sendMessage", 502, "Bad Gateway", None, 10),
    (1 / 3, "sendMessage", 429, "Too Many Requests: retry after 2", 2, 3),
    (1 / 3, "sendMessage", 502, "Bad Gateway", None, 10),
)
CRASH_AT = 0.5  # fraction of the messages sent when the first dispatcher "dies"
MAX_RETRY_ROUNDS = 10
SCENARIOS = {"steady": False, "faults": True}  # name: with faults; the faults one last
# Settings the bot would pick up from the caller's environment and that change what is measured.
FOREIGN_SETTINGS = ("REDIS_URL", "ADMIN_IDS", "WEBHOOK_URL", "WEBHOOK_SECRET", "TIMEZONE")

# The application's clock, per scenario: each scenario runs in its own task (its own context),
# so one scenario moving its clock past a lease does not move the other's.
_scenario_clock: ContextVar[Callable[[], datetime]] = ContextVar(
    "scenario_clock", default=lambda: datetime.now(UTC)
)


def database_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000, help="recipients (5000)")
    parser.add_argument(
        "--per-second",
        type=float,
        default=28.0,
        help="the sender's rate (28 = 93%% of Telegram's 30/s; SEND_RATE allows up to 30)",
    )
    parser.add_argument(
        "--sequential", action="store_true", help="run the scenarios one after the other"
    )
    args = parser.parse_args(argv)
    if args.count < 2:
        parser.error("--count must be at least 2")
    return args


@dataclass
class ScenarioResult:
    name: str
    count: int
    sent_rows: int = 0
    messages: int = 0
    wall: float = 0.0
    got_429: int = 0
    injected_429: int = 0
    injected_502: int = 0
    status_edits: int = 0  # edits of the sender's live status message
    status_final: str = ""
    lost: int = 0
    duplicated: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.messages / self.wall if self.wall > 0 else 0.0

    @property
    def flood_429(self) -> int:
        return self.got_429 - self.injected_429


class SentCounter:
    """Counts the bot's messages as the fake Telegram accepts them, and wakes waiters at
    given fractions of the total."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.sent = 0
        self._marks: list[tuple[int, asyncio.Event]] = []

    def __call__(self, action: BotAction) -> None:
        if action.kind != "message":
            return
        self.sent += 1
        for threshold, event in self._marks:
            if self.sent >= threshold:
                event.set()

    async def reached(self, fraction: float) -> None:
        threshold = int(self.total * fraction)
        if self.sent >= threshold:
            return
        event = asyncio.Event()
        self._marks.append((threshold, event))
        await event.wait()


async def seed(url: str, user_ids: list[int], now: datetime) -> None:
    """People and their settings, in bulk (quiet hours off); the coordinator who sends is a
    user too."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        await insert_people(connection, [SENDER_ID, *user_ids], now)
    await engine.dispose()


async def database_state(url: str) -> tuple[dict[str, int], datetime | None]:
    """Row counts by status, and when the last pending row is due (None: nothing pending)."""
    engine = create_engine(url)
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(Reminder.status, func.count()).group_by(Reminder.status)
        )
        statuses = {str(status): int(count) for status, count in rows}
        latest = await connection.scalar(
            select(func.max(Reminder.due_at)).where(Reminder.status == ReminderStatus.PENDING)
        )
    await engine.dispose()
    if latest is not None and latest.tzinfo is None:
        latest = latest.replace(tzinfo=UTC)  # SQLite gives naive datetimes back
    return statuses, latest


async def retried(url: str) -> int:
    engine = create_engine(url)
    async with engine.connect() as connection:
        result = await connection.scalar(
            select(func.count()).select_from(Reminder).where(Reminder.attempts > 1)
        )
    await engine.dispose()
    return int(result or 0)


async def claimed_unsent(url: str, instance: str) -> list[int]:
    """Recipients of rows the instance still holds a claim on, not marked sent."""
    engine = create_engine(url)
    async with engine.connect() as connection:
        rows = await connection.scalars(
            select(Reminder.user_id).where(
                Reminder.status == ReminderStatus.PENDING, Reminder.claimed_by == instance
            )
        )
        result = list(rows)
    await engine.dispose()
    return result


class Instance:
    """What one bot process owns: the app (engine, pools), the bot session, the sender and
    the dispatcher."""

    def __init__(self, settings: object, name: str, per_second: float) -> None:
        self.app = build_app(settings)  # type: ignore[arg-type]
        self.bot = build_bot(settings)  # type: ignore[arg-type]
        self.sender = RateLimitedSender(self.bot, per_second=per_second)
        self.dispatcher, _planner = self.app.reminder_jobs(
            self.bot, instance=name, sender=self.sender
        )
        self.name = name

    async def close(self) -> None:
        await self.bot.session.close()
        await self.app.close()


async def drain_until_done(
    url: str, instance: Instance, clock: FrozenClock, stats: DispatchStats, out: ScenarioResult
) -> None:
    """Drain; while rows are pending (a failed send rescheduled them), move the clock to the
    last one's retry time and drain again, as the scheduler's next runs would."""
    stats.add(await instance.dispatcher.drain())
    for _round in range(MAX_RETRY_ROUNDS):
        _statuses, latest = await database_state(url)
        if latest is None:
            return
        jump = max(latest - clock.now, timedelta(0)) + timedelta(seconds=1)
        clock.advance(seconds=jump.total_seconds())
        out.notes.append(f"clock moved {jump.total_seconds():.0f} s to the rescheduled rows")
        stats.add(await instance.dispatcher.drain())


async def scenario(
    name: str, faults: bool, args: argparse.Namespace, data_dir: Path, log: Callable[[str], None]
) -> ScenarioResult:
    clock = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    _scenario_clock.set(clock)
    out = ScenarioResult(name=name, count=args.count)
    url = database_url(data_dir)  # migrated by main(), before the event loop
    user_ids = list(range(FIRST_USER_ID, FIRST_USER_ID + args.count))
    await seed(url, user_ids, clock.now)

    emulator = BotApiEmulator(token=BOT_TOKEN, rate_limits=True, global_rate=TELEGRAM_RATE)
    for uid in user_ids:
        emulator.add_user(uid, f"Кандидат {uid}")
        emulator.user_sends_text(uid, "/start")  # the chat exists once the person wrote
    emulator.add_user(SENDER_ID, "Координатор")
    emulator.user_sends_text(SENDER_ID, "/broadcast")
    counter = SentCounter(args.count)
    emulator.subscribe(counter)

    async with FakeTelegramServer(emulator) as server:
        settings = load_settings(
            bot_token=BOT_TOKEN,
            data_key=Fernet.generate_key().decode(),
            data_dir=data_dir,
            database_url=url,
            bot_api_url=server.base_url,
            scheduler=False,
        )
        first = Instance(settings, f"{name}-a", args.per_second)
        instances = [first]
        try:
            planned = time.perf_counter()
            # The coordinator's status message, edited with the live progress as in the bot.
            status = await first.bot.send_message(SENDER_ID, f"⏳ {BROADCAST_ID}")
            async with first.app.uow_factory() as uow:
                added = await broadcast.enqueue(
                    uow,
                    BROADCAST_ID,
                    SENDER_ID,
                    TEXT,
                    user_ids,
                    clock.now,
                    StatusRef(SENDER_ID, status.message_id),
                )
            log(f"enqueued {added} broadcast rows in {time.perf_counter() - planned:.1f} s")

            progress = asyncio.create_task(report_progress(counter, log))
            injector = (
                asyncio.create_task(inject_faults(emulator, counter, log)) if faults else None
            )
            stats = DispatchStats()
            started = time.perf_counter()
            if not faults:
                await drain_until_done(url, first, clock, stats, out)
            else:
                draining = asyncio.create_task(first.dispatcher.drain())
                crash = asyncio.create_task(counter.reached(CRASH_AT))
                await asyncio.wait({draining, crash}, return_when=asyncio.FIRST_COMPLETED)
                crash.cancel()
                if draining.done():
                    stats.add(draining.result())
                    out.notes.append("the drain ended before the crash point")
                else:
                    draining.cancel()  # the process dies: whatever it was doing is cut off
                    try:
                        await draining
                    except asyncio.CancelledError:
                        pass
                    except Exception as error:  # cut off mid-commit, say: report, go on
                        out.notes.append(f"the cancelled drain raised {error!r}")
                    held = await claimed_unsent(url, first.name)
                    delivered = [uid for uid in held if emulator.bot_messages(uid)]
                    out.notes.append(
                        f"crash after {counter.sent} messages: {first.name} held claims on "
                        f"{len(held)} unsent rows, {len(delivered)} of them already delivered "
                        "(in flight: these are sent again after the lease)"
                    )
                    log(out.notes[-1])
                    await first.close()
                    instances.remove(first)
                    clock.advance(seconds=(LEASE + timedelta(seconds=1)).total_seconds())
                    second = Instance(settings, f"{name}-b", args.per_second)
                    instances.append(second)
                    log(f"restarted as {second.name}, clock moved past the {LEASE} lease")
                    await drain_until_done(url, second, clock, stats, out)
            out.wall = time.perf_counter() - started
            progress.cancel()
            if injector is not None:
                injector.cancel()
        finally:
            for instance in instances:
                await instance.close()

    per_chat = Counter({uid: len(emulator.bot_messages(uid)) for uid in user_ids})
    out.messages = sum(per_chat.values())
    out.lost = sum(1 for n in per_chat.values() if n == 0)
    out.duplicated = sum(1 for n in per_chat.values() if n > 1)
    for _method, envelope, injected in emulator.error_responses:
        code = envelope.get("error_code")
        out.got_429 += code == 429
        out.injected_429 += code == 429 and injected
        out.injected_502 += code == 502 and injected
    out.status_edits = sum(
        1 for action in emulator.actions if action.kind == "edit" and action.chat_id == SENDER_ID
    )
    out.status_final = emulator.bot_messages(SENDER_ID)[-1].get("text", "").split("\n")[0]
    out.statuses, _latest = await database_state(url)
    out.sent_rows = out.statuses.get(ReminderStatus.SENT.value, 0)
    finisher = instances[-1].name if instances else "?"
    out.notes.insert(
        0,
        f"dispatcher {finisher}: sent={stats.sent} dropped={stats.dropped} "
        f"rescheduled={stats.rescheduled} failed={stats.failed}"
        + (" (the cancelled one's counts died with it)" if faults else ""),
    )
    out.notes.append(f"rows claimed more than once (retried or re-claimed): {await retried(url)}")
    return out


async def inject_faults(
    emulator: BotApiEmulator, counter: SentCounter, log: Callable[[str], None]
) -> None:
    for at, method, code, description, retry_after, times in FAULTS:
        await counter.reached(at)
        emulator.inject_error(method, code, description, retry_after=retry_after, times=times)
        log(f"after {counter.sent} messages: {method} answers {code} the next {times} times")


async def report_progress(counter: SentCounter, log: Callable[[str], None]) -> None:
    started = time.perf_counter()
    while True:
        await asyncio.sleep(30)
        elapsed = time.perf_counter() - started
        done = counter.sent
        log(f"{elapsed:4.0f} s: {done}/{counter.total} sent ({done / elapsed:.1f}/s)")


def report(out: ScenarioResult, args: argparse.Namespace) -> None:
    print(f"--- {out.name}")
    for note in out.notes:
        print(f"  {note}")
    print(f"  database: {dict(sorted(out.statuses.items()))}")
    print(f"  live status: {out.status_edits} edits, ending with {out.status_final!r}")
    print(
        f"  fake Telegram: {out.messages} messages in {out.wall:.1f} s, answered 429 "
        f"{out.got_429} times ({out.injected_429} injected, {out.flood_429} flood control), "
        f"502 {out.injected_502} times (injected)"
    )
    if out.name == "steady":
        met = out.rate >= TARGET_RATE and out.got_429 == 0
        print(
            f"  target rate >= {TARGET_RATE:g}/s and no 429 at {args.per_second:g}/s "
            f"({args.per_second / TELEGRAM_RATE:.0%} of Telegram's {TELEGRAM_RATE}/s): "
            f"{'met' if met else 'NOT met'}"
        )
    else:
        print(
            f"  target lost=0: {'met' if out.lost == 0 else 'NOT met'}; "
            f"flood-control 429: {out.flood_429}"
        )
    print(
        f"RESULT sent={out.sent_rows} rate_per_s={out.rate:.1f} got_429={out.got_429} "
        f"lost={out.lost} duplicated={out.duplicated} scenario={out.name} "
        f"recipients={out.count} flood_429={out.flood_429} status_edits={out.status_edits}",
        flush=True,
    )


async def run(args: argparse.Namespace, root: Path) -> int:
    set_clock(lambda: _scenario_clock.get()())
    try:
        plan = tuple(SCENARIOS.items())

        def job(name: str, faults: bool) -> asyncio.Task[ScenarioResult]:
            data_dir = root / name

            def log(line: str) -> None:
                print(f"[{name}] {line}", flush=True)

            # A task of its own: the scenario's clock lives in the task's context.
            return asyncio.create_task(scenario(name, faults, args, data_dir, log))

        print(
            f"broadcast to {args.count} people, one dispatcher at {args.per_second:g}/s, "
            f"scenarios {'one after the other' if args.sequential else 'at the same time'}",
            flush=True,
        )
        if args.sequential:
            outcomes = [await job(name, faults) for name, faults in plan]
        else:
            outcomes = list(await asyncio.gather(*(job(name, faults) for name, faults in plan)))
    finally:
        reset_clock()
    for out in outcomes:
        report(out, args)
    return 1 if any(out.lost for out in outcomes) else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for name in FOREIGN_SETTINGS:
        os.environ.pop(name, None)
    # The sender and the dispatcher log every failure; the bench's own lines are the report.
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory(prefix="shtab-bench-") as tmp:
        for name in SCENARIOS:
            data_dir = Path(tmp) / name
            data_dir.mkdir()
            upgrade(database_url(data_dir))  # synchronous: before the event loop, as the bot
        return asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
