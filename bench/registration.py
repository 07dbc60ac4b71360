"""Registration throughput and latency of Shtab against a minimal aiogram+SQLite baseline.

    python bench/registration.py [--users 200] [--seconds-limit 60] [--lone-runs 5]

Both bots run as their own processes, long-polling a fake Telegram Bot API served from this
process (tests/fake_telegram) with its flood limits OFF: the bench measures the bots, not
Telegram's 30 messages/s. Virtual users drive the real registration dialog (the same steps as
tests/test_registration.py) and the baseline gets the same number of updates per user.

Latency of an update = from the moment the user's action puts the update into the fake
Telegram to the moment the bot's message the next step waits for reaches it (the fake
Telegram records it synchronously, so this process's own scheduling delay is not counted).

The last line is machine-readable, see bench/README.md. Exit status: 0 when every
registration completed, 1 when one failed or a bot crashed (the transcript is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from types import TracebackType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
# Run as a script, the repository root is not on sys.path; the fake Telegram lives in tests/.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from cryptography.fernet import Fernet  # noqa: E402

from tests.fake_telegram import BotAction, BotApiEmulator, FakeTelegramServer, VirtualUser  # noqa: E402

BOT_TOKEN = "123456:TEST_TOKEN_for_shtab_bench"
BASELINE_TOKEN = "654321:TEST_TOKEN_for_baseline_bench"
STEP_TIMEOUT = 30.0  # one reply; generous because 200 users queue behind each other
READY_TIMEOUT = 60.0  # migrations and the demo seed run before the first getUpdates
STOP_TIMEOUT = 5.0
TARGET_RATIO = 0.5
TARGET_LONE_P95_MS = 50.0
# Settings the bot would pick up from the caller's environment and that change what is measured.
FOREIGN_SETTINGS = ("REDIS_URL", "ADMIN_IDS", "WEBHOOK_URL", "WEBHOOK_SECRET", "DEFAULT_LOCALE")

_SURNAMES = ("Иванова", "Петрова", "Смирнова", "Кузнецова", "Попова", "Соколова", "Лебедева",
             "Козлова", "Новикова", "Морозова")  # fmt: skip
_NAMES = ("Мария", "Анна", "Елена", "Ольга", "Наталья", "Ирина", "Татьяна", "Светлана",
          "Юлия", "Дарья")  # fmt: skip
_PATRONYMICS = ("Сергеевна", "Андреевна", "Петровна", "Игоревна", "Олеговна", "Ивановна",
                "Павловна", "Юрьевна", "Викторовна", "Алексеевна")  # fmt: skip


def full_name(user_id: int) -> str:
    """A valid, mostly distinct Russian name: the bot accepts letters only, no digits."""
    return " ".join(
        (_SURNAMES[user_id % 10], _NAMES[user_id // 10 % 10], _PATRONYMICS[user_id // 100 % 10])
    )


# --------------------------------------------------------------------------- virtual users


class TimedUser(VirtualUser):
    """A VirtualUser that notes when each bot action reached the fake Telegram.

    VirtualUser hands messages over through a queue; timing at `expect()` return would add
    this process's scheduling delay under load, so the stamp is taken in the subscriber.
    """

    def __init__(self, emulator: BotApiEmulator, user_id: int, **kwargs: Any) -> None:
        # Set before super().__init__, which subscribes _on_action.
        self._stamps: dict[int, tuple[dict[str, Any], float]] = {}
        self._first_action: float | None = None
        super().__init__(emulator, user_id, **kwargs)

    def _on_action(self, action: BotAction) -> None:
        if action.chat_id == self.user_id and action.kind != "chat_action":
            now = perf_counter()
            if self._first_action is None:
                self._first_action = now
            if action.message is not None:
                # The message object itself is kept, so its id() cannot be reused meanwhile.
                self._stamps[id(action.message)] = (action.message, now)
        super()._on_action(action)

    def start_step(self) -> float:
        self._first_action = None
        self._stamps.clear()
        return perf_counter()

    def stamp_of(self, message: dict[str, Any]) -> float:
        entry = self._stamps.get(id(message))
        return entry[1] if entry and entry[0] is message else perf_counter()

    @property
    def first_action(self) -> float | None:
        return self._first_action


@dataclass(frozen=True)
class Step:
    label: str
    act: Callable[[TimedUser], Awaitable[object]]
    expect: str  # the text of the bot message the next step waits for


REGISTRATION: tuple[Step, ...] = (
    Step("/start", lambda u: u.send("/start"), "Согласие на обработку"),
    Step("consent", lambda u: u.press("Согласен"), "Шаг 1 из 5"),
    Step("name", lambda u: u.send(full_name(u.user_id)), "Шаг 2 из 5"),
    Step("contact", lambda u: u.press_reply("Поделиться контактом"), "Шаг 3 из 5"),
    Step("e-mail", lambda u: u.send(f"user{u.user_id}@example.ru"), "Шаг 4 из 5"),
    Step("organisation", lambda u: u.press("Союз соседей"), "Шаг 5 из 5"),
    Step("formation search", lambda u: u.send("гаван"), "Нашлось 1 муниципальное образование"),
    Step("formation", lambda u: u.press("Гавань"), "Выберите ваш"),
    Step("district", lambda u: u.press("Округ №2"), "Карточка кандидата"),
    Step("confirm", lambda u: u.press("подтвердить"), "Вы зарегистрированы"),
)
DONE_TEXT = REGISTRATION[-1].expect


def _baseline_step(index: int) -> Step:
    return Step(f"text {index}", lambda u: u.send(f"сообщение {index}"), "принято")


# Same number of updates per user as one registration, so updates/s compare like with like.
BASELINE_DIALOG: tuple[Step, ...] = tuple(_baseline_step(i) for i in range(len(REGISTRATION)))


@dataclass
class UserRun:
    user_id: int
    updates: int = 0
    latencies: list[float] = field(default_factory=list)  # to the awaited message, seconds
    first: list[float] = field(default_factory=list)  # to the bot's first reaction, seconds
    per_step: dict[str, float] = field(default_factory=dict)
    completed: bool = False
    error: str | None = None


async def drive(user: TimedUser, steps: Sequence[Step], deadline: float) -> UserRun:
    run = UserRun(user.user_id)
    for step in steps:
        remaining = deadline - perf_counter()
        if remaining <= 0:
            run.error = f"seconds limit reached before step {step.label!r}"
            run.error += "\n" + user.format_transcript()
            return run
        started = user.start_step()
        try:
            await step.act(user)
            run.updates += 1
            message = await user.expect(step.expect, timeout=min(STEP_TIMEOUT, remaining))
        except Exception as error:  # reported below with the transcript, never raised
            run.error = f"step {step.label!r}: {error}"
            return run
        latency = user.stamp_of(message) - started
        run.latencies.append(latency)
        run.per_step[step.label] = latency
        first = user.first_action
        run.first.append((first if first is not None else perf_counter()) - started)
    run.completed = True
    return run


# --------------------------------------------------------------------------- bot processes


class BotCrashedError(RuntimeError):
    pass


def _cpu_seconds(pid: int) -> float | None:
    """User+system CPU of a process from /proc (Linux); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Target:
    """One bot process polling its own fake Telegram; `async with` starts and always stops it."""

    def __init__(
        self, name: str, token: str, argv: list[str], env: dict[str, str], workdir: Path
    ) -> None:
        self.name = name
        self.server = FakeTelegramServer(BotApiEmulator(token=token, rate_limits=False))
        self.argv = argv
        self.env = env
        self.workdir = workdir
        self.process: asyncio.subprocess.Process | None = None
        self.log_path = workdir / f"{name}.log"
        self._log: Any = None

    @property
    def emulator(self) -> BotApiEmulator:
        return self.server.emulator

    async def __aenter__(self) -> Target:
        try:
            base_url = await self.server.start()
            self._log = self.log_path.open("wb")
            env = {**self.env, "BOT_API_URL": base_url}
            self.process = await asyncio.create_subprocess_exec(
                *self.argv, cwd=REPO_ROOT, env=env, stdout=self._log, stderr=self._log
            )
            await self._wait_ready()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _wait_ready(self) -> None:
        deadline = perf_counter() + READY_TIMEOUT
        while perf_counter() < deadline:
            self.check_alive()
            with contextlib.suppress(TimeoutError):
                await self.emulator.wait_for_poller(timeout=0.2)
                return
        raise BotCrashedError(f"{self.name} did not start polling in {READY_TIMEOUT:.0f} s")

    def check_alive(self) -> None:
        assert self.process is not None
        if self.process.returncode is not None:
            raise BotCrashedError(
                f"{self.name} exited with status {self.process.returncode}\n{self.log_tail()}"
            )

    def calls(self) -> Counter[str]:
        counted: Counter[str] = Counter()
        for (method, _kind), n in self.server.requests.items():
            counted[method] += n
        return counted

    def cpu_seconds(self) -> float | None:
        return _cpu_seconds(self.process.pid) if self.process else None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return f"--- last lines of {self.log_path} ---\n" + "\n".join(text[-lines:])

    async def run(self, work: Awaitable[list[UserRun]]) -> list[UserRun]:
        """Run the users, but stop waiting at once if the bot process dies under them."""
        assert self.process is not None
        users = asyncio.ensure_future(work)
        exited = asyncio.ensure_future(self.process.wait())
        try:
            await asyncio.wait({users, exited}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            exited.cancel()
        if not users.done():
            users.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await users
            self.check_alive()
        return users.result()

    async def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.returncode is None:
            # SIGTERM lets aiogram stop polling and close the database (and flush a profile).
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                process.kill()
                await process.wait()
        await self.server.stop()
        if self._log is not None:
            self._log.close()
            self._log = None


# --------------------------------------------------------------------------- phases and stats


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), q in 0..100."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class PhaseResult:
    name: str
    users: int
    wall: float
    runs: list[UserRun]
    bot_cpu: float | None = None
    # Bot API calls the bot made during the phase, by method (counted by the fake Telegram).
    calls: Counter[str] = field(default_factory=Counter)

    def calls_per_update(self, polls: bool) -> float | None:
        count = sum(n for method, n in self.calls.items() if (method == "getUpdates") == polls)
        return count / self.updates if self.updates else None

    @property
    def completed(self) -> int:
        return sum(run.completed for run in self.runs)

    @property
    def updates(self) -> int:
        return sum(run.updates for run in self.runs)

    @property
    def latencies_ms(self) -> list[float]:
        return [value * 1000 for run in self.runs for value in run.latencies]

    @property
    def first_ms(self) -> list[float]:
        return [value * 1000 for run in self.runs for value in run.first]

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    @property
    def updates_per_s(self) -> float:
        return self.updates / self.wall if self.wall else 0.0

    @property
    def completed_per_s(self) -> float:
        return self.completed / self.wall if self.wall else 0.0

    @property
    def failures(self) -> list[UserRun]:
        return [run for run in self.runs if not run.completed]


async def run_phase(
    target: Target,
    name: str,
    steps: Sequence[Step],
    user_ids: Sequence[int],
    seconds_limit: float,
) -> PhaseResult:
    users = [TimedUser(target.emulator, uid, first_name=f"Бенч{uid}") for uid in user_ids]
    calls_before = target.calls()
    cpu_before = target.cpu_seconds()
    started = perf_counter()
    deadline = started + seconds_limit
    try:
        runs = await target.run(asyncio.gather(*(drive(u, steps, deadline) for u in users)))
    finally:
        for user in users:
            user.close()
    wall = perf_counter() - started
    cpu_after = target.cpu_seconds()
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    return PhaseResult(name, len(users), wall, runs, cpu, target.calls() - calls_before)


async def run_lone(
    target: Target, name: str, steps: Sequence[Step], first_id: int, runs: int, limit: float
) -> tuple[PhaseResult, PhaseResult]:
    """A cold registration (SQL not compiled yet, caches empty), then `runs` warm ones,
    each user alone with the bot."""
    cold = await run_phase(target, f"{name} cold", steps, [first_id], limit)
    warm = PhaseResult(f"{name} warm x{runs}", 1, 0.0, [], 0.0)
    for index in range(runs):
        result = await run_phase(target, name, steps, [first_id + 1 + index], limit)
        warm.runs.extend(result.runs)
        warm.wall += result.wall
        warm.calls.update(result.calls)
        if warm.bot_cpu is not None and result.bot_cpu is not None:
            warm.bot_cpu += result.bot_cpu
        else:
            warm.bot_cpu = None
    return cold, warm


def registered_in_db(db_path: Path) -> int | None:
    """Candidates the bot itself stored as registered: the users' screens are not the only
    evidence."""
    try:
        with contextlib.closing(sqlite3.connect(db_path)) as connection:
            row = connection.execute(
                "SELECT count(*) FROM candidates WHERE registered_at IS NOT NULL"
            ).fetchone()
    except sqlite3.Error:
        return None
    return int(row[0])


# --------------------------------------------------------------------------- report


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None or value != value else f"{value:.{digits}f}"


def print_table(phases: Sequence[PhaseResult]) -> None:
    header = (
        f"{'phase':<24}{'users':>6}{'done':>6}{'wall s':>8}{'upd':>7}{'upd/s':>8}{'reg/s':>7}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}{'1st p95':>8}{'cpu ms/upd':>11}"
        f"{'calls/upd':>10}{'polls/upd':>10}"
    )
    print(header)
    print("-" * len(header))
    for phase in phases:
        cpu = phase.bot_cpu * 1000 / phase.updates if phase.bot_cpu and phase.updates else None
        print(
            f"{phase.name:<24}{phase.users:>6}{phase.completed:>6}{phase.wall:>8.2f}"
            f"{phase.updates:>7}{phase.updates_per_s:>8.1f}{phase.completed_per_s:>7.2f}"
            f"{_fmt(phase.p(50)):>8}{_fmt(phase.p(95)):>8}{_fmt(phase.p(99)):>8}"
            f"{_fmt(phase.p(100)):>8}{_fmt(percentile(phase.first_ms, 95)):>8}{_fmt(cpu):>11}"
            f"{_fmt(phase.calls_per_update(polls=False), 2):>10}"
            f"{_fmt(phase.calls_per_update(polls=True), 2):>10}"
        )


def print_steps(phase: PhaseResult) -> None:
    """Per-step latency: shows which dialog step is slow, not just that something is."""
    print(f"\nper-step latency, {phase.name} (ms):")
    labels = [label for run in phase.runs for label in run.per_step]
    for label in dict.fromkeys(labels):
        values = [run.per_step[label] * 1000 for run in phase.runs if label in run.per_step]
        print(
            f"  {label:<18} p50 {_fmt(percentile(values, 50)):>7}"
            f"  p95 {_fmt(percentile(values, 95)):>7}  max {_fmt(max(values)):>7}"
        )


# --------------------------------------------------------------------------- main


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key.upper() not in FOREIGN_SETTINGS}
    env.update(extra)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _bot_argv(profile: Path | None) -> list[str]:
    if profile is None:
        return [sys.executable, "-m", "bot", "run"]
    return [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "bot", "run"]


async def bench(args: argparse.Namespace, workdir: Path) -> int:
    users = args.users
    limit = args.seconds_limit
    print(
        f"Shtab registration bench: {users} concurrent users, {len(REGISTRATION)} updates each; "
        f"fake Telegram rate limits OFF (the bots are measured, not Telegram's flood limits); "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; "
        f"baseline SQLite connections: {args.baseline_pool}"
        + ("; baseline with Shtab's process settings" if args.baseline_tuned else "")
    )
    bot_env = _env(
        {
            "BOT_TOKEN": BOT_TOKEN,
            "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'shtab.db'}",
            "DATA_KEY": Fernet.generate_key().decode(),
            "DATA_DIR": str(workdir),
            "LOG_LEVEL": "WARNING",
        }
    )
    phases: list[PhaseResult] = []
    base: Target | None = None
    failed: PhaseResult | None = None
    started = time.monotonic()

    bot = Target("shtab", BOT_TOKEN, _bot_argv(args.profile), bot_env, workdir)
    async with bot:
        print(f"shtab polling after {time.monotonic() - started:.1f} s (migrations + seed)")
        cold, lone = await run_lone(bot, "shtab lone", REGISTRATION, 1_000, args.lone_runs, limit)
        phases += [cold, lone]
        if not cold.failures and not lone.failures:
            ids = range(100_000, 100_000 + users)
            concurrent = await run_phase(bot, "shtab concurrent", REGISTRATION, ids, limit)
            phases.append(concurrent)
    stored = registered_in_db(workdir / "shtab.db")

    baseline_argv = [sys.executable, str(REPO_ROOT / "bench" / "baseline_bot.py")]
    baseline_env = _env(
        {
            "BOT_TOKEN": BASELINE_TOKEN,
            "BASELINE_DB": str(workdir / "baseline.db"),
            "BASELINE_POOL": args.baseline_pool,
            "BASELINE_TUNED": "1" if args.baseline_tuned else "",
        }
    )
    if not any(phase.failures for phase in phases):
        base = Target("baseline", BASELINE_TOKEN, baseline_argv, baseline_env, workdir)
        async with base:
            _, base_lone = await run_lone(
                base, "baseline lone", BASELINE_DIALOG, 1_000, args.lone_runs, limit
            )
            ids = range(100_000, 100_000 + users)
            base_conc = await run_phase(base, "baseline concurrent", BASELINE_DIALOG, ids, limit)
        phases += [base_lone, base_conc]

    print()
    print_table(phases)
    for phase in phases:
        if phase.failures:
            failed = failed or phase
    if failed is not None:
        run = failed.failures[0]
        print(
            f"\nFAILED: {len(failed.failures)} of {failed.users} users in {failed.name!r} did "
            f"not register; the first, user {run.user_id}:\n{run.error}"
        )
        # The bot's own log usually names the exception behind a missing reply.
        target = bot if failed.name.startswith("shtab") or base is None else base
        print(target.log_tail())
        return 1

    concurrent = next(p for p in phases if p.name == "shtab concurrent")
    print_steps(lone)
    print_steps(concurrent)
    expected = lone.completed + cold.completed + concurrent.completed
    print(f"\nregistrations stored by the bot: {stored} (expected {expected})")
    if stored is not None and stored != expected:
        print("FAILED: the users saw the confirmation but the database disagrees")
        return 1

    ratio = concurrent.updates_per_s / base_conc.updates_per_s
    lone_p95 = lone.p(95)
    print(
        f"targets: ratio {ratio:.2f} {'>=' if ratio >= TARGET_RATIO else '<'} {TARGET_RATIO} "
        f"{'MET' if ratio >= TARGET_RATIO else 'NOT MET'}; lone p95 {lone_p95:.1f} ms "
        f"{'<' if lone_p95 < TARGET_LONE_P95_MS else '>='} {TARGET_LONE_P95_MS:.0f} ms "
        f"{'MET' if lone_p95 < TARGET_LONE_P95_MS else 'NOT MET'}"
    )
    print(f"total bench time {time.monotonic() - started:.1f} s")
    if args.profile:
        print(f"bot profile written to {args.profile} (python -m pstats {args.profile})")
    print(
        f"RESULT updates_per_s={concurrent.updates_per_s:.1f} "
        f"baseline_updates_per_s={base_conc.updates_per_s:.1f} ratio={ratio:.2f} "
        f"p95_ms={concurrent.p(95):.1f} lone_p95_ms={lone_p95:.1f} "
        f"registrations_per_s={concurrent.completed_per_s:.2f} users={users}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="concurrent users (200)")
    parser.add_argument(
        "--seconds-limit",
        type=float,
        default=60.0,
        help="give up on a phase's unfinished users after this many seconds (60)",
    )
    parser.add_argument(
        "--lone-runs", type=int, default=5, help="warm lone registrations after the cold one (5)"
    )
    parser.add_argument(
        "--baseline-pool",
        choices=("single", "pooled"),
        default="single",
        help="baseline's SQLite connections: one (stable, default) or SQLAlchemy's default "
        "pool, whose write-lock contention makes the baseline swing 3-5x between runs",
    )
    parser.add_argument(
        "--baseline-tuned",
        action="store_true",
        help="give the baseline Shtab's two process settings (start-up objects frozen for "
        "the garbage collector, at most 40 updates in flight): the ratio then compares the "
        "bots' own work only",
    )
    parser.add_argument(
        "--profile", type=Path, help="run Shtab under cProfile and write the stats to this file"
    )
    args = parser.parse_args(argv)
    if args.users < 1 or args.lone_runs < 1:
        parser.error("--users and --lone-runs must be at least 1")
    if args.profile is not None:
        args.profile = args.profile.resolve()
    with tempfile.TemporaryDirectory(prefix="shtab-bench-") as tmp:
        try:
            return asyncio.run(bench(args, Path(tmp)))
        except BotCrashedError as error:
            print(f"FAILED: {error}")
            return 1


if __name__ == "__main__":
    sys.exit(main())
