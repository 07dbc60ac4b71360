"""The coalition's supporter base: importing the organisations' files, adding one person from
another source (the bot's own sign-up, canvassing), who sees whom, lists, exports, reviews of
possible duplicates, and erasure. No aiogram here.

CPU work (reading files, normalising, matching, encrypting) runs in a worker thread; the
event loop only waits for it and for the database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import delete, or_, update

from bot.db.models import User
from bot.db.models.supporters import Supporter, SupporterImport, SupporterMatch, SupporterSource
from bot.db.repositories.supporters import Visibility
from bot.db.uow import UnitOfWork
from bot.services import anomalies
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.directory import scope_of
from bot.services.errors import InputError
from bot.services.export import Table
from bot.services.export_protect import pseudonymise
from bot.services.quest import QuestService, StepResult
from bot.services.registration import CONSENT_VERSION
from bot.services.roles import Actor
from bot.services.supporters_dedup import (
    Place,
    Places,
    Plan,
    Snapshot,
    consent_columns,
    finish_consents,
    merge_consents,
    plan_import,
)
from bot.services.supporters_files import (
    Problem,
    Sheet,
    apply_override,
    blocking,
    detect_mapping,
    parse_rows,
    read_sheet,
)
from bot.services.supporters_records import (
    PURPOSES,
    display_name,
    name_key,
    normalise_address,
    normalise_email,
    normalise_phone,
)
from bot.services.validation import mask_email, mask_phone

PAGE_SIZE = 10
OWN_SOURCE = "self"
# Locale keys of the problems a file can have, by Problem.code.
PROBLEM_KEYS = {
    "columns": "supporters-problem-columns",
    "broken": "supporters-problem-broken",
    "formula": "supporters-problem-formula",
    "too-long": "supporters-problem-too-long",
    "id": "supporters-problem-id",
    "duplicate-id": "supporters-problem-duplicate-id",
    "skip-no-name": "supporters-problem-skip-no-name",
    "skip-no-contact": "supporters-problem-skip-no-contact",
    "bad-phone": "supporters-problem-bad-phone",
    "bad-email": "supporters-problem-bad-email",
    "bad-birth": "supporters-problem-bad-birth",
}


# --- import ----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    file_name: str
    organisation: str
    dry_run: bool
    encoding: str = ""
    mapping: dict[str, str] = field(default_factory=dict)  # field → column header
    rows: int = 0
    created: int = 0
    merged: int = 0
    unchanged: int = 0
    updated: int = 0
    to_review: int = 0
    unassigned: int = 0
    problems: list[Problem] = field(default_factory=list)
    refused: bool = False  # errors in the file: nothing was imported
    timings: dict[str, float] = field(default_factory=dict)
    import_id: int | None = None

    @property
    def skipped(self) -> int:
        return sum(1 for p in self.problems if p.code.startswith("skip-"))


async def read_file(data: bytes, file_name: str, encoding: str | None = None) -> Sheet:
    """The file's table, read in a worker thread. Raises FileError."""
    return await asyncio.to_thread(read_sheet, data, file_name, encoding)


def mapping_for(sheet: Sheet, override: Mapping[str, str | int | None] | None) -> dict[str, int]:
    return apply_override(sheet.header, detect_mapping(sheet.header), override or {})


async def import_sheet(
    uow: UnitOfWork,
    cipher: FieldCipher,
    sheet: Sheet,
    *,
    file_name: str,
    organisation_code: str,
    override: Mapping[str, str | int | None] | None = None,
    dry_run: bool = False,
    actor_id: int | None = None,
) -> ImportReport:
    """Import (or, dry, only count) a read file for one organisation. A file with errors is
    refused whole: the report lists them by row, and nothing is written."""
    organisation = await uow.geography.organisation_by_code(organisation_code)
    if organisation is None:
        raise InputError("supporters-error-unknown-org", code=organisation_code)
    report = ImportReport(file_name, organisation.code, dry_run, encoding=sheet.encoding)
    mapping = mapping_for(sheet, override)
    report.mapping = {name: sheet.header[index] for name, index in mapping.items()}
    started = time.perf_counter()
    records, problems = await asyncio.to_thread(parse_rows, sheet, mapping)
    report.timings["parse"] = time.perf_counter() - started
    report.problems = problems
    report.rows = len(sheet.rows)
    if blocking(problems):
        report.refused = True
        return report
    started = time.perf_counter()
    snapshot = await _snapshot(uow, organisation.id, organisation.code)
    report.timings["load"] = time.perf_counter() - started
    started = time.perf_counter()
    plan = await asyncio.to_thread(plan_import, cipher, snapshot, records, encrypt=not dry_run)
    report.timings["match"] = time.perf_counter() - started
    report.timings["encrypt"] = plan.encrypt_seconds
    for name in ("created", "merged", "unchanged", "updated", "to_review", "unassigned"):
        setattr(report, name, getattr(plan, name))
    if dry_run:
        return report
    started = time.perf_counter()
    stored = await uow.supporters.consents(sorted(plan.added_consents))
    await asyncio.to_thread(finish_consents, plan, stored)
    report.import_id = await _write(uow, plan, organisation.id, file_name, actor_id)
    report.timings["write"] = time.perf_counter() - started
    await uow.audit.record(
        actor_id,
        "supporters_imported",
        "supporter_import",
        report.import_id,
        organisation=organisation.code,
        rows=report.rows,
        created=report.created,
        merged=report.merged,
        unchanged=report.unchanged,
    )
    return report


async def import_file(
    uow: UnitOfWork,
    cipher: FieldCipher,
    data: bytes,
    *,
    file_name: str,
    organisation_code: str,
    override: Mapping[str, str | int | None] | None = None,
    dry_run: bool = False,
    actor_id: int | None = None,
    encoding: str | None = None,
) -> ImportReport:
    started = time.perf_counter()
    sheet = await read_file(data, file_name, encoding)
    read = time.perf_counter() - started
    report = await import_sheet(
        uow,
        cipher,
        sheet,
        file_name=file_name,
        organisation_code=organisation_code,
        override=override,
        dry_run=dry_run,
        actor_id=actor_id,
    )
    report.timings["read"] = read
    return report


async def _snapshot(uow: UnitOfWork, organisation_id: int, code: str) -> Snapshot:
    election = await uow.geography.current_election()
    places = await _places(uow, election.id) if election else {}
    return Snapshot(
        organisation_id=organisation_id,
        organisation_code=code,
        people=await uow.supporters.people(),
        sources=await uow.supporters.organisation_sources(organisation_id),
        places=Places(places),
    )


async def _places(uow: UnitOfWork, election_id: int) -> dict[str, Place]:
    """The election's address list (uow.addresses) as the matcher's places."""
    return {
        key: Place(building, district, formation, key)
        for key, (building, district, formation) in (
            await uow.addresses.placements(election_id)
        ).items()
    }


async def _write(
    uow: UnitOfWork, plan: Plan, organisation_id: int, file_name: str, actor_id: int | None
) -> int:
    now = utcnow()
    import_id = await uow.supporters.add_import(
        SupporterImport(
            organisation_id=organisation_id,
            actor_id=actor_id,
            file_name=file_name[:200],
            rows=plan.rows,
            created=plan.created,
            merged=plan.merged,
            unchanged=plan.unchanged,
            updated=plan.updated,
            to_review=plan.to_review,
            unassigned=plan.unassigned,
        )
    )
    refs = sorted(plan.new_people, reverse=True)  # -1, -2, ...: the order of the file
    ids = await uow.supporters.insert_people(
        [{**plan.new_people[ref], "created_at": now, "updated_at": now} for ref in refs]
    )
    real = dict(zip(refs, ids, strict=True))

    def resolve(ref: int) -> int:
        return real.get(ref, ref)

    await uow.supporters.update_people(
        {ref: {**columns, "updated_at": now} for ref, columns in plan.patches.items()}
    )
    await uow.supporters.insert_sources(
        [
            {
                **row,
                "supporter_id": resolve(int(row["supporter_id"])),
                "import_id": import_id,
                "created_at": now,
            }
            for row in plan.new_sources
        ]
    )
    await uow.supporters.update_sources(plan.source_updates)
    pairs = {}
    for (a, b), value in plan.reviews.items():
        x, y = resolve(a), resolve(b)
        pairs[(min(x, y), max(x, y))] = value
    await uow.supporters.add_matches(pairs)
    return import_id


# --- one person from another source ----------------------------------------------------------


async def ensure_user(uow: UnitOfWork, user_id: int, locale: str) -> None:
    """A supporter who joins in the bot consents first: the users row records it (and makes
    /privacy and /forget_me theirs)."""
    if await uow.users.get(user_id) is None:
        await uow.users.add(
            User(id=user_id, locale=locale, consent_at=utcnow(), consent_version=CONSENT_VERSION)
        )
        await uow.audit.record(
            user_id, "consent_given", "user", user_id, version=CONSENT_VERSION, as_="supporter"
        )


async def add_supporter(
    uow: UnitOfWork,
    cipher: FieldCipher,
    *,
    name: str,
    phone: str | None = None,
    email: str | None = None,
    address: str | None = None,
    district_id: int | None = None,
    consents: Mapping[str, bool | None],
    source: str,
    organisation_id: int | None = None,
    user_id: int | None = None,
) -> Supporter:
    """Add (or find and complete) one person from a source other than a file: the bot's own
    sign-up (`source="self"`, with `user_id`), a canvass visit (`source="canvass:<visit>"`).
    The same phone or e-mail finds the person already stored; the source's consents are
    merged like an import's (the person's own answers, source "self", win)."""
    display = display_name(name)
    if display is None:
        raise InputError("error-name-empty")
    phone_norm = normalise_phone(phone) if phone else None
    email_norm = normalise_email(email) if email else None
    phone_index = cipher.blind_index(phone_norm) if phone_norm else None
    email_index = cipher.blind_index(email_norm) if email_norm else None
    supporter = await uow.supporters.by_user(user_id) if user_id is not None else None
    if supporter is None:
        supporter = await uow.supporters.by_index(phone=phone_index, email=email_index)
    if supporter is None:
        supporter = Supporter(consent_contact=False, consent_volunteer=False, consent_news=False)
        uow.supporters.add(supporter)
    if user_id is not None and supporter.user_id is None:
        supporter.user_id = user_id
    if supporter.name_enc is None or source == OWN_SOURCE:
        supporter.name_enc = cipher.encrypt(display)
        supporter.name_index = cipher.blind_index(name_key(display))
    if phone_norm and (supporter.phone_index is None or source == OWN_SOURCE):
        supporter.phone_enc, supporter.phone_index = cipher.encrypt(phone_norm), phone_index
    if email_norm and supporter.email_index is None:
        supporter.email_enc, supporter.email_index = cipher.encrypt(email_norm), email_index
    if address:
        await _place(uow, cipher, supporter, address)
    if district_id is not None:
        district = await uow.geography.district(district_id)
        if district is None:
            raise InputError("supporters-error-unknown-district")
        supporter.district_id, supporter.formation_id = district.id, district.formation_id
    supporter.updated_at = utcnow()
    await uow.supporters.flush()
    key = f"{OWN_SOURCE}:{supporter.id}" if source == OWN_SOURCE else source
    row = await uow.supporters.source(key)
    values = {p: consents.get(p) for p in PURPOSES}
    if row is None:
        row = SupporterSource(supporter_id=supporter.id, key=key, row_hash="")
        uow.supporters.add_source(row)
    row.supporter_id, row.organisation_id = supporter.id, organisation_id
    row.consent_contact = values["contact"]
    row.consent_volunteer = values["volunteer"]
    row.consent_news = values["news"]
    await uow.supporters.flush()
    await _recompute_consents(uow, supporter)
    return supporter


async def withdraw_source(uow: UnitOfWork, key: str) -> None:
    """A source takes back the consents it gave (a resident withdrew consent at the door):
    its record stays as provenance, and the person's consents are recomputed (one "no" is
    no)."""
    row = await uow.supporters.source(key)
    if row is None:
        return
    row.consent_contact = row.consent_volunteer = row.consent_news = False
    await uow.supporters.flush()
    supporter = await uow.supporters.get(row.supporter_id)
    if supporter is not None:
        await _recompute_consents(uow, supporter)


async def _place(uow: UnitOfWork, cipher: FieldCipher, supporter: Supporter, text: str) -> None:
    found = normalise_address(text)
    if found is None:
        return
    supporter.address_enc = cipher.encrypt(found.text)
    supporter.address_index = cipher.blind_index(found.key) if found.key else None
    election = await uow.geography.current_election()
    if election is None or found.key is None:
        return
    place = Places(await _places(uow, election.id)).find(found.key)
    if place is not None:
        supporter.building_id = place.building_id
        supporter.district_id, supporter.formation_id = place.district_id, place.formation_id


async def _recompute_consents(uow: UnitOfWork, supporter: Supporter) -> None:
    sources = (await uow.supporters.consents([supporter.id])).get(supporter.id, [])
    for column, value in consent_columns(merge_consents(sources)).items():
        setattr(supporter, column, value)


async def place_by_address(uow: UnitOfWork, text: str) -> tuple[int | None, str | None]:
    """The district id for a typed address, and the address as understood; (None, None)
    when no house number was found."""
    found = normalise_address(text)
    if found is None or found.key is None:
        return None, None
    election = await uow.geography.current_election()
    if election is None:
        return None, found.text
    place = Places(await _places(uow, election.id)).find(found.key)
    return (place.district_id if place else None), found.text


async def set_own_consent(
    uow: UnitOfWork, supporter: Supporter, purpose: str, value: bool
) -> None:
    """The person's own answer in the bot: it overrides what the lists said."""
    if purpose not in PURPOSES:
        raise InputError("supporters-error-purpose")
    key = f"{OWN_SOURCE}:{supporter.id}"
    row = await uow.supporters.source(key)
    if row is None:
        row = SupporterSource(supporter_id=supporter.id, key=key, row_hash="")
        uow.supporters.add_source(row)
    setattr(row, f"consent_{purpose}", value)
    await uow.supporters.flush()
    await _recompute_consents(uow, supporter)
    await uow.audit.record(
        supporter.user_id, "supporter_consent", "supporter", supporter.id, purpose=purpose,
        value=value,
    )  # fmt: skip


async def forget(uow: UnitOfWork, user_id: int) -> bool:
    """/forget_me: the person's supporter record, every source merged into it, and the
    review pairs it is in. True if there was one."""
    supporter = await uow.supporters.by_user(user_id)
    if supporter is None:
        return False
    await uow.session.execute(
        delete(SupporterMatch).where(
            or_(
                SupporterMatch.supporter_id == supporter.id,
                SupporterMatch.other_id == supporter.id,
            )
        )
    )
    await uow.session.execute(
        delete(SupporterSource).where(SupporterSource.supporter_id == supporter.id)
    )
    await uow.supporters.delete(supporter.id)
    return True


# --- who sees whom ---------------------------------------------------------------------------


async def visibility(uow: UnitOfWork, actor: Actor) -> Visibility | None:
    """Staff: their scope (directory.scope_of: organisations' records, formations); a
    registered candidate: their district's supporters who agreed to be contacted by
    candidates; anyone else: nothing (None)."""
    if actor.is_staff:
        scope = scope_of(actor)
        if scope.everyone:
            return Visibility(everyone=True)
        return Visibility(
            organisations=scope.organisations or frozenset(),
            formations=scope.formations or frozenset(),
        )
    if actor.is_registered_candidate:
        candidate = await uow.candidates.by_user(actor.user_id)
        if candidate is not None and candidate.district_id is not None:
            return Visibility(district_id=candidate.district_id)
    return None


@dataclass(frozen=True)
class SupporterView:
    id: int
    name: str
    phone: str | None
    email: str | None
    consents: tuple[str, ...]
    address: str | None = None


@dataclass(frozen=True)
class Listing:
    items: list[SupporterView]
    page: int
    pages: int
    total: int
    unassigned: int
    to_review: int


async def listing(
    uow: UnitOfWork,
    cipher: FieldCipher,
    actor: Actor,
    page: int = 0,
    *,
    unassigned: bool = False,
) -> Listing:
    """One page of the supporters the actor may see (decrypted for this page only), audited.
    Candidates see phones in full (they are to call); staff lists mask them (the export,
    also audited, has them)."""
    seen = await visibility(uow, actor)
    if seen is None:
        raise InputError("supporters-not-allowed")
    if unassigned and seen.district_id is not None:
        raise InputError("supporters-not-allowed")
    total = await uow.supporters.count(seen, unassigned=unassigned)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    rows = await uow.supporters.page(seen, page * PAGE_SIZE, PAGE_SIZE, unassigned=unassigned)
    masked = seen.district_id is None
    items = []
    for row in rows:
        phone = cipher.decrypt(row.phone_enc)
        items.append(
            SupporterView(
                row.id,
                cipher.decrypt(row.name_enc) or "—",
                (mask_phone(phone) if masked else phone) if phone else None,
                None if masked else cipher.decrypt(row.email_enc),
                tuple(p for p in PURPOSES if getattr(row, f"consent_{p}")),
            )
        )
    await uow.audit.record(
        actor.user_id,
        "supporters_listed",
        "supporters",
        None,
        page=page,
        unassigned=unassigned,
        ids=[item.id for item in items],
    )
    unassigned_count = await uow.supporters.count(seen, unassigned=True) if masked else 0
    to_review = len(await uow.supporters.open_matches(seen, limit=1000)) if masked else 0
    return Listing(items, page, pages, total, unassigned_count, to_review)


EXPORT_COLUMNS = (
    "id", "name", "phone", "email", "address", "birth_date", "formation", "district",
    "consent_contact", "contact_by", "consent_volunteer", "volunteer_by", "consent_news",
    "news_by", "sources",
)  # fmt: skip


async def export_table(
    uow: UnitOfWork,
    cipher: FieldCipher,
    seen: Visibility,
    actor_id: int | None,
    via: str,
    mode: str | None = None,
) -> Table:
    """Every supporter in view, decrypted, with the source records it was merged from as
    `organisation:external_id` (for a coordinator, those of their organisations).
    Decrypting is CPU work: done in a worker thread."""
    people = await uow.supporters.all_visible(seen)
    sources = await uow.supporters.sources([p.id for p in people])
    organisations = {o.id: o.code for o in await uow.geography.organisations()}
    districts = {}
    for district_id in {p.district_id for p in people if p.district_id}:
        district = await uow.geography.district(district_id)
        if district is not None:
            districts[district_id] = (district.formation.name, district.number)
    plain = [
        (
            p.id,
            p.name_enc,
            p.phone_enc,
            p.email_enc,
            p.address_enc,
            p.birth_enc,
            districts.get(p.district_id or 0, ("", "")),
            tuple(
                (getattr(p, f"consent_{x}"), organisations.get(getattr(p, f"{x}_org_id") or 0, ""))
                for x in PURPOSES
            ),
            ";".join(s.key for s in sources.get(p.id, []) if _shows_source(seen, s)),
        )
        for p in people
    ]

    def build() -> Table:
        rows = []
        for pid, name, phone, email, address, birth, (mf, number), consents, keys in plain:
            flat: list[object] = []
            for given, by in consents:
                flat.extend(("yes" if given else "no", by))
            rows.append(
                (
                    pid,
                    *(cipher.decrypt(v) or "" for v in (name, phone, email, address, birth)),
                    mf,
                    number,
                    *flat,
                    keys,
                )
            )
        return Table(EXPORT_COLUMNS, rows)

    table = await asyncio.to_thread(build)
    await uow.audit.record(
        actor_id,
        "supporters_exported",
        "supporters",
        None,
        rows=len(plain),
        via=via,
        **({"mode": mode} if mode else {}),
    )
    return table


def pseudonymised(table: Table, cipher: FieldCipher) -> Table:
    """The export without who the people are: a stable pseudonym for the name (the same
    supporter is the same line in every export), masked phone and e-mail, no address or
    birth date. District, consents and sources stay: enough to plan work, not to find anyone."""
    return pseudonymise(
        table,
        {
            1: lambda line: "С-" + cipher.blind_index(f"pseudonym:supporter:{line[0]}")[:8],
            2: lambda line: mask_phone(str(line[2])) if line[2] else "",
            3: lambda line: mask_email(str(line[3])) if line[3] else "",
            4: "",
            5: "",
        },
    )


# Paging through lists and exporting are reads of personal data: counted against the limits.
anomalies.watch("supporters_listed")
anomalies.watch("supporters_exported")
anomalies.watch("supporters_exported", anomalies.EXPORTS)


async def complete_quest_task(service: QuestService) -> list[StepResult]:
    """Report the candidate's "supporters" action task done through the quest's own rules
    (it completes only if it is open for them)."""
    return await service.report_action_done("supporters")


def _shows_source(seen: Visibility, source: SupporterSource) -> bool:
    """The whole coalition sees every source; a coordinator only their organisations'
    (that a person is also on another organisation's list is that organisation's to tell)."""
    return seen.everyone or source.organisation_id in seen.organisations


# --- review of possible duplicates -----------------------------------------------------------


@dataclass(frozen=True)
class ReviewView:
    id: int
    score: float
    reason: str
    first: SupporterView
    second: SupporterView


async def next_review(uow: UnitOfWork, cipher: FieldCipher, actor: Actor) -> ReviewView | None:
    seen = await visibility(uow, actor)
    if seen is None or seen.district_id is not None:
        raise InputError("supporters-not-allowed")
    matches = await uow.supporters.open_matches(seen, limit=1)
    if not matches:
        return None
    match = matches[0]
    views = []
    for supporter_id in (match.supporter_id, match.other_id):
        row = await uow.supporters.get(supporter_id)
        assert row is not None  # pairs go with their people (cascade)
        phone = cipher.decrypt(row.phone_enc)
        views.append(
            SupporterView(
                row.id,
                cipher.decrypt(row.name_enc) or "—",
                mask_phone(phone) if phone else None,
                None,
                tuple(p for p in PURPOSES if getattr(row, f"consent_{p}")),
                cipher.decrypt(row.address_enc),
            )
        )
    await uow.audit.record(actor.user_id, "supporters_review_viewed", "supporter_match", match.id)
    return ReviewView(match.id, match.score, match.reason, views[0], views[1])


async def resolve_review(uow: UnitOfWork, actor: Actor, match_id: int, *, same: bool) -> None:
    """A coordinator's decision on a pair; the pair must be in their view (a forged button
    for someone else's pair is refused)."""
    seen = await visibility(uow, actor)
    match = await uow.supporters.match(match_id)
    if seen is None or seen.district_id is not None or match is None or match.status != "open":
        raise InputError("supporters-review-gone")
    for supporter_id in (match.supporter_id, match.other_id):
        if await uow.supporters.visible(seen, supporter_id) is None:
            raise InputError("supporters-review-gone")
    match.status, match.resolved_by = ("merged" if same else "distinct"), actor.user_id
    if same:
        await merge_people(uow, match.supporter_id, match.other_id)
    await uow.audit.record(
        actor.user_id, "supporters_reviewed", "supporter_match", match_id, same=same
    )


_CARRIED = ("name", "phone", "email", "address", "birth")


async def merge_people(uow: UnitOfWork, keep_id: int, drop_id: int) -> None:
    """One person from two: the kept record gains what it lacked (ciphertexts are moved as
    they are), every source, and the strictest consent of all of them."""
    keep, drop = await uow.supporters.get(keep_id), await uow.supporters.get(drop_id)
    if keep is None or drop is None:
        raise InputError("supporters-review-gone")
    for part in _CARRIED:
        if getattr(keep, f"{part}_enc") is None and getattr(drop, f"{part}_enc") is not None:
            setattr(keep, f"{part}_enc", getattr(drop, f"{part}_enc"))
            setattr(keep, f"{part}_index", getattr(drop, f"{part}_index"))
    if keep.district_id is None and drop.district_id is not None:
        keep.building_id, keep.district_id = drop.building_id, drop.district_id
        keep.formation_id = drop.formation_id
    if keep.user_id is None and drop.user_id is not None:
        keep.user_id, drop.user_id = drop.user_id, None
        await uow.supporters.flush()
    await uow.supporters.move_sources(drop_id, keep_id)
    # The kept person's own answers are keyed by their id: the dropped one's stay theirs.
    await uow.session.execute(
        update(SupporterSource)
        .where(SupporterSource.key == f"{OWN_SOURCE}:{drop_id}")
        .values(key=f"{OWN_SOURCE}:{drop_id}:merged")
    )
    await uow.session.execute(
        update(SupporterMatch)
        .where(SupporterMatch.status == "open")
        .where(or_(SupporterMatch.supporter_id == drop_id, SupporterMatch.other_id == drop_id))
        .values(status="merged")
    )
    await uow.supporters.delete(drop_id)
    uow.session.expire(keep)
    keep = await uow.supporters.get(keep_id)
    assert keep is not None
    await _recompute_consents(uow, keep)
