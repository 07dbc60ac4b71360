"""A person's full name in the grammatical cases the forms need ("от Иванова Ивана Ивановича",
"кандидатом Ивановым Иваном Ивановичем"), with pytrovich: a declension library made for Russian
names (pymorphy3 lower-cases them and gets names like Любовь wrong)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache

from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case, Gender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker


class Sex(enum.StrEnum):
    MALE = "m"
    FEMALE = "f"


class Form(enum.StrEnum):
    NOMINATIVE = "nom"
    GENITIVE = "gen"  # от кого: заявление от Иванова Ивана Ивановича
    DATIVE = "dat"
    ACCUSATIVE = "acc"
    INSTRUMENTAL = "ins"  # кем: представляемых кандидатом Ивановым Иваном Ивановичем
    PREPOSITIONAL = "pre"


_CASES = {
    Form.GENITIVE: Case.GENITIVE,
    Form.DATIVE: Case.DATIVE,
    Form.ACCUSATIVE: Case.ACCUSATIVE,
    Form.INSTRUMENTAL: Case.INSTRUMENTAL,
    Form.PREPOSITIONAL: Case.PREPOSITIONAL,
}


@dataclass(frozen=True)
class FullName:
    last: str
    first: str
    middle: str | None

    @classmethod
    def parse(cls, full_name: str) -> FullName:
        """ "Фамилия Имя [Отчество]" as the questionnaire stores it (already validated)."""
        parts = full_name.split()
        if len(parts) < 2:
            raise ValueError("a full name has a surname and a first name at least")
        middle = " ".join(parts[2:]) or None
        return cls(parts[0], parts[1], middle)

    def __str__(self) -> str:
        return " ".join(p for p in (self.last, self.first, self.middle) if p)


@lru_cache(maxsize=1)
def _maker() -> PetrovichDeclinationMaker:
    return PetrovichDeclinationMaker()  # loads its rules file once


@lru_cache(maxsize=1)
def _detector() -> PetrovichGenderDetector:
    return PetrovichGenderDetector()


def detect_sex(name: FullName) -> Sex | None:
    """From the patronymic (reliable) or the first name; None when it cannot tell."""
    try:
        gender = _detector().detect(firstname=name.first, middlename=name.middle)
    except (KeyError, ValueError, AttributeError):
        return None
    if gender is Gender.MALE:
        return Sex.MALE
    if gender is Gender.FEMALE:
        return Sex.FEMALE
    return None


def _decline_part(part: NamePart, gender: Gender, case: Case, word: str) -> str:
    # A double surname (Салтыков-Щедрин) declines each half.
    return "-".join(_maker().make(part, gender, case, piece) for piece in word.split("-"))


def decline(name: FullName, form: Form, sex: Sex) -> str:
    if form is Form.NOMINATIVE:
        return str(name)
    gender = Gender.MALE if sex is Sex.MALE else Gender.FEMALE
    case = _CASES[form]
    parts = [
        _decline_part(NamePart.LASTNAME, gender, case, name.last),
        _decline_part(NamePart.FIRSTNAME, gender, case, name.first),
    ]
    if name.middle:
        parts.append(_decline_part(NamePart.MIDDLENAME, gender, case, name.middle))
    return " ".join(parts)
