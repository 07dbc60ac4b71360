"""Deep link payloads, the language a person is answered in, and coordinator grants on a real
database."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_session_factory
from bot.db.models import AuditEntry, RoleGrant, RoleName
from bot.db.uow import UnitOfWorkFactory
from bot.services.deeplinks import (
    MAX_PAYLOAD,
    DeepLink,
    build_link,
    build_payload,
    parse_payload,
)
from bot.services.errors import InputError
from bot.services.registration import give_consent
from bot.services.roles import (
    ActorQuery,
    Scope,
    grant_coordinator,
    pick_locale,
    resolve_actor,
    revoke_coordinator,
)
from tests.conftest import ADMIN_ID

USER_ID = 424242

# Deep links


@pytest.mark.parametrize(
    ("kind", "argument"),
    [("org", "civic"), ("org", "a"), ("invite", "Ab_9-x-y"), ("x" * 12, "y" * 50)],
)
def test_payload_round_trip(kind: str, argument: str) -> None:
    payload = build_payload(kind, argument)
    assert payload == f"{kind}-{argument}"
    assert parse_payload(payload) == DeepLink(kind, argument)


def test_link() -> None:
    assert build_link("ShtabBot", "org", "civic") == "https://t.me/ShtabBot?start=org-civic"


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "",
        "org",
        "org-",
        "-civic",
        "ORG-civic",
        "org1-civic",
        "org-ci vic",
        "org-civ!c",
        "org-граждане",
        "org.civic",
        "x" * 13 + "-civic",
        "org-" + "y" * 51,
        "org-" + "y" * (MAX_PAYLOAD - 3),  # 65 characters: over Telegram's limit
    ],
)
def test_malformed_payload_is_none(payload: str | None) -> None:
    assert parse_payload(payload) is None


def test_payload_with_a_trailing_newline_is_none() -> None:
    assert parse_payload("org-civic\n") is None


@pytest.mark.parametrize(
    ("kind", "argument"),
    [("org", ""), ("org", "civ ic"), ("Org", "civic"), ("", "civic"), ("org", "a" * 61)],
)
def test_build_payload_refuses_invalid(kind: str, argument: str) -> None:
    with pytest.raises(ValueError):
        build_payload(kind, argument)
    with pytest.raises(ValueError):
        build_link("ShtabBot", kind, argument)


# pick_locale


@pytest.mark.parametrize(
    ("stored", "telegram", "expected"),
    [
        (None, "en-GB", "en"),
        (None, "EN", "en"),
        (None, "ru", "ru"),
        (None, "de", "ru"),
        (None, None, "ru"),
        (None, "", "ru"),
        ("en", "ru", "en"),
        ("ru", "en-US", "ru"),
        ("fr", "en", "en"),
    ],
)
def test_pick_locale(stored: str | None, telegram: str | None, expected: str) -> None:
    assert pick_locale(stored, telegram, "ru") == expected


def test_pick_locale_default_is_the_setting() -> None:
    assert pick_locale(None, "de", "en") == "en"


# Roles on a real database


@pytest.fixture
def uow_factory(engine: AsyncEngine) -> UnitOfWorkFactory:
    return UnitOfWorkFactory(create_session_factory(engine))


@pytest.fixture
async def consented(uow_factory: UnitOfWorkFactory) -> int:
    async with uow_factory() as uow:
        await give_consent(uow, USER_ID, "en")
    return USER_ID


def query(user_id: int, admin_ids: frozenset[int] = frozenset()) -> ActorQuery:
    return ActorQuery(
        user_id=user_id, telegram_language="ru", admin_ids=admin_ids, default_locale="ru"
    )


async def grants_of(uow_factory: UnitOfWorkFactory, user_id: int) -> list[RoleGrant]:
    async with uow_factory() as uow:
        return await uow.users.grants(user_id)


async def test_grant_to_an_unknown_user_is_refused(uow_factory: UnitOfWorkFactory) -> None:
    with pytest.raises(InputError) as caught:
        async with uow_factory() as uow:
            await grant_coordinator(uow, ADMIN_ID, 777, ["civic"], [])
    assert caught.value.code == "error-grant-unknown-user"
    assert caught.value.params == {"user_id": 777}
    assert await grants_of(uow_factory, 777) == []


async def test_grant_scopes_then_resolve_and_revoke(
    uow_factory: UnitOfWorkFactory, consented: int
) -> None:
    async with uow_factory() as uow:
        scopes = await grant_coordinator(uow, ADMIN_ID, consented, ["civic"], ["Гавань"])
    async with uow_factory() as uow:
        civic = await uow.geography.organisation_by_code("civic")
        election = await uow.geography.current_election()
        assert civic is not None and election is not None
        havan = await uow.geography.formation_by_name(election.id, "Гавань")
        assert havan is not None
    assert scopes == [Scope(civic.id, None), Scope(None, havan.id)]

    stored = await grants_of(uow_factory, consented)
    assert [(g.role, g.organisation_id, g.formation_id, g.granted_by) for g in stored] == [
        (RoleName.COORDINATOR, civic.id, None, ADMIN_ID),
        (RoleName.COORDINATOR, None, havan.id, ADMIN_ID),
    ]

    async with uow_factory() as uow:
        actor = await resolve_actor(uow, query(consented))
    assert actor.roles == frozenset({RoleName.COORDINATOR})
    assert actor.coordinator_scopes == (Scope(civic.id, None), Scope(None, havan.id))
    assert actor.is_staff and not actor.is_admin
    assert actor.consented
    assert actor.locale == "en"  # stored at consent, wins over Telegram's "ru"

    async with uow_factory() as uow:
        assert await revoke_coordinator(uow, ADMIN_ID, consented) == 2
    assert await grants_of(uow_factory, consented) == []
    async with uow_factory() as uow:
        actor = await resolve_actor(uow, query(consented))
        actions = await uow.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.subject_type == "user", AuditEntry.subject_id == str(consented))
            .order_by(AuditEntry.id)
        )
        assert list(actions) == ["consent_given", "role_granted", "role_revoked"]
    assert actor.roles == frozenset()
    assert actor.coordinator_scopes == ()
    assert not actor.is_staff


async def test_grant_without_scope_means_the_whole_coalition(
    uow_factory: UnitOfWorkFactory, consented: int
) -> None:
    async with uow_factory() as uow:
        assert await grant_coordinator(uow, ADMIN_ID, consented, [], []) == []
    async with uow_factory() as uow:
        actor = await resolve_actor(uow, query(consented))
    assert actor.coordinator_scopes == (Scope(None, None),)


async def test_unknown_formation_is_refused_and_nothing_is_granted(
    uow_factory: UnitOfWorkFactory, consented: int
) -> None:
    with pytest.raises(InputError) as caught:
        async with uow_factory() as uow:
            await grant_coordinator(uow, ADMIN_ID, consented, ["civic"], ["Атлантида"])
    assert caught.value.code == "error-grant-unknown-formation"
    assert caught.value.params == {"name": "Атлантида"}
    assert await grants_of(uow_factory, consented) == []


@pytest.mark.parametrize("organisations", [["nope"], ["civic", "nope"]])
async def test_unknown_organisation_is_refused_and_nothing_is_granted(
    uow_factory: UnitOfWorkFactory, consented: int, organisations: list[str]
) -> None:
    with pytest.raises(InputError) as caught:
        async with uow_factory() as uow:
            await grant_coordinator(uow, ADMIN_ID, consented, organisations, [])
    assert caught.value.code == "error-grant-unknown-organisation"
    assert caught.value.params == {"code": "nope"}
    assert await grants_of(uow_factory, consented) == []


async def test_admin_comes_from_the_settings(
    uow_factory: UnitOfWorkFactory, consented: int
) -> None:
    async with uow_factory() as uow:
        admin_without_row = await resolve_actor(uow, query(ADMIN_ID, frozenset({ADMIN_ID})))
        admin_with_row = await resolve_actor(uow, query(consented, frozenset({consented})))
        stranger = await resolve_actor(uow, query(31337, frozenset({ADMIN_ID})))
    assert admin_without_row.roles == frozenset({RoleName.ADMIN})
    assert admin_without_row.is_admin and not admin_without_row.consented
    assert admin_with_row.roles == frozenset({RoleName.ADMIN})
    assert admin_with_row.is_admin and admin_with_row.consented
    assert stranger.roles == frozenset()
    assert not stranger.consented and stranger.locale == "ru"
