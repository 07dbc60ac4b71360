"""The Fluent catalogues: complete in both languages, used keys exist, plurals, escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.i18n import LOCALES, Catalog, CatalogError, Markup
from bot.telegram import commands, keyboards

BOT_DIR = Path(__file__).resolve().parent.parent / "bot"
KEY = r"([a-z][a-z0-9]*(?:-[a-z0-9]+)*)"
# Calls whose first string literal is a message id; \s spans lines, so multi-line calls count.
KEY_PATTERNS = [
    re.compile(r"(?<![\w.])t\(\s*\"" + KEY + r"\""),
    re.compile(r"\bt\.all\(\s*\"" + KEY + r"\""),
    re.compile(r"\.text\(\s*[^,()]+,\s*\"" + KEY + r"\""),
    re.compile(r"\bInputError\(\s*\"" + KEY + r"\""),
]
# Keys chosen into a variable first (`yes = "button-forget-yes" if ... else ...`).
PREFIXED_LITERAL = re.compile(r"\"((?:button|error|cmd)-[a-z0-9-]+)\"")


def keys_used_in_code() -> dict[str, set[str]]:
    """Message id -> the files that use it."""
    used: dict[str, set[str]] = {}
    for path in sorted(BOT_DIR.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for pattern in (*KEY_PATTERNS, PREFIXED_LITERAL):
            for key in pattern.findall(source):
                used.setdefault(key, set()).add(str(path.relative_to(BOT_DIR)))
    return used


def dynamic_keys() -> set[str]:
    """Keys the code builds with f-strings; the patterns are checked to still be there."""
    keyboard_source = (BOT_DIR / "telegram" / "keyboards.py").read_text(encoding="utf-8")
    commands_source = (BOT_DIR / "telegram" / "commands.py").read_text(encoding="utf-8")
    assert "f\"button-edit-{name.replace('_', '-')}\"" in keyboard_source
    assert "f\"cmd-{name.replace('_', '-')}\"" in commands_source
    edit = {f"button-edit-{name.replace('_', '-')}" for name in keyboards.EDITABLE_FIELDS}
    names = commands.PUBLIC + commands.COORDINATOR + commands.ADMIN
    return edit | {f"cmd-{name.replace('_', '-')}" for name in names}


def test_both_languages_have_the_same_message_ids(catalog: Catalog) -> None:
    ru, en = catalog.message_ids("ru"), catalog.message_ids("en")
    assert len(ru) > 100
    assert ru - en == set(), "only in Russian"
    assert en - ru == set(), "only in English"


def test_every_key_used_in_the_code_exists(catalog: Catalog) -> None:
    used = keys_used_in_code()
    # The scan itself must see the code, or this test would pass on nothing.
    assert len(used) > 60
    assert {
        "error-name-parts",  # InputError("...")
        "error-grant-unknown-user",
        "privacy-stored",  # a multi-line t(...) call
        "button-forget-final",  # chosen into a variable first
        "error-districts-columns",
    } <= set(used)
    needed = set(used) | dynamic_keys()
    for locale in LOCALES:
        missing = {
            key: sorted(used.get(key, {"an f-string"}))
            for key in needed
            if key not in catalog.message_ids(locale)
        }
        assert missing == {}, f"missing in {locale}"


def test_every_command_has_a_description(catalog: Catalog) -> None:
    for locale in LOCALES:
        for name in commands.PUBLIC + commands.ADMIN:
            description = catalog.text(locale, f"cmd-{name.replace('_', '-')}")
            assert 3 <= len(description) <= 256  # Telegram's limit for a command description


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "0 задач"),
        (1, "1 задача"),
        (2, "2 задачи"),
        (4, "4 задачи"),
        (5, "5 задач"),
        (11, "11 задач"),
        (12, "12 задач"),
        (14, "14 задач"),
        (21, "21 задача"),
        (22, "22 задачи"),
        (25, "25 задач"),
        (101, "101 задача"),
        (111, "111 задач"),
        (112, "112 задач"),
    ],
)
def test_russian_plurals(catalog: Catalog, count: int, text: str) -> None:
    assert catalog.text("ru", "tasks-count", count=count) == text


@pytest.mark.parametrize(("count", "text"), [(1, "1 task"), (2, "2 tasks"), (21, "21 tasks")])
def test_english_plurals(catalog: Catalog, count: int, text: str) -> None:
    assert catalog.text("en", "tasks-count", count=count) == text


def test_arguments_are_html_escaped(catalog: Catalog) -> None:
    text = catalog.text("ru", "invite-organisation", name="<b>x</b> & co")
    assert "&lt;b&gt;x&lt;/b&gt; &amp; co" in text
    assert "<b>x</b>" not in text


def test_markup_arguments_are_not_escaped(catalog: Catalog) -> None:
    text = catalog.text("ru", "invite-organisation", name=Markup("<b>x</b>"))
    assert "«<b>x</b>»" in text


def test_translator_escapes_too(catalog: Catalog) -> None:
    t = catalog.translator("en")
    assert "&lt;i&gt;" in t("invite-organisation", name="<i>")
    assert t.all("cmd-help").keys() == set(LOCALES)
    assert catalog.translator("de").locale == catalog.fallback


def test_unknown_key_raises_key_error(catalog: Catalog) -> None:
    with pytest.raises(KeyError):
        catalog.text("ru", "no-such-message")
    with pytest.raises(KeyError):
        catalog.translator("en")("no-such-message")


def test_a_missing_argument_is_an_error_not_a_silent_gap(catalog: Catalog) -> None:
    with pytest.raises(CatalogError):
        catalog.text("ru", "invite-organisation")


def write_catalogue(root: Path, locale: str, text: str) -> Path:
    directory = root / locale
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "shtab.ftl"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_broken_catalogue_names_the_file(tmp_path: Path) -> None:
    write_catalogue(tmp_path, "ru", "hello = Привет\n")
    broken = write_catalogue(tmp_path, "en", "hello = Hi\nthis is { not fluent\n")
    with pytest.raises(CatalogError) as caught:
        Catalog(tmp_path)
    assert str(broken) in str(caught.value)


def test_a_catalogue_from_another_directory_loads(tmp_path: Path) -> None:
    write_catalogue(tmp_path, "ru", "hello = Привет, { $name }\n")
    write_catalogue(tmp_path, "en", "hello = Hi, { $name }\n")
    catalog = Catalog(tmp_path)
    assert catalog.text("en", "hello", name="<Ann>") == "Hi, &lt;Ann&gt;"
    assert catalog.message_ids("ru") == {"hello"}
