"""The nomination questionnaire as data: the questions of the statement of consent (67-ФЗ
art. 33 p. 2) and of the income and property declaration (art. 33 p. 3, where the election
requires it), their order, when a question applies, how an answer is checked, and how it is
masked when shown back. No aiogram here.

Each question has three catalogue entries: `docs-q-<id>` (the question), `docs-ex-<id>` (an
example, shown with the question and with every error) and `docs-f-<id>` (a short name for the
list of answers).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from bot.services import validation
from bot.services.documents_names import FullName, detect_sex
from bot.services.errors import InputError

MAX_TEXT = 300
MAX_LONG = 1000
MAX_LINES = 20
OLDEST_BIRTH_YEAR = 1900
MIN_AGE = 18  # on election day (67-ФЗ art. 4 p. 2 for municipal councils)
PASSPORT_FROM_AGE = 14
NONE_WORDS = frozenset({"нет", "не имею", "no", "none", "-", "—"})

Answers = Mapping[str, str]


@dataclass(frozen=True)
class Context:
    """What checking an answer needs besides the answer: the day of the vote and today."""

    election_day: date
    today: date


@dataclass(frozen=True)
class Question:
    id: str
    kind: str  # name, sex, birth, date_issued, text, long, address, series, number, division,
    #           inn, snils, year, yes_no, nomination, lines, money_lines
    required: bool = True
    sensitive: bool = False  # masked when shown back
    declaration: bool = False  # part of the income and property declaration
    when: Callable[[Answers], bool] | None = None  # applies only when this holds
    suggest: bool = False  # offers a ready answer as a button (registered name, citizenship)

    @property
    def label(self) -> str:
        return "docs-q-" + self.id.replace("_", "-")

    @property
    def example(self) -> str:
        return "docs-ex-" + self.id.replace("_", "-")

    @property
    def short(self) -> str:
        return "docs-f-" + self.id.replace("_", "-")


def _yes(field: str) -> Callable[[Answers], bool]:
    return lambda answers: answers.get(field) == "yes"


def _needs_sex(answers: Answers) -> bool:
    name = answers.get("full_name")
    return bool(name) and detect_sex(FullName.parse(name or "")) is None


QUESTIONS: tuple[Question, ...] = (
    Question("full_name", "name", suggest=True),
    Question("sex", "sex", when=_needs_sex),
    Question("birth_date", "birth", sensitive=True),
    Question("birth_place", "text", sensitive=True),
    Question("address", "address", sensitive=True),
    Question("passport_series", "series", sensitive=True),
    Question("passport_number", "number", sensitive=True),
    Question("passport_issued", "date_issued", sensitive=True),
    Question("passport_issuer", "text", sensitive=True),
    Question("passport_division", "division", sensitive=True),
    Question("inn", "inn", required=False, sensitive=True),
    Question("snils", "snils", required=False, sensitive=True),
    Question("citizenship", "text", suggest=True),
    Question("education", "yes_no"),
    Question("edu_institution", "text", when=_yes("education")),
    Question("edu_year", "year", when=_yes("education")),
    Question("edu_diploma", "text", sensitive=True, when=_yes("education")),
    Question("work_place", "text"),
    Question("work_position", "text", required=False),
    Question("deputy", "yes_no"),
    Question("deputy_council", "text", when=_yes("deputy")),
    Question("criminal", "yes_no", sensitive=True),
    Question("criminal_details", "long", sensitive=True, when=_yes("criminal")),
    Question("party_membership", "text", required=False),
    Question("nomination", "nomination"),
    Question("nomination_party", "text", when=lambda a: a.get("nomination") == "party"),
    Question("income", "money_lines", sensitive=True, declaration=True),
    Question("real_estate", "lines", sensitive=True, declaration=True),
    Question("vehicles", "lines", sensitive=True, declaration=True),
    Question("accounts", "money_lines", sensitive=True, declaration=True),
    Question("securities", "lines", sensitive=True, declaration=True),
)
BY_ID: dict[str, Question] = {q.id: q for q in QUESTIONS}
CHOICES: dict[str, tuple[str, ...]] = {
    "yes_no": ("yes", "no"),
    "sex": ("m", "f"),
    "nomination": ("self", "party"),
}


def applies(question: Question, answers: Answers, declaration: bool) -> bool:
    if question.declaration and not declaration:
        return False
    return question.when is None or question.when(answers)


def applicable(answers: Answers, declaration: bool) -> list[Question]:
    return [q for q in QUESTIONS if applies(q, answers, declaration)]


def next_question(answers: Answers, declaration: bool) -> Question | None:
    """The first applicable question not answered yet (skipped optional ones count as
    answered: they are stored as an empty string)."""
    return next((q for q in applicable(answers, declaration) if q.id not in answers), None)


def progress(answers: Answers, declaration: bool) -> tuple[int, int]:
    questions = applicable(answers, declaration)
    return sum(1 for q in questions if q.id in answers), len(questions)


def stale(answers: Answers, declaration: bool) -> set[str]:
    """Answers that no longer apply (the candidate changed "yes" to "no"): they are erased
    rather than kept around as personal data nobody needs."""
    wanted = {q.id for q in applicable(answers, declaration)}
    # The declaration's answers stay when an election stops requiring it: they are the
    # candidate's own and cost nothing to keep until /forget_me.
    return {f for f in answers if f not in wanted and not BY_ID.get(f, QUESTIONS[0]).declaration}


# --- checking one answer ---------------------------------------------------------------------


def check(question: Question, raw: str, answers: Answers, context: Context) -> str:
    """The answer normalised as it goes into the documents; InputError says what is wrong
    (the caller adds the question's example to the message)."""
    text = " ".join(raw.split()) if question.kind not in ("lines", "money_lines") else raw.strip()
    if question.kind in CHOICES:
        raise InputError("error-use-buttons")
    if not text:
        raise InputError("docs-error-empty")
    checker = _CHECKERS[question.kind]
    return checker(text, answers, context)


def _name(text: str, answers: Answers, context: Context) -> str:
    name = validation.normalise_full_name(text)
    parts = name.split(" ")
    if len(parts) > 3 and not any(p.lower() in ("оглы", "кызы") for p in parts):
        raise InputError("docs-error-name-parts")
    if not all(re.fullmatch(r"[А-Яа-яЁё'’-]+", p) for p in parts):
        raise InputError("docs-error-name-cyrillic")  # the forms are filled as in the passport
    return name


def _text(text: str, answers: Answers, context: Context) -> str:
    if len(text) > MAX_TEXT:
        raise InputError("docs-error-too-long", limit=MAX_TEXT)
    if len(text) < 2:
        raise InputError("docs-error-too-short")
    return text


def _long(text: str, answers: Answers, context: Context) -> str:
    if len(text) > MAX_LONG:
        raise InputError("docs-error-too-long", limit=MAX_LONG)
    if len(text) < 2:
        raise InputError("docs-error-too-short")
    return text


def _address(text: str, answers: Answers, context: Context) -> str:
    _text(text, answers, context)
    if not re.search(r"\d", text) or "," not in text:
        raise InputError("docs-error-address")
    return text


def _birth(text: str, answers: Answers, context: Context) -> str:
    born = validation.parse_date(text)
    if born > context.today or born.year < OLDEST_BIRTH_YEAR:
        raise InputError("docs-error-birth-range")
    if validation.age_on(born, context.election_day) < MIN_AGE:
        raise InputError(
            "docs-error-too-young",
            age=MIN_AGE,
            election_day=context.election_day.strftime("%d.%m.%Y"),
        )
    return born.strftime("%d.%m.%Y")


def _issued(text: str, answers: Answers, context: Context) -> str:
    issued = validation.parse_date(text)
    if issued > context.today:
        raise InputError("docs-error-future")
    born_text = answers.get("birth_date")
    if born_text:
        born = validation.parse_date(born_text)
        if validation.age_on(born, issued) < PASSPORT_FROM_AGE:
            raise InputError("docs-error-issued-early", age=PASSPORT_FROM_AGE)
    return issued.strftime("%d.%m.%Y")


def _year(text: str, answers: Answers, context: Context) -> str:
    if not re.fullmatch(r"\d{4}", text):
        raise InputError("docs-error-year")
    year = int(text)
    born_text = answers.get("birth_date")
    first = validation.parse_date(born_text).year + 10 if born_text else OLDEST_BIRTH_YEAR
    if not first <= year <= context.today.year:
        raise InputError("docs-error-year-range", first=first, last=context.today.year)
    return str(year)


_MONEY = re.compile(
    r"^(?P<what>.+?)\s*[—–:-]\s*(?P<sum>\d[\d\s]*(?:[.,]\d{1,2})?)\s*(?:руб\.?|₽|р\.)?$"
)


def split_money_line(line: str) -> tuple[str, str] | None:
    """ "ООО «Ромашка», зарплата — 850 000" → ("ООО «Ромашка», зарплата", "850000.00")."""
    match = _MONEY.match(line.strip())
    if not match:
        return None
    amount = match["sum"].replace(" ", "").replace(",", ".")
    return match["what"].strip(), f"{float(amount):.2f}"


def _lines(text: str, answers: Answers, context: Context, money: bool = False) -> str:
    if text.strip().lower() in NONE_WORDS:
        return ""  # "нет": nothing to declare in this section
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_LINES:
        raise InputError("docs-error-lines-many", limit=MAX_LINES)
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_TEXT:
            raise InputError("docs-error-too-long", limit=MAX_TEXT)
        if money and split_money_line(line) is None:
            raise InputError("docs-error-money-line", line=number)
    return "\n".join(lines)


_CHECKERS: dict[str, Callable[[str, Answers, Context], str]] = {
    "name": _name,
    "text": _text,
    "long": _long,
    "address": _address,
    "birth": _birth,
    "date_issued": _issued,
    "year": _year,
    "series": lambda text, a, c: validation.normalise_passport_series(text),
    "number": lambda text, a, c: validation.normalise_passport_number(text),
    "division": lambda text, a, c: validation.normalise_division_code(text),
    "inn": lambda text, a, c: validation.normalise_person_inn(text),
    "snils": lambda text, a, c: validation.normalise_snils(text),
    "lines": _lines,
    "money_lines": lambda text, a, c: _lines(text, a, c, money=True),
}


def choice_value(question: Question, index: int) -> str:
    options = CHOICES.get(question.kind, ())
    if not 0 <= index < len(options):
        raise InputError("stale-button")
    return options[index]


# --- showing answers back --------------------------------------------------------------------


def mask(question: Question, value: str) -> str:
    """What the candidate sees in the list of answers: enough to recognise the answer, not
    enough for someone looking over their shoulder (or at a forwarded message)."""
    if value == "":
        return "—"
    if not question.sensitive:
        return value
    kind = question.kind
    if kind in ("birth", "date_issued"):
        return "**.**." + value[-4:]
    if kind in ("series", "number", "division", "inn", "snils"):
        return validation.mask_tail(value)
    if kind in ("lines", "money_lines"):
        return f"*** ({len(value.splitlines())})"
    if kind == "yes_no":
        return "***"
    return validation.mask_text(value)
