"""What people type: full names, phones and e-mails are normalised or refused with a code."""

from __future__ import annotations

import pytest

from bot.services.errors import InputError
from bot.services.validation import (
    MAX_EMAIL,
    MAX_FULL_NAME,
    mask_email,
    mask_phone,
    normalise_email,
    normalise_full_name,
    normalise_phone,
)


def refused(function: object, raw: str) -> InputError:
    assert callable(function)
    with pytest.raises(InputError) as caught:
        function(raw)
    return caught.value


# Full names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("иванова мария сергеевна", "Иванова Мария Сергеевна"),
        ("ИВАНОВА МАРИЯ СЕРГЕЕВНА", "Иванова Мария Сергеевна"),
        ("  Иванова   Мария\tСергеевна \n", "Иванова Мария Сергеевна"),
        ("петрова-водкина анна", "Петрова-Водкина Анна"),
        ("ПЕТРОВА-ВОДКИНА АННА", "Петрова-Водкина Анна"),
        ("Д'Артаньян Шарль", "Д'Артаньян Шарль"),
        ("О’Нил Мария", "О’Нил Мария"),
        # Typed with care in mixed case: left exactly as typed.
        ("МакЛауд Дункан", "МакЛауд Дункан"),
        ("Smith John", "Smith John"),
        ("Ёлкина Алёна Петровна", "Ёлкина Алёна Петровна"),
        ("Ли Мин", "Ли Мин"),
        ("Гарсиа Маркес Габриэль Хосе Мария", "Гарсиа Маркес Габриэль Хосе Мария"),
    ],
)
def test_full_name_is_normalised(raw: str, expected: str) -> None:
    assert normalise_full_name(raw) == expected


def test_full_name_with_an_apostrophe_all_in_lower_case_is_accepted() -> None:
    name = normalise_full_name("д'артаньян шарль")
    assert name.split(" ")[1] == "Шарль"
    assert name.startswith("Д'")


@pytest.mark.parametrize("raw", ["", "   ", "\n\t"])
def test_empty_full_name_is_refused(raw: str) -> None:
    assert refused(normalise_full_name, raw).code == "error-name-empty"


@pytest.mark.parametrize("raw", ["Иванова", "  Иванова  ", "Один Два Три Четыре Пять Шесть"])
def test_full_name_needs_two_to_five_words(raw: str) -> None:
    assert refused(normalise_full_name, raw).code == "error-name-parts"


@pytest.mark.parametrize(
    "raw",
    [
        "Иванова Мария2",
        "Иванова 123",
        "Иванова Мария 😀",
        "Иванова Мария😀",
        "Иванова Мария!",
        "Иванова_Мария Сергеевна",
        "Иванова -Мария",
        "Иванова Мария-",
        "Иванова Мария--Анна",
        "Иванова 'Мария",
    ],
)
def test_full_name_with_digits_signs_or_emoji_is_refused(raw: str) -> None:
    assert refused(normalise_full_name, raw).code == "error-name-characters"


def test_mixed_cyrillic_and_latin_in_one_word_is_refused_naming_the_word() -> None:
    # A Latin "o" (U+006F) inside a Cyrillic surname.
    error = refused(normalise_full_name, "Ивaнoва Мария")
    assert error.code == "error-name-mixed"
    assert error.params == {"part": "Ивaнoва"}


def test_cyrillic_and_latin_in_different_words_is_fine() -> None:
    assert normalise_full_name("Иванова Maria") == "Иванова Maria"


def test_full_name_longer_than_the_limit_is_refused() -> None:
    raw = "Иванова " + "а" * MAX_FULL_NAME
    error = refused(normalise_full_name, raw)
    assert error.code == "error-name-too-long"
    assert error.params == {"limit": MAX_FULL_NAME}


def test_full_name_of_exactly_the_limit_is_accepted() -> None:
    raw = "а" * 74 + " " + "б" * 75
    assert len(raw) == MAX_FULL_NAME
    assert normalise_full_name(raw) == "А" + "а" * 73 + " Б" + "б" * 74


def test_the_limit_applies_after_collapsing_spaces() -> None:
    raw = "а" * 74 + " " * 20 + "б" * 75
    assert len(normalise_full_name(raw)) == MAX_FULL_NAME


# Phones


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("79111234567", "+79111234567"),  # Telegram's contact: no plus
        ("+79111234567", "+79111234567"),
        (" +7 (911) 123-45-67 ", "+79111234567"),
        ("+1 650 253 0000", "+16502530000"),
        ("16502530000", "+16502530000"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_is_normalised_to_e164(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["8 911 123-45-67", "89111234567", "8 (911) 123-45-67"])
def test_russian_domestic_eight_prefix_is_normalised(raw: str) -> None:
    assert normalise_phone(raw) == "+79111234567"


@pytest.mark.parametrize(
    "raw",
    ["", "abc", "телефон", "+7 abc def", "12345", "+7 911", "+7911123456789012"],
)
def test_invalid_phone_is_refused(raw: str) -> None:
    assert refused(normalise_phone, raw).code == "error-phone-invalid"


# E-mails


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("maria@example.ru", "maria@example.ru"),
        ("  maria@example.ru\n", "maria@example.ru"),
        ("maria@Example.RU", "maria@example.ru"),
        # The local part is case-sensitive by the standard: it is kept as typed.
        ("Maria.Ivanova+shtab@MAIL.Example.COM", "Maria.Ivanova+shtab@mail.example.com"),
    ],
)
def test_email_is_normalised(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "maria.example.ru",
        "maria@",
        "@example.ru",
        "maria@example",
        "maria ivanova@example.ru",
        "maria@exa mple.ru",
        "maria@@example.ru",
        "мария@пример.рф",
    ],
)
def test_invalid_email_is_refused(raw: str) -> None:
    assert refused(normalise_email, raw).code == "error-email-invalid"


def test_email_longer_than_254_is_refused() -> None:
    domain = "@example.ru"
    at_limit = "a" * (MAX_EMAIL - len(domain)) + domain
    assert normalise_email(at_limit) == at_limit
    error = refused(normalise_email, "a" + at_limit)
    assert error.code == "error-email-invalid"


# Masks


def test_mask_phone_keeps_only_country_operator_and_last_two_digits() -> None:
    assert mask_phone("+79111234567") == "+7 911 ***-**-67"
    assert "1234" not in mask_phone("+79111234567")
    assert mask_phone("+123") == "***"


def test_mask_email_keeps_the_first_letter_and_the_domain() -> None:
    assert mask_email("maria@example.ru") == "m***@example.ru"
    assert "aria" not in mask_email("maria@example.ru")
