"""Candidates' names are stored only encrypted, each under its person's key: what finding a
candidate by name costs a coordinator.

    python bench/names.py [--candidates 2000] [--runs 5]

A fresh SQLite file (migrated, demo election seeded) and the real key hierarchy (`Keyring`,
one data key per person) get N registered candidates with encrypted names. Then, each
`--runs` times, for the whole coalition (an admin's scope):

- exact: `/candidate <whole name>` (`directory.find`: the blind index, then the scope);
- part_cold: `/candidate <part of a name>` in a fresh process: every person's key is unwrapped
  from the database (the master key, Fernet) before the names are decrypted in memory;
- part_warm: the same with the keys already in memory (the usual case: the keyring keeps
  20,000 unwrapped keys);
- rows: the scope's candidate list alone (`directory.rows`), what every search starts from.

Reported as the median in milliseconds, one `RESULT` line last (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from bot.db.engine import create_engine, create_session_factory  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.models import Candidate, CandidateStatus, User  # noqa: E402
from bot.db.uow import UnitOfWorkFactory  # noqa: E402
from bot.services import directory, names  # noqa: E402
from bot.services.directory import Filters, Scope  # noqa: E402
from bot.services.geography import ensure_demo_data  # noqa: E402
from bot.services.keyring import Keyring  # noqa: E402

FIRST_USER_ID = 40_000_000
NOW = datetime(2027, 6, 1, 6, 0, tzinfo=UTC)
SURNAMES = ("Иванова", "Петров", "Смирнова", "Кузнецов", "Соколова", "Попов", "Лебедева")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=2000, help="registered (2000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each search (5)")
    return parser.parse_args(argv)


def name_of(n: int) -> str:
    return f"{SURNAMES[n % len(SURNAMES)]} Анна Номер{n}"


async def seed(factory: UnitOfWorkFactory, keyring: Keyring, count: int) -> None:
    async with factory() as uow:
        await ensure_demo_data(uow)
    async with factory() as uow:
        organisation = (await uow.geography.organisations())[0].id
        users = list(range(FIRST_USER_ID, FIRST_USER_ID + count))
        await uow.session.execute(
            insert(User),
            [{"id": u, "locale": "ru", "consent_at": NOW, "consent_version": "b"} for u in users],
        )
        await uow.session.execute(
            insert(Candidate),
            [
                {
                    "user_id": u,
                    "status": CandidateStatus.REGISTERED,
                    "organisation_id": organisation,
                    "registered_at": NOW,
                }
                for u in users
            ],
        )
        for n, candidate in enumerate(
            await uow.session.scalars(select(Candidate).order_by(Candidate.id))
        ):
            await names.store(uow, keyring.cipher, candidate, name_of(n))


async def timed(runs: int, read: Callable[[], Awaitable[object]]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await read()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def run(args: argparse.Namespace, data_dir: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}")
    factory = UnitOfWorkFactory(create_session_factory(engine))
    key = Fernet.generate_key().decode()
    try:
        keyring = Keyring([key], factory)
        await keyring.load()
        started = time.perf_counter()
        await seed(factory, keyring, args.candidates)
        seeded = time.perf_counter() - started
        print(f"seeded {args.candidates} candidates in {seeded:.1f} s", flush=True)
        everyone = Scope()
        whole, part = name_of(args.candidates // 2), "номер1"
        expected_part = sum(1 for n in range(args.candidates) if "Номер1" in name_of(n))

        async def find(query: str, ring: Keyring) -> list[directory.Row]:
            async with factory() as uow:
                return await directory.find(uow, ring.cipher, everyone, query)

        async def exact() -> object:
            found = await find(whole, keyring)
            assert len(found) == 1, len(found)
            return found

        async def part_cold() -> object:
            fresh = Keyring([key], factory)  # a new process: no person key in memory yet
            await fresh.load()
            found = await find(part, fresh)
            assert len(found) == expected_part, (len(found), expected_part)
            return found

        async def part_warm() -> object:
            found = await find(part, keyring)
            assert len(found) == expected_part
            return found

        async def rows() -> object:
            async with factory() as uow:
                return await directory.rows(uow, everyone, Filters())

        results = {}
        for label, read in (
            ("exact", exact),
            ("part_cold", part_cold),
            ("part_warm", part_warm),
            ("rows", rows),
        ):
            results[label] = await timed(args.runs, read)
            print(f"{label:>10}: {results[label]:7.1f} ms (median of {args.runs})", flush=True)
        print(
            f"RESULT candidates={args.candidates} "
            + " ".join(f"{label}_ms={value:.1f}" for label, value in results.items()),
            flush=True,
        )
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="shtab-bench-names-") as tmp:
        data_dir = Path(tmp)
        upgrade(f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}")
        asyncio.run(run(args, data_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
