"""Typed reads from JSON stored in the database (task answers, reminder payloads): the
stored value may be missing or of an unexpected type after a change of format."""

from __future__ import annotations

from collections.abc import Mapping


def int_of(data: Mapping[str, object], key: str, default: int = 0) -> int:
    value = data.get(key, default)
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return default


def list_of(data: Mapping[str, object], key: str) -> list[object]:
    value = data.get(key)
    return list(value) if isinstance(value, list) else []


def dict_of(data: Mapping[str, object], key: str) -> dict[str, object]:
    value = data.get(key)
    return dict(value) if isinstance(value, dict) else {}
