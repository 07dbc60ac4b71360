"""Bank statements (CSV or XLSX) read into the ledger: all rows or none.

A statement is a file from outside, so it is hostile until read: it may be in the wrong
encoding, have broken rows, carry formulas, or be a zip bomb posing as XLSX. Reading collects
every problem with its row number; one problem and nothing is imported, so the candidate fixes
the file and uploads it again instead of hunting for half an import. A row already imported
(same day, amount, payer and purpose) is skipped, so uploading a statement twice adds nothing.

Columns are found by their headings (Russian banks name them differently): a date, either one
signed amount or separate credit and debit columns, and optionally the payer and the purpose.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from bot.db.models import Candidate, Election
from bot.db.models.fund import DonorType, FundEntry
from bot.db.uow import UnitOfWork
from bot.services import fund, names, text_files
from bot.services.crypto import FieldCipher
from bot.services.election import ElectionConfig, config_of
from bot.services.fund import Donor

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_UNZIPPED = 40 * 1024 * 1024  # an XLSX that inflates beyond this is refused unopened
MAX_CELL = 1000
HEADER_SEARCH = 20  # rows scanned for the heading line

ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("дата", "дата операции", "дата проводки", "date"),
    "amount": ("сумма", "сумма операции", "amount"),
    "credit": ("приход", "поступление", "зачисление", "кредит", "credit"),
    "debit": ("расход", "списание", "дебет", "debit"),
    "payer": ("плательщик", "контрагент", "плательщик/получатель", "наименование", "payer"),
    "purpose": ("назначение платежа", "назначение", "purpose", "description"),
}


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it, heading included
    code: str  # a catalogue message id
    value: str = ""


class StatementError(Exception):
    """The file cannot be imported; `errors` lists every problem found (or the one fatal)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors[0].code if errors else "statement error")
        self.errors = errors


@dataclass(frozen=True)
class StatementRow:
    row: int
    booked_on: date
    amount_kop: int  # positive: money in; negative: money out
    payer: str
    purpose: str

    def key(self, occurrence: int) -> str:
        """What identifies the row across uploads (hashed before it is stored)."""
        return f"{self.booked_on}|{self.amount_kop}|{self.payer}|{self.purpose}|{occurrence}"


@dataclass
class Statement:
    rows: list[StatementRow] = field(default_factory=list)

    def keyed(self) -> list[tuple[StatementRow, str]]:
        """Each row with its key; identical rows in one file are told apart by their order."""
        seen: Counter[str] = Counter()
        result = []
        for row in self.rows:
            base = row.key(0)
            seen[base] += 1
            result.append((row, row.key(seen[base])))
        return result


def read_statement(data: bytes, file_name: str) -> Statement:
    if len(data) > MAX_BYTES:
        raise StatementError([RowError(0, "fund-import-too-big")])
    name = file_name.lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return _parse(_xlsx_cells(data))
    if not name.endswith((".csv", ".txt")):
        raise StatementError([RowError(0, "fund-import-format")])
    text = _csv_text(data)
    # The delimiter is the one whose reading has the heading line: counting characters would
    # pick the commas inside the purposes of a semicolon-separated file.
    for delimiter in sorted(";,\t", key=lambda d: -text[:4096].count(d)):
        cells = _csv_cells(text, delimiter)
        try:
            _columns(cells)
        except StatementError:
            continue
        return _parse(cells)
    raise StatementError([RowError(0, "fund-import-columns")])


def _csv_text(data: bytes) -> str:
    decoded = text_files.decode(data)
    if decoded is None or "\x00" in decoded[0]:  # not text, or UTF-16, or a binary file
        raise StatementError([RowError(0, "fund-import-encoding")])
    return decoded[0]


def _csv_cells(text: str, delimiter: str) -> list[list[object]]:
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error:
        raise StatementError([RowError(0, "fund-import-broken")]) from None


def _xlsx_cells(data: bytes) -> list[list[object]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED:
                raise StatementError([RowError(0, "fund-import-too-big")])
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except StatementError:
        raise
    except Exception:  # not a zip, not a workbook: one answer for all of them
        raise StatementError([RowError(0, "fund-import-broken")]) from None
    try:
        sheet = book.worksheets[0]
        rows: list[list[object]] = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > MAX_ROWS + HEADER_SEARCH:
                raise StatementError([RowError(0, "fund-import-too-many")])
        return rows
    finally:
        book.close()


def _heading(value: object) -> str:
    return " ".join(str(value or "").lower().replace("ё", "е").split()).strip(" :*")


def _columns(cells: list[list[object]]) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(cells[:HEADER_SEARCH]):
        found: dict[str, int] = {}
        for column, value in enumerate(row):
            heading = _heading(value)
            for name, aliases in ALIASES.items():
                if name not in found and heading in aliases:
                    found[name] = column
        if "date" in found and ("amount" in found or "credit" in found or "debit" in found):
            return index, found
    raise StatementError([RowError(0, "fund-import-columns")])


def _is_formula(value: object) -> bool:
    return isinstance(value, str) and value.lstrip().startswith("=")


def _text(value: object) -> str:
    text = "" if value is None else str(value)
    # Control characters would end up in PDFs and messages: spaces instead.
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:MAX_CELL]


_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s.*)?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T\s].*)?$")


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    try:
        if match := _DATE.match(text):
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        if match := _ISO.match(text):
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)
    except ValueError:
        return None
    return None


def _amount(value: object) -> int | None:
    """Kopecks, or None for an empty cell; ValueError for anything unreadable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        text = "".join(str(value).split()).replace("\u00a0", "").replace("₽", "")
        text = text.replace(",", ".")
        if not re.fullmatch(r"[-+]?\d+(\.\d{1,2})?", text):
            raise ValueError(value)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(value) from None
    kop = number * 100
    if kop != kop.to_integral_value() or abs(kop) >= 10**14:
        raise ValueError(value)
    return int(kop)


def _parse(cells: list[list[object]]) -> Statement:
    start, columns = _columns(cells)
    body = cells[start + 1 :]
    if len(body) > MAX_ROWS:
        raise StatementError([RowError(0, "fund-import-too-many")])
    errors: list[RowError] = []
    statement = Statement()

    def cell(row: list[object], name: str) -> object:
        column = columns.get(name)
        return row[column] if column is not None and column < len(row) else None

    for offset, row in enumerate(body):
        number = start + offset + 2  # 1-based, after the heading
        if all(_text(value) == "" for value in row):
            continue
        formula = next((v for v in row if _is_formula(v)), None)
        if formula is not None:
            errors.append(RowError(number, "fund-import-formula", _text(formula)[:40]))
            continue
        booked = _date(cell(row, "date"))
        if booked is None:
            errors.append(RowError(number, "fund-import-bad-date", _text(cell(row, "date"))[:40]))
            continue
        try:
            if "amount" in columns:
                amount = _amount(cell(row, "amount"))
            else:
                credit = _amount(cell(row, "credit"))
                debit = _amount(cell(row, "debit"))
                if credit and debit:
                    raise ValueError("both")
                amount = credit if credit else (-abs(debit) if debit else None)
        except ValueError:
            raw = cell(row, "amount") if "amount" in columns else cell(row, "credit")
            errors.append(RowError(number, "fund-import-bad-amount", _text(raw)[:40]))
            continue
        if not amount:
            errors.append(RowError(number, "fund-import-no-amount"))
            continue
        statement.rows.append(
            StatementRow(
                number,
                booked,
                amount,
                _text(cell(row, "payer")),
                _text(cell(row, "purpose")),
            )
        )
    if errors:
        raise StatementError(errors)
    if not statement.rows:
        raise StatementError([RowError(0, "fund-import-empty")])
    return statement


# --- who gave: read from the payer and the purpose ------------------------------------------

_BIRTH = re.compile(r"\b(\d{2})\.(\d{2})\.(\d{4})\b")
_PASSPORT = re.compile(r"\b\d{2}\s?\d{2}\s?№?\s?\d{6}\b")
_ADDRESS = re.compile(r"(?:\bул\.|\bулица\b|\bпр\.|\bпр-т\b|\bпроспект\b|\bд\.\s?\d|\bг\.)", re.I)
_CITIZEN = re.compile(r"гражданств|\bрф\b|росси", re.I)
_ORG = re.compile(r"^(?:ООО|АО|ПАО|ЗАО|НАО|ОАО|ФОНД|АНО)\b|\bпарти", re.I)
_INN10 = re.compile(r"\b\d{10}\b")
_OWN = re.compile(r"собственн\w* средств", re.I)


def donor_from(row: StatementRow, candidate_name: str | None) -> Donor:
    """A best reading of who gave; the candidate reviews flagged donations anyway. A citizen's
    payment without every detail the law requires reads as anonymous, as the law reads it."""
    text = f"{row.payer} {row.purpose}"
    if _OWN.search(row.purpose) or (
        candidate_name and row.payer and row.payer.lower() == candidate_name.lower()
    ):
        return Donor(DonorType.OWN, name=row.payer or candidate_name)
    if re.search(r"\bпарти", row.payer, re.I):
        return Donor(DonorType.PARTY, name=row.payer)
    if _ORG.search(row.payer):
        inn = _INN10.search(text)
        return Donor(
            DonorType.LEGAL, name=row.payer, inn=inn.group(0) if inn else None, complete=bool(inn)
        )
    name = " ".join(row.payer.split()[:3]) if row.payer else None
    if not name or len(name.split()) < 2:
        return Donor(DonorType.UNKNOWN, complete=False)
    birth = None
    if match := _BIRTH.search(row.purpose):
        day, month, year = (int(part) for part in match.groups())
        try:
            birth = date(year, month, day)
        except ValueError:
            birth = None
    complete = bool(
        birth and _PASSPORT.search(text) and _ADDRESS.search(text) and _CITIZEN.search(text)
    )
    return Donor(DonorType.CITIZEN, name=name, birth_date=birth, complete=complete)


# --- into the ledger -------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    donations: int
    spending: int
    duplicates: int
    flagged: int
    over_limit: bool


async def import_statement(
    uow: UnitOfWork,
    cipher: FieldCipher,
    candidate: Candidate,
    election: Election | None,
    statement: Statement,
    *,
    actor_id: int,
    tz: ZoneInfo,
) -> ImportReport:
    """Every new row of a checked statement, oldest first (so the per-donor cap is counted in
    the order the money came). The caller's unit of work commits all of it or none."""
    wrong_days = [
        RowError(row.row, "fund-import-date-range", row.booked_on.strftime("%d.%m.%Y"))
        for row in statement.rows
        if not fund.day_allowed(row.booked_on)
    ]
    if wrong_days:
        raise StatementError(wrong_days)
    known = await uow.fund.import_keys(candidate.id)
    candidate_name = await names.full_name(uow, cipher, candidate)
    donations = spending = duplicates = 0
    running = await uow.fund.donor_totals(candidate.id)  # kept up to date in memory
    to_remind: list[FundEntry] = []
    keyed = sorted(statement.keyed(), key=lambda pair: (pair[0].booked_on, pair[0].row))
    for row, raw_key in keyed:
        key = cipher.blind_index("statement:" + raw_key)
        if key in known:
            duplicates += 1
            continue
        known.add(key)
        if row.amount_kop > 0:
            recorded = await fund.record_donation(
                uow, cipher, candidate, election,
                amount_kop=row.amount_kop, booked_on=row.booked_on,
                donor=donor_from(row, candidate_name), actor_id=actor_id, tz=tz,
                note=row.purpose, source="statement", import_key=key, running=running,
            )  # fmt: skip
            donations += 1
            if recorded.entry.flag is not None:
                to_remind.append(recorded.entry)
        else:
            note = " — ".join(part for part in (row.payer, row.purpose) if part)
            await fund.record_spending(
                uow, cipher, candidate,
                amount_kop=-row.amount_kop, booked_on=row.booked_on, note=note,
                actor_id=actor_id, source="statement", import_key=key, bulk=True,
            )  # fmt: skip
            spending += 1
    await uow.session.flush()  # the staged rows get their ids, which the reminders name
    await fund.plan_return_reminders(uow, to_remind, candidate.user_id, tz)
    flagged = len(to_remind)
    await uow.audit.record(
        actor_id, "fund_statement_imported", "candidate", candidate.id,
        donations=donations, spending=spending, duplicates=duplicates,
    )  # fmt: skip
    config = config_of(election) if election else ElectionConfig()
    over = donations > 0 and await fund.over_limit(uow, candidate, config)
    return ImportReport(donations, spending, duplicates, flagged, over)
