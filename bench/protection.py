"""The cost of encrypting personal data on the hot paths, against the same code with
encryption off, in one run.

    python bench/protection.py [--users 200] [--notes 2000] [--rows 63000] [--rounds 3]

- registration: the registration services a candidate's dialog calls (consent, name with its
  encrypted copy, phone under the person's key with its blind index, e-mail, organisation,
  district, confirm, then the card read back), one unit of work per step, against a real
  SQLite file. Encryption on: the app's keyring (a person key per candidate). Off: a cipher
  that returns values unchanged, so the same code does the same database work.
- canvass: a stand-in for a canvass note (the canvass feature is on another branch): the
  fields it will encrypt — the note, the contact's name and phone under the organisation key,
  the phone's blind index — then one row inserted, one unit of work per note.
- import: a stand-in for the 63,000-row supporter import: parse the CSV, normalise name and
  phone, encrypt name, phone, address and birth date, blind-index phone and name, skip phones
  already stored (looked up by blind index, per batch) and insert in batches of 1,000.

Each path runs `--rounds` times per mode, alternating on/off; the median is kept. The last
line: `RESULT overhead_registration=... overhead_canvass=... overhead_import=...` (ratios of
on to off time, 1.0 = no cost; the target is at most 1.25).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert, select  # noqa: E402

from bot.db.engine import create_engine, create_session_factory  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.uow import UnitOfWorkFactory  # noqa: E402
from bot.services import registration, validation  # noqa: E402
from bot.services.crypto import FieldCipher  # noqa: E402
from bot.services.geography import ensure_demo_data  # noqa: E402
from bot.services.keyring import Keyring  # noqa: E402

BENCH_META = MetaData()
NOTES = Table(
    "bench_canvass_notes", BENCH_META,
    Column("id", Integer, primary_key=True),
    Column("contact_name_enc", Text), Column("phone_enc", Text),
    Column("phone_index", String(64)), Column("note_enc", Text),
)  # fmt: skip
SUPPORTERS = Table(
    "bench_supporters", BENCH_META,
    Column("id", Integer, primary_key=True),
    Column("full_name_enc", Text), Column("name_index", String(64)),
    Column("phone_enc", Text), Column("phone_index", String(64), index=True),
    Column("address_enc", Text), Column("birth_date_enc", Text),
)  # fmt: skip


class Plain(FieldCipher):
    """Encryption off: the same calls, values unchanged."""

    def __init__(self) -> None:
        pass

    def encrypt(self, value: str | None) -> str | None:
        return value

    def decrypt(self, token: str | None) -> str | None:
        return token

    def blind_index(self, value: str) -> str:
        return value


class Mode:
    def __init__(self, name: str, database: Path, key: str) -> None:
        self.name = name
        self.engine = create_engine(f"sqlite+aiosqlite:///{database}")
        self.uow = UnitOfWorkFactory(create_session_factory(self.engine))
        self.keyring = Keyring([key], self.uow) if name == "on" else None
        self.cipher: FieldCipher = self.keyring.cipher if self.keyring else Plain()
        self.next_user = 1_000_000

    async def start(self) -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(BENCH_META.create_all)
        if self.keyring is not None:
            await self.keyring.load()

    async def clear_import(self) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(SUPPORTERS.delete())

    async def org_cipher(self) -> Any:
        if self.keyring is None:
            return self.cipher
        async with self.uow() as uow:
            return await self.keyring.for_org(uow, 1)


# --------------------------------------------------------------------------- the paths


async def registration_path(mode: Mode, users: int) -> None:
    async with mode.uow() as uow:
        organisation = (await uow.geography.organisations())[0].id
        election = await uow.geography.current_election()
        assert election is not None
        formation = (await uow.geography.formations(election.id, with_districts=True))[0]
        district = formation.districts[0].id
    for _ in range(users):
        mode.next_user += 1
        await register_one(mode, mode.next_user, organisation, district)


async def register_one(mode: Mode, user_id: int, organisation: int, district: int) -> None:
    phone = f"+7911{user_id % 10_000_000:07d}"
    cipher = mode.cipher
    steps: list[Callable[[Any], Awaitable[object]]] = [
        lambda uow: registration.give_consent(uow, user_id, "ru"),
        lambda uow: registration.set_full_name(uow, user_id, "Иванова Мария Сергеевна", cipher),
        lambda uow: registration.set_phone(uow, cipher, user_id, phone, user_id),
        lambda uow: registration.set_email(uow, cipher, user_id, "maria@example.ru"),
        lambda uow: registration.set_organisation(uow, user_id, organisation),
        lambda uow: registration.set_district(uow, user_id, district),
        lambda uow: registration.confirm(uow, user_id),
        lambda uow: registration.card(uow, cipher, user_id, "ru"),
    ]
    for step in steps:
        async with mode.uow() as uow:
            await step(uow)


async def canvass_path(mode: Mode, notes: int) -> None:
    org = await mode.org_cipher()
    text = (
        "Дверь открыла пожилая женщина, за нашего кандидата, просила позвонить после 18:00. " * 2
    )
    for n in range(notes):
        phone = validation.normalise_phone(f"8 911 {n % 1000:03d}-{n % 100:02d}-{n % 97:02d}")
        async with mode.uow() as uow:
            await uow.session.execute(
                insert(NOTES).values(
                    contact_name_enc=org.encrypt("Петрова Анна"),
                    phone_enc=org.encrypt(phone),
                    phone_index=mode.cipher.blind_index(phone),
                    note_enc=org.encrypt(text),
                )
            )


def import_csv(rows: int) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["ФИО", "Телефон", "Адрес", "Дата рождения"])
    for n in range(rows):
        writer.writerow(
            [
                f"петрова анна {('сергеевна', 'ивановна', 'олеговна')[n % 3]}",
                f"8 (9{n % 100:02d}) {n % 1000:03d}-{n % 100:02d}-{n % 89:02d}",
                f"Санкт-Петербург, ул. Беринга, д. {n % 40 + 1}, кв. {n % 300 + 1}",
                f"{n % 28 + 1:02d}.{n % 12 + 1:02d}.19{50 + n % 50}",
            ]
        )
    return buffer.getvalue()


async def import_path(mode: Mode, data: str) -> None:
    org = await mode.org_cipher()
    cipher = mode.cipher
    batch: list[dict[str, object]] = []
    reader = csv.reader(io.StringIO(data))
    next(reader)

    async def flush() -> None:
        # Deduplication by blind index, as the import will: a phone already there is skipped.
        async with mode.uow() as uow:
            known = set(
                await uow.session.scalars(
                    select(SUPPORTERS.c.phone_index).where(
                        SUPPORTERS.c.phone_index.in_([row["phone_index"] for row in batch])
                    )
                )
            )
            fresh = [row for row in batch if row["phone_index"] not in known]
            if fresh:
                await uow.session.execute(insert(SUPPORTERS), fresh)
        batch.clear()

    for name, raw_phone, address, born in reader:
        full_name = validation.normalise_full_name(name)
        phone = validation.normalise_phone(raw_phone)
        batch.append(
            {
                "full_name_enc": org.encrypt(full_name),
                "name_index": cipher.blind_index("name:" + full_name.lower()),
                "phone_enc": org.encrypt(phone),
                "phone_index": cipher.blind_index(phone),
                "address_enc": org.encrypt(address),
                "birth_date_enc": org.encrypt(born),
            }
        )
        if len(batch) == 1000:
            await flush()
    if batch:
        await flush()


# --------------------------------------------------------------------------- the run


async def timed(run: Callable[[], Awaitable[None]]) -> tuple[float, float]:
    """(CPU seconds of this process, all threads: SQLite's included; wall seconds). The
    ratio uses CPU time: on a shared machine the wall clock mostly measures the neighbours."""
    cpu, wall = time.process_time(), time.perf_counter()
    await run()
    return time.process_time() - cpu, time.perf_counter() - wall


async def main(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="shtab-bench-protection-"))
    try:
        template = workdir / "template.db"
        url = f"sqlite+aiosqlite:///{template}"
        await asyncio.to_thread(upgrade, url)
        engine = create_engine(url)
        async with UnitOfWorkFactory(create_session_factory(engine))() as uow:
            await ensure_demo_data(uow)
        await engine.dispose()
        key = Fernet.generate_key().decode()
        modes = {}
        for name in ("on", "off"):
            shutil.copy(template, workdir / f"{name}.db")
            modes[name] = Mode(name, workdir / f"{name}.db", key)
            await modes[name].start()
        data = import_csv(args.rows)
        paths: dict[str, Callable[[Mode], Awaitable[None]]] = {
            "registration": lambda mode: registration_path(mode, args.users),
            "canvass": lambda mode: canvass_path(mode, args.notes),
            "import": lambda mode: import_path(mode, data),
        }
        # Warm both (SQL compiled, caches filled) before anything is timed.
        for mode in modes.values():
            await registration_path(mode, 5)
            await canvass_path(mode, 20)
        ratios = {}
        for path, run in paths.items():
            cpu: dict[str, list[float]] = {"on": [], "off": []}
            wall: dict[str, list[float]] = {"on": [], "off": []}
            for round_number in range(args.rounds):
                # Alternate which mode goes first, so neither always runs on a warmer cache.
                order = ("off", "on") if round_number % 2 == 0 else ("on", "off")
                for name in order:
                    if path == "import":
                        await modes[name].clear_import()  # each round imports into an empty table
                    spent, elapsed = await timed(partial(run, modes[name]))
                    cpu[name].append(spent)
                    wall[name].append(elapsed)
            on, off = statistics.median(cpu["on"]), statistics.median(cpu["off"])
            ratios[path] = on / off
            print(
                f"{path:>12}: CPU on {on * 1000:8.1f} ms, off {off * 1000:8.1f} ms, "
                f"ratio {on / off:.3f}; wall on {statistics.median(wall['on']) * 1000:8.1f} ms, "
                f"off {statistics.median(wall['off']) * 1000:8.1f} ms"
            )
        for mode in modes.values():
            await mode.engine.dispose()
        worst = max(ratios.values())
        print(f"target: every ratio <= 1.25; worst {worst:.3f}")
        print(
            f"RESULT overhead_registration={ratios['registration']:.3f} "
            f"overhead_canvass={ratios['canvass']:.3f} overhead_import={ratios['import']:.3f}"
        )
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=63_000)
    parser.add_argument("--rounds", type=int, default=3)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
