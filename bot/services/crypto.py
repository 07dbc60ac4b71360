"""Encryption of personal data at rest, and blind indexes to look encrypted values up.

Fernet (AES-128-CBC + HMAC) from `cryptography` does the cryptography; MultiFernet lets DATA_KEY
hold several keys, newest first, so a key can be rotated: new writes use the first key, old rows
stay readable until they are re-encrypted.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


class FieldCipher:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one key is required")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        # The lookup key is derived from the OLDEST key, so rotating the encryption key does
        # not change blind indexes (rotation only prepends keys).
        self._index_key = hashlib.sha256(b"shtab-blind-index:" + keys[-1].encode()).digest()

    def encrypt(self, value: str | None) -> str | None:
        if value is None:
            return None
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise DecryptionError("stored value cannot be decrypted with DATA_KEY") from None

    def encrypt_bytes(self, value: bytes) -> str:
        """A file (a generated PDF) as one token: Fernet authenticates it as a whole."""
        return self._fernet.encrypt(value).decode()

    def decrypt_bytes(self, token: str) -> bytes:
        try:
            return self._fernet.decrypt(token.encode())
        except InvalidToken:
            raise DecryptionError("stored file cannot be decrypted with DATA_KEY") from None

    def rotate(self, token: str) -> str:
        """Re-encrypt a stored value under the newest key."""
        return self._fernet.rotate(token.encode()).decode()

    def blind_index(self, value: str) -> str:
        """A keyed hash: equal values match, the value itself cannot be read back."""
        # hmac.digest: the same HMAC-SHA256, in one C call (imports hash millions of values).
        return hmac.digest(self._index_key, value.encode(), "sha256").hex()
