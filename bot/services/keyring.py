"""The key hierarchy: a master key wraps data keys, data keys encrypt personal data.

- The master key is DATA_KEY (Fernet keys, newest first). It never touches the database: it
  only wraps and unwraps data keys. Rotating it rewraps the data keys (a few rows), not the
  data, so it needs no downtime (`python -m bot rotate-keys`).
- Data keys are random AES-256-GCM keys stored wrapped in `data_keys`: one for the coalition
  (`system`, what the `cipher` in handler data encrypts with), one for blind indexes
  (`index`: a separate key), one keying the audit chain (`audit`), one per organisation and
  one per person.
- Crypto-shredding: deleting a person's row destroys every ciphertext made with their key,
  wherever a copy of it lies, once no copy of the wrapped key can be unwrapped either.
- A ciphertext names its key: `e1.<ref>.<base64(nonce + ciphertext + tag)>`, the ref bound as
  associated data, so a token moved to another key's ref fails authentication.

Services get a person's cipher with `await person_cipher(uow, cipher, user_id)`: it works with
the app's cipher and, unchanged, with a plain `FieldCipher` (tests and benches build those).
"""

from __future__ import annotations

import binascii
import hashlib
import itertools
import os
import secrets
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError

from bot.db.models.protection import DataKey, WipeRequest
from bot.services.crypto import DecryptionError, FieldCipher

if TYPE_CHECKING:
    from bot.db.uow import UnitOfWork, UnitOfWorkFactory

PREFIX = "e1."
SYSTEM, INDEX, AUDIT, ORG, PERSON = "system", "index", "audit", "org", "person"
CACHE_SIZE = 20_000  # unwrapped data keys kept in memory (32 bytes each)


# Run before most encryptions: built once (see bot.db.repositories.users).
_KEY_EXISTS = select(DataKey.id).where(DataKey.ref == bindparam("ref"))


class KeysUnavailable(RuntimeError):
    """The keyring is not loaded yet, or was wiped: nothing can be encrypted or read."""


def fingerprint(master_key: str) -> str:
    """Names a master key in the database without revealing it."""
    return hashlib.sha256(b"shtab-master-fp:" + master_key.encode()).hexdigest()[:16]


def token_ref(token: str) -> str | None:
    if not token.startswith(PREFIX):
        return None
    ref, _, _ = token[len(PREFIX) :].partition(".")
    return ref or None


class DataKeyCipher:
    """Encrypts and decrypts with one data key. Same methods as FieldCipher, except the
    blind index, which always uses the separate index key."""

    def __init__(self, ref: str, key: bytes) -> None:
        self.ref = ref
        self._aead = AESGCM(key)
        self._ad = ref.encode()
        self._head = f"{PREFIX}{ref}."
        self._new_nonce_prefix()

    def _new_nonce_prefix(self) -> None:
        # A 96-bit nonce: 64 random bits per process (and per 2^32 messages) + a counter.
        # As unique as random nonces, without a system call per value (the import's hot path).
        self._prefix = os.urandom(8)
        self._counter = itertools.count()

    def encrypt(self, value: str | None) -> str | None:
        if value is None:
            return None
        number = next(self._counter)
        if number >= 1 << 32:
            self._new_nonce_prefix()
            number = next(self._counter)
        nonce = self._prefix + number.to_bytes(4, "big")
        sealed = self._aead.encrypt(nonce, value.encode(), self._ad)
        return self._head + binascii.b2a_base64(nonce + sealed, newline=False).decode()

    def decrypt(self, token: str | None) -> str | None:
        if token is None:
            return None
        if not token.startswith(self._head):
            raise DecryptionError("the value was not encrypted with this key")
        try:
            raw = binascii.a2b_base64(token[len(self._head) :])
            return self._aead.decrypt(raw[:12], raw[12:], self._ad).decode()
        except (InvalidTag, binascii.Error, ValueError):
            raise DecryptionError("stored value failed authentication") from None


class Master:
    """The master key(s): wraps data keys. Several keys, newest first, during a rotation."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one master key is required")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        self.fingerprint = fingerprint(keys[0])
        self.fingerprints = frozenset(fingerprint(key) for key in keys)

    def wrap(self, raw: bytes) -> str:
        return self._fernet.encrypt(raw).decode()

    def unwrap(self, wrapped: str) -> bytes:
        try:
            return self._fernet.decrypt(wrapped.encode())
        except InvalidToken:
            raise DecryptionError("a data key cannot be unwrapped with DATA_KEY") from None

    def rewrap(self, wrapped: str) -> str:
        return self._fernet.rotate(wrapped.encode()).decode()


class Keyring:
    def __init__(self, master_keys: list[str], uow_factory: UnitOfWorkFactory | None = None):
        self.master: Master | None = Master(master_keys)
        self._uow_factory = uow_factory
        self._by_ref: OrderedDict[str, DataKeyCipher] = OrderedDict()
        self._by_owner: dict[tuple[str, str], str] = {}
        self._owner_of: dict[str, tuple[str, str]] = {}
        self.system: DataKeyCipher | None = None
        self._index_key: bytes | None = None
        # Keys the audit chain's links: whoever can write the database but lacks DATA_KEY
        # cannot recompute the chain after editing an entry.
        self.audit_key: bytes | None = None
        self.wiped = False
        self.cipher = EnvelopeCipher(self, master_keys)

    @property
    def loaded(self) -> bool:
        return self.system is not None and self._index_key is not None

    # ---------------------------------------------------------------- loading

    async def ensure_loaded(self) -> None:
        if not self.loaded and not self.wiped:
            await self.load()

    async def load(self) -> None:
        """Unwrap (or create, the first time) the coalition and index keys, in a transaction
        of their own so the new rows are there for every other instance at once."""
        assert self._uow_factory is not None, "a keyring without a database cannot load"
        try:
            async with self._uow_factory() as uow:
                await self.load_in(uow)
        except IntegrityError:
            # Another instance created the same keys a moment earlier: use theirs.
            async with self._uow_factory() as uow:
                await self.load_in(uow)

    async def load_in(self, uow: UnitOfWork) -> None:
        master = self._master()
        destroyed = await uow.session.scalar(
            select(WipeRequest.id).where(
                WipeRequest.executed_at.is_not(None),
                WipeRequest.master_fp.in_(master.fingerprints),
            )
        )
        if destroyed is not None:
            self.forget_all()
            raise KeysUnavailable(
                "DATA_KEY was destroyed by the emergency wipe; set a new one to start afresh"
            )
        self.system = await self._get(uow, SYSTEM, "coalition", create=True)
        index = await self._row(uow, INDEX, "coalition", create=True)
        audit = await self._row(uow, AUDIT, "coalition", create=True)
        assert index is not None and audit is not None
        self._index_key = master.unwrap(index.wrapped)
        self.audit_key = master.unwrap(audit.wrapped)

    # ---------------------------------------------------------------- per owner

    async def for_person(
        self, uow: UnitOfWork, user_id: int, *, create: bool = True
    ) -> DataKeyCipher | None:
        """The person's own key; None when they have none (never had, or erased)."""
        return await self._get(uow, PERSON, str(user_id), create=create)

    async def for_org(
        self, uow: UnitOfWork, organisation_id: int, *, create: bool = True
    ) -> DataKeyCipher | None:
        return await self._get(uow, ORG, str(organisation_id), create=create)

    async def preload_people(self, uow: UnitOfWork, user_ids: Iterable[int]) -> None:
        """Unwrap many people's keys in one query, so `cipher.decrypt` can read their data."""
        owners = {str(user_id) for user_id in user_ids}
        owners = {owner for owner in owners if (PERSON, owner) not in self._by_owner}
        if not owners:
            return
        rows = await uow.session.scalars(
            select(DataKey).where(DataKey.kind == PERSON, DataKey.owner.in_(owners))
        )
        for row in rows:
            self._remember(row)

    async def destroy_person(self, uow: UnitOfWork, user_id: int) -> bool:
        """Crypto-shredding: the person's key is deleted; what it encrypted is noise."""
        self._forget((PERSON, str(user_id)))
        result = await uow.session.execute(
            delete(DataKey).where(DataKey.kind == PERSON, DataKey.owner == str(user_id))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # ---------------------------------------------------------------- master key

    async def rotate_master(self, uow: UnitOfWork) -> int:
        """Rewrap every data key under the newest master key; returns how many changed.
        The data itself is untouched, so instances keep serving throughout."""
        master = self._master()
        changed = 0
        for row in await uow.session.scalars(
            select(DataKey).where(DataKey.master_fp != master.fingerprint)
        ):
            row.wrapped = master.rewrap(row.wrapped)
            row.master_fp = master.fingerprint
            changed += 1
        return changed

    def forget_all(self) -> None:
        """Drop every key from memory (the wipe): this instance can read nothing any more."""
        self.master = None
        self.system = None
        self._index_key = None
        self.audit_key = None
        self._by_ref.clear()
        self._by_owner.clear()
        self._owner_of.clear()
        self.cipher.drop_legacy()
        self.wiped = True

    # ---------------------------------------------------------------- used by the cipher

    def blind_index(self, value: str) -> str:
        """Keyed BLAKE2b (a PRF, like HMAC, at a third of its cost), 128 bits: collisions stay
        out of reach (about 2^64 values) and the index is half as big to store and compare."""
        if self._index_key is None:
            raise self._unavailable()
        return hashlib.blake2b(value.encode(), key=self._index_key, digest_size=16).hexdigest()

    def known(self, ref: str) -> DataKeyCipher | None:
        if self.system is not None and ref == self.system.ref:
            return self.system  # never evicted: most values are under it
        found = self._by_ref.get(ref)
        if found is not None:
            self._by_ref.move_to_end(ref)
        return found

    def coalition(self) -> DataKeyCipher:
        if self.system is None:
            raise self._unavailable()
        return self.system

    # ---------------------------------------------------------------- internals

    def _unavailable(self) -> KeysUnavailable:
        if self.wiped:
            return KeysUnavailable("the keys were wiped")
        return KeysUnavailable("the keyring is not loaded (Keyring.load at start-up)")

    def _master(self) -> Master:
        if self.master is None:
            raise self._unavailable()
        return self.master

    async def _row(
        self, uow: UnitOfWork, kind: str, owner: str, *, create: bool
    ) -> DataKey | None:
        row = await uow.session.scalar(
            select(DataKey).where(DataKey.kind == kind, DataKey.owner == owner)
        )
        if row is None and create:
            master = self._master()
            row = DataKey(
                kind=kind,
                owner=owner,
                ref=secrets.token_hex(6),
                wrapped=master.wrap(AESGCM.generate_key(bit_length=256)),
                master_fp=master.fingerprint,
            )
            uow.session.add(row)
            await uow.session.flush()
        return row

    async def _get(
        self, uow: UnitOfWork, kind: str, owner: str, *, create: bool
    ) -> DataKeyCipher | None:
        ref = self._by_owner.get((kind, owner))
        if ref is not None and (cached := self.known(ref)) is not None:
            if not create or kind not in (PERSON, ORG):
                return cached
            # About to encrypt: another instance may have destroyed this key (/forget_me), and
            # new data under it would be lost. One indexed look-up says it is still there.
            if await uow.session.scalar(_KEY_EXISTS, {"ref": ref}):
                return cached
            self._forget((kind, owner))
        row = await self._row(uow, kind, owner, create=create)
        return None if row is None else self._remember(row)

    def _forget(self, owner: tuple[str, str]) -> None:
        ref = self._by_owner.pop(owner, None)
        if ref is not None:
            self._by_ref.pop(ref, None)
            self._owner_of.pop(ref, None)

    def _remember(self, row: DataKey) -> DataKeyCipher:
        cipher = DataKeyCipher(row.ref, self._master().unwrap(row.wrapped))
        self._by_ref[row.ref] = cipher
        self._by_owner[(row.kind, row.owner)] = row.ref
        self._owner_of[row.ref] = (row.kind, row.owner)
        while len(self._by_ref) > CACHE_SIZE:
            ref, _ = self._by_ref.popitem(last=False)
            owner = self._owner_of.pop(ref, None)
            if owner is not None and self._by_owner.get(owner) == ref:
                del self._by_owner[owner]
        return cipher


class EnvelopeCipher(FieldCipher):
    """The `cipher` every handler gets, with FieldCipher's methods: new values are
    encrypted under the coalition data key; any token whose key is in memory can be read;
    tokens from before the key hierarchy (Fernet under DATA_KEY itself) stay readable."""

    def __init__(self, keyring: Keyring, master_keys: list[str]) -> None:
        super().__init__(master_keys)
        self.keyring = keyring
        self._legacy = True

    def drop_legacy(self) -> None:
        self._legacy = False

    def encrypt(self, value: str | None) -> str | None:
        return self.keyring.coalition().encrypt(value)

    def decrypt(self, token: str | None) -> str | None:
        if token is None:
            return None
        ref = token_ref(token)
        if ref is None:
            if not self._legacy:
                raise KeysUnavailable("the keys were wiped")
            return super().decrypt(token)
        cipher = self.keyring.known(ref)
        if cipher is None:
            if self.keyring.wiped:
                raise KeysUnavailable("the keys were wiped")
            raise DecryptionError("the value's data key is not loaded (or was destroyed)")
        return cipher.decrypt(token)

    def rotate(self, token: str) -> str:
        return self.encrypt(self.decrypt(token)) or ""

    def blind_index(self, value: str) -> str:
        return self.keyring.blind_index(value)


def keyring_of(cipher: FieldCipher) -> Keyring | None:
    return cipher.keyring if isinstance(cipher, EnvelopeCipher) else None


async def person_cipher(
    uow: UnitOfWork, cipher: FieldCipher, user_id: int, *, create: bool = True
) -> FieldCipher | DataKeyCipher | None:
    """The cipher for one person's own data: their key under the app's keyring; the given
    cipher itself when it is a plain FieldCipher (no hierarchy: tests, benches)."""
    keyring = keyring_of(cipher)
    if keyring is None:
        return cipher
    return await keyring.for_person(uow, user_id, create=create)


async def preload_people(uow: UnitOfWork, cipher: FieldCipher, user_ids: Iterable[int]) -> None:
    keyring = keyring_of(cipher)
    if keyring is not None:
        await keyring.preload_people(uow, user_ids)


def read(cipher: FieldCipher, token: str | None) -> str | None:
    """Decrypt, or None when the key is gone (erased person, wiped keys): a reader shows
    'unavailable' rather than failing the whole page."""
    try:
        return cipher.decrypt(token)
    except (DecryptionError, KeysUnavailable):
        return None
