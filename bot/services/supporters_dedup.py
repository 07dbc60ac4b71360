"""Who is who: deduplication of supporter records, and the plan of an import.

The rule: the same phone or e-mail is the same person (compared by blind index). Otherwise a
person is the same when the names are close (rapidfuzz, on a key where case, ё/е, the order
of the parts and diminutives make no difference) and the building or the birth date agrees;
closeness just below the bar makes a pair for a coordinator to review. A birth date that
differs rules a match out.

Everything here is plain CPU work on values already loaded: `plan` runs in a worker thread.
Names of people already stored are decrypted only when they share a building or a birth
date with a new record, once per import.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.services.addresses import closest_streets
from bot.services.crypto import FieldCipher
from bot.services.supporters_records import PURPOSES, Record, name_key, patronymic_of

SAME = 92.0  # name score that makes one person with the building or the birth date
SAME_BOTH = 80.0  # ... with both the building and the birth date
SAME_OTHER_PHONE = 96.0  # ... when both have phones and they differ
REVIEW = 75.0  # below SAME but at least this: a pair to review


def name_score(a: str, b: str, pa: str | None = None, pb: str | None = None) -> float:
    """0-100; keys are name_key()s (parts already sorted), pa/pb their patronymics."""
    if pa and pb and pa != pb and fuzz.ratio(pa, pb) < 80:
        return 60.0  # Иван Петрович is not Иван Сергеевич
    score = fuzz.ratio(a, b)
    if score < 100 and a.count(" ") != b.count(" "):
        # One list left the patronymic (or a part) out: compare what both have.
        score = max(score, fuzz.token_set_ratio(a, b) - 4)
    return score


@dataclass(slots=True)  # tens of thousands per import: slots make them cheap
class Person:
    """A supporter as the matcher sees it: blind indexes and, when needed, the name key."""

    ref: int  # the database id, or a negative number for one this import creates
    phone_index: str | None = None
    email_index: str | None = None
    address_index: str | None = None
    birth_index: str | None = None
    name_enc: str | None = None
    key: str | None = None  # name_key, decrypted lazily for stored people
    district_id: int | None = None
    patronymic: str | None = None
    has_address: bool = False  # an address is stored, found in the list or not


@dataclass(frozen=True)
class Decision:
    ref: int | None  # the person the record belongs to; None: a new person
    reason: str  # phone, email, name+address, name+birth, name+both, new
    review: tuple[tuple[int, float, str], ...] = ()  # (ref, score, reason) to look at


class Matcher:
    def __init__(self, cipher: FieldCipher, people: Iterable[Person]) -> None:
        self._cipher = cipher
        self.people: dict[int, Person] = {}
        self._phone: dict[str, int] = {}
        self._email: dict[str, int] = {}
        # Blocks: everyone at a building, everyone born on a day (dicts as ordered sets).
        self._address: dict[str, dict[int, None]] = defaultdict(dict)
        self._birth: dict[str, dict[int, None]] = defaultdict(dict)
        self.decrypted = 0
        for person in people:
            self.add(person)

    def add(self, person: Person) -> None:
        self.people[person.ref] = person
        self.index(person)

    def index(self, person: Person) -> None:
        """(Re)register a person's indexes, e.g. after a merge gave them an e-mail."""
        if person.phone_index:
            self._phone.setdefault(person.phone_index, person.ref)
        if person.email_index:
            self._email.setdefault(person.email_index, person.ref)
        if person.address_index:
            self._address[person.address_index][person.ref] = None
        if person.birth_index:
            self._birth[person.birth_index][person.ref] = None

    def _key(self, person: Person) -> str | None:
        if person.key is None and person.name_enc is not None:
            person.key = name_key(self._cipher.decrypt(person.name_enc) or "")
            person.patronymic = patronymic_of(person.key)
            self.decrypted += 1
        return person.key

    def match(self, probe: Person) -> Decision:
        review: list[tuple[int, float, str]] = []
        by_phone = self._phone.get(probe.phone_index) if probe.phone_index else None
        by_email = self._email.get(probe.email_index) if probe.email_index else None
        if by_phone is not None:
            if by_email is not None and by_email != by_phone:
                review.append((by_email, 100.0, "email"))
            return Decision(by_phone, "phone", tuple(review))
        if by_email is not None:
            return Decision(by_email, "email")
        if not probe.key:
            return Decision(None, "new")
        refs = dict(self._address.get(probe.address_index or "", {}))
        refs.update(self._birth.get(probe.birth_index or "", {}))
        best: tuple[float, int, str] | None = None
        for ref in refs:
            other = self.people[ref]
            if probe.birth_index and other.birth_index and probe.birth_index != other.birth_index:
                continue
            key = self._key(other)
            if not key:
                continue
            score = name_score(probe.key, key, probe.patronymic, other.patronymic)
            if score < REVIEW:
                continue
            same_address = bool(probe.address_index) and probe.address_index == other.address_index
            same_birth = bool(probe.birth_index) and probe.birth_index == other.birth_index
            reason = (
                "name+both"
                if same_address and same_birth
                else ("name+address" if same_address else "name+birth")
            )
            bar = SAME
            if probe.phone_index and other.phone_index:
                bar = SAME_OTHER_PHONE  # a different phone: ask for more
            if same_address and same_birth:
                bar = SAME_BOTH
            if score >= bar:
                if best is None or score > best[0]:
                    best = (score, ref, reason)
            else:
                review.append((ref, score, reason))
        if best is not None:
            return Decision(best[1], best[2])
        return Decision(None, "new", tuple(review))


# --- consent ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceConsent:
    key: str
    organisation_id: int | None
    consents: dict[str, bool | None]

    @property
    def own(self) -> bool:
        """The person's own word in the bot, which overrides what lists say."""
        return self.key.startswith("self:")


def merge_consents(sources: Iterable[SourceConsent]) -> dict[str, tuple[bool, int | None]]:
    """Per purpose: (consented, the organisation that obtained it). The strictest reading of
    the lists: one "no" is no; yes needs at least one "yes". The person's own answer wins."""
    listed = list(sources)
    if len(listed) == 1:  # most people are in one list: what it says is what holds
        only = listed[0]
        return {
            p: (True, only.organisation_id) if only.consents.get(p) else (False, None)
            for p in PURPOSES
        }
    merged: dict[str, tuple[bool, int | None]] = {}
    for purpose in PURPOSES:
        own = [(s.consents.get(purpose), s.organisation_id) for s in listed if s.own]
        own = [(v, org) for v, org in own if v is not None]
        if own:  # through an organisation's link: that organisation obtained it
            value, org = own[-1]
            merged[purpose] = (bool(value), org if value else None)
            continue
        values = [(s.consents.get(purpose), s.organisation_id) for s in listed]
        if any(v is False for v, _ in values):
            merged[purpose] = (False, None)
            continue
        yes = [org for v, org in values if v]
        merged[purpose] = (True, yes[0]) if yes else (False, None)
    return merged


def consent_columns(merged: dict[str, tuple[bool, int | None]]) -> dict[str, object]:
    return {
        "consent_contact": merged["contact"][0],
        "contact_org_id": merged["contact"][1],
        "consent_volunteer": merged["volunteer"][0],
        "volunteer_org_id": merged["volunteer"][1],
        "consent_news": merged["news"][0],
        "news_org_id": merged["news"][1],
    }


# --- districts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    building_id: int
    district_id: int | None
    formation_id: int | None
    key: str = ""  # the list's own address key (a typo in the street corrected)


class Places:
    """The address list in memory: exact key first, then the closest street (typos)."""

    def __init__(self, buildings: dict[str, Place]) -> None:
        self._buildings = buildings
        self._streets = sorted({key.split("|", 1)[0] for key in buildings})
        self._fixed: dict[str, str | None] = {}

    def find(self, key: str | None) -> Place | None:
        if not key:
            return None
        found = self._buildings.get(key)
        if found is not None:
            return found
        street, _, rest = key.partition("|")
        if street not in self._fixed:
            close = closest_streets(street, self._streets, limit=1, cutoff=85)
            self._fixed[street] = close[0][0] if close else None
        fixed = self._fixed[street]
        return self._buildings.get(f"{fixed}|{rest}") if fixed else None

    def key_of(self, key: str | None) -> tuple[str | None, Place | None]:
        """The address key to match people on (the list's, when the building is found) and
        the building."""
        place = self.find(key)
        return (place.key if place else key), place


# --- the plan of an import -------------------------------------------------------------------


@dataclass
class Snapshot:
    """What is stored, as an import needs it; loaded before planning."""

    organisation_id: int
    organisation_code: str
    people: list[Person]
    # source key → (source id, supporter id, row hash) for this organisation
    sources: dict[str, tuple[int, int, str]]
    places: Places


@dataclass
class Plan:
    rows: int = 0
    created: int = 0
    merged: int = 0
    unchanged: int = 0
    updated: int = 0
    unassigned: int = 0
    new_people: dict[int, dict[str, object]] = field(default_factory=dict)  # ref → columns
    patches: dict[int, dict[str, object]] = field(default_factory=dict)  # id → columns
    new_sources: list[dict[str, object]] = field(default_factory=list)  # supporter_id is a ref
    source_updates: list[dict[str, object]] = field(default_factory=list)
    reviews: dict[tuple[int, int], tuple[float, str]] = field(default_factory=dict)
    # Stored people this file adds sources to: their consents are merged once the stored
    # sources are loaded (finish_consents); `replaced` are source keys the file rewrites.
    added_consents: dict[int, list[SourceConsent]] = field(default_factory=dict)
    replaced: set[str] = field(default_factory=set)
    decrypted: int = 0  # stored names decrypted to compare
    encrypt_seconds: float = 0.0

    @property
    def to_review(self) -> int:
        return len(self.reviews)


def _row_hash(cipher: FieldCipher, record: Record) -> str:
    data = (
        record.name,
        record.phone,
        record.email,
        record.address.text if record.address else None,
        record.birth.isoformat() if record.birth else None,
        *(record.consents.get(p) for p in PURPOSES),
        record.tags,
        record.event,
    )
    return cipher.blind_index("\x1f".join(map(str, data)))  # a separator no cell holds


def plan_import(
    cipher: FieldCipher,
    snapshot: Snapshot,
    records: list[Record],
    *,
    encrypt: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Decide, record by record, who is new, who is merged into whom, what changed. With
    `encrypt` False (a dry run) the counts are the same and nothing is encrypted."""
    plan = Plan(rows=len(records))

    def enc(value: str | None) -> str | None:
        if value is None or not encrypt:
            return value
        started = time.perf_counter()
        token = cipher.encrypt(value)
        plan.encrypt_seconds += time.perf_counter() - started
        return token

    matcher = Matcher(cipher, snapshot.people)
    consents: dict[int, list[SourceConsent]] = {}  # what this file says, per person
    touched: set[int] = set()
    next_ref = -1
    for number, record in enumerate(records):
        if progress and number % 5000 == 0:
            progress(number)
        source_key = f"{snapshot.organisation_code}:{record.external_id}"
        row_hash = _row_hash(cipher, record)
        stored = snapshot.sources.get(source_key)
        if stored is not None and stored[2] == row_hash:
            plan.unchanged += 1
            continue
        address_key, place = snapshot.places.key_of(record.address.key if record.address else None)
        probe = Person(
            ref=0,
            phone_index=cipher.blind_index(record.phone) if record.phone else None,
            email_index=cipher.blind_index(record.email) if record.email else None,
            address_index=cipher.blind_index(address_key) if address_key else None,
            birth_index=cipher.blind_index(record.birth.isoformat()) if record.birth else None,
            key=record.key,
        )
        probe.patronymic = patronymic_of(probe.key) if probe.key else None
        source = SourceConsent(source_key, snapshot.organisation_id, dict(record.consents))
        details = {k: v for k, v in (("tags", record.tags), ("event", record.event)) if v}
        source_columns = {
            "key": source_key,
            "organisation_id": snapshot.organisation_id,
            "row_hash": row_hash,
            "consent_contact": record.consents.get("contact"),
            "consent_volunteer": record.consents.get("volunteer"),
            "consent_news": record.consents.get("news"),
            "details_enc": enc(json.dumps(details, ensure_ascii=False)) if details else None,
        }
        if stored is not None:  # the organisation changed the row: same source, new values
            plan.updated += 1
            target: int | None = stored[1]
            plan.replaced.add(source_key)
            plan.source_updates.append({"id": stored[0], **source_columns})
            reviews: tuple[tuple[int, float, str], ...] = ()
        else:
            decision = matcher.match(probe)
            target, reviews = decision.ref, decision.review
        if target is None:
            ref, next_ref = next_ref, next_ref - 1
            person = Person(
                ref,
                probe.phone_index,
                probe.email_index,
                probe.address_index,
                probe.birth_index,
                key=probe.key,
                district_id=place.district_id if place else None,
                patronymic=probe.patronymic,
                has_address=record.address is not None,
            )
            matcher.add(person)
            plan.new_people[ref] = {
                "name_enc": enc(record.name),
                "name_index": cipher.blind_index(probe.key) if probe.key else None,
                "phone_enc": enc(record.phone),
                "phone_index": probe.phone_index,
                "email_enc": enc(record.email),
                "email_index": probe.email_index,
                "address_enc": enc(record.address.text) if record.address else None,
                "address_index": probe.address_index,
                "birth_enc": enc(record.birth.isoformat()) if record.birth else None,
                "birth_index": probe.birth_index,
                "building_id": place.building_id if place else None,
                "district_id": place.district_id if place else None,
                "formation_id": place.formation_id if place else None,
            }
            plan.created += 1
            target = ref
        else:
            if stored is None:
                plan.merged += 1
            _fill_missing(plan, matcher, place, target, record, probe, enc)
        consents.setdefault(target, []).append(source)
        touched.add(target)
        if stored is None:
            plan.new_sources.append({"supporter_id": target, **source_columns})
        for other, score, reason in reviews:
            if other != target:
                pair = (min(target, other), max(target, other))
                plan.reviews.setdefault(pair, (score, reason))
    for ref in touched:
        if ref < 0:
            plan.new_people[ref].update(consent_columns(merge_consents(consents[ref])))
        else:
            plan.added_consents[ref] = consents[ref]
        person = matcher.people.get(ref)
        if person is not None and person.has_address and person.district_id is None:
            plan.unassigned += 1  # an address the list does not know: for review
    plan.decrypted = matcher.decrypted
    return plan


def finish_consents(plan: Plan, stored: dict[int, list[SourceConsent]]) -> None:
    """Merge the consents of stored people the file added sources to."""
    for ref, added in plan.added_consents.items():
        kept = [s for s in stored.get(ref, []) if s.key not in plan.replaced]
        plan.patches.setdefault(ref, {}).update(consent_columns(merge_consents(kept + added)))


def _fill_missing(
    plan: Plan,
    matcher: Matcher,
    place: Place | None,
    ref: int,
    record: Record,
    probe: Person,
    enc: Callable[[str | None], str | None],
) -> None:
    """A merged record fills what the person lacked (a stored value is never overwritten by
    another organisation's list)."""
    person = matcher.people[ref]
    columns = plan.new_people[ref] if ref < 0 else plan.patches.setdefault(ref, {})
    if record.phone and not person.phone_index:
        person.phone_index = probe.phone_index
        columns.update(phone_enc=enc(record.phone), phone_index=probe.phone_index)
    if record.email and not person.email_index:
        person.email_index = probe.email_index
        columns.update(email_enc=enc(record.email), email_index=probe.email_index)
    if record.birth and not person.birth_index:
        person.birth_index = probe.birth_index
        columns.update(birth_enc=enc(record.birth.isoformat()), birth_index=probe.birth_index)
    if record.address and not person.address_index and probe.address_index:
        person.has_address = True
        person.address_index = probe.address_index
        columns.update(address_enc=enc(record.address.text), address_index=probe.address_index)
        if person.district_id is None and place is not None:
            person.district_id = place.district_id
            columns.update(
                building_id=place.building_id,
                district_id=place.district_id,
                formation_id=place.formation_id,
            )
    matcher.index(person)
