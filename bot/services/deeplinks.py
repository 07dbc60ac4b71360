"""Deep links `t.me/<bot>?start=<payload>`: one format, parsed in one place.

A payload is `<kind>-<argument>`: the kind says which part of the bot the link opens
(an organisation's invitation to candidates now; volunteer invites, donations and supporter
sign-up later), the argument is what that part needs. Telegram allows 1-64 characters of
A-Z a-z 0-9 _ - in a payload.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PAYLOAD = 64
_PAYLOAD = re.compile(r"^([a-z]{1,12})-([A-Za-z0-9_-]{1,50})$")


@dataclass(frozen=True)
class DeepLink:
    kind: str
    argument: str


def parse_payload(payload: str | None) -> DeepLink | None:
    """None for an absent or malformed payload: such a link opens the ordinary /start."""
    if not payload or len(payload) > MAX_PAYLOAD:
        return None
    match = _PAYLOAD.fullmatch(payload)
    return DeepLink(match.group(1), match.group(2)) if match else None


def build_payload(kind: str, argument: str) -> str:
    payload = f"{kind}-{argument}"
    if parse_payload(payload) != DeepLink(kind, argument):
        raise ValueError(f"not a valid deep link payload: {payload!r}")
    return payload


def build_link(bot_username: str, kind: str, argument: str) -> str:
    return f"https://t.me/{bot_username}?start={build_payload(kind, argument)}"
