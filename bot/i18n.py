"""Localised texts from Fluent catalogues in `locales/<lang>/*.ftl`.

Fluent gives Russian its three plural forms through CLDR (1 задача, 2 задачи, 5 задач,
21 задача). Arguments are HTML-escaped on the way in, because every message goes out with
parse_mode=HTML: a user's "<b>" in their name must not break a message or inject markup.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import ast as fluent_ast

LOCALES_DIR = Path(__file__).parent.parent / "locales"
LOCALES = ("ru", "en")


class CatalogError(Exception):
    pass


class Markup(str):
    """Text that is already safe HTML and must not be escaped again."""


class Catalog:
    def __init__(self, directory: Path = LOCALES_DIR, fallback: str = "ru") -> None:
        self.fallback = fallback
        self._bundles: dict[str, FluentBundle] = {}
        self._ids: dict[str, set[str]] = {}
        # Texts without arguments never change: formatted once (buttons, prompts, titles).
        self._plain: dict[tuple[str, str], str] = {}
        for locale in LOCALES:
            bundle = FluentBundle([locale], use_isolating=False)
            ids: set[str] = set()
            for path in sorted((directory / locale).glob("*.ftl")):
                resource = FluentResource(path.read_text(encoding="utf-8"))
                junk = [entry for entry in resource.body if isinstance(entry, fluent_ast.Junk)]
                if junk:
                    raise CatalogError(f"{path}: cannot parse: {junk[0].content[:60]!r}")
                ids.update(e.id.name for e in resource.body if isinstance(e, fluent_ast.Message))
                bundle.add_resource(resource)
            self._bundles[locale] = bundle
            self._ids[locale] = ids

    def message_ids(self, locale: str) -> set[str]:
        return set(self._ids[locale])

    def text(self, locale: str, key: str, /, **params: object) -> str:
        if not params:
            plain = self._plain.get((locale, key))
            if plain is None:
                plain = self._plain[(locale, key)] = self._format(locale, key, {})
            return plain
        return self._format(locale, key, params)

    def _format(self, locale: str, key: str, params: Mapping[str, object]) -> str:
        bundle = self._bundles.get(locale) or self._bundles[self.fallback]
        if not bundle.has_message(key):
            bundle = self._bundles[self.fallback]
            if not bundle.has_message(key):
                raise KeyError(f"no message {key!r} in any catalogue")
        message = bundle.get_message(key)
        if message.value is None:
            raise KeyError(f"message {key!r} has no value")
        args = {name: _prepare(value) for name, value in params.items()}
        text, errors = bundle.format_pattern(message.value, args)
        if errors:
            raise CatalogError(f"{key}: {errors[0]}")
        return text

    def translator(self, locale: str) -> Translator:
        return Translator(self, locale if locale in LOCALES else self.fallback)


def _prepare(value: object) -> object:
    if isinstance(value, (Markup, int | float)):
        return value
    if value is None:
        return ""
    return html.escape(str(value), quote=False)


class Translator:
    """A catalogue bound to one person's language: `t("key", name=...)`."""

    def __init__(self, catalog: Catalog, locale: str) -> None:
        self.catalog = catalog
        self.locale = locale

    def __call__(self, key: str, /, **params: object) -> str:
        return self.catalog.text(self.locale, key, **params)

    def all(self, key: str, /, **params: object) -> Mapping[str, str]:
        """The text in every language (for command menus, and matching reply buttons)."""
        return {locale: self.catalog.text(locale, key, **params) for locale in LOCALES}
