"""The coordinators' console on a coalition of St. Petersburg's size: how long its reads take.

    python bench/console.py [--candidates 800] [--runs 5]

A fresh SQLite file (migrated with `bot.db.migrate.upgrade`, the demo election seeded) gets N
registered candidates spread over the election's districts and six organisations, every
other one with a quest step done and a third of them stalled, N/8 open questions, N/16 tasks
waiting for a coordinator and, in one district, N/40 candidates in its team. Then, each
`--runs` times, for the whole coalition (an admin):

- stats: `collect_stats` (the funnel evaluates every candidate's quest);
- chart: `stats_png` of that report (matplotlib + Pillow; the bot runs it in a worker thread);
- digest: the daily digest's text (`bot.telegram.digest.digest_text`: the /pending registry,
  open questions, stalled candidates);
- pending: the /pending queue of every registered kind;
- team: `/team` of a member of the big team.

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
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

import bot.handlers.review  # noqa: E402, F401  (registers the quest-task kind of /pending)
from bot.config import load_settings  # noqa: E402
from bot.db.engine import create_engine, create_session_factory  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.models import (  # noqa: E402
    Candidate,
    CandidateStatus,
    Question,
    QuestionStatus,
    TaskProgress,
    TaskStatus,
    User,
)
from bot.db.models.console import TeamMember  # noqa: E402
from bot.db.models.protection import CandidateName  # noqa: E402
from bot.db.uow import UnitOfWorkFactory  # noqa: E402
from bot.documents.stats_chart import stats_png  # noqa: E402
from bot.handlers.quest import QuestHolder  # noqa: E402
from bot.handlers.stats import chart_sections  # noqa: E402
from bot.i18n import Catalog  # noqa: E402
from bot.quests.loader import load_quest  # noqa: E402
from bot.services import names, pending, teams  # noqa: E402
from bot.services.clock import FrozenClock, reset_clock, set_clock  # noqa: E402
from bot.services.crypto import FieldCipher  # noqa: E402
from bot.services.directory import Scope  # noqa: E402
from bot.services.geography import ensure_demo_data  # noqa: E402
from bot.services.pending import PendingContext  # noqa: E402
from bot.services.stats import collect_stats  # noqa: E402
from bot.telegram.digest import digest_text  # noqa: E402

FIRST_USER_ID = 30_000_000
ADMIN_ID = FIRST_USER_ID - 1
NOW = datetime(2027, 6, 1, 6, 0, tzinfo=UTC)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=800, help="registered (800)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each read (5)")
    return parser.parse_args(argv)


async def seed(factory: UnitOfWorkFactory, cipher: FieldCipher, count: int) -> int:
    """The coalition; returns the user id of a member of the big team."""
    async with factory() as uow:
        await ensure_demo_data(uow)
    async with factory() as uow:
        organisations = [o.id for o in await uow.geography.organisations()]
        election = await uow.geography.current_election()
        assert election is not None
        formations = await uow.geography.formations(election.id, with_districts=True)
        districts = [d.id for f in formations for d in f.districts]
        users = list(range(FIRST_USER_ID, FIRST_USER_ID + count))
        session = uow.session
        await session.execute(
            insert(User),
            [
                {"id": u, "locale": "ru", "consent_at": NOW, "consent_version": "b"}
                for u in [ADMIN_ID, *users]
            ],
        )
        team_size = max(2, count // 40)
        rows = []
        for n, user_id in enumerate(users):
            stalled = n % 3 == 0
            rows.append(
                {
                    "user_id": user_id,
                    "status": CandidateStatus.REGISTERED,
                    "phone_enc": cipher.encrypt(f"+7911{n:07d}"),
                    "organisation_id": organisations[n % len(organisations)],
                    # The first team_size candidates share district 0: the big team.
                    "district_id": districts[0 if n < team_size else n % len(districts)],
                    "registered_at": NOW - timedelta(days=10 if stalled else 1),
                    "quest_points": 0,
                }
            )
        await session.execute(insert(Candidate), rows)
        ids = list(await session.scalars(select(Candidate.id).order_by(Candidate.id)))
        # Names only encrypted (a plain FieldCipher is every person's cipher here).
        await session.execute(
            insert(CandidateName),
            [
                {
                    "candidate_id": cid,
                    "full_name_enc": cipher.encrypt(f"Кандидатова Анна {n}"),
                    "name_index": names.name_index(cipher, f"Кандидатова Анна {n}"),
                }
                for n, cid in enumerate(ids)
            ],
        )
        await session.execute(
            insert(TaskProgress),
            [
                {
                    "candidate_id": cid,
                    "task_id": "profile.how_it_works",
                    "status": TaskStatus.DONE,
                    "updated_at": NOW,
                }
                for cid in ids[::2]
            ]
            + [
                {
                    "candidate_id": cid,
                    "task_id": "profile.about_you",
                    "status": TaskStatus.WAITING,
                    "data_enc": cipher.encrypt('{"answers": {"motivation": "парк"}}'),
                    "updated_at": NOW,
                }
                for cid in ids[1::16]
            ],
        )
        await session.execute(
            insert(Question),
            [
                {
                    "candidate_id": cid,
                    "text_enc": cipher.encrypt("Нужна ли справка на автомобиль?"),
                    "status": QuestionStatus.OPEN,
                    "asked_at": NOW - timedelta(days=2),
                }
                for cid in ids[::8]
            ],
        )
        await session.execute(
            insert(TeamMember),
            [
                {"candidate_id": cid, "district_id": districts[0], "share_contact": n % 2 == 0}
                for n, cid in enumerate(ids[:team_size])
            ],
        )
    return users[0]


async def timed(runs: int, read: Callable[[], Awaitable[object]]) -> float:
    spent = []
    for _ in range(runs):
        started = time.perf_counter()
        await read()
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent)


async def run(args: argparse.Namespace, data_dir: Path) -> None:
    url = f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}"
    set_clock(FrozenClock(NOW))
    engine = create_engine(url)
    try:
        factory = UnitOfWorkFactory(create_session_factory(engine))
        key = Fernet.generate_key().decode()
        cipher = FieldCipher([key])
        settings = load_settings(
            data_key=key, data_dir=data_dir, database_url=url, admin_ids=str(ADMIN_ID)
        )
        catalog = Catalog()
        t = catalog.translator("ru")
        holder = QuestHolder(load_quest())
        member = await seed(factory, cipher, args.candidates)
        everyone = Scope()
        today = NOW.astimezone(settings.tz).date()

        async def stats() -> object:
            async with factory() as uow:
                return await collect_stats(uow, holder.quest, today, "ru")

        async with factory() as uow:
            report = await collect_stats(uow, holder.quest, today, "ru")

        async def chart() -> object:
            return await asyncio.to_thread(stats_png, chart_sections(t, report))

        async def digest() -> object:
            async with factory() as uow:
                return await digest_text(uow, cipher, settings, holder, t, ADMIN_ID, NOW)

        async def queue() -> object:
            async with factory() as uow:
                ctx = PendingContext(uow, cipher, settings, t, ADMIN_ID, holder)
                return await pending.waiting(ctx, everyone, 20)

        async def team() -> object:
            async with factory() as uow:
                candidate = await uow.candidates.by_user(member)
                assert candidate is not None
                return await teams.view(uow, cipher, candidate, "ru")

        results = {}
        for name, read in (
            ("stats", stats),
            ("chart", chart),
            ("digest", digest),
            ("pending", queue),
            ("team", team),
        ):
            results[name] = await timed(args.runs, read)
            print(f"{name:>8}: {results[name]:7.1f} ms (median of {args.runs})", flush=True)
        shown = await team()
        assert isinstance(shown, teams.TeamView)
        print(
            f"  the big team shows {len(shown.mates)} other members; the report: "
            f"{report.registered} registered, {report.stalled} stalled",
            flush=True,
        )
        print(
            f"RESULT candidates={args.candidates} "
            + " ".join(f"{name}_ms={value:.1f}" for name, value in results.items()),
            flush=True,
        )
    finally:
        reset_clock()
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="shtab-bench-console-") as tmp:
        data_dir = Path(tmp)
        upgrade(f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}")
        asyncio.run(run(args, data_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
