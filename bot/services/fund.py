"""The electoral fund's rules: opening the fund, the ledger and what it must keep the candidate
from (a donor over the cap, an anonymous or illegal donation kept past its return deadline,
a fund over its maximum), and the fund status coordinators see. No aiogram here.

Law (67-ФЗ art. 58, see /work/shared/reference/election-law.md): a citizen's donation carries
ФИО, date of birth, address, passport and citizenship, or it is anonymous; anonymous donations
go to the budget and illegal or excess ones back to the donor, within 10 days of arriving
(the number is the election's `donation_return_days`). Caps and the fund maximum are the
election's configuration, never constants.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from bot.db.models import Candidate, Election, ReminderStatus
from bot.db.models.fund import DonorType, EntryKind, Flag, FundAccount, FundEntry
from bot.db.repositories.fund import Totals
from bot.db.uow import UnitOfWork
from bot.services import reminders as rules
from bot.services.clock import utcnow
from bot.services.crypto import FieldCipher
from bot.services.election import ElectionConfig, config_of
from bot.services.errors import InputError
from bot.services.fund_checks import BankDetails, check_details
from bot.services.quest import QuestService

MAX_KOP = 10**14  # a billion roubles: anything above is a typo
MAX_NOTE = 500
RETURN_REMINDER_DAYS = (7, 3, 1, 0)  # days before a return deadline
REMINDER_KIND = "fund_return"
_MONEY = re.compile(r"^\d+(?:[.,]\d{1,2})?$")


# --- money -----------------------------------------------------------------------------------


def parse_money(raw: str) -> int:
    """Roubles as people type them ("5 000", "1500,50", "2000 ₽") -> kopecks."""
    text = "".join(raw.split()).replace("₽", "").replace("руб.", "").replace("руб", "")
    text = text.rstrip(".")
    if not _MONEY.match(text):
        raise InputError("fund-error-amount")
    try:
        kop = int((Decimal(text.replace(",", ".")) * 100).to_integral_exact())
    except InvalidOperation:
        raise InputError("fund-error-amount") from None
    if not 0 < kop < MAX_KOP:
        raise InputError("fund-error-amount")
    return kop


def rub(kop: int) -> str:
    """12 345,50 ₽ (kopecks only when there are any), with non-breaking spaces."""
    whole, part = divmod(abs(kop), 100)
    sign = "-" if kop < 0 else ""
    grouped = f"{whole:,}".replace(",", "\u00a0")
    return f"{sign}{grouped},{part:02d}\u00a0₽" if part else f"{sign}{grouped}\u00a0₽"


# --- the account -----------------------------------------------------------------------------


def details_of(account: FundAccount) -> BankDetails:
    return BankDetails(
        account.payee_name,
        account.bic,
        account.account,
        account.corr_account,
        account.bank_name,
        account.payee_inn,
        account.kpp,
    )


async def save_account(
    uow: UnitOfWork,
    candidate: Candidate,
    details: BankDetails,
    actor_id: int,
    quest: QuestService | None = None,
) -> FundAccount:
    """Store checked details (every key is checked again: the dialog's data is not trusted)
    and report the quest's "open the fund" task done."""
    checked = check_details(details)
    now = utcnow()
    account = await uow.fund.account(candidate.id)
    if account is None:
        account = FundAccount(candidate_id=candidate.id, token=secrets.token_urlsafe(12))
        created = True
    else:
        created = False
    for field in BankDetails.__dataclass_fields__:
        setattr(account, field, getattr(checked, field))
    account.verified_at = now
    account.updated_at = now
    if created:
        await uow.fund.add(account)
    await uow.audit.record(
        actor_id, "fund_details_saved", "candidate", candidate.id, created=created
    )
    if quest is not None:
        await quest.report_action_done("fund")
    return account


# --- donors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Donor:
    """Who gave, as the candidate (or the statement) tells it. `complete`: every detail the
    law requires is on the payment; `eligible`: the donor may give at all."""

    type: DonorType
    name: str | None = None
    birth_date: date | None = None
    inn: str | None = None
    complete: bool = True
    eligible: bool = True


def _fold(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def donor_key(donor: Donor) -> str | None:
    """What the blind index is made of: the same person always gives the same key."""
    if donor.type is DonorType.CITIZEN and donor.name and donor.birth_date:
        return f"citizen:{_fold(donor.name)}:{donor.birth_date.isoformat()}"
    if donor.type is DonorType.LEGAL and donor.inn:
        return f"legal:{donor.inn}"
    if donor.type is DonorType.OWN:
        return "own"
    if donor.type is DonorType.PARTY and donor.name:
        return f"party:{_fold(donor.name)}"
    return None


def cap_kop(config: ElectionConfig, donor_type: DonorType) -> int | None:
    rub_cap = {
        DonorType.CITIZEN: config.donation_cap_citizen_rub,
        DonorType.LEGAL: config.donation_cap_legal_rub,
    }.get(donor_type)
    return None if rub_cap is None else rub_cap * 100


def judge(
    donor: Donor, amount_kop: int, given_before_kop: int, config: ElectionConfig
) -> tuple[Flag | None, int]:
    """The flag of a new donation and how much of it must go back."""
    if donor.type is DonorType.UNKNOWN or (
        donor.type in (DonorType.CITIZEN, DonorType.LEGAL) and not donor.complete
    ):
        return Flag.ANONYMOUS, amount_kop
    if not donor.eligible:
        return Flag.INELIGIBLE, amount_kop
    cap = cap_kop(config, donor.type)
    if cap is not None and given_before_kop + amount_kop > cap:
        return Flag.OVER_CAP, min(amount_kop, given_before_kop + amount_kop - cap)
    return None, 0


# --- the ledger ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    entry: FundEntry
    over_limit: bool  # the fund's total now exceeds its maximum


async def record_donation(
    uow: UnitOfWork,
    cipher: FieldCipher,
    candidate: Candidate,
    election: Election | None,
    *,
    amount_kop: int,
    booked_on: date,
    donor: Donor,
    actor_id: int | None,
    tz: ZoneInfo,
    note: str | None = None,
    source: str = "manual",
    import_key: str | None = None,
    running: dict[str, int] | None = None,
) -> Recorded:
    """One donation, judged against the donor's earlier ones. `running` (a statement import)
    keeps each donor's total in memory across many calls instead of asking the database, and
    skips the fund-limit check, which the import makes once at its end."""
    config = config_of(election) if election else ElectionConfig()
    _check_day(booked_on)
    key = donor_key(donor)
    index = cipher.blind_index(key) if key else None
    if index is None:
        before = 0
    elif running is not None:
        before = running.get(index, 0)  # the import read every donor's total up front
    else:
        before = await uow.fund.donor_total(candidate.id, index)
    flag, to_return = judge(donor, amount_kop, before, config)
    if index is not None and running is not None:
        running[index] = before + amount_kop - to_return
    details = {
        k: v
        for k, v in {
            "birth_date": donor.birth_date.isoformat() if donor.birth_date else None,
            "inn": donor.inn,
            "complete": donor.complete,
            "eligible": donor.eligible,
        }.items()
        if v is not None
    }
    entry = FundEntry(
        candidate_id=candidate.id,
        kind=EntryKind.DONATION,
        amount_kop=amount_kop,
        booked_on=booked_on,
        donor_type=donor.type,
        donor_name_enc=cipher.encrypt(donor.name) if donor.name else None,
        donor_details_enc=cipher.encrypt(json.dumps(details, ensure_ascii=False)),
        donor_index=index,
        note_enc=cipher.encrypt(_note(note)),
        flag=flag,
        return_kop=to_return,
        return_due=booked_on + timedelta(days=config.donation_return_days) if flag else None,
        source=source,
        import_key=import_key,
        created_by=actor_id,
    )
    if running is not None:
        uow.fund.stage(entry)  # the import flushes once and plans its reminders in bulk
        return Recorded(entry, False)
    await uow.fund.add(entry)
    if flag is not None:
        await plan_return_reminders(uow, [entry], candidate.user_id, tz)
    return Recorded(entry, await over_limit(uow, candidate, config))


async def over_limit(uow: UnitOfWork, candidate: Candidate, config: ElectionConfig) -> bool:
    totals = (await uow.fund.totals([candidate.id])).get(candidate.id, Totals())
    limit = config.fund_limit_rub
    net = totals.raised_kop - totals.returned_kop - totals.to_return_kop
    return limit is not None and net > limit * 100


async def record_spending(
    uow: UnitOfWork,
    cipher: FieldCipher,
    candidate: Candidate,
    *,
    amount_kop: int,
    booked_on: date,
    note: str,
    actor_id: int | None,
    source: str = "manual",
    import_key: str | None = None,
    bulk: bool = False,
) -> FundEntry:
    _check_day(booked_on)
    entry = FundEntry(
        candidate_id=candidate.id,
        kind=EntryKind.SPENDING,
        amount_kop=amount_kop,
        booked_on=booked_on,
        note_enc=cipher.encrypt(_note(note)),
        return_kop=0,
        source=source,
        import_key=import_key,
        created_by=actor_id,
    )
    if bulk:
        uow.fund.stage(entry)
    else:
        await uow.fund.add(entry)
    return entry


def _note(note: str | None) -> str | None:
    if note is None:
        return None
    text = " ".join(note.split())
    return text[:MAX_NOTE] or None


def day_allowed(day: date) -> bool:
    """Not in the future (a day of slack for time zones), not from another era."""
    return day.year >= 2000 and day <= utcnow().date() + timedelta(days=1)


def _check_day(day: date) -> None:
    if not day_allowed(day):
        raise InputError("fund-error-date-range")


def parse_day(raw: str) -> date:
    """A booking day as typed: 05.07.2027, or "сегодня"/"today"/"вчера"/"yesterday"."""
    text = raw.strip().lower()
    today = utcnow().date()
    if text in ("сегодня", "today"):
        return today
    if text in ("вчера", "yesterday"):
        return today - timedelta(days=1)
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
    if not match:
        raise InputError("fund-error-date")
    day_, month, year = (int(part) for part in match.groups())
    try:
        day = date(year, month, day_)
    except ValueError:
        raise InputError("fund-error-date") from None
    _check_day(day)
    return day


async def owned_entry(uow: UnitOfWork, candidate: Candidate, entry_id: int) -> FundEntry:
    """The entry if it is this candidate's; a forged id reads as missing."""
    entry = await uow.fund.entry(entry_id)
    if entry is None or entry.candidate_id != candidate.id:
        raise InputError("fund-error-entry")
    return entry


async def mark_returned(
    uow: UnitOfWork, candidate: Candidate, entry_id: int, actor_id: int
) -> FundEntry:
    entry = await owned_entry(uow, candidate, entry_id)
    if entry.flag is None:
        raise InputError("fund-error-entry")
    if entry.returned_at is None:
        entry.returned_at = utcnow()
        await uow.audit.record(
            actor_id, "fund_returned", "candidate", candidate.id, entry=entry.id
        )
    return entry


async def clear_anonymous(
    uow: UnitOfWork, candidate: Candidate, entry_id: int, actor_id: int
) -> FundEntry:
    """The candidate checked the payment: the donor's details are all there after all (a
    statement's wording the bot could not read). Only for "anonymous", never for a cap or an
    ineligible donor; written to the audit log. Its reminders drop themselves when due."""
    entry = await owned_entry(uow, candidate, entry_id)
    if entry.flag is not Flag.ANONYMOUS or entry.returned_at is not None:
        raise InputError("fund-error-entry")
    entry.flag = None
    entry.return_kop = 0
    entry.return_due = None
    await uow.audit.record(
        actor_id, "fund_flag_cleared", "candidate", candidate.id, entry=entry.id
    )
    return entry


@dataclass(frozen=True)
class EntryView:
    """An entry decrypted for its candidate (never for coordinators)."""

    id: int
    kind: EntryKind
    amount_kop: int
    booked_on: date
    donor_type: DonorType | None
    donor_name: str | None
    birth_date: str | None
    note: str | None
    flag: Flag | None
    return_kop: int
    return_due: date | None
    returned: bool


def view_entry(entry: FundEntry, cipher: FieldCipher) -> EntryView:
    raw = cipher.decrypt(entry.donor_details_enc)
    details = json.loads(raw) if raw else {}
    return EntryView(
        entry.id,
        entry.kind,
        entry.amount_kop,
        entry.booked_on,
        entry.donor_type,
        cipher.decrypt(entry.donor_name_enc),
        details.get("birth_date") if isinstance(details, dict) else None,
        cipher.decrypt(entry.note_enc),
        entry.flag,
        entry.return_kop,
        entry.return_due,
        entry.returned_at is not None,
    )


# --- the summary -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    totals: Totals
    limit_kop: int | None
    cap_citizen_kop: int | None
    cap_legal_kop: int | None
    return_days: int

    @property
    def balance_kop(self) -> int:
        return self.totals.raised_kop - self.totals.spent_kop - self.totals.returned_kop

    @property
    def net_raised_kop(self) -> int:
        return self.totals.raised_kop - self.totals.returned_kop - self.totals.to_return_kop

    @property
    def over_limit(self) -> bool:
        return self.limit_kop is not None and self.net_raised_kop > self.limit_kop

    @property
    def room_kop(self) -> int | None:
        return None if self.limit_kop is None else self.limit_kop - self.net_raised_kop


async def summary(uow: UnitOfWork, candidate: Candidate, election: Election | None) -> Summary:
    config = config_of(election) if election else ElectionConfig()
    totals = (await uow.fund.totals([candidate.id])).get(candidate.id, Totals())
    limit = config.fund_limit_rub
    return Summary(
        totals,
        None if limit is None else limit * 100,
        cap_kop(config, DonorType.CITIZEN),
        cap_kop(config, DonorType.LEGAL),
        config.donation_return_days,
    )


# --- coordinators ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FundStatus:
    candidate: Candidate
    opened: bool
    verified: bool
    raised_kop: int
    flagged_open: int
    overdue: int  # returns whose deadline has passed


async def statuses(uow: UnitOfWork, candidates: list[Candidate], today: date) -> list[FundStatus]:
    """The fund status of candidates already filtered by the coordinator's scope."""
    ids = [c.id for c in candidates]
    accounts = await uow.fund.accounts(ids)
    totals = await uow.fund.totals(ids)
    result = []
    for candidate in candidates:
        account = accounts.get(candidate.id)
        total = totals.get(candidate.id, Totals())
        overdue = 0
        if total.flagged_open:
            overdue = sum(
                1
                for e in await uow.fund.flagged(candidate.id)
                if e.return_due is not None and e.return_due < today
            )
        result.append(
            FundStatus(
                candidate,
                account is not None,
                account is not None and account.verified_at is not None,
                total.raised_kop,
                total.flagged_open,
                overdue,
            )
        )
    return result


# --- return reminders (the reminder outbox, kind "fund_return") ------------------------------


def plan_returns(entry: FundEntry, user_id: int, tz: ZoneInfo) -> list[rules.Planned]:
    """Reminders 7, 3 and 1 days before a return deadline and on the day itself."""
    if entry.return_due is None:
        return []
    due = entry.return_due
    return [
        rules.Planned(
            key=f"{REMINDER_KIND}:{entry.id}:{due}:{days}",
            user_id=user_id,
            kind=REMINDER_KIND,
            due_at=rules.at_local(due - timedelta(days=days), rules.SEND_HOUR, tz),
            not_after=rules.end_of_day(due, tz),
            payload={"entry": entry.id, "due": due.isoformat(), "days": days},
        )
        for days in RETURN_REMINDER_DAYS
    ]


async def plan_return_reminders(
    uow: UnitOfWork, entries: list[FundEntry], user_id: int, tz: ZoneInfo
) -> int:
    """The outbox rows of flagged entries (flushed: their ids are in the keys); a key already
    planned is skipped, so planning twice adds nothing."""
    planned = [item for entry in entries for item in plan_returns(entry, user_id, tz)]
    known = await uow.fund.planned_keys([item.key for item in planned])
    now = utcnow()
    fresh: list[dict[str, object]] = [
        {
            "key": item.key,
            "user_id": item.user_id,
            "kind": item.kind,
            "due_at": item.due_at,
            "not_after": item.not_after,
            "payload": item.payload,
            "status": ReminderStatus.PENDING,
            "attempts": 0,
            "created_at": now,
        }
        for item in planned
        if item.key not in known
    ]
    await uow.fund.add_reminders(fresh)
    return len(fresh)


def return_still_relevant(
    payload: dict[str, object], entry: FundEntry | None, today: date
) -> bool:
    """Still flagged, not returned, the deadline unchanged and not passed, and no more urgent
    reminder of the same return due already: after downtime only the latest goes out."""
    if entry is None or entry.flag is None or entry.returned_at is not None:
        return False
    if entry.return_due is None or entry.return_due.isoformat() != payload.get("due"):
        return False
    days_left = (entry.return_due - today).days
    days = payload.get("days")
    if not isinstance(days, int):
        return False
    smaller = [d for d in RETURN_REMINDER_DAYS if d < days]
    next_offset = max(smaller) if smaller else -1
    return next_offset < days_left <= days
