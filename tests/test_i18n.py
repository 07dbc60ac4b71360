"""The Fluent catalogues: complete in both languages, used keys exist, plurals, escaping."""

from __future__ import annotations

import ast
import typing
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.db.models import RoleName
from bot.i18n import LOCALES, Catalog, CatalogError, Markup
from bot.quests.schema import ActionTask
from bot.services import canvass_line, election
from bot.services.export_protect import Mode
from bot.services.reminders import MUTABLE_KINDS
from bot.telegram import commands, keyboards

DERIVED = ("code", "reason")  # attributes that carry a key made elsewhere
BOT_DIR = Path(__file__).resolve().parent.parent / "bot"


def _dynamic_expansions() -> dict[str, set[str]]:
    """Keys the code builds with f-strings, by the literal start of the f-string."""
    staff = commands.PUBLIC + commands.COORDINATOR + commands.ADMIN
    return {
        "button-edit-": {
            f"button-edit-{name.replace('_', '-')}" for name in keyboards.EDITABLE_FIELDS
        },
        "cmd-": {f"cmd-{name.replace('_', '-')}" for name in staff},
        "role-": {f"role-{role.value}" for role in RoleName},
        "settings-kind-": {f"settings-kind-{kind}" for kind in MUTABLE_KINDS},
        "canvass-outcome-": {f"canvass-outcome-{name}" for name in canvass_line.OUTCOMES},
        "canvass-topic-": {f"canvass-topic-{name}" for name in canvass_line.TOPICS},
        "canvass-flag-": {"canvass-flag-fast", "canvass-flag-far"},
        "canvass-button-mode-": {f"canvass-button-mode-{mode.value}" for mode in Mode},
        "quest-action-": {
            f"quest-action-{name}"
            for name in typing.get_args(ActionTask.model_fields["action"].annotation)
        },
    }


@dataclass
class KeyScan:
    keys: dict[str, set[str]] = field(default_factory=dict)  # message id -> files
    dynamic: dict[str, set[str]] = field(default_factory=dict)  # f-string start -> files


def _key_argument(call: ast.Call) -> ast.expr | None:
    function = call.func
    if isinstance(function, ast.Name) and function.id in ("t", "InputError", "Lock"):
        return call.args[0] if call.args else None
    if (
        isinstance(function, ast.Attribute)
        and function.attr == "all"
        and isinstance(function.value, ast.Name)
        and function.value.id == "t"
    ):
        return call.args[0] if call.args else None
    if isinstance(function, ast.Attribute) and function.attr == "text" and len(call.args) >= 2:
        return call.args[1]  # catalog.text(locale, key, ...)
    return None


def _assigned_strings(tree: ast.AST, name: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            found |= {
                part.value
                for part in ast.walk(node.value)
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
            }
    return found


def scan_code() -> KeyScan:
    """Every message id bot/ passes to t(), t.all(), catalog.text(_, key), InputError()."""
    scan = KeyScan()
    for path in sorted(BOT_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(BOT_DIR))
        for node in ast.walk(tree):
            argument = _key_argument(node) if isinstance(node, ast.Call) else None
            if argument is None:
                continue
            pending = [argument]
            while pending:
                expression = pending.pop()
                if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
                    scan.keys.setdefault(expression.value, set()).add(where)
                elif isinstance(expression, ast.IfExp):
                    pending += [expression.body, expression.orelse]
                elif isinstance(expression, ast.Name):
                    for key in _assigned_strings(tree, expression.id):
                        scan.keys.setdefault(key, set()).add(where)
                elif isinstance(expression, ast.JoinedStr):
                    first = expression.values[0] if expression.values else None
                    start = first.value if isinstance(first, ast.Constant) else ""
                    scan.dynamic.setdefault(str(start), set()).add(where)
                elif (
                    isinstance(expression, ast.Call)
                    and isinstance(expression.func, ast.Name)
                    and expression.func.id == "label_of"
                ):
                    # t(label_of(key)): any calendar event's or config key's label
                    for key in (
                        *election.CALENDAR_EVENTS.values(),
                        *election.CONFIG_KEYS.values(),
                    ):
                        scan.keys.setdefault(key, set()).add(where)
                elif isinstance(expression, ast.Attribute) and expression.attr in (
                    "code",
                    "reason",
                ):
                    # t(error.code), t(lock.reason): the InputError(...) and Lock(...) calls
                    # that make them are scanned themselves
                    pass
                else:
                    raise AssertionError(f"{where}:{node.lineno}: cannot read the key")
    return scan


def test_both_languages_have_the_same_message_ids(catalog: Catalog) -> None:
    ru, en = catalog.message_ids("ru"), catalog.message_ids("en")
    assert len(ru) > 100
    assert ru - en == set(), "only in Russian"
    assert en - ru == set(), "only in English"


def test_every_key_used_in_the_code_exists(catalog: Catalog) -> None:
    scan = scan_code()
    # The scan itself must see the code, or this test would pass on nothing.
    assert len(scan.keys) > 60
    assert {
        "error-name-parts",  # InputError("...")
        "error-grant-unknown-user",
        "error-districts-columns",
        "privacy-stored",  # a multi-line t(...) call
        "cancelled",  # t("cancelled" if ... else "nothing-to-cancel")
        "nothing-to-cancel",
        "button-forget-final",  # chosen into a variable first
    } <= set(scan.keys)
    expansions = _dynamic_expansions()
    assert {"button-edit-", "cmd-"} <= set(scan.dynamic)
    unknown_patterns = set(scan.dynamic) - set(expansions)
    assert unknown_patterns == set(), (
        "keys built by f-strings this test cannot expand",
        scan.dynamic,
    )
    needed = {key: sorted(files) for key, files in scan.keys.items()}
    for start in scan.dynamic:
        needed |= {key: sorted(scan.dynamic[start]) for key in expansions[start]}
    for locale in LOCALES:
        ids = catalog.message_ids(locale)
        missing = {key: files for key, files in needed.items() if key not in ids}
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
