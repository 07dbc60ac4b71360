"""Reading the member organisations' exports: CSV (UTF-8 or cp1251, comma, semicolon or tab)
and XLSX; which column holds what, detected from Russian and English headers and open to
override; every problem reported with its row number. Pure code, run in a worker thread.

A file with errors is refused as a whole (the report lists them): an import never stops
half-way with some rows in and some out.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.services import text_files
from bot.services.addresses import fold
from bot.services.supporters_records import (
    PURPOSES,
    Record,
    display_name,
    normalise_address,
    normalise_email,
    normalise_phone,
    parse_birth_date,
    parse_consent,
)
from bot.services.supporters_xlsx import XlsxError, read_rows

# Telegram lets bots download up to 20 MB; the command line keeps the same limit so a file
# behaves the same either way. 63,000 rows of six organisations take about 10 MB.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_CELL = 500
MAX_REPORTED = 20

FIELDS = (
    "full_name",
    "last_name",
    "first_name",
    "middle_name",
    "phone",
    "email",
    "address",
    "birth_date",
    "consent",
    "consent_contact",
    "consent_volunteer",
    "consent_news",
    "tags",
    "event",
    "date",
    "external_id",
)
# Header names as organisations write them, folded and without punctuation.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": (
        "фио",
        "ф и о",
        "фамилия имя отчество",
        "имя фамилия",
        "full name",
        "name",
        "полное имя",
        "контакт",
        "человек",
        "участник",
        "fullname",
    ),
    "last_name": ("фамилия", "last name", "surname", "family name", "lastname"),
    "first_name": ("имя", "first name", "given name", "firstname"),
    "middle_name": ("отчество", "middle name", "patronymic", "middlename"),
    "phone": (
        "телефон",
        "тел",
        "моб",
        "мобильный",
        "мобильный телефон",
        "номер телефона",
        "моб телефон",
        "моб тел",
        "контактный телефон",
        "phone",
        "mobile",
        "tel",
        "phone number",
        "telephone",
        "сотовый",
    ),
    "email": (
        "email",
        "e mail",
        "почта",
        "эл почта",
        "электронная почта",
        "mail",
        "емейл",
        "e mail address",
        "email address",
        "имейл",
    ),
    "address": (
        "адрес",
        "address",
        "адрес проживания",
        "адрес регистрации",
        "home address",
        "место жительства",
    ),
    "birth_date": (
        "дата рождения",
        "др",
        "д р",
        "birth date",
        "date of birth",
        "dob",
        "birthday",
        "birthdate",
        "год рождения",
    ),
    "consent": ("согласие", "consent", "согласие на обработку", "согласие пд", "agreed"),
    "consent_contact": (
        "согласие на контакт",
        "контакт с кандидатами",
        "контакт кандидатов",
        "можно звонить",
        "consent contact",
        "contact by candidates",
        "candidates may contact",
        "согласие кандидаты",
    ),
    "consent_volunteer": (
        "волонтер",
        "волонтерство",
        "готов помогать",
        "volunteer",
        "volunteering",
        "согласие волонтер",
    ),
    "consent_news": (
        "рассылка",
        "новости",
        "подписка",
        "newsletter",
        "news",
        "newsletters",
        "subscribed",
        "согласие рассылка",
    ),
    "tags": ("теги", "метки", "тэги", "tags", "labels", "категория"),
    "event": (
        "источник",
        "мероприятие",
        "акция",
        "событие",
        "event",
        "source",
        "source event",
        "где собран",
        "кампания",
        "campaign",
    ),
    "date": ("дата", "date", "дата контакта", "дата сбора", "collected", "added", "дата записи"),
    "external_id": ("id", "ид", "№", "номер", "external id", "код", "uid", "record id", "n", "no"),
}
_LOOKUP = {syn: name for name, synonyms in _SYNONYMS.items() for syn in synonyms}
_PUNCT = re.compile(r"[^\w№ ]+")


class FileError(Exception):
    """The file as a whole cannot be read; `code` is a locale key."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Problem:
    row: int
    code: str  # a locale key: supporters-problem-<code>
    column: str = ""


@dataclass
class Sheet:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number in the file, cells)
    encoding: str
    problems: list[Problem] = field(default_factory=list)


def _header_key(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", fold(text)).split())


def detect_mapping(header: list[str]) -> dict[str, int]:
    """field → column index, from the header names; the first column wins a field."""
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        name = _LOOKUP.get(_header_key(title))
        if name is None:
            key = _header_key(title)
            # "Телефон (моб.)", "E-mail участника": a known name at the start will do.
            name = next(
                (
                    field_name
                    for synonym, field_name in _LOOKUP.items()
                    if len(synonym) >= 3 and key.startswith(synonym + " ")
                ),
                None,
            )
        if name is not None and name not in found:
            found[name] = index
    return found


def apply_override(
    header: list[str], mapping: dict[str, int], override: Mapping[str, str | int | None]
) -> dict[str, int]:
    """Change the mapping: {field: column header or 0-based index, or None to drop it}."""
    result = dict(mapping)
    for name, column in override.items():
        if name not in FIELDS:
            raise FileError("supporters-error-unknown-field", field=name)
        if column is None or column == "":
            result.pop(name, None)
            continue
        if isinstance(column, int) or str(column).isdigit():
            index = int(column)
        else:
            wanted = _header_key(str(column))
            keys = [_header_key(h) for h in header]
            if wanted not in keys:
                raise FileError("supporters-error-unknown-column", column=str(column))
            index = keys.index(wanted)
        if not 0 <= index < len(header):
            raise FileError("supporters-error-unknown-column", column=str(column))
        result = {k: v for k, v in result.items() if v != index}  # one field per column
        result[name] = index
    return result


def check_mapping(mapping: dict[str, int]) -> None:
    has_name = "full_name" in mapping or "last_name" in mapping or "first_name" in mapping
    if not has_name:
        raise FileError("supporters-error-no-name-column")


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    if b"\x00" in data[:4096]:
        raise FileError("supporters-error-encoding")  # UTF-16 or a binary file
    decoded = text_files.decode(data, encoding)
    if decoded is None:
        raise FileError("supporters-error-encoding")
    return decoded


def _read_csv(data: bytes, encoding: str | None) -> Sheet:
    text, used = _decode(data, encoding)
    sample = text[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise FileError("supporters-error-empty") from None
    rows: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    try:
        for cells in reader:
            number = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(Problem(number, "columns"))
                continue
            rows.append((number, cells))
            if len(rows) > MAX_ROWS:
                raise FileError("supporters-error-too-many-rows", limit=MAX_ROWS)
    except csv.Error:
        problems.append(Problem(reader.line_num, "broken"))
    return Sheet(header, rows, used, problems)


def _read_xlsx(data: bytes) -> Sheet:
    try:
        lines = read_rows(data)
        first = next(lines, None)
        if first is None:
            raise FileError("supporters-error-empty")
        header = first[1]
        rows: list[tuple[int, list[str]]] = []
        problems: list[Problem] = []
        for number, cells, formulas in lines:
            for index in formulas:
                column = header[index] if index < len(header) else str(index + 1)
                problems.append(Problem(number, "formula", column))
            rows.append((number, (cells + [""] * len(header))[: len(header)]))
            if len(rows) > MAX_ROWS:
                raise FileError("supporters-error-too-many-rows", limit=MAX_ROWS)
    except XlsxError:
        raise FileError("supporters-error-xlsx") from None
    return Sheet(header, rows, "xlsx", problems)


def read_sheet(data: bytes, file_name: str, encoding: str | None = None) -> Sheet:
    if len(data) > MAX_FILE_BYTES:
        raise FileError(
            "supporters-error-too-big",
            size_mb=round(len(data) / 1024 / 1024, 1),
            limit_mb=MAX_FILE_BYTES // 1024 // 1024,
        )
    if not data.strip():
        raise FileError("supporters-error-empty")
    if data[:2] == b"PK" or file_name.lower().endswith((".xlsx", ".xlsm")):
        sheet = _read_xlsx(data)
    else:
        sheet = _read_csv(data, encoding)
    if not any(h.strip() for h in sheet.header):
        raise FileError("supporters-error-empty")
    return sheet


def _cell(cells: list[str], mapping: dict[str, int], name: str) -> str:
    index = mapping.get(name)
    if index is None:
        return ""
    return cells[index].strip()


def parse_rows(sheet: Sheet, mapping: dict[str, int]) -> tuple[list[Record], list[Problem]]:
    """Records of the rows, and the problems: errors refuse the file, warnings (a phone or
    e-mail that is not one) only drop that value."""
    check_mapping(mapping)
    problems = list(sheet.problems)
    records: list[Record] = []
    seen_ids: set[str] = set()
    flagged = {p.row for p in sheet.problems}  # a formula XLSX marked already
    for number, cells in sheet.rows:
        if number in flagged:
            continue
        if any(len(c) > MAX_CELL for c in cells):
            problems.append(Problem(number, "too-long"))
            continue
        if any(c.startswith("=") for c in cells):
            # A formula in a CSV would run in the next spreadsheet it is opened in.
            problems.append(Problem(number, "formula"))
            continue
        raw_name = _cell(cells, mapping, "full_name") or " ".join(
            part
            for part in (
                _cell(cells, mapping, "last_name"),
                _cell(cells, mapping, "first_name"),
                _cell(cells, mapping, "middle_name"),
            )
            if part
        )
        external = _cell(cells, mapping, "external_id") or str(number)
        if len(external) > 60:
            problems.append(Problem(number, "id"))
            continue
        if external in seen_ids:
            problems.append(Problem(number, "duplicate-id"))
            continue
        seen_ids.add(external)
        record = Record(row=number, external_id=external, name=display_name(raw_name))
        raw_phone = _cell(cells, mapping, "phone")
        if raw_phone:
            record.phone = normalise_phone(raw_phone)
            if record.phone is None:
                record.warnings.append("phone")
        raw_email = _cell(cells, mapping, "email")
        if raw_email:
            record.email = normalise_email(raw_email)
            if record.email is None:
                record.warnings.append("email")
        raw_address = _cell(cells, mapping, "address")
        if raw_address:
            record.address = normalise_address(raw_address)
        raw_birth = _cell(cells, mapping, "birth_date")
        if raw_birth:
            record.birth = parse_birth_date(raw_birth)
            if record.birth is None:
                record.warnings.append("birth")
        general = parse_consent(_cell(cells, mapping, "consent"))
        for purpose in PURPOSES:
            own = parse_consent(_cell(cells, mapping, f"consent_{purpose}"))
            record.consents[purpose] = own if own is not None else general
        record.tags = _cell(cells, mapping, "tags") or None
        event = " ".join(
            x for x in (_cell(cells, mapping, "event"), _cell(cells, mapping, "date")) if x
        )
        record.event = event or None
        for warning in record.warnings:
            problems.append(Problem(number, f"bad-{warning}"))
        if record.name is None:
            problems.append(Problem(number, "skip-no-name"))
            continue
        if not (record.phone or record.email or record.address or record.birth):
            problems.append(Problem(number, "skip-no-contact"))
            continue
        records.append(record)
    return records, problems


BLOCKING = frozenset({"columns", "broken", "formula", "too-long", "id", "duplicate-id"})


def blocking(problems: list[Problem]) -> list[Problem]:
    """The problems that refuse the file; the rest are warnings: a value or a row left out,
    shown in the dry run."""
    return [p for p in problems if p.code in BLOCKING]
