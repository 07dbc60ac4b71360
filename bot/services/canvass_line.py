"""The one-line note: "Ленина 5 кв 12 сторонник +79111234567 Анна двор перезвонить".

The address comes first (bot.services.addresses.split_address); the rest, in any order:
the apartment ("кв 12", "кв.12"), one outcome word, topic words, a phone, the resident's first
name right before or after the phone, "вернуться"/"перезвонить" for a follow-up. What is left
over is the free-text note. The parse is only a proposal: the canvasser sees it and confirms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.services.addresses import Address, fold, split_address
from bot.services.errors import InputError
from bot.services.validation import normalise_phone

# Outcome codes, in the order of the buttons.
OUTCOMES = ("no_answer", "refused", "supporter", "undecided", "against", "later")
# Topic codes, in the order of the buttons.
TOPICS = ("yards", "transport", "housing", "parking", "greenery", "safety", "social", "other")

# Phrases first (longest wins), then single words; all folded (lower case, ё as е).
_OUTCOME_WORDS: dict[str, tuple[str, ...]] = {
    "no_answer": ("не открыли", "нет дома", "не открыл", "no answer", "not home", "неоткрыли"),
    "refused": ("отказались говорить", "отказался", "отказалась", "отказ", "refused"),
    "supporter": ("сторонник", "сторонница", "за", "supporter", "support"),
    "undecided": ("колеблется", "сомневается", "не решил", "undecided"),
    "against": ("против", "against"),
    "later": ("прийти позже", "попросили позже", "позже", "later"),
}
_TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "yards": ("двор", "дворы", "дворов", "дворе", "дворам", "yard", "yards"),
    "transport": ("транспорт", "автобус", "метро", "transport"),
    "housing": ("жкх", "отопление", "лифт", "крыша", "housing"),
    "parking": ("парковка", "парковки", "парковку", "парковок", "parking"),
    "greenery": ("озеленение", "деревья", "парк", "сквер", "greenery"),
    "safety": ("безопасность", "освещение", "safety"),
    "social": ("поликлиника", "школа", "садик", "соцсфера", "social"),
}
_FOLLOW_UP = ("перезвонить", "вернуться", "зайти еще", "follow up", "followup", "follow-up")
_APARTMENT = re.compile(r"(?:^|\s)(?:кв|квартира|apt|flat)\.?\s*(\d{1,4}[а-яa-z]?)(?=\s|$|,)")
_PHONE = re.compile(r"(?:^|\s)(\+?\d[\d\-\s()]{8,16}\d)(?=\s|$|,)")
_NAME = re.compile(r"^[А-ЯЁA-Z][а-яёa-z-]{1,30}$")
MAX_NOTE = 1000


@dataclass
class ParsedLine:
    address: Address
    apartment: str | None = None
    outcome: str | None = None
    topics: list[str] = field(default_factory=list)
    phone: str | None = None
    name: str | None = None
    follow_up: bool = False
    note: str | None = None


def _pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?:^|(?<=\s)){re.escape(phrase)}(?=\s|$|[,.!])")


def _take(text: str, phrase: str) -> tuple[bool, str]:
    """Remove a whole-word phrase from folded text; (found, rest)."""
    rest, count = _pattern(phrase).subn(" ", text, count=1)
    return count > 0, rest


def looks_like_note(text: str) -> bool:
    """A one-line note: an address followed by an outcome word. Cheap; used to route text."""
    address = split_address(text)
    if address is None or not address.rest:
        return False
    rest = f" {fold(address.rest)} "
    return any(_take(rest, word)[0] for words in _OUTCOME_WORDS.values() for word in words)


class _Line:
    """The rest of the line twice: folded, to find words in, and as typed, for the note.
    Found words are blanked in both, so what is left is the note in the canvasser's case."""

    def __init__(self, rest: str) -> None:
        self.typed = f" {rest} "
        folded = self.typed.lower().replace("ё", "е")
        # Lower-casing keeps lengths for Russian and English; if it ever does not, the note
        # is simply kept in lower case.
        self.folded = folded
        if len(folded) != len(self.typed):
            self.typed = folded

    def blank(self, start: int, end: int) -> None:
        gap = " " * (end - start)
        self.typed = self.typed[:start] + gap + self.typed[end:]
        self.folded = self.folded[:start] + gap + self.folded[end:]

    def take(self, phrase: str) -> bool:
        match = _pattern(phrase).search(self.folded)
        if match:
            self.blank(match.start(), match.end())
        return match is not None

    def first_of(self, phrases: dict[str, tuple[str, ...]]) -> str | None:
        """The code of the phrase that comes first in the line (the longest at a tie)."""
        best: tuple[int, int, str] | None = None
        for code, words in phrases.items():
            for word in words:
                match = _pattern(word).search(self.folded)
                if match and (best is None or (match.start(), -len(word)) < best[:2]):
                    best = (match.start(), -len(word), code)
        if best is None:
            return None
        self.blank(best[0], best[0] - best[1])
        return best[2]

    @property
    def note(self) -> str:
        return " ".join(self.typed.replace(",", " ").split())


def parse_line(text: str) -> ParsedLine:
    text = " ".join(text.split())
    address = split_address(text)
    if address is None:
        raise InputError("canvass-line-no-address")
    parsed = ParsedLine(address)
    rest = address.rest
    phone_match = _PHONE.search(rest)
    if phone_match:
        try:
            parsed.phone = normalise_phone(phone_match.group(1))
        except InputError:
            raise InputError("canvass-line-bad-phone", phone=phone_match.group(1)) from None
        before = rest[: phone_match.start(1)].split()
        after = rest[phone_match.end(1) :].split()
        if after and _NAME.match(after[0]) and fold(after[0]) not in _all_words():
            parsed.name = after[0]
            after = after[1:]
        elif before and _NAME.match(before[-1]) and fold(before[-1]) not in _all_words():
            parsed.name = before[-1]
            before = before[:-1]
        rest = " ".join(before + after)
    line = _Line(rest)
    apartment = _APARTMENT.search(line.folded)
    if apartment:
        parsed.apartment = apartment.group(1)
        line.blank(apartment.start(), apartment.end())
    parsed.outcome = line.first_of(_OUTCOME_WORDS)
    for topic, words in _TOPIC_WORDS.items():
        for word in words:
            if line.take(word) and topic not in parsed.topics:
                parsed.topics.append(topic)
    for word in _FOLLOW_UP:
        parsed.follow_up = line.take(word) or parsed.follow_up
    parsed.note = line.note[:MAX_NOTE] or None
    if parsed.outcome is None:
        raise InputError("canvass-line-no-outcome")
    return parsed


def _all_words() -> frozenset[str]:
    words = [w for ws in (*_OUTCOME_WORDS.values(), *_TOPIC_WORDS.values()) for w in ws]
    return frozenset(words) | frozenset(_FOLLOW_UP)
