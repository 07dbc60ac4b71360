"""Addresses typed in chats and spelled in lists meet on one key."""

from __future__ import annotations

import pytest

from bot.services.addresses import address_key, closest_streets, split_address


@pytest.mark.parametrize(
    ("typed", "key", "rest"),
    [
        ("ул. Ленина, д. 5, корп. 2", "ленина|5|2", ""),
        ("Ленина 5к2", "ленина|5|2", ""),
        ("ЛЕНИНА УЛ 5 К 2", "ленина|5|2", ""),
        ("Ленина 5/2 кв 12 сторонник +79111234567", "ленина|5|2", "кв 12 сторонник +79111234567"),
        ("Невский пр. 28", "невский|28|", ""),
        ("пр. Просвещения д.5 стр.1", "просвещения|5|1", ""),
        ("Ленина 5а кв 3", "ленина|5а|", "кв 3"),
        ("5-я линия В.О. 12 кв 4", "5-я линия в.о|12|", "кв 4"),
        ("Ёлочная 7", "елочная|7|", ""),
    ],
)
def test_typed_addresses_split_into_street_house_block(typed: str, key: str, rest: str) -> None:
    address = split_address(typed)
    assert address is not None
    assert (address.key, address.rest) == (key, rest)


@pytest.mark.parametrize("typed", ["Ленина", "", "кв 12", "5 сторонник"])
def test_text_without_street_and_house_is_not_an_address(typed: str) -> None:
    assert split_address(typed) is None


def test_list_spelling_and_typed_spelling_share_a_key() -> None:
    assert address_key("улица Ленина", "5", "корпус 2") == split_address("Ленина 5к2").key  # type: ignore[union-attr]


def test_a_typo_in_the_street_finds_the_known_street() -> None:
    known = ["ленина", "невский", "гражданский", "просвещения"]
    assert closest_streets("Ленена", known)[0][0] == "ленина"
    assert closest_streets("просвящения пр", known)[0][0] == "просвещения"
    assert closest_streets("Садовая", known) == []
