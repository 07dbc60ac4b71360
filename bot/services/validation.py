"""Validators of what people type. Each returns the normalised value or raises InputError."""

from __future__ import annotations

import re
from datetime import date

import phonenumbers

from bot.services.errors import InputError

MAX_FULL_NAME = 150
MAX_EMAIL = 254
_NAME_PART = re.compile(r"^[^\W\d_]+(?:[-'’][^\W\d_]+)*$")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_LATIN = re.compile(r"[A-Za-z]")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")


def _capitalise(part: str) -> str:
    # Only re-case what was typed all in one case; "МакЛауд" or "ван дер" typed with care stays.
    if part.islower() or part.isupper():
        return re.sub(r"(^|[-'’])(\w)", lambda m: m.group(1) + m.group(2).upper(), part.lower())
    return part


def normalise_full_name(raw: str) -> str:
    text = " ".join(raw.split())
    if not text:
        raise InputError("error-name-empty")
    if len(text) > MAX_FULL_NAME:
        raise InputError("error-name-too-long", limit=MAX_FULL_NAME)
    parts = text.split(" ")
    if len(parts) < 2:
        raise InputError("error-name-parts")
    if len(parts) > 5:
        raise InputError("error-name-parts")
    for part in parts:
        if not _NAME_PART.match(part):
            raise InputError("error-name-characters")
        if _CYRILLIC.search(part) and _LATIN.search(part):
            # A Latin "о" inside a Cyrillic name breaks every document it goes into.
            raise InputError("error-name-mixed", part=part)
    return " ".join(_capitalise(part) for part in parts)


def normalise_phone(raw: str, region: str = "RU") -> str:
    """E.164 via phonenumbers; Telegram sends contacts without the leading plus."""
    text = raw.strip()
    digits = re.sub(r"\D", "", text)
    if region == "RU" and len(digits) == 11 and digits[0] == "8" and not text.startswith("+"):
        text = "+7" + digits[1:]  # the domestic trunk prefix: 8 911 ... is +7 911 ...
    elif text and text[0].isdigit() and len(digits) >= 11:
        text = "+" + text  # Telegram sends contacts' numbers without the plus
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InputError("error-phone-invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise InputError("error-phone-invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    text = raw.strip()
    if len(text) > MAX_EMAIL or not _EMAIL.match(text):
        raise InputError("error-email-invalid")
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def mask_phone(phone: str) -> str:
    """+79111234567 → +7 911 ***-**-67: enough to recognise, not enough to call."""
    if len(phone) < 6:
        return "***"
    return f"{phone[:2]} {phone[2:5]} ***-**-{phone[-2:]}"


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def normalise_inn(raw: str) -> str:
    """ИНН: 10 digits (organisations) or 12 (people), with the checksums of the Tax Service."""
    digits = re.sub(r"[\s-]", "", raw)
    if not digits.isdigit() or len(digits) not in (10, 12):
        raise InputError("error-inn-format")
    if len(digits) == 10:
        valid = _check_digit(digits, (2, 4, 10, 3, 5, 9, 4, 6, 8)) == int(digits[9])
    else:
        eleventh = _check_digit(digits, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
        twelfth = _check_digit(digits, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
        valid = (eleventh, twelfth) == (int(digits[10]), int(digits[11]))
    if not valid:
        raise InputError("error-inn-checksum")
    return digits


def normalise_snils(raw: str) -> str:
    """СНИЛС: 11 digits, the last two a checksum of the first nine. Shown as 123-456-789 01."""
    digits = re.sub(r"[\s-]", "", raw)
    if not digits.isdigit() or len(digits) != 11:
        raise InputError("error-snils-format")
    total = sum(int(d) * (9 - i) for i, d in enumerate(digits[:9]))
    if total > 101:
        total %= 101
    if total in (100, 101):
        total = 0
    if total != int(digits[9:]):
        raise InputError("error-snils-checksum")
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}"


def parse_date(raw: str) -> date:
    """дд.мм.гггг, the way Russian forms write dates."""
    match = re.fullmatch(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*", raw)
    if not match:
        raise InputError("error-date-format")
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise InputError("error-date-invalid") from None


# --- identity documents (the nomination questionnaire, and anyone else who needs them) -------


def _digits_only(raw: str) -> str:
    return re.sub(r"[\s\-–—.№]", "", raw)


def normalise_passport_series(raw: str) -> str:
    """Series of a Russian passport: 4 digits ("40 12" or "4012"), shown as "40 12"."""
    digits = _digits_only(raw)
    if not digits.isdigit() or len(digits) != 4:
        raise InputError("error-passport-series")
    return f"{digits[:2]} {digits[2:]}"


def normalise_passport_number(raw: str) -> str:
    digits = _digits_only(raw)
    if not digits.isdigit() or len(digits) != 6:
        raise InputError("error-passport-number")
    return digits


def normalise_division_code(raw: str) -> str:
    """Code of the issuing division: NNN-NNN."""
    digits = _digits_only(raw)
    if not digits.isdigit() or len(digits) != 6:
        raise InputError("error-division-code")
    return f"{digits[:3]}-{digits[3:]}"


def normalise_person_inn(raw: str) -> str:
    """A person's ИНН has 12 digits; 10 digits belong to an organisation."""
    digits = re.sub(r"[\s-]", "", raw)
    if digits.isdigit() and len(digits) == 10:
        raise InputError("error-inn-person")
    return normalise_inn(raw)


def age_on(birth: date, day: date) -> int:
    """Full years on `day`: one's birthday counts from its own date."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def mask_tail(value: str, keep: int = 2) -> str:
    """Every digit but the last `keep` hidden: 500100732259 → **********59."""
    digits_seen = sum(ch.isdigit() for ch in value)
    shown_from = digits_seen - keep
    out, count = [], 0
    for ch in value:
        if ch.isdigit():
            out.append(ch if count >= shown_from else "*")
            count += 1
        else:
            out.append(ch)
    return "".join(out)


def mask_text(value: str, visible: int = 3) -> str:
    """The first few letters of a free text, enough to recognise which answer it is."""
    text = " ".join(value.split())
    return (text[:visible] + "***") if len(text) > visible else "***"
