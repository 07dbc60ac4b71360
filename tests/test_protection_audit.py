"""The audit log: a keyed hash chain that finds an edited, deleted or cut-off entry but
survives /forget_me's pseudonymisation; /audit; anomaly alerts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from bot.db.models import AuditEntry
from bot.db.models.protection import AuditSeal
from bot.services import anomalies, audit_chain, privacy
from bot.services.registration import give_consent
from tests.conftest import RunningBot
from tests.test_directory import enrol
from tests.test_protection_keys import Db

KEY = b"k" * 32


@pytest.fixture
async def db(data_dir: Path) -> AsyncIterator[Db]:
    database = Db(data_dir / "shtab.db")
    yield database
    await database.engine.dispose()


async def write_and_seal(db: Db, count: int = 5) -> list[int]:
    async with db.uow() as uow:
        for n in range(count):
            await uow.audit.record(7, "candidate_viewed", "candidate", n, page=n)
    async with db.uow() as uow:
        await audit_chain.seal(uow, KEY)
        return list(await uow.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))


async def report(db: Db) -> audit_chain.ChainReport:
    async with db.uow() as uow:
        return await audit_chain.verify(uow, KEY)


async def test_an_intact_chain_verifies_and_new_entries_wait_to_be_sealed(db: Db) -> None:
    await write_and_seal(db)
    first = await report(db)
    assert first.ok and first.sealed >= 5 and first.pending == 0
    async with db.uow() as uow:
        await uow.audit.record(7, "export", "candidates", None, rows=3)
    assert (await report(db)).pending == 1
    async with db.uow() as uow:
        assert await audit_chain.seal(uow, KEY) == 1
        assert await audit_chain.seal(uow, KEY) == 0
    assert (await report(db)).ok


async def test_the_chain_finds_an_edited_entry(db: Db) -> None:
    ids = await write_and_seal(db)
    async with db.uow() as uow:
        await uow.session.execute(
            update(AuditEntry).where(AuditEntry.id == ids[-3]).values(details={"page": 99})
        )
    found = await report(db)
    assert not found.ok and [(i, what) for _, i, what in found.problems] == [(ids[-3], "edited")]


async def test_the_chain_finds_a_changed_action_and_a_recomputed_digest(db: Db) -> None:
    ids = await write_and_seal(db)
    async with db.uow() as uow:
        entry = await uow.session.get(AuditEntry, ids[-2])
        assert entry is not None
        entry.action = "privacy_viewed"  # a view disguised as something harmless
    found = await report(db)
    assert (ids[-2], "edited") in [(i, what) for _, i, what in found.problems]
    # Editing details and recomputing the seal's digest: without the audit key the link
    # cannot be recomputed, so the edit still shows.
    async with db.uow() as uow:
        entry = await uow.session.get(AuditEntry, ids[-4])
        assert entry is not None
        entry.details = {"page": 0}
        await uow.session.flush()
        seal = await uow.session.get(AuditSeal, ids[-4])
        assert seal is not None
        seal.content_digest = audit_chain.content_digest(entry)
    found = await report(db)
    assert (ids[-4], "edited") in [(i, what) for _, i, what in found.problems]


async def test_the_chain_finds_deleted_and_cut_off_entries(db: Db) -> None:
    ids = await write_and_seal(db)
    async with db.uow() as uow:
        await uow.session.execute(delete(AuditEntry).where(AuditEntry.id == ids[-4]))
    assert (ids[-4], "deleted") in [(i, w) for _, i, w in (await report(db)).problems]
    async with db.uow() as uow:  # and its seal too: the next link no longer fits
        await uow.session.execute(delete(AuditSeal).where(AuditSeal.audit_id == ids[-4]))
    problems = {what for _, _, what in (await report(db)).problems}
    assert {"missing", "broken"} <= problems
    async with db.uow() as uow:  # cutting the newest entries off the end
        await uow.session.execute(delete(AuditSeal).where(AuditSeal.audit_id == ids[-1]))
        await uow.session.execute(delete(AuditEntry).where(AuditEntry.id == ids[-1]))
    assert "truncated" in {what for _, _, what in (await report(db)).problems}


async def test_erasure_keeps_the_chain_whole(db: Db) -> None:
    user_id = 515151
    async with db.uow() as uow:
        await give_consent(uow, user_id, "ru")
        await uow.audit.record(user_id, "privacy_viewed", "user", user_id)
        await uow.audit.record(user_id, "export", "candidates", None, rows=4)
    async with db.uow() as uow:
        await audit_chain.seal(uow, KEY)
    keyring = db.keyring()
    await keyring.load()
    async with db.uow() as uow:
        await privacy.forget(uow, keyring.cipher, user_id)
        await audit_chain.seal(uow, KEY)
    found = await report(db)
    assert found.ok, found.problems
    assert found.erased >= 2
    # But an erased entry may not be edited beyond what erasure does.
    async with db.uow() as uow:
        await uow.session.execute(
            update(AuditEntry).where(AuditEntry.action == "export").values(details={"rows": 1})
        )
    assert not (await report(db)).ok


async def test_audit_command_shows_entries_and_the_chain(running: RunningBot) -> None:
    await enrol(running.user(), "Своя Анна", "Союз соседей", "Гавань")
    coordinator = await running.coordinator("org:neighbours")
    await coordinator.send("/candidates")
    await coordinator.expect("Своя Анна")
    admin = running.admin()
    await admin.send("/audit")
    shown = (await admin.expect("Журнал доступа"))["text"]
    assert "role_granted" in shown and "Цепочка журнала цела" in shown
    async with running.app.uow_factory() as uow:  # long entries: still one message
        for n in range(40):
            await uow.audit.record(admin.user_id, "note", "x", n, text="<длинная запись> " * 20)
    await admin.send("/audit")
    long = (await admin.expect("Журнал доступа"))["text"]
    assert len(long) <= 4096 and "Цепочка журнала цела" in long
    await admin.send("/audit abc")
    await admin.expect("Формат: /audit")
    async with running.app.uow_factory() as uow:
        await uow.session.execute(
            update(AuditEntry)
            .where(AuditEntry.action == "role_granted")
            .values(details={"role": "coordinator", "scopes": 0})
        )
    await admin.send(f"/audit {admin.user_id}")
    shown = (await admin.expect("Журнал доступа"))["text"]
    assert "Цепочка журнала нарушена" in shown and "edited" in shown
    assert "consent_given" not in shown  # filtered to the admin's own entries
    await coordinator.send("/audit")
    answer = await coordinator.next_message()
    assert "Журнал" not in answer["text"]  # not an admin: the command does not exist


async def test_reading_too_fast_is_refused_and_reported_once(running: RunningBot) -> None:
    candidate = running.user()
    await enrol(candidate, "Своя Анна", "Союз соседей", "Гавань")
    admin = running.admin()
    await admin.send("/admin")
    await admin.expect("Администратору")
    coordinator = await running.coordinator("org:neighbours")
    async with running.app.uow_factory() as uow:
        for _ in range(anomalies.VIEWS.limit):
            await uow.audit.record(coordinator.user_id, "candidate_viewed", "candidate", 1)
    await coordinator.send("/candidates")
    await coordinator.expect("Слишком много обращений")
    alert = await admin.expect("Необычная активность")
    assert str(coordinator.user_id) in alert["text"]
    await coordinator.send("/candidates")
    await coordinator.expect("Слишком много обращений")
    await admin.quiet()  # reported once an hour, not on every refusal


async def test_on_postgres_two_instances_seal_one_chain(postgres_url: str) -> None:
    """Two instances seal at once: the head row lock keeps the chain in one line."""
    import asyncio

    from bot.db.engine import create_engine, create_session_factory
    from bot.db.uow import UnitOfWorkFactory
    from bot.services.keyring import Keyring
    from tests.conftest import DATA_KEY

    engines = [create_engine(postgres_url) for _ in range(2)]
    factories = [UnitOfWorkFactory(create_session_factory(engine)) for engine in engines]
    try:
        keyrings = [Keyring([DATA_KEY], factory) for factory in factories]
        await keyrings[0].load()
        await keyrings[1].load()  # finds the keys the first one created
        assert keyrings[0].audit_key == keyrings[1].audit_key
        for n in range(40):
            async with factories[n % 2]() as uow:
                await uow.audit.record(n, "candidate_viewed", "candidate", n)

        async def seal(index: int) -> int:
            async with factories[index]() as uow:
                return await audit_chain.seal(uow, KEY)

        sealed = await asyncio.gather(seal(0), seal(1))
        assert sum(sealed) >= 40  # the 40 and what seeding the database wrote
        async with factories[0]() as uow:
            found = await audit_chain.verify(uow, KEY)
        assert found.ok and found.sealed == sum(sealed) and found.pending == 0
    finally:
        for engine in engines:
            await engine.dispose()


async def test_the_scheduled_jobs_seal_and_purge(running: RunningBot) -> None:
    from bot.telegram.protection_jobs import ProtectionJobs

    assert running.app.keyring is not None
    jobs = ProtectionJobs(running.app.uow_factory, running.app.keyring)
    await enrol(running.user(), "Своя Анна", "Союз соседей", "Гавань")
    assert await jobs.seal() > 0
    assert await jobs.seal() == 0
    assert await jobs.purge() == {}  # nothing is due yet
    async with running.app.uow_factory() as uow:
        assert running.app.keyring.audit_key is not None
        assert (await audit_chain.verify(uow, running.app.keyring.audit_key)).ok
