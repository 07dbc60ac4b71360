"""Which encoding an uploaded text file (a CSV export, a bank statement) is in: Excel saves
UTF-8, with a byte order mark or without, or, on Russian Windows, cp1251."""

from __future__ import annotations

ENCODINGS = ("utf-8-sig", "cp1251")  # utf-8-sig reads UTF-8 without the mark too


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str] | None:
    """The text and the encoding it was read in, or None where the bytes are not text in any
    of ENCODINGS. A given `encoding` is the only one tried (None too where Python does not
    know the name). Whether a NUL byte makes the file binary is the caller's rule."""
    for name in [encoding] if encoding else ENCODINGS:
        try:
            return data.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    return None
