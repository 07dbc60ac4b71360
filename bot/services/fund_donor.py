"""The supporter who opens a donation link: who may donate, the amount against the per-donor
cap, and the donor's own details for the QR code. Nothing here is stored: the details exist
only in the message they came in and in the QR code made from them.

Who may not donate: 67-ФЗ art. 58 p. 6 (see /work/shared/reference/election-law.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.services import validation
from bot.services.errors import InputError
from bot.services.fund import rub
from bot.services.fund_qr import Payer

MIN_ADDRESS = 10
MAX_FIELD = 200


@dataclass(frozen=True)
class Question:
    ask: str  # catalogue id of the question
    refusal: str  # catalogue id of the polite explanation when the answer is "no"


QUESTIONS = (
    Question("fund-q-citizen", "fund-no-citizen"),
    Question("fund-q-adult", "fund-no-adult"),
    Question("fund-q-own-money", "fund-no-own-money"),
    Question("fund-q-registries", "fund-no-registries"),
)


class NotEligible(Exception):
    """The details show the person may not donate; `code` explains why, politely."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_amount(amount_kop: int, cap_kop: int | None) -> None:
    if cap_kop is not None and amount_kop > cap_kop:
        raise InputError("fund-donate-over-cap", cap=rub(cap_kop))


_CITIZENSHIP_RU = {"рф", "россия", "российская федерация", "russia", "russian federation"}


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def parse_payer(text: str, election_day: date | None) -> Payer:
    """Five lines: ФИО, date of birth, address, passport, citizenship. An error names the
    line; a person under 18 on election day or not a citizen of Russia is NotEligible."""
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    if len(lines) != 5:
        raise InputError("fund-donor-lines", count=len(lines))
    if any(len(line) > MAX_FIELD for line in lines) or any("|" in line for line in lines):
        raise InputError("fund-donor-line-long", limit=MAX_FIELD)
    name_line, birth_line, address, passport_line, citizenship = lines
    try:
        name = validation.normalise_full_name(name_line)
    except InputError as error:
        raise InputError("fund-donor-bad-name", reason_code=error.code) from None
    try:
        birth = validation.parse_date(birth_line)
    except InputError:
        raise InputError("fund-donor-bad-birth") from None
    if birth.year < 1900 or (election_day and birth > election_day):
        raise InputError("fund-donor-bad-birth")
    if len(address) < MIN_ADDRESS:
        raise InputError("fund-donor-bad-address")
    passport = re.sub(r"[\s№-]", "", passport_line)
    if not passport.isdigit() or len(passport) != 10:
        raise InputError("fund-donor-bad-passport")
    if citizenship.lower().strip(" .") not in _CITIZENSHIP_RU:
        raise NotEligible("fund-no-citizen")
    if election_day is not None and age_on(birth, election_day) < 18:
        raise NotEligible("fund-no-adult")
    parts = name.split(" ")
    return Payer(
        last_name=parts[0],
        first_name=parts[1],
        middle_name=" ".join(parts[2:]) or None,
        birth_date=birth,
        address=address,
        passport=passport,
        citizenship="РФ",
    )
