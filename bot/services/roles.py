"""Who a person is to the bot: roles and their scopes, resolved once per update."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.db.models import CandidateStatus, RoleGrant, RoleName
from bot.db.uow import UnitOfWork
from bot.services.errors import InputError

SUPPORTED_LOCALES = ("ru", "en")


def pick_locale(stored: str | None, telegram_language: str | None, default: str) -> str:
    if stored in SUPPORTED_LOCALES:
        return stored
    language = (telegram_language or "").split("-")[0].lower()
    return language if language in SUPPORTED_LOCALES else default


@dataclass(frozen=True)
class Scope:
    organisation_id: int | None
    formation_id: int | None


@dataclass(frozen=True)
class Actor:
    """The person behind an update, as the handlers and services need to see them."""

    user_id: int
    locale: str
    roles: frozenset[RoleName] = frozenset()
    coordinator_scopes: tuple[Scope, ...] = ()
    consented: bool = False
    candidate_status: CandidateStatus | None = None

    @property
    def is_admin(self) -> bool:
        return RoleName.ADMIN in self.roles

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & {RoleName.ADMIN, RoleName.COORDINATOR})

    @property
    def is_registered_candidate(self) -> bool:
        return self.candidate_status is CandidateStatus.REGISTERED

    def has(self, role: RoleName) -> bool:
        return role in self.roles


@dataclass
class ActorQuery:
    user_id: int
    telegram_language: str | None
    admin_ids: frozenset[int]
    default_locale: str
    extra: dict[str, object] = field(default_factory=dict)


async def resolve_actor(uow: UnitOfWork, query: ActorQuery) -> Actor:
    user = await uow.users.person(query.user_id)
    roles: set[RoleName] = set()
    if query.user_id in query.admin_ids:
        roles.add(RoleName.ADMIN)
    if user is None:
        locale = pick_locale(None, query.telegram_language, query.default_locale)
        return Actor(query.user_id, locale, frozenset(roles))
    grants = await uow.users.person_grants(user)
    roles.update(grant.role for grant in grants)
    candidate = user.candidate
    uow.candidates.remember(user.id, candidate)
    if candidate is not None and candidate.status is CandidateStatus.REGISTERED:
        roles.add(RoleName.CANDIDATE)
    scopes = tuple(
        Scope(grant.organisation_id, grant.formation_id)
        for grant in grants
        if grant.role is RoleName.COORDINATOR
    )
    return Actor(
        user_id=user.id,
        locale=pick_locale(user.locale, query.telegram_language, query.default_locale),
        roles=frozenset(roles),
        coordinator_scopes=scopes,
        consented=True,
        candidate_status=candidate.status if candidate else None,
    )


async def grant_coordinator(
    uow: UnitOfWork,
    admin_id: int,
    user_id: int,
    organisation_codes: Iterable[str],
    formation_names: Iterable[str],
) -> list[Scope]:
    """Scope a coordinator to organisations and/or formations; no scope means the whole city."""
    if await uow.users.get(user_id) is None:
        # A role needs a person who consented: the bot holds nothing on anyone else.
        raise InputError("error-grant-unknown-user", user_id=user_id)
    scopes: list[Scope] = []
    for code in organisation_codes:
        organisation = await uow.geography.organisation_by_code(code)
        if organisation is None:
            raise InputError("error-grant-unknown-organisation", code=code)
        scopes.append(Scope(organisation.id, None))
    election = await uow.geography.current_election()
    for name in formation_names:
        formation = await uow.geography.formation_by_name(election.id, name) if election else None
        if formation is None:
            raise InputError("error-grant-unknown-formation", name=name)
        scopes.append(Scope(None, formation.id))
    for scope in scopes or [Scope(None, None)]:
        await uow.users.add_grant(
            RoleGrant(
                user_id=user_id,
                role=RoleName.COORDINATOR,
                organisation_id=scope.organisation_id,
                formation_id=scope.formation_id,
                granted_by=admin_id,
            )
        )
    await uow.audit.record(
        admin_id, "role_granted", "user", user_id, role="coordinator", scopes=len(scopes)
    )
    return scopes


async def revoke_coordinator(uow: UnitOfWork, admin_id: int, user_id: int) -> int:
    removed = await uow.users.remove_grants(user_id, RoleName.COORDINATOR)
    await uow.audit.record(admin_id, "role_revoked", "user", user_id, role="coordinator")
    return removed
