"""One supporter row brought to a comparable form: names (case, ё/е, order of the parts,
diminutives), phones in E.164, e-mails, addresses (the address list's key), birth dates and
consents. Pure functions, no database: the import runs them in a worker thread."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bot.services import validation
from bot.services.addresses import fold, split_address
from bot.services.errors import InputError

PURPOSES = ("contact", "volunteer", "news")

# Full forms of common Russian first names, folded (ё as е).
_FULL_NAMES_TEXT = """
    александр алексей анатолий андрей антон аркадий артем борис вадим валентин валерий василий
    виктор виталий владимир владислав вячеслав геннадий георгий глеб григорий даниил денис
    дмитрий евгений егор иван игорь илья кирилл константин лев леонид максим матвей михаил
    никита николай олег павел петр роман руслан семен сергей станислав степан тимофей тимур
    федор эдуард юрий ярослав ян
    александра алена алина алла анастасия анна антонина валентина валерия вера вероника
    виктория галина дарья диана евгения екатерина елена елизавета жанна зоя инна ирина карина
    кира кристина ксения лариса лидия любовь людмила маргарита марина мария надежда наталья
    нина оксана олеся ольга полина раиса светлана софья тамара татьяна ульяна юлия яна
"""
_FULL_NAMES = frozenset(_FULL_NAMES_TEXT.split())
# Diminutives and spelling variants → the full form. Where a diminutive serves two names
# (Саша, Женя, Валя) the one listed wins; the fuzzy score absorbs the rest.
_DIMINUTIVES = {
    "саша": "александр",
    "шура": "александр",
    "саня": "александр",
    "леша": "алексей",
    "алеша": "алексей",
    "толя": "анатолий",
    "андрюша": "андрей",
    "тоша": "антон",
    "аркаша": "аркадий",
    "тема": "артем",
    "боря": "борис",
    "вадик": "вадим",
    "валера": "валерий",
    "вася": "василий",
    "витя": "виктор",
    "виталик": "виталий",
    "вова": "владимир",
    "володя": "владимир",
    "влад": "владислав",
    "слава": "вячеслав",
    "гена": "геннадий",
    "гоша": "георгий",
    "жора": "георгий",
    "гриша": "григорий",
    "даня": "даниил",
    "данила": "даниил",
    "даниил": "даниил",
    "дима": "дмитрий",
    "женя": "евгений",
    "ваня": "иван",
    "игорек": "игорь",
    "илюша": "илья",
    "кирюша": "кирилл",
    "костя": "константин",
    "лева": "лев",
    "леня": "леонид",
    "макс": "максим",
    "миша": "михаил",
    "коля": "николай",
    "паша": "павел",
    "петя": "петр",
    "рома": "роман",
    "сема": "семен",
    "сережа": "сергей",
    "стас": "станислав",
    "степа": "степан",
    "тима": "тимофей",
    "федя": "федор",
    "эдик": "эдуард",
    "юра": "юрий",
    "ярик": "ярослав",
    "аленка": "алена",
    "настя": "анастасия",
    "аня": "анна",
    "тоня": "антонина",
    "валя": "валентина",
    "лера": "валерия",
    "вика": "виктория",
    "галя": "галина",
    "даша": "дарья",
    "катя": "екатерина",
    "лена": "елена",
    "лиза": "елизавета",
    "ксюша": "ксения",
    "люба": "любовь",
    "люда": "людмила",
    "мила": "людмила",
    "рита": "маргарита",
    "маша": "мария",
    "марья": "мария",
    "надя": "надежда",
    "наташа": "наталья",
    "наталия": "наталья",
    "оля": "ольга",
    "поля": "полина",
    "света": "светлана",
    "соня": "софья",
    "софия": "софья",
    "тома": "тамара",
    "таня": "татьяна",
    "юля": "юлия",
    "ира": "ирина",
}
_NAME_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_DIGITS = re.compile(r"\D")
_TRUE = frozenset({"да", "yes", "y", "1", "true", "+", "согласен", "согласна", "есть", "д", "x"})
_FALSE = frozenset({"нет", "no", "n", "0", "false", "-", "не согласен", "не согласна", "н"})


_PATRONYMIC_ENDINGS = ("ович", "евич", "ич", "овна", "евна", "ична", "инична")


def _fold_word(part: str) -> str:
    return part.lower().replace("ё", "е")  # one word: no spaces to squeeze


def canonical_part(part: str) -> str:
    folded = _fold_word(part)
    return _DIMINUTIVES.get(folded, folded)


def is_patronymic(part: str) -> bool:
    return len(part) > 5 and _fold_word(part).endswith(_PATRONYMIC_ENDINGS)


def _capitalise(part: str) -> str:
    if "-" not in part and "'" not in part and "’" not in part:
        return part[:1].upper() + part[1:].lower()  # the common case, without a regex
    return re.sub(r"(^|[-'’])(\w)", lambda m: m.group(1) + m.group(2).upper(), part.lower())


def order_name(parts: list[str]) -> list[str]:
    """Фамилия Имя Отчество, whichever order the file used: "Иван Петрович Сидоров" and
    "Иван Сидоров" become "Сидоров Иван Петрович" and "Сидоров Иван"."""
    if len(parts) == 3 and is_patronymic(parts[1]) and not is_patronymic(parts[2]):
        return [parts[2], parts[0], parts[1]]
    if len(parts) == 2:
        first, second = (canonical_part(p) in _FULL_NAMES for p in parts)
        if first and not second:
            return [parts[1], parts[0]]
    return parts


def display_name(raw: str) -> str | None:
    parts = _NAME_TOKEN.findall(raw)
    if not parts:
        return None
    return " ".join(_capitalise(p) for p in order_name(parts))[: validation.MAX_FULL_NAME]


def name_key(name: str) -> str:
    """What names are compared on: folded, diminutives expanded, parts sorted — so the order
    of the parts, ё/е, case and "Саша"/"Александр" make no difference."""
    return " ".join(sorted(canonical_part(p) for p in _NAME_TOKEN.findall(name)))


def patronymic_of(name: str) -> str | None:
    return next((_fold_word(p) for p in name.split() if is_patronymic(p)), None)


def normalise_phone(raw: str) -> str | None:
    """E.164, or None for what is not a phone. The common Russian shapes (8 911…, +7 911…,
    911…) skip phonenumbers' parser, which is the slowest step of an import."""
    digits = _DIGITS.sub("", raw)
    if not digits:
        return None
    if len(digits) == 10 and digits[0] == "9":
        digits = "7" + digits
    if len(digits) == 11 and digits[0] in "78" and digits[1] == "9":
        return "+7" + digits[1:]  # mobile: +7 9XX, always valid in the Russian plan
    try:
        return validation.normalise_phone(raw)
    except InputError:
        return None


def normalise_email(raw: str) -> str | None:
    try:
        return validation.normalise_email(raw).lower()
    except InputError:
        return None


_DATE_FORMATS = (
    re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$"),  # дд.мм.гггг
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$"),  # ISO, with a time from XLSX
)


def parse_birth_date(raw: str) -> date | None:
    text = raw.strip()
    for number, pattern in enumerate(_DATE_FORMATS):
        match = pattern.match(text)
        if match is None:
            continue
        a, b, c = (int(g) for g in match.groups())
        day, month, year = (a, b, c) if number == 0 else (c, b, a)
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        return found if 1900 <= found.year <= 2015 else None
    return None


def parse_consent(raw: str) -> bool | None:
    text = fold(raw)
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


_CITY = re.compile(r"^(г\.?\s*)?(санкт-петербург|спб|с-пб)[,\s]*", re.I)


@dataclass(frozen=True)
class Address:
    text: str  # as it will be stored (encrypted) and shown
    key: str | None  # the address list's key, None when no house number was found
    street: str | None


def normalise_address(raw: str) -> Address | None:
    text = " ".join(raw.split())
    if not text:
        return None
    # "Санкт-Петербург, ул. ..." : the city is implied.
    stripped = _CITY.sub("", text)
    found = split_address(stripped)
    if found is None:
        return Address(text, None, None)
    return Address(text, found.key, found.key.split("|", 1)[0])


@dataclass
class Record:
    """A row of a file after normalisation, ready to be matched."""

    row: int  # the row number in the file (the header is row 1)
    external_id: str
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: Address | None = None
    birth: date | None = None
    consents: dict[str, bool | None] = field(default_factory=dict)
    tags: str | None = None
    event: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def key(self) -> str | None:
        return name_key(self.name) if self.name else None
