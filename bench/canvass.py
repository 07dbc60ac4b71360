"""Canvass notes under load: 50 volunteers sending one-line notes concurrently.

    python bench/canvass.py [--candidates 5] [--volunteers 10] [--notes 20] [--rate 1200]

A fresh SQLite database is migrated and seeded in this process: the demo election, one address
list of --buildings buildings per district (imported with the production CSV importer), and
--candidates registered candidates in different districts, each with --volunteers volunteers
who joined by the candidate's invite token. Then Shtab runs as its own process
(`python -m bot run`), long-polling a fake Telegram Bot API (tests/fake_telegram) served from
this process with its flood limits OFF: the bot is measured, not Telegram's 30 messages/s.

Each volunteer writes one-line notes ("Ленина 12 кв 34 против"), waits for the parse shown
back, confirms it with the button, and waits for "Записано" — two updates per note, exactly as
a person does it. Phases:

1. warm-up: one note per volunteer (SQL compiled, caches filled), not timed;
2. paced: --notes notes per volunteer at --rate notes/min in total, each volunteer on its own
   schedule (a door takes time); this is the load the target is about;
3. max: the same number of notes again, with no pause between notes (capacity).

Latency of an update = from the moment the volunteer's action puts the update into the fake
Telegram to the moment the bot's answer reaches it (stamped in the emulator's subscriber).
At the end the bot's database is asked how many confirmed notes it holds: `lost` is notes the
volunteers saw confirmed minus notes stored (never negative in a correct bot).

The last line is machine-readable:
RESULT notes_per_min=... p95_ms=... lost=... max_notes_per_min=... max_p95_ms=... volunteers=N
(notes_per_min and p95_ms from the paced phase; target >= 1000 notes/min, p95 < 100 ms.)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from cryptography.fernet import Fernet  # noqa: E402

from bench.registration import Target, TimedUser, percentile  # noqa: E402
from bot.db.engine import create_engine, create_session_factory  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.models import Candidate, CandidateStatus, User  # noqa: E402
from bot.db.uow import UnitOfWorkFactory  # noqa: E402
from bot.services import canvass, names  # noqa: E402
from bot.services.canvass_addresses import import_addresses, parse_addresses_csv  # noqa: E402
from bot.services.crypto import FieldCipher  # noqa: E402
from bot.services.geography import ensure_demo_data  # noqa: E402

BOT_TOKEN = "123456:TEST_TOKEN_for_shtab_canvass_bench"
STEP_TIMEOUT = 30.0
FIRST_USER_ID = 5_000_000
STREETS = ("Ленина", "Садовая", "Морская", "Кима", "Наличная", "Шевченко", "Одоевского")
OUTCOMES = ("сторонник", "против", "колеблется", "не открыли", "отказ", "позже")
TARGET_PER_MIN = 1000.0
TARGET_P95_MS = 100.0
FOREIGN_SETTINGS = ("REDIS_URL", "ADMIN_IDS", "WEBHOOK_URL", "WEBHOOK_SECRET", "DEFAULT_LOCALE")


@dataclass
class Volunteer:
    user_id: int
    street: str
    buildings: int


@dataclass
class Run:
    notes: int = 0
    latencies: list[float] = field(default_factory=list)
    error: str | None = None


# --------------------------------------------------------------------------- setup


async def prepare(url: str, key: str, args: argparse.Namespace) -> list[Volunteer]:
    """The election, address lists, candidates and their volunteers, straight into the DB
    with the bot's own services (the bench measures notes, not registrations)."""
    engine = create_engine(url)
    cipher = FieldCipher([key])
    volunteers: list[Volunteer] = []
    now = datetime.now(UTC)
    async with UnitOfWorkFactory(create_session_factory(engine))() as uow:
        await ensure_demo_data(uow)
        election = await uow.geography.current_election()
        assert election is not None
        formations = await uow.geography.formations(election.id, with_districts=True)
        districts = [d for f in formations for d in f.districts][: args.candidates]
        organisation = (await uow.geography.organisations())[0]
        next_id = FIRST_USER_ID
        for index, district in enumerate(districts):
            street = STREETS[index % len(STREETS)]
            lines = ["street,house,apartments,polling_station"]
            lines += [f"{street},{n},200,{1000 + n % 7}" for n in range(1, args.buildings + 1)]
            await import_addresses(uow, district, parse_addresses_csv("\n".join(lines)))
            candidate_user = next_id
            next_id += 1
            await uow.users.add(
                User(id=candidate_user, locale="ru", consent_at=now, consent_version="bench")
            )
            candidate = await uow.candidates.add(
                Candidate(
                    user_id=candidate_user,
                    status=CandidateStatus.REGISTERED,
                    organisation_id=organisation.id,
                    district_id=district.id,
                    registered_at=now,
                )
            )
            await names.store(uow, cipher, candidate, f"Кандидат {index}")
            token = await canvass.new_invite(uow, cipher, candidate.id)
            for number in range(args.volunteers):
                user_id = next_id
                next_id += 1
                await uow.users.add(
                    User(id=user_id, locale="ru", consent_at=now, consent_version="bench")
                )
                await canvass.join(uow, cipher, token, user_id, f"Волонтёр {number}")
                volunteers.append(Volunteer(user_id, street, args.buildings))
    await engine.dispose()
    return volunteers


def stored_notes(db_path: Path) -> int:
    with sqlite3.connect(db_path) as connection:
        row = connection.execute(
            "SELECT count(*) FROM canvass_visits WHERE confirmed = 1"
        ).fetchone()
    return int(row[0])


# --------------------------------------------------------------------------- driving


def _callback(message: dict[str, Any], text: str) -> str:
    for row in message.get("reply_markup", {}).get("inline_keyboard", []):
        for button in row:
            if text in button["text"]:
                return str(button["callback_data"])
    raise AssertionError(f"no button {text!r}")


async def one_note(user: TimedUser, volunteer: Volunteer, rng: random.Random, run: Run) -> None:
    house = rng.randint(1, volunteer.buildings)
    line = f"{volunteer.street} {house} кв {rng.randint(1, 200)} {rng.choice(OUTCOMES)}"
    started = user.start_step()
    await user.send(line)
    shown = await user.expect("Понял так", timeout=STEP_TIMEOUT)
    run.latencies.append(user.stamp_of(shown) - started)
    started = user.start_step()
    await user.press_data(_callback(shown, "Верно"), shown["message_id"])
    saved = await user.expect("Записано", timeout=STEP_TIMEOUT)
    run.latencies.append(user.stamp_of(saved) - started)
    run.notes += 1


async def drive(
    user: TimedUser, volunteer: Volunteer, notes: int, interval: float, seed: int
) -> Run:
    rng = random.Random(seed)
    run = Run()
    start = perf_counter() + (rng.uniform(0, interval) if interval else 0.0)
    for index in range(notes):
        if interval:
            wait = start + index * interval - perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)  # the next door
        try:
            await one_note(user, volunteer, rng, run)
        except Exception as error:  # reported with the transcript, never raised
            run.error = f"note {index + 1}: {error}"
            return run
    return run


@dataclass
class Phase:
    name: str
    wall: float
    runs: list[Run]
    bot_cpu: float | None = None

    @property
    def notes(self) -> int:
        return sum(run.notes for run in self.runs)

    @property
    def latencies_ms(self) -> list[float]:
        return [value * 1000 for run in self.runs for value in run.latencies]

    @property
    def per_min(self) -> float:
        return self.notes * 60 / self.wall if self.wall else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    @property
    def errors(self) -> list[str]:
        return [run.error for run in self.runs if run.error]


async def phase(
    target: Target,
    name: str,
    users: Sequence[tuple[TimedUser, Volunteer]],
    notes: int,
    interval: float,
) -> Phase:
    cpu_before = target.cpu_seconds()
    started = perf_counter()
    work = asyncio.gather(
        *(drive(user, vol, notes, interval, hash((name, vol.user_id))) for user, vol in users)
    )
    runs = await target.run(work)  # type: ignore[arg-type]
    wall = perf_counter() - started
    cpu_after = target.cpu_seconds()
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    return Phase(name, wall, runs, cpu)


def report(phases: Sequence[Phase]) -> None:
    header = f"{'phase':<10}{'notes':>7}{'wall s':>9}{'notes/min':>11}{'p50 ms':>9}{'p95 ms':>9}"
    header += f"{'p99 ms':>9}{'max ms':>9}{'cpu ms/upd':>11}"
    print(header)
    print("-" * len(header))
    for item in phases:
        updates = 2 * item.notes
        cpu = item.bot_cpu * 1000 / updates if item.bot_cpu and updates else float("nan")
        print(
            f"{item.name:<10}{item.notes:>7}{item.wall:>9.2f}{item.per_min:>11.0f}"
            f"{item.p(50):>9.1f}{item.p(95):>9.1f}{item.p(99):>9.1f}{item.p(100):>9.1f}"
            f"{cpu:>11.1f}"
        )


async def bench(args: argparse.Namespace, workdir: Path) -> int:
    started = time.monotonic()
    key = Fernet.generate_key().decode()
    db_path = workdir / "shtab.db"
    url = f"sqlite+aiosqlite:///{db_path}"
    await asyncio.to_thread(upgrade, url)
    volunteers = await prepare(url, key, args)
    count = len(volunteers)
    interval = 60.0 * count / args.rate if args.rate > 0 else 0.0
    print(
        f"Shtab canvass bench: {args.candidates} candidates x {args.volunteers} volunteers = "
        f"{count} volunteers, {args.notes} notes each per phase, paced at {args.rate:.0f} "
        f"notes/min (one note per volunteer every {interval:.2f} s); 2 updates per note; "
        f"fake Telegram rate limits OFF; {os.cpu_count()} CPUs"
    )
    env = {k: v for k, v in os.environ.items() if k.upper() not in FOREIGN_SETTINGS}
    env.update(
        BOT_TOKEN=BOT_TOKEN,
        DATABASE_URL=url,
        DATA_KEY=key,
        DATA_DIR=str(workdir),
        LOG_LEVEL="WARNING",
        SCHEDULER="false",
        PYTHONUNBUFFERED="1",
    )
    argv = [sys.executable, "-m", "bot", "run"]
    if args.profile is not None:
        argv = [sys.executable, "-m", "cProfile", "-o", str(args.profile), "-m", "bot", "run"]
    phases: list[Phase] = []
    failed: list[str] = []
    log_tail = ""
    try:
        async with Target("shtab", BOT_TOKEN, argv, env, workdir) as target:
            users = [
                (TimedUser(target.emulator, v.user_id, first_name=f"Вол{v.user_id}"), v)
                for v in volunteers
            ]
            phases.append(await phase(target, "warm-up", users, 1, 0.0))
            phases.append(await phase(target, "paced", users, args.notes, interval))
            if not args.no_max:
                phases.append(await phase(target, "max", users, args.notes, 0.0))
            for user, _ in users:
                user.close()
            failed = [error for item in phases for error in item.errors]
            log_tail = target.log_tail()
    except ProcessLookupError:
        # The bot exited on its own between the stop timeout and the kill: it is stopped.
        pass
    print()
    report(phases)
    seen = sum(item.notes for item in phases)
    stored = stored_notes(db_path)
    lost = max(seen - stored, 0)
    print(f"\nnotes confirmed to volunteers: {seen}; confirmed notes stored: {stored}")
    if failed:
        print(f"FAILED: {len(failed)} volunteers stopped; the first: {failed[0]}")
        print(log_tail)
    paced = phases[1]
    maximum = phases[2] if len(phases) > 2 else paced
    met = paced.per_min >= TARGET_PER_MIN and paced.p(95) < TARGET_P95_MS and lost == 0
    print(
        f"targets: >= {TARGET_PER_MIN:.0f} notes/min with p95 < {TARGET_P95_MS:.0f} ms, none "
        f"lost: {'MET' if met else 'NOT MET'}"
    )
    print(f"total bench time {time.monotonic() - started:.1f} s")
    print(
        f"RESULT notes_per_min={paced.per_min:.0f} p95_ms={paced.p(95):.1f} lost={lost} "
        f"max_notes_per_min={maximum.per_min:.0f} max_p95_ms={maximum.p(95):.1f} "
        f"volunteers={count}"
    )
    return 1 if failed or lost else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=5, help="candidates (5)")
    parser.add_argument("--volunteers", type=int, default=10, help="volunteers each (10)")
    parser.add_argument("--notes", type=int, default=20, help="notes per volunteer per phase")
    parser.add_argument("--buildings", type=int, default=100, help="buildings per district")
    parser.add_argument(
        "--rate", type=float, default=1200.0, help="paced phase, notes/min in total (1200)"
    )
    parser.add_argument("--no-max", action="store_true", help="skip the unpaced phase")
    parser.add_argument("--profile", type=Path, help="run the bot under cProfile, stats here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="shtab-canvass-bench-") as tmp:
        return asyncio.run(bench(args, Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
