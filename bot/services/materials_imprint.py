"""The imprint (выходные данные) of 67-ФЗ art. 54 that every printed campaign item carries:
the printer's name, legal address and ИНН; the customer; the print run; the date of issue;
and that it was paid from the candidate's electoral fund.

A final print file is made only when every field is there; a draft shows blanks instead and
is marked ОБРАЗЕЦ. The text printed is Russian whatever the candidate's language: it is the
legal text of a Russian election.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date

from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case, Gender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker

from bot.services import validation
from bot.services.errors import InputError

MAX_PRINTER_NAME = 200
MAX_PRINTER_ADDRESS = 300
MAX_COPIES = 10_000_000
BLANK = "________"
# Field names in the order the dialog asks them and the error lists them.
FIELDS = ("printer_name", "printer_address", "printer_inn", "copies", "issued_on")

_maker = PetrovichDeclinationMaker()
_detector = PetrovichGenderDetector()


@dataclass(frozen=True)
class Imprint:
    printer_name: str | None = None
    printer_address: str | None = None
    printer_inn: str | None = None
    copies: int | None = None
    issued_on: date | None = None

    def missing(self, customer: str | None) -> list[str]:
        """The fields still empty, "customer" included when the candidate has no name."""
        empty = [name for name in FIELDS if getattr(self, name) in (None, "")]
        return (["customer"] if not customer else []) + empty

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["issued_on"] = self.issued_on.isoformat() if self.issued_on else None
        return data

    @classmethod
    def from_json(cls, data: object) -> Imprint:
        if not isinstance(data, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        issued = values.get("issued_on")
        values["issued_on"] = date.fromisoformat(issued) if isinstance(issued, str) else None
        copies = values.get("copies")
        values["copies"] = copies if isinstance(copies, int) else None
        return cls(**values)


def clean_printer_name(raw: str) -> str:
    text = " ".join(raw.split())
    if len(text) < 3:
        raise InputError("materials-imprint-name-short")
    if len(text) > MAX_PRINTER_NAME:
        raise InputError("materials-too-long", limit=MAX_PRINTER_NAME, length=len(text))
    return text


def clean_printer_address(raw: str) -> str:
    text = " ".join(raw.split())
    # A legal address has at least a town and a street with a number.
    if len(text) < 10 or not any(ch.isdigit() for ch in text):
        raise InputError("materials-imprint-address-short")
    if len(text) > MAX_PRINTER_ADDRESS:
        raise InputError("materials-too-long", limit=MAX_PRINTER_ADDRESS, length=len(text))
    return text


def clean_inn(raw: str) -> str:
    return validation.normalise_inn(raw)


def clean_copies(raw: str) -> int:
    text = raw.strip().replace(" ", "").replace("\u00a0", "")
    if not text.isdigit() or not 1 <= int(text) <= MAX_COPIES:
        raise InputError("materials-imprint-copies", limit=MAX_COPIES)
    return int(text)


def clean_issued_on(raw: str) -> date:
    return validation.parse_date(raw)


def genitive(full_name: str) -> str:
    """ "Иванова Мария Сергеевна" → "Ивановой Марии Сергеевны" (surname, name, patronymic,
    in that order, as registration stores them). Parts beyond the patronymic ("оглы")
    stay as they are; a name pytrovich cannot decline is left in the nominative."""
    parts = full_name.split()
    if len(parts) < 2:
        return full_name
    last, first = parts[0], parts[1]
    middle = parts[2] if len(parts) > 2 else None
    gender = _detector.detect(firstname=first, middlename=middle)
    if gender is Gender.ANDROGYNOUS:
        gender = _detector.detect(middlename=middle) if middle else Gender.MALE
        gender = Gender.MALE if gender is Gender.ANDROGYNOUS else gender
    try:
        declined = [
            _maker.make(NamePart.LASTNAME, gender, Case.GENITIVE, last),
            _maker.make(NamePart.FIRSTNAME, gender, Case.GENITIVE, first),
        ]
        if middle:
            declined.append(_maker.make(NamePart.MIDDLENAME, gender, Case.GENITIVE, middle))
    except Exception:  # a rule set gap must not stop the leaflet; nominative is readable
        return full_name
    return " ".join(declined + parts[3:])


def imprint_text(imprint: Imprint, customer: str | None) -> str:
    """The imprint as printed; blanks where a field is missing (drafts only)."""

    def shown(value: object) -> str:
        return BLANK if value in (None, "") else str(value)

    issued = imprint.issued_on.strftime("%d.%m.%Y") if imprint.issued_on else BLANK
    fund = f"кандидата {genitive(customer)}" if customer else f"кандидата {BLANK}"
    return (
        f"Изготовитель: {shown(imprint.printer_name)}, {shown(imprint.printer_address)}, "
        f"ИНН {shown(imprint.printer_inn)}. "
        f"Заказчик: кандидат {shown(customer)}. "
        f"Тираж {shown(imprint.copies)} экз. Дата выпуска {issued}. "
        f"Оплачено из средств избирательного фонда {fund}."
    )
