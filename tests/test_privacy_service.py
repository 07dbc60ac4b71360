"""/privacy shows what is stored (masked) and is audited; /forget_me erases the person and
leaves an audit trail that no longer says who they were."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_session_factory
from bot.db.models import AuditEntry, Candidate, FsmRecord, RoleGrant, User
from bot.db.uow import UnitOfWorkFactory
from bot.services import privacy
from bot.services.crypto import FieldCipher
from bot.services.registration import give_consent, set_email, set_full_name, set_phone
from bot.services.roles import grant_coordinator
from tests.conftest import ADMIN_ID, DATA_KEY, make_settings

USER_ID = 515151
OTHER_ID = 626262
PHONE = "79111234567"


@pytest.fixture
def cipher(data_dir: Path) -> FieldCipher:
    return FieldCipher(make_settings(data_dir).data_keys)


@pytest.fixture
def uow_factory(engine: AsyncEngine) -> UnitOfWorkFactory:
    return UnitOfWorkFactory(create_session_factory(engine))


async def register(
    uow_factory: UnitOfWorkFactory, cipher: FieldCipher, user_id: int, name: str
) -> None:
    async with uow_factory() as uow:
        await give_consent(uow, user_id, "ru")
        await set_full_name(uow, user_id, name, cipher)
        await set_phone(uow, cipher, user_id, PHONE, user_id)
        await set_email(uow, cipher, user_id, "Maria@Example.RU")
        uow.session.add(FsmRecord(key=f"1:{user_id}:{user_id}::default", user_id=user_id))
        await uow.session.flush()
        record = await uow.session.get(FsmRecord, f"1:{user_id}:{user_id}::default")
        assert record is not None
        record.state = "Registration:district"
        record.data_enc = cipher.encrypt('{"query": "гаван"}')


async def audit_rows(engine: AsyncEngine) -> list[AuditEntry]:
    async with create_session_factory(engine)() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


async def count(engine: AsyncEngine, model: type, *where: object) -> int:
    async with engine.connect() as connection:
        statement = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int(await connection.scalar(statement) or 0)


def test_the_cipher_uses_the_test_data_key(cipher: FieldCipher) -> None:
    assert cipher.decrypt(FieldCipher([DATA_KEY]).encrypt("x")) == "x"


async def test_describe_shows_masked_data_and_is_audited(
    engine: AsyncEngine, uow_factory: UnitOfWorkFactory, cipher: FieldCipher
) -> None:
    await register(uow_factory, cipher, USER_ID, "иванова мария")
    async with uow_factory() as uow:
        report = await privacy.describe(uow, cipher, USER_ID, "ru")
    assert report.stored
    assert report.full_name == "Иванова Мария"
    assert report.phone_masked == "+7 911 ***-**-67"
    assert report.email_masked == "M***@example.ru"
    assert report.locale == "ru"
    assert report.consent_at is not None
    assert report.organisation is None and report.district is None
    assert report.roles == ()
    # The phone itself is stored encrypted, never in clear.
    async with create_session_factory(engine)() as session:
        candidate = await session.scalar(select(Candidate).where(Candidate.user_id == USER_ID))
    assert candidate is not None and candidate.phone_enc is not None
    assert PHONE not in candidate.phone_enc
    viewed = [e for e in await audit_rows(engine) if e.action == "privacy_viewed"]
    assert [(e.actor_id, e.subject_type, e.subject_id) for e in viewed] == [
        (USER_ID, "user", str(USER_ID))
    ]


async def test_describe_of_a_stranger_stores_nothing(
    engine: AsyncEngine, uow_factory: UnitOfWorkFactory, cipher: FieldCipher
) -> None:
    before = await count(engine, AuditEntry)
    async with uow_factory() as uow:
        report = await privacy.describe(uow, cipher, 999999, "ru")
    assert not report.stored
    assert report.full_name is None and report.phone_masked is None
    assert await count(engine, AuditEntry) == before
    assert await count(engine, User) == 0


async def test_forget_erases_the_person_and_pseudonymises_the_audit(
    engine: AsyncEngine, uow_factory: UnitOfWorkFactory, cipher: FieldCipher
) -> None:
    await register(uow_factory, cipher, USER_ID, "Иванова Мария")
    await register(uow_factory, cipher, OTHER_ID, "Петрова Анна")
    async with uow_factory() as uow:
        await grant_coordinator(uow, ADMIN_ID, USER_ID, ["civic"], [])
    async with uow_factory() as uow:
        await privacy.describe(uow, cipher, USER_ID, "ru")
    about_user = [e for e in await audit_rows(engine) if e.subject_id == str(USER_ID)]
    assert {e.action for e in about_user} == {"consent_given", "role_granted", "privacy_viewed"}
    assert any(e.details for e in about_user)  # e.g. the consent version

    async with uow_factory() as uow:
        await privacy.forget(uow, cipher, USER_ID)

    assert await count(engine, User, User.id == USER_ID) == 0
    assert await count(engine, Candidate, Candidate.user_id == USER_ID) == 0
    assert await count(engine, FsmRecord, FsmRecord.user_id == USER_ID) == 0
    assert await count(engine, RoleGrant, RoleGrant.user_id == USER_ID) == 0
    # The other person is untouched.
    assert await count(engine, User, User.id == OTHER_ID) == 1
    assert await count(engine, Candidate, Candidate.user_id == OTHER_ID) == 1
    assert await count(engine, FsmRecord, FsmRecord.user_id == OTHER_ID) == 1
    assert (
        await count(
            engine,
            AuditEntry,
            or_(AuditEntry.subject_id == str(OTHER_ID), AuditEntry.actor_id == OTHER_ID),
        )
        == 1
    )

    entries = await audit_rows(engine)
    pseudonym = cipher.blind_index(f"user:{USER_ID}")[:32]
    assert str(USER_ID) not in pseudonym
    for entry in entries:
        assert entry.actor_id != USER_ID, entry.action
        assert entry.subject_id != str(USER_ID), entry.action
        assert str(USER_ID) not in repr(entry.details), entry.action
    pseudonymised = [e for e in entries if e.subject_id == pseudonym]
    # What happened is kept, not to whom nor the details.
    assert [e.action for e in pseudonymised] == [
        "consent_given",
        "role_granted",
        "privacy_viewed",
        "user_erased",
    ]
    for entry in pseudonymised:
        assert entry.details == {}
    by_action = {e.action: e for e in pseudonymised}
    assert by_action["consent_given"].actor_id is None
    assert by_action["privacy_viewed"].actor_id is None
    assert by_action["role_granted"].actor_id == ADMIN_ID  # the admin is not the erased user
    assert by_action["user_erased"].actor_id is None
    assert by_action["user_erased"].subject_type == "user"

    # Nothing left to describe.
    async with uow_factory() as uow:
        assert not (await privacy.describe(uow, cipher, USER_ID, "ru")).stored
