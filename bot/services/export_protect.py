"""Exports leave safely. A file sent in Telegram stays on Telegram's servers and on every
device of the chat, so an export of personal data is by default an AES-256 encrypted ZIP
whose password is shown once in the chat and stored nowhere. On request it can instead be
pseudonymised (no names, masked contacts), or, with a warning, plain.
"""

from __future__ import annotations

import enum
import io
import secrets

import pyzipper

from bot.services.export import Table

# No 0/O, 1/l/I: the password is read off a screen and typed.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_GROUPS = 4  # 4 x 5 characters from 56: about 116 bits


class Mode(enum.StrEnum):
    ENCRYPTED = "encrypted"
    PSEUDONYMISED = "pseudo"
    PLAIN = "plain"


def new_password() -> str:
    return "-".join(
        "".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(PASSWORD_GROUPS)
    )


def encrypted_zip(filename: str, data: bytes, password: str) -> bytes:
    """CPU work: call in a worker thread."""
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(
        buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(password.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.writestr(filename, data)
    return buffer.getvalue()


def pseudonymise(table: Table, replace: dict[int, object]) -> Table:
    """The same table with the given columns replaced per row: {column: callable(row) or
    value}. The caller says which columns identify a person."""
    rows = []
    for line in table.rows:
        values = list(line)
        for column, how in replace.items():
            values[column] = how(line) if callable(how) else how
        rows.append(tuple(values))
    return Table(table.header, rows)
