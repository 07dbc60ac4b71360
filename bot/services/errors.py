"""Errors the services raise; handlers turn their codes into localised answers."""

from __future__ import annotations


class InputError(Exception):
    """Input that breaks a rule. `code` is a locale message id, `params` fill it in."""

    def __init__(self, code: str, /, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
