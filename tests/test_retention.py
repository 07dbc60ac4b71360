"""Least data: each kind of data goes when its period after the election (or after its own
time) has passed; a new kind is one line."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.models import AuditEntry, Candidate, FaqEntry, FsmRecord, Question, TaskProgress
from bot.db.models.protection import DataKey
from bot.services import retention
from bot.services.clock import FrozenClock, reset_clock, set_clock
from bot.services.registration import give_consent, set_email, set_full_name, set_phone
from tests.test_protection_keys import Db

USER_ID = 515151


@pytest.fixture
async def db(data_dir: Path) -> AsyncIterator[Db]:
    database = Db(data_dir / "shtab.db")
    yield database
    await database.engine.dispose()


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    set_clock(frozen)
    yield frozen
    reset_clock()


async def count(db: Db, model: object, *where: object) -> int:
    async with db.uow() as uow:
        query = select(func.count()).select_from(model)  # type: ignore[arg-type]
        return int(await uow.session.scalar(query.where(*where)) or 0)  # type: ignore[arg-type]


async def test_the_purge_after_the_election_follows_the_registry(
    db: Db, clock: FrozenClock
) -> None:
    async with db.uow() as uow:
        election = await uow.geography.current_election()
        assert election is not None
        day = datetime.combine(election.election_day, time(0), UTC)
    clock.now = day - timedelta(days=10)
    keyring = db.keyring()
    await keyring.load()
    async with db.uow() as uow:
        await give_consent(uow, USER_ID, "ru")
        await set_full_name(uow, USER_ID, "Тайная Мария", keyring.cipher)
        await set_phone(uow, keyring.cipher, USER_ID, "79111234567", USER_ID)
        await set_email(uow, keyring.cipher, USER_ID, "maria@example.ru")
        candidate = await uow.candidates.by_user(USER_ID)
        assert candidate is not None
        uow.session.add(Question(candidate_id=candidate.id, text_enc="e1.x.y"))
        uow.session.add(TaskProgress(candidate_id=candidate.id, task_id="a.b", data_enc="z"))
        uow.session.add(FsmRecord(key="k", user_id=USER_ID, state="s", data_enc="d"))

    clock.now = day + timedelta(days=59)
    async with db.uow() as uow:
        first = await retention.purge_due(uow)
    assert first == {"dialog_state": 1}  # idle for over 30 days
    assert await count(db, Question) == 1

    clock.now = day + timedelta(days=61)
    async with db.uow() as uow:
        second = await retention.purge_due(uow)
    assert second == {"questions": 1, "quest_answers": 1}
    assert await count(db, TaskProgress, TaskProgress.data_enc.is_not(None)) == 0
    assert await count(db, TaskProgress) == 1  # the points stay, the answers go
    assert await count(db, Candidate, Candidate.phone_enc.is_not(None)) == 1

    clock.now = day + timedelta(days=181)
    async with db.uow() as uow:
        third = await retention.purge_due(uow)
        again = await retention.purge_due(uow)
    assert third == {
        "candidate_contacts": 1,
        "candidate_names_enc": 1,
        "person_keys": 1,
    }
    assert again == {}  # done once, nothing to touch the next time
    assert await count(db, Candidate, Candidate.phone_enc.is_not(None)) == 0
    assert await count(db, DataKey, DataKey.kind == "person") == 0
    assert await count(db, AuditEntry, AuditEntry.action == "retention_purge") == 3


async def test_a_new_kind_is_one_line(db: Db, clock: FrozenClock) -> None:
    async with db.uow() as uow:
        uow.session.add(FaqEntry(question="q", answer="a", locale="ru"))
    retention.register("faq_test", FaqEntry, older_than=timedelta(days=1), column="created_at")
    try:
        clock.advance(days=2)
        async with db.uow() as uow:
            assert (await retention.purge_due(uow))["faq_test"] == 1
    finally:
        del retention.KINDS["faq_test"]
    with pytest.raises(ValueError, match="exactly one"):
        retention.register("bad", FaqEntry)
