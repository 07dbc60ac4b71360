"""Candidates' names live only encrypted (issue 12): the look-ups coordinators use still
work (whole name by blind index, part of a name decrypted within scope), and the migration
that dropped the plaintext column copies old names first and leaves none behind."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import alembic_config, upgrade
from bot.db.models import Candidate, CandidateStatus, User
from bot.db.uow import UnitOfWorkFactory
from bot.services import names
from bot.services.keyring import Keyring
from tests.conftest import DATA_KEY, RunningBot
from tests.test_directory import enrol
from tests.test_protection_keys import raw_files


async def test_coordinators_find_by_whole_name_or_part_within_scope(running: RunningBot) -> None:
    anna, petr, vera = running.user(), running.user(), running.user()
    await enrol(anna, "Иванова Анна", "Союз соседей", "Гавань")
    await enrol(petr, "Иванов Пётр", "Союз соседей", "Гавань")
    await enrol(vera, "Иванова Вера", "Гражданская инициатива", "Парнас")
    admin = running.admin()
    await admin.send("/candidate иванова  АННА")  # the whole name: its blind index
    card = await admin.expect("Этап 1 из 9")
    assert "Иванова Анна" in card["text"]
    await admin.send("/candidate Иванов")  # part of a name: decrypted in memory
    listing = await admin.expect("Кандидаты: 3")
    assert all(name in listing["text"] for name in ("Иванова Анна", "Иванов Пётр", "Вера"))
    await admin.send("/candidate пётр")
    await admin.expect("Иванов Пётр")
    coordinator = await running.coordinator("org:neighbours")
    await coordinator.send("/candidate Иванова Вера")  # exact, but out of scope
    await coordinator.expect("Такого кандидата нет")
    await coordinator.send("/candidate Иванов")
    listing = await coordinator.expect("Кандидаты: 2")
    assert "Вера" not in listing["text"]


async def test_full_names_reads_many_and_matching_stays_within_the_given_candidates(
    running: RunningBot,
) -> None:
    users = [running.user() for _ in range(3)]
    for index, user in enumerate(users):
        await enrol(user, f"Петрова Ольга{'а' * index}", "Союз соседей", "Гавань")
    cipher = running.app.cipher
    async with running.app.uow_factory() as uow:
        people = [await uow.candidates.by_user(u.user_id) for u in users]
        candidates = [c for c in people if c is not None]
        found = await names.full_names(uow, cipher, candidates)
        assert sorted(v or "" for v in found.values()) == [
            "Петрова Ольга",
            "Петрова Ольгаа",
            "Петрова Ольгааа",
        ]
        assert await names.matching(uow, cipher, candidates[:2], "ольгааа") == []
        assert await names.matching(uow, cipher, candidates, "ОЛЬГААА") == [candidates[2]]
        assert await names.full_names(uow, cipher, []) == {}


def _migrate(url: str, revision: str, keys: list[str] | None = None) -> None:
    upgrade(url, revision, data_keys=keys)


async def _old_candidate(url: str, user_id: int, name: str | None) -> None:
    """A row as revision 0013 wrote it: the name in plaintext, no encrypted copy."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        now = datetime(2027, 6, 1, tzinfo=UTC)
        await connection.execute(
            User.__table__.insert().values(
                id=user_id, locale="ru", consent_at=now, consent_version="1",
                created_at=now, last_seen_at=now,
            )
        )  # fmt: skip
        await connection.execute(
            text(
                "INSERT INTO candidates (user_id, status, full_name, email_answered, "
                "updated_at, quest_points) VALUES (:u, :s, :n, 0, :t, 0)"
            ),
            {"u": user_id, "s": CandidateStatus.REGISTERED.name, "n": name, "t": now},
        )
    await engine.dispose()


async def test_the_migration_encrypts_old_names_and_leaves_no_plaintext(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "shtab.db"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(_migrate, url, "0013")
    await _old_candidate(url, 4242, "Старова Зинаида Павловна")
    engine = create_engine(url)
    factory = UnitOfWorkFactory(create_session_factory(engine))
    old_keyring = Keyring([DATA_KEY], factory)
    await old_keyring.load()  # the bot had started once on 0013
    # A name 0013 already copied (its plaintext column left empty): it must survive.
    await _old_candidate(url, 4343, None)
    async with factory() as uow:
        await names.store(uow, old_keyring.cipher, Candidate(id=2, user_id=4343), "Новая Запись")
    await engine.dispose()

    monkeypatch.delenv("DATA_KEY", raising=False)
    with pytest.raises(RuntimeError, match="DATA_KEY"):  # names would be lost: it stops
        await asyncio.to_thread(_migrate, url, "head")
    await asyncio.to_thread(_migrate, url, "head", [DATA_KEY])

    for secret in ("Старова Зинаида Павловна", "Старова", "Зинаида"):
        assert secret.encode() not in raw_files(tmp_path), secret
    engine = create_engine(url)
    factory = UnitOfWorkFactory(create_session_factory(engine))
    keyring = Keyring([DATA_KEY], factory)
    await keyring.load()
    async with factory() as uow:
        candidate = await uow.candidates.by_user(4242)
        assert candidate is not None
        assert await names.full_name(uow, keyring.cipher, candidate) == (
            "Старова Зинаида Павловна"
        )
        assert await names.find_exact(uow, keyring.cipher, "старова зинаида павловна") == [
            candidate.id
        ]
        copied = await uow.candidates.by_user(4343)
        assert copied is not None and copied.id == 2
        assert await names.full_name(uow, keyring.cipher, copied) == "Новая Запись"
    await engine.dispose()

    # The downgrade puts the plaintext back only because DATA_KEY is at hand.
    monkeypatch.setenv("DATA_KEY", DATA_KEY)
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0013")
    engine = create_engine(url)
    async with engine.connect() as connection:
        restored = await connection.scalar(text("SELECT full_name FROM candidates"))
    await engine.dispose()
    assert restored == "Старова Зинаида Павловна"


def test_the_candidate_model_has_no_plaintext_name() -> None:
    assert "full_name" not in Candidate.__table__.columns
