"""The key hierarchy: what a copy of the database reveals, crypto-shredding on /forget_me,
master key rotation, and the two-admin emergency wipe."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Candidate, Question
from bot.db.models.protection import CandidateName, DataKey
from bot.db.uow import UnitOfWorkFactory
from bot.services import names, privacy
from bot.services.crypto import DecryptionError, FieldCipher
from bot.services.keyring import Keyring, KeysUnavailable, Master
from bot.services.registration import give_consent, set_email, set_full_name, set_phone
from tests.conftest import DATA_KEY, FakeTelegramServer, RunningBot, make_settings, start_bot
from tests.fake_telegram import VirtualUser
from tests.test_registration import register

USER_ID = 515151
PHONE = "79111234567"
EMAIL = "maria@example.ru"


def backup_of(source: Path, target: Path) -> None:
    """What a nightly backup does: SQLite's online backup, WAL contents included."""
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)


def raw_files(data_dir: Path) -> bytes:
    """Every byte SQLite keeps for the database: the file and its journal, if any."""
    return b"".join(path.read_bytes() for path in sorted(data_dir.glob("shtab.db*")))


class Db:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.engine = create_engine(f"sqlite+aiosqlite:///{path}")
        self.uow = UnitOfWorkFactory(create_session_factory(self.engine))

    def keyring(self, keys: str = DATA_KEY) -> Keyring:
        return Keyring(keys.split(","), self.uow)


@pytest.fixture
async def db(data_dir: Path) -> AsyncIterator[Db]:
    database = Db(data_dir / "shtab.db")
    yield database
    await database.engine.dispose()


async def enrol(db: Db, keyring: Keyring, user_id: int = USER_ID) -> None:
    async with db.uow() as uow:
        await give_consent(uow, user_id, "ru")
        await set_full_name(uow, user_id, "Тайная Мария", keyring.cipher)
        await set_phone(uow, keyring.cipher, user_id, PHONE, user_id)
        await set_email(uow, keyring.cipher, user_id, EMAIL)


async def stored_phone(db: Db, user_id: int = USER_ID) -> str:
    async with db.uow() as uow:
        token = await uow.session.scalar(
            select(Candidate.phone_enc).where(Candidate.user_id == user_id)
        )
    assert token is not None
    return token


async def test_the_raw_database_file_holds_no_contact_of_a_registered_candidate(
    running: RunningBot,
) -> None:
    running.expected_errors.add("chat not found")  # the admin never opened the bot
    user = running.user()
    await register(user)
    await user.send("/ask")
    await user.expect("вопрос")
    await user.send("Можно ли вписать паспорт 4011 556677 в анкету?")
    await user.expect("отправлен в штаб")
    raw = raw_files(running.settings.data_dir)
    digits = user.phone.lstrip("+")
    for secret in (digits, user.phone, "maria@example.ru", "Maria@Example.RU", "556677"):
        assert secret.encode() not in raw, secret
    # Nor the name: neither whole nor the surname alone, in any case (issue 12).
    for secret in ("Иванова Мария Сергеевна", "Иванова", "иванова", "ИВАНОВА", "Сергеевна"):
        assert secret.encode() not in raw, secret
    # The data is there, encrypted under the candidate's own key.
    async with running.app.uow_factory() as uow:
        candidate = await uow.candidates.by_user(user.user_id)
        assert candidate is not None and candidate.phone_enc and candidate.email_enc
        person = await uow.session.scalar(
            select(DataKey).where(DataKey.kind == "person", DataKey.owner == str(user.user_id))
        )
        assert person is not None
        assert candidate.phone_enc.startswith(f"e1.{person.ref}.")
        question = await uow.session.scalar(select(Question.text_enc))
        assert question is not None and question.startswith(f"e1.{person.ref}.")
        # The name: encrypted under the same person's key, found by its blind index.
        stored = await uow.session.get(CandidateName, candidate.id)
        assert stored is not None and stored.full_name_enc.startswith(f"e1.{person.ref}.")
        assert await names.full_name(uow, running.app.cipher, candidate) == (
            "Иванова Мария Сергеевна"
        )
        found = await names.find_exact(uow, running.app.cipher, "иванова  мария сергеевна")
        assert found == [candidate.id]


async def test_forget_me_destroys_the_persons_key_so_old_copies_are_noise(
    db: Db, data_dir: Path, tmp_path: Path
) -> None:
    keyring = db.keyring()
    await keyring.load()
    await enrol(db, keyring)
    token = await stored_phone(db)
    async with db.uow() as uow:
        name_token = await uow.session.scalar(select(CandidateName.full_name_enc))
        assert name_token is not None
        assert await names.find_exact(uow, keyring.cipher, "тайная мария")
    backup = tmp_path / "backup.db"
    backup_of(data_dir / "shtab.db", backup)  # last night's backup, taken before erasure

    async with db.uow() as uow:
        await privacy.forget(uow, keyring.cipher, USER_ID)

    # A fresh process with every key that remains (DATA_KEY and the live key table):
    survivor = db.keyring()
    await survivor.load()
    async with db.uow() as uow:
        assert await survivor.for_person(uow, USER_ID, create=False) is None
        await survivor.preload_people(uow, [USER_ID])
    with pytest.raises(DecryptionError):
        survivor.cipher.decrypt(token)
    with pytest.raises(DecryptionError):  # the name from before the erasure: noise too
        survivor.cipher.decrypt(name_token)
    async with db.uow() as uow:  # and the live copy went with the candidate
        assert await uow.session.scalar(select(func.count()).select_from(CandidateName)) == 0
        assert await names.find_exact(uow, survivor.cipher, "тайная мария") == []
    # The backup still holds the wrapped key, readable while its master key lives on:
    # rotating the master and dropping the old one ends that too (SECURITY.md).
    copy = Db(backup)
    try:
        async with copy.uow() as uow:
            wrapped = await uow.session.scalar(
                select(DataKey.wrapped).where(DataKey.owner == str(USER_ID))
            )
        assert wrapped is not None
        new_master = Fernet.generate_key().decode()
        rotated = db.keyring(f"{new_master},{DATA_KEY}")
        async with db.uow() as uow:
            assert await rotated.rotate_master(uow) >= 3
        after = db.keyring(new_master)
        await after.load()  # the live data keys moved over to the new master
        with pytest.raises(DecryptionError):
            Master([new_master]).unwrap(wrapped)
    finally:
        await copy.engine.dispose()


async def test_master_rotation_rewraps_keys_and_leaves_the_data_alone(db: Db) -> None:
    keyring = db.keyring()
    await keyring.load()
    await enrol(db, keyring)
    token = await stored_phone(db)
    new_master = Fernet.generate_key().decode()
    both = db.keyring(f"{new_master},{DATA_KEY}")
    await both.load()  # during the rollout, instances know both keys and keep serving
    async with db.uow() as uow:
        changed = await both.rotate_master(uow)
        assert changed == await uow.session.scalar(select(func.count()).select_from(DataKey))
    only_new = db.keyring(new_master)
    await only_new.load()
    async with db.uow() as uow:
        await only_new.preload_people(uow, [USER_ID])
    assert only_new.cipher.decrypt(token) == "+" + PHONE
    assert await stored_phone(db) == token  # the data itself was not rewritten
    old_only = db.keyring()
    with pytest.raises(DecryptionError):
        await old_only.load()


async def test_the_cipher_keeps_its_api_and_authenticates(db: Db) -> None:
    keyring = db.keyring()
    with pytest.raises(KeysUnavailable):
        keyring.cipher.encrypt("x")  # nothing is written under a missing key
    await keyring.load()
    cipher = keyring.cipher
    assert isinstance(cipher, FieldCipher)
    token = cipher.encrypt("Иванова")
    assert token is not None and cipher.decrypt(token) == "Иванова"
    assert cipher.encrypt(None) is None and cipher.decrypt(None) is None
    assert cipher.blind_index("+79111234567") == cipher.blind_index("+79111234567")
    assert cipher.blind_index("a") != FieldCipher([DATA_KEY]).blind_index("a")  # own key
    legacy = FieldCipher([DATA_KEY]).encrypt("старое")
    assert cipher.decrypt(legacy) == "старое"  # rows from before the hierarchy
    assert cipher.decrypt(cipher.rotate(legacy)) == "старое"
    assert token is not None
    body = token.rsplit(".", 1)[1]
    flipped = body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB")
    with pytest.raises(DecryptionError):
        cipher.decrypt(token.rsplit(".", 1)[0] + "." + flipped)
    async with db.uow() as uow:
        org_one = await keyring.for_org(uow, 1)
        org_two = await keyring.for_org(uow, 2)
    assert org_one is not None and org_two is not None and org_one.ref != org_two.ref
    moved = org_one.encrypt("данные")
    assert moved is not None
    with pytest.raises(DecryptionError):  # a token relabelled to another key fails
        org_two.decrypt(moved.replace(org_one.ref, org_two.ref, 1))


TWO_ADMINS = "900001,900002"


@pytest.fixture
async def two_admins(data_dir: Path, telegram: FakeTelegramServer) -> AsyncIterator[RunningBot]:
    # The embedded default: no DATA_KEY in the environment, the key generated into a file.
    from bot.config import ensure_data_key

    settings = make_settings(
        data_dir, bot_api_url=telegram.base_url, admin_ids=TWO_ADMINS, data_key=""
    )
    ensure_data_key(settings)
    async for running_bot in start_bot(settings, telegram):
        yield running_bot


async def test_the_wipe_needs_two_admins_and_leaves_every_copy_unreadable(
    two_admins: RunningBot, tmp_path: Path
) -> None:
    running = two_admins
    data_dir = running.settings.data_dir
    key_file = data_dir / "data.key"
    assert key_file.exists()
    user = running.user()
    await register(user)
    backup = tmp_path / "backup.db"
    backup_of(data_dir / "shtab.db", backup)

    first = running.admin()
    second = VirtualUser(running.emulator, 900002, first_name="Вторая", language_code="ru")
    await running.set_pin(second)  # opens their chat too, so the bot can write to them
    await user.send("/wipe")
    await user.expect("Не знаю такой команды")
    await running.gated(first, "/wipe")
    await first.expect("Другой администратор должен подтвердить")
    await second.expect("запросил экстренное уничтожение")
    await running.gated(first, "/wipe_confirm")
    await first.expect("другой администратор, не тот")
    assert key_file.exists()

    await running.gated(second, "/wipe_confirm")
    done = await second.expect("Ключи уничтожены")
    assert "Файл мастер-ключа перезаписан и удалён" in done["text"]
    assert not key_file.exists()
    async with running.app.uow_factory() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(DataKey)) == 0
        # The names are still there, noise now: nothing this process holds can read them.
        candidate = await uow.session.scalar(select(Candidate))
        assert candidate is not None and await uow.session.get(CandidateName, candidate.id)
        assert await names.full_name(uow, running.app.cipher, candidate) is None
    # The backup: its wrapped keys need the master key, and no copy of it is left. Any key
    # there is now (a new one, as a restart would generate) unwraps nothing.
    copy = Db(backup)
    try:
        async with copy.uow() as uow:
            wrapped = list(await uow.session.scalars(select(DataKey.wrapped)))
        assert wrapped
        for key in wrapped:
            with pytest.raises(DecryptionError):
                Master([Fernet.generate_key().decode()]).unwrap(key)
    finally:
        await copy.engine.dispose()
    with pytest.raises(KeysUnavailable):
        running.app.cipher.encrypt("anything")  # this process holds no key either


async def test_a_master_key_that_was_wiped_is_refused_at_start(db: Db) -> None:
    keyring = db.keyring()
    await keyring.load()
    from bot.services import wipe

    async with db.uow() as uow:
        await wipe.request(uow, 1)
    async with db.uow() as uow:
        result = await wipe.confirm(uow, keyring, 2, key_file=None)
    assert result.keys_destroyed == 3 and not result.key_file_destroyed
    again = db.keyring()  # DATA_KEY from the environment, still set after the wipe
    with pytest.raises(KeysUnavailable):
        await again.load()
    fresh = db.keyring(Fernet.generate_key().decode())
    await fresh.load()  # a new master key starts afresh
    assert fresh.loaded


def test_rotate_keys_from_the_command_line(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from bot.__main__ import main

    database = Db(data_dir / "shtab.db")

    async def prepare() -> None:
        await database.keyring().load()
        await database.engine.dispose()

    asyncio.run(prepare())
    new_master = Fernet.generate_key().decode()
    monkeypatch.setenv("DATA_KEY", f"{new_master},{DATA_KEY}")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{data_dir / 'shtab.db'}")
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    assert main(["rotate-keys"]) == 0
    assert "rewrapped 3 data keys" in capsys.readouterr().out

    async def check() -> None:
        fresh = Db(data_dir / "shtab.db")
        try:
            await fresh.keyring(new_master).load()
        finally:
            await fresh.engine.dispose()

    asyncio.run(check())


async def test_many_people_later_the_coalition_key_still_reads(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.services import keyring as keyring_module

    monkeypatch.setattr(keyring_module, "CACHE_SIZE", 3)
    keyring = db.keyring()
    await keyring.load()
    token = keyring.cipher.encrypt("диалог")
    async with db.uow() as uow:
        people = [await keyring.for_person(uow, n) for n in range(10)]
    assert people[0] is not None and keyring.known(people[0].ref) is None  # evicted
    assert keyring.cipher.decrypt(token) == "диалог"
    async with db.uow() as uow:
        again = await keyring.for_person(uow, 0, create=False)
    assert again is not None and again.ref == people[0].ref  # back from the database


async def test_quest_answers_are_under_the_persons_key(db: Db) -> None:
    from bot.services.quest import QuestStore

    keyring = db.keyring()
    await keyring.load()
    await enrol(db, keyring)
    async with db.uow() as uow:
        candidate = await uow.candidates.by_user(USER_ID)
        assert candidate is not None
        await QuestStore(uow, keyring.cipher, candidate).save("docs.passport", {"n": "4011"})
    async with db.uow() as uow:
        candidate = await uow.candidates.by_user(USER_ID)
        assert candidate is not None
        person = await keyring.for_person(uow, USER_ID, create=False)
        row = (await uow.quest.progress(candidate.id))[0]
        assert person is not None and row.data_enc is not None
        assert row.data_enc.startswith(f"e1.{person.ref}.")
        fresh = db.keyring()
        await fresh.load()
        progress = await QuestStore(uow, fresh.cipher, candidate).progress()
        assert progress["docs.passport"].data == {"n": "4011"}  # a new process reads it


async def test_a_wrong_data_key_stops_start_up_with_one_line(db: Db, data_dir: Path) -> None:
    from bot.app import build_app, on_startup
    from bot.config import ConfigError

    await db.keyring().load()  # the database's keys, under DATA_KEY
    app = build_app(make_settings(data_dir, data_key=Fernet.generate_key().decode()))
    try:
        with pytest.raises(ConfigError, match="DATA_KEY: it cannot unwrap the data keys"):
            await on_startup(app, bot=None)  # type: ignore[arg-type]
    finally:
        await app.close()


async def test_a_key_destroyed_by_another_instance_is_not_written_under(db: Db) -> None:
    first, second = db.keyring(), db.keyring()  # two instances
    await first.load()
    await second.load()
    await enrol(db, second)  # the second one has the person's key cached
    async with db.uow() as uow:
        await privacy.forget(uow, first.cipher, USER_ID)  # erased through the first
    await enrol(db, second)  # the person comes back, through the second
    token = await stored_phone(db)
    third = db.keyring()  # a fresh process still reads what was written
    await third.load()
    async with db.uow() as uow:
        await third.preload_people(uow, [USER_ID])
    assert third.cipher.decrypt(token) == "+" + PHONE
