"""Three Shtab instances behind one webhook URL, on PostgreSQL and Redis, with 1,000 people
registering at once.

    python bench/cluster.py [--users 1000] [--instances 3] [--kill-one]
        [--postgres postgresql+asyncpg://root@127.0.0.1:5432/bench_cluster]
        [--redis redis://127.0.0.1:6379/12]

Each instance is `python -m bot webhook` in its own process on its own port, with REDIS_URL
(dialog state, per-user locks) and the scheduler on. The fake Telegram (flood limits off) runs
in this process, and its webhook side (`tests/fake_telegram/webhook.py`) is the load balancer:
it POSTs each update to the instances in turn, up to 100 at a time, one user's updates in
order, and delivers again whatever was not answered 200 — to the next instance.

The PostgreSQL database named in --postgres is DROPPED and recreated, and the Redis database
flushed. --kill-one SIGKILLs the last instance a third of the way through and restarts it.

Counted at the end:
- lost: updates the users sent that no instance recorded as handled (`processed_updates`),
  plus steps whose reply never came;
- duplicated: replies a user got more than once for one step (an update handled twice).
The last line: RESULT updates_per_s=... p95_ms=... lost=... duplicated=...
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import sys
import tempfile
from pathlib import Path
from time import perf_counter
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import aiohttp  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import bench.registration  # noqa: E402
from bench.registration import REGISTRATION, TimedUser, UserRun, _cpu_seconds, drive, percentile  # noqa: E402
from bot.db.engine import create_engine  # noqa: E402
from tests.fake_telegram import BotApiEmulator, FakeTelegramServer  # noqa: E402
from tests.fake_telegram.webhook import WebhookPusher  # noqa: E402

TOKEN = "123456:TEST_TOKEN_for_shtab_cluster"
SECRET = "cluster_bench_secret"
READY_TIMEOUT = 90.0
STEP_TIMEOUT = 180.0  # 1,000 people queue behind each other on two cores


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Instance:
    def __init__(self, name: str, env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.port = free_port()
        self.env = {**env, "WEBHOOK_PORT": str(self.port)}
        self.log_path = logs / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None
        self.cpu = 0.0  # CPU seconds of its earlier (killed) processes

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    async def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "webhook", cwd=REPO_ROOT, env=self.env,
            stdout=log, stderr=log,
        )  # fmt: skip
        log.close()
        deadline = perf_counter() + READY_TIMEOUT
        async with aiohttp.ClientSession() as http:
            while perf_counter() < deadline:
                if self.process.returncode is not None:
                    raise RuntimeError(f"{self.name} exited:\n{self.tail()}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                        if response.status == 200:
                            return
                await asyncio.sleep(0.2)  # a process starting up: nothing to wait on but time
        raise RuntimeError(f"{self.name} not healthy in {READY_TIMEOUT:.0f} s:\n{self.tail()}")

    def cpu_seconds(self) -> float:
        current = _cpu_seconds(self.process.pid) if self.process else None
        return self.cpu + (current or 0.0)

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.cpu += _cpu_seconds(self.process.pid) or 0.0
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


async def fresh_postgres(url: str) -> None:
    """Drop and recreate the bench's database (connecting to `postgres` to do it)."""
    parsed = make_url(url)
    admin = create_engine(
        parsed.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    async with admin.connect() as connection:
        name = parsed.database
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()


async def handled_ids(url: str) -> set[int]:
    engine = create_engine(url)
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT update_id FROM processed_updates"))
        ids = {int(row[0]) for row in rows}
        registered = await connection.scalar(
            text("SELECT count(*) FROM candidates WHERE lower(status) = 'registered'")
        )
    await engine.dispose()
    handled_ids.registered = int(registered or 0)  # type: ignore[attr-defined]
    return ids


def duplicated_replies(user: TimedUser) -> int:
    extra = 0
    for step in REGISTRATION:
        seen = sum(step.expect in str(m.get("text", "")) for m in user.transcript)
        extra += max(0, seen - 1)
    return extra


async def main(args: argparse.Namespace) -> int:
    from redis.asyncio import Redis

    bench.registration.STEP_TIMEOUT = STEP_TIMEOUT  # drive() reads it per step

    await fresh_postgres(args.postgres)
    redis = Redis.from_url(args.redis)
    await redis.flushdb()
    await redis.aclose()
    workdir = Path(tempfile.mkdtemp(prefix="shtab-cluster-"))
    server = FakeTelegramServer(BotApiEmulator(token=TOKEN, rate_limits=False))
    base_url = await server.start()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": base_url,
        "DATABASE_URL": args.postgres,
        "REDIS_URL": args.redis,
        "DATA_KEY": Fernet.generate_key().decode(),
        "DATA_DIR": str(workdir),
        "WEBHOOK_URL": "https://cluster.example.org",
        "WEBHOOK_SECRET": SECRET,
        "SEND_RATE": str(round(30 / args.instances, 2)),
        "LOG_LEVEL": args.log_level,
    }
    instances = [Instance(f"instance-{n + 1}", env, workdir) for n in range(args.instances)]
    print(f"starting {args.instances} instances (logs in {workdir}) ...", flush=True)
    started = perf_counter()
    # All at once, as a deployment would: migrations and seeding take turns (advisory locks).
    await asyncio.gather(*(instance.start() for instance in instances))
    print(f"  healthy after {perf_counter() - started:.1f} s", flush=True)
    emulator = server.emulator
    pusher = WebhookPusher(emulator, [i.url for i in instances], SECRET, max_connections=100)
    await pusher.start()
    users = [TimedUser(emulator, 10_000 + n, first_name="Мария") for n in range(args.users)]
    killer: asyncio.Task[None] | None = None
    expected_updates = args.users * len(REGISTRATION)

    async def kill_one() -> None:
        victim = instances[-1]
        while len(emulator.updates_log) < expected_updates // 3:  # noqa: ASYNC110 - a counter
            await asyncio.sleep(0.05)
        await victim.kill()
        print(f"  SIGKILLed {victim.name} at {len(emulator.updates_log)} updates", flush=True)
        await victim.start()
        print(f"  {victim.name} back at {len(emulator.updates_log)} updates", flush=True)

    async def dump_when_stuck() -> None:
        """An update in flight for a minute: have every instance log its tasks (SIGUSR1)."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(5)
            stuck = [u for u, t in pusher.pushing_since.items() if loop.time() - t > 60]
            if stuck:
                print(f"  updates in flight for a minute: {stuck[:5]}; task dumps in the logs")
                for instance in instances:
                    if instance.process is not None and instance.process.returncode is None:
                        instance.process.send_signal(signal.SIGUSR1)
                return

    dumper = asyncio.create_task(dump_when_stuck()) if args.dump_stuck else None
    cpu_before = sum(instance.cpu_seconds() for instance in instances)
    deadline = perf_counter() + args.seconds_limit
    print(f"{args.users} users registering ({expected_updates} updates) ...", flush=True)
    began = perf_counter()
    if args.kill_one:
        killer = asyncio.create_task(kill_one())
    runs: list[UserRun] = await asyncio.gather(
        *(drive(user, REGISTRATION, deadline) for user in users)
    )
    wall = perf_counter() - began
    if killer is not None:
        await killer
    with contextlib.suppress(TimeoutError):
        await pusher.idle(timeout=30)
    if dumper is not None:
        dumper.cancel()
    cpu = sum(instance.cpu_seconds() for instance in instances) - cpu_before
    await pusher.stop()
    sent = [update["update_id"] for update in emulator.updates_log]
    handled = await handled_ids(args.postgres)
    unhandled = [update_id for update_id in sent if update_id not in handled]
    missing_replies = sum(len(REGISTRATION) - len(run.latencies) for run in runs)
    duplicated = sum(duplicated_replies(user) for user in users)
    lost = len(unhandled) + missing_replies
    for instance in instances:
        await instance.stop()
    await server.stop()

    latencies = [value * 1000 for run in runs for value in run.latencies]
    updates = sum(run.updates for run in runs)
    completed = sum(run.completed for run in runs)
    rate = updates / wall
    p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
    print(f"\n{'instances':>24}: {args.instances} (webhook, PostgreSQL, Redis)")
    print(f"{'users':>24}: {args.users}, registrations completed {completed}, "
          f"in the database {handled_ids.registered}")  # type: ignore[attr-defined]  # fmt: skip
    print(f"{'updates':>24}: {updates} sent in {wall:.1f} s = {rate:.1f}/s")
    print(f"{'latency ms':>24}: p50 {p50:.0f}, p95 {p95:.0f}, p99 {p99:.0f}")
    print(f"{'bot CPU ms / update':>24}: {cpu * 1000 / max(updates, 1):.1f} (all instances)")
    print(f"{'webhook deliveries':>24}: {sum(pusher.statuses.values())} "
          f"{dict(sorted(pusher.statuses.items()))}, failed {pusher.failures} "
          f"{dict(pusher.errors)}")  # fmt: skip
    print(f"{'lost':>24}: {lost} ({len(unhandled)} never handled, "
          f"{missing_replies} replies never came)")  # fmt: skip
    print(f"{'duplicated':>24}: {duplicated}")
    failed = [run for run in runs if not run.completed]
    if failed:
        print(f"\nfirst failure ({len(failed)} users): {failed[0].error}"[:3000])
        print("never handled:", unhandled[:20])
        for instance in instances:
            print(f"--- {instance.name} ---\n{instance.tail(10)}")
    print(
        f"RESULT updates_per_s={rate:.1f} p95_ms={p95:.0f} lost={lost} duplicated={duplicated} "
        f"users={args.users} instances={args.instances} kill_one={int(args.kill_one)}"
    )
    return 0 if lost == 0 and duplicated == 0 and completed == args.users else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument("--seconds-limit", type=float, default=600.0)
    parser.add_argument("--kill-one", action="store_true", help="SIGKILL one instance mid-run")
    parser.add_argument(
        "--postgres", default="postgresql+asyncpg://root@127.0.0.1:5432/bench_cluster"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--log-level", default="WARNING", help="the instances' LOG_LEVEL")
    parser.add_argument(
        "--dump-stuck", action="store_true", help="SIGUSR1 the instances when an update hangs"
    )
    return parser


if __name__ == "__main__":
    arguments: Any = _parser().parse_args()
    sys.exit(asyncio.run(main(arguments)))
