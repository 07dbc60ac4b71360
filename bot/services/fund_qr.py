"""Payment QR codes per ГОСТ Р 56042-2014, the format Russian banking apps scan.

The payload is `ST00012` (UTF-8), a separator, then `Key=Value` pairs. The mandatory fields
come first and in the standard's order (Name, PersonalAcc, BankName, BIC, CorrespAcc): some
banks' apps read them by position. Purpose is kept within 160 characters, because some banks
cut it there although the standard allows 210.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import qrcode
from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case, Gender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker
from qrcode.constants import ERROR_CORRECT_M

from bot.services.fund_checks import BankDetails

HEADER = "ST0001"
UTF8 = "2"
MAX_PURPOSE = 160
MAX_MANDATORY_BYTES = 300
SEPARATORS = "|#;^~"  # the first that no value contains
MANDATORY = ("Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc")
PASSPORT_RF = "01"  # PayerIdType: passport of a citizen of Russia
PURPOSE_START = "Добровольное пожертвование в избирательный фонд кандидата"


class PayloadError(ValueError):
    """A string that is not a ГОСТ Р 56042-2014 payload this module can read."""


@dataclass(frozen=True)
class Payer:
    """What the law requires on a citizen's donation: ФИО, date of birth, address, passport,
    citizenship. Only ever held in memory to build a QR code: never stored."""

    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: date
    address: str
    passport: str  # 10 digits: series and number
    citizenship: str = "РФ"


def _clean(value: str) -> str:
    # Line breaks inside a value would end up in the payment order: one line, single spaces.
    return " ".join(value.split())


def build_payload(
    details: BankDetails,
    *,
    purpose: str,
    amount_kop: int | None = None,
    payer: Payer | None = None,
) -> str:
    fields: list[tuple[str, str]] = [
        ("Name", details.payee_name),
        ("PersonalAcc", details.account),
        ("BankName", details.bank_name),
        ("BIC", details.bic),
        ("CorrespAcc", details.corr_account),
    ]
    if details.payee_inn:
        fields.append(("PayeeINN", details.payee_inn))
    if details.kpp:
        fields.append(("KPP", details.kpp))
    if amount_kop is not None:
        if not 0 < amount_kop < 10**18:
            raise PayloadError("Sum is out of range")
        fields.append(("Sum", str(amount_kop)))
    fields.append(("Purpose", purpose[:MAX_PURPOSE]))
    if payer is not None:
        fields += [
            ("LastName", payer.last_name),
            ("FirstName", payer.first_name),
            *([("MiddleName", payer.middle_name)] if payer.middle_name else []),
            ("BirthDate", payer.birth_date.strftime("%d.%m.%Y")),
            ("PayerAddress", payer.address),
            ("PayerIdType", PASSPORT_RF),
            ("PayerIdNum", payer.passport),
        ]
    cleaned = [(key, _clean(value)) for key, value in fields]
    mandatory = "|".join(f"{k}={v}" for k, v in cleaned[: len(MANDATORY)])
    if len(mandatory.encode()) > MAX_MANDATORY_BYTES:
        raise PayloadError("the mandatory fields exceed 300 bytes")
    separator = next((s for s in SEPARATORS if all(s not in v for _, v in cleaned)), None)
    if separator is None:
        raise PayloadError("every separator occurs in a value")
    return HEADER + UTF8 + separator + separator.join(f"{k}={v}" for k, v in cleaned)


def parse_payload(payload: str) -> dict[str, str]:
    """The fields of a payload, in order. Raises PayloadError for anything else."""
    if len(payload) < 8 or not payload.startswith(HEADER):
        raise PayloadError("no ST0001 header")
    if payload[6] != UTF8:
        raise PayloadError("only the UTF-8 variant is read")
    separator = payload[7]
    fields: dict[str, str] = {}
    for part in payload[8:].split(separator):
        key, equals, value = part.partition("=")
        if not equals or not key:
            raise PayloadError(f"not a Key=Value pair: {part!r}")
        fields[key] = value
    if tuple(fields)[: len(MANDATORY)] != MANDATORY:
        raise PayloadError("mandatory fields missing or out of order")
    return fields


def render_png(payload: str, *, box_size: int = 8) -> bytes:
    """The QR code as PNG. Level M: a printed card survives a fold or a smudge."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


_maker = PetrovichDeclinationMaker()
_detector = PetrovichGenderDetector()


def genitive(full_name: str) -> str:
    """Иванова Мария Сергеевна -> Ивановой Марии Сергеевны (for "фонд кандидата ...")."""
    parts = full_name.split()
    if len(parts) < 2:
        return full_name
    last, first, middle = parts[0], parts[1], (parts[2] if len(parts) > 2 else None)
    try:
        gender = _detector.detect(firstname=first, middlename=middle) if middle else None
        gender = gender or _detector.detect(firstname=first)
    except Exception:  # an unusual name must not stop the QR code: fall back to androgynous
        gender = Gender.ANDROGYNOUS
    declined = [
        _maker.make(NamePart.LASTNAME, gender, Case.GENITIVE, last),
        _maker.make(NamePart.FIRSTNAME, gender, Case.GENITIVE, first),
    ]
    if middle:
        declined.append(_maker.make(NamePart.MIDDLENAME, gender, Case.GENITIVE, middle))
    return " ".join([*declined, *parts[3:]])


def _initials(full_name: str) -> str:
    parts = full_name.split()
    return " ".join([parts[0], *(p[0] + "." for p in parts[1:])]) if parts else full_name


def purpose(candidate_name: str, *, citizenship: str | None = None) -> str:
    """The payment's purpose within MAX_PURPOSE: the candidate's full name in the genitive if
    it fits, else with initials; the donor's citizenship at the end when known."""
    tail = f", гражданство {citizenship}" if citizenship else ""
    name = genitive(candidate_name)
    for shown in (name, _initials(name)):
        text = f"{PURPOSE_START} {shown}{tail}"
        if len(text) <= MAX_PURPOSE:
            return text
    return f"{PURPOSE_START} {_initials(name)}"[:MAX_PURPOSE]
