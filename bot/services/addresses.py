"""Addresses as people type them and as lists spell them, brought to one comparable form.

"ул. Ленина, д. 5, корп. 2", "Ленина 5к2" and "ЛЕНИНА УЛ 5 К 2" are the same building: all give
the key `ленина|5|2`. The key is what the address list, canvass notes and supporter imports are
matched on; fuzzy matching (rapidfuzz) is for what a key cannot fix: typos in the street.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

# Kinds of street, in every spelling seen in lists and chats; dropped from the key because
# people omit or abbreviate them ("Невский" for "Невский проспект").
# "линия" stays: on Vasilyevsky Island "5-я линия" and "5-я" are different streets.
_STREET_KINDS = frozenset(
    {
        *("ул", "улица", "пр", "пр-т", "пр-кт", "просп", "проспект", "пер", "переулок", "наб"),
        *("набережная", "ш", "шоссе", "б-р", "бульв", "бульвар", "пл", "площадь", "ал", "аллея"),
        *("пр-д", "проезд", "дор", "дорога", "туп", "тупик", "кан", "канала", "st", "street"),
    }
)
_HOUSE_WORDS = re.compile(r"^(д|дом|house|h)\.?$")
_BLOCK_WORDS = re.compile(r"^(к|корп|корпус|стр|строение|лит|литера|building|bld)\.?$")
_HOUSE = re.compile(r"^(\d{1,4})([а-яa-z]?)(?:(?:/|к|корп\.?|стр\.?|лит\.?)(\w{1,4}))?$")
_APARTMENT_WORDS = frozenset({"кв", "квартира", "apt", "flat"})
_TOKEN = re.compile(r"[\w./-]+")
_GLUED_HOUSE = re.compile(r"^(?:д|дом)\.(\d.*)$")
_GLUED_BLOCK = re.compile(r"^(?:к|корп|стр|лит)\.(\w{1,4})$")


def fold(text: str) -> str:
    """Lower case, ё as е, runs of spaces as one: the form every comparison is made in."""
    return " ".join(text.lower().replace("ё", "е").split())


def normalise_street(street: str) -> str:
    words = [w.strip(".,") for w in fold(street).replace(",", " ").split()]
    kept = [w for w in words if w and w.rstrip(".") not in _STREET_KINDS]
    return " ".join(kept) or " ".join(words)


def normalise_house(house: str, block: str | None = None) -> tuple[str, str | None]:
    """("5", "2") for "5к2", "д. 5 корп. 2", "5/2"; the letter of "5А" stays with the house."""
    text = fold(house).replace(" ", "")
    text = re.sub(r"^(д\.?|дом)", "", text)
    match = _HOUSE.match(text)
    if match is None:
        return text, fold(block) if block else None
    number, letter, tail = match.groups()
    found_block = tail or (fold(block).replace(" ", "") if block else None)
    if found_block:
        found_block = re.sub(r"^(корпус|корп|к|строение|стр|литера|лит)\.?", "", found_block)
    return number + letter, found_block or None


def address_key(street: str, house: str, block: str | None = None) -> str:
    number, found_block = normalise_house(house, block)
    return f"{normalise_street(street)}|{number}|{found_block or ''}"


@dataclass(frozen=True)
class Address:
    street: str
    house: str
    block: str | None
    rest: str  # what followed the address in the text ("кв 12 сторонник ...")

    @property
    def key(self) -> str:
        return address_key(self.street, self.house, self.block)


def split_address(text: str) -> Address | None:
    """The street, house and block at the start of free text, and the text after them; None
    if no house number follows a street name."""
    tokens = [(m.group(), m.end()) for m in _TOKEN.finditer(text.replace(",", " "))]
    for index, (token, _) in enumerate(tokens):
        word = fold(token)
        glued = _GLUED_HOUSE.match(word)  # "д.5"
        if index == 0 or _HOUSE_WORDS.match(word) or not (word[:1].isdigit() or glued):
            continue
        street = [t for t, _ in tokens[:index] if not _HOUSE_WORDS.match(fold(t))]
        if not street or fold(street[-1]).rstrip(".") in _APARTMENT_WORDS:
            return None
        house, end, block = glued.group(1) if glued else word, tokens[index][1], None
        following = [fold(t) for t, _ in tokens[index + 1 : index + 3]]
        if following and (glued_block := _GLUED_BLOCK.match(following[0])):  # "стр.1"
            block, end = glued_block.group(1), tokens[index + 1][1]
        elif len(following) == 2 and _BLOCK_WORDS.match(following[0]):  # "корп. 2"
            block, end = following[1], tokens[index + 2][1]
        number, found_block = normalise_house(house, block)
        return Address(" ".join(street), number, found_block, text[end:].strip(" ,"))
    return None


def closest_streets(
    typed: str, known: Iterable[str], *, limit: int = 5, cutoff: float = 70
) -> list[tuple[str, float]]:
    """Known normalised streets nearest to what was typed, best first, scored 0-100."""
    query = normalise_street(typed)
    if not query:
        return []
    matches = process.extract(query, list(known), scorer=fuzz.WRatio, limit=limit)
    return [(street, score) for street, score, _ in matches if score >= cutoff]
