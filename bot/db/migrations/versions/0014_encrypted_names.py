"""encrypted names: drop the plaintext candidates.full_name (issue 12)

Every reader now decrypts `candidate_names` (bot/services/names.py). Before the column goes,
any name that still lacks its encrypted copy gets one, under the person's own key, with the
name's blind index: the same keys and formats as the keyring (bot/services/keyring.py).
That needs DATA_KEY (passed by `python -m bot`, or in the environment); without it, and with
names to copy, the upgrade stops rather than lose them.

The downgrade restores the column from the encrypted copies when DATA_KEY is at hand; names
whose person key was destroyed (/forget_me) or whose keys are missing stay empty.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 17:40:00
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import context, op
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.db.models import UtcDateTime
from bot.services.crypto import DecryptionError
from bot.services.keyring import INDEX, PERSON, DataKeyCipher, Master, token_ref
from bot.services.names import normalised

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

candidates = sa.table(
    "candidates",
    sa.column("id", sa.Integer()),
    sa.column("user_id", sa.BigInteger()),
    sa.column("full_name", sa.String(200)),
)
candidate_names = sa.table(
    "candidate_names",
    sa.column("candidate_id", sa.Integer()),
    sa.column("full_name_enc", sa.Text()),
    sa.column("name_index", sa.String(64)),
)
data_keys = sa.table(
    "data_keys",
    sa.column("kind", sa.String(16)),
    sa.column("owner", sa.String(64)),
    sa.column("ref", sa.String(24)),
    sa.column("wrapped", sa.Text()),
    sa.column("master_fp", sa.String(16)),
    sa.column("created_at", UtcDateTime()),
)


def _master() -> Master | None:
    keys = context.config.attributes.get("data_keys") or [
        key for key in os.environ.get("DATA_KEY", "").split(",") if key
    ]
    return Master(list(keys)) if keys else None


def _key(connection: sa.Connection, kind: str, owner: str) -> sa.Row | None:
    return connection.execute(
        sa.select(data_keys.c.ref, data_keys.c.wrapped).where(
            data_keys.c.kind == kind, data_keys.c.owner == owner
        )
    ).first()


def _person(connection: sa.Connection, master: Master, user_id: int) -> DataKeyCipher:
    row = _key(connection, PERSON, str(user_id))
    if row is None:
        ref = secrets.token_hex(6)
        wrapped = master.wrap(AESGCM.generate_key(bit_length=256))
        connection.execute(
            data_keys.insert().values(
                kind=PERSON, owner=str(user_id), ref=ref, wrapped=wrapped,
                master_fp=master.fingerprint, created_at=datetime.now(UTC),
            )
        )  # fmt: skip
        return DataKeyCipher(ref, master.unwrap(wrapped))
    return DataKeyCipher(row.ref, master.unwrap(row.wrapped))


def _backfill(connection: sa.Connection) -> None:
    missing = connection.execute(
        sa.select(candidates.c.id, candidates.c.user_id, candidates.c.full_name)
        .select_from(
            candidates.outerjoin(
                candidate_names, candidate_names.c.candidate_id == candidates.c.id
            )
        )
        .where(candidate_names.c.candidate_id.is_(None), candidates.c.full_name.is_not(None))
    ).all()
    if not missing:
        return
    master = _master()
    index = _key(connection, INDEX, "coalition")
    if master is None or index is None:
        raise RuntimeError(
            f"{len(missing)} candidates' names have no encrypted copy yet: run this upgrade "
            "with DATA_KEY set (python -m bot migrate), after the bot has started once"
        )
    index_key = master.unwrap(index.wrapped)
    for candidate_id, user_id, name in missing:
        # The keyring's blind index (Keyring.blind_index) of the names module's value.
        digest = hashlib.blake2b(
            ("name:" + normalised(name)).encode(), key=index_key, digest_size=16
        ).hexdigest()
        connection.execute(
            candidate_names.insert().values(
                candidate_id=candidate_id,
                full_name_enc=_person(connection, master, user_id).encrypt(name),
                name_index=digest,
            )
        )


def upgrade() -> None:
    _backfill(op.get_bind())
    # Not batch mode: on SQLite it would copy and drop `candidates`, and dropping a table
    # with foreign keys on deletes its rows first, cascading into every table that refers
    # to it. ALTER TABLE ... DROP COLUMN (SQLite 3.35+) rewrites the rows in place.
    op.drop_column("candidates", "full_name")
    # A dropped column's bytes stay on disk (SQLite's free pages and WAL, PostgreSQL's old
    # row versions) until the storage is rewritten: rewrite it now, outside a transaction.
    dialect = op.get_bind().dialect.name
    with op.get_context().autocommit_block():
        if dialect == "sqlite":
            op.execute("VACUUM")
            op.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif dialect == "postgresql":
            op.execute("VACUUM FULL candidates")


def downgrade() -> None:
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("full_name", sa.String(length=200), nullable=True))
    master = _master()
    if master is None:
        return  # documented above: without DATA_KEY the restored column stays empty
    connection = op.get_bind()
    keys = dict(
        connection.execute(
            sa.select(data_keys.c.ref, data_keys.c.wrapped).where(data_keys.c.kind == PERSON)
        ).all()
    )
    rows = connection.execute(
        sa.select(candidate_names.c.candidate_id, candidate_names.c.full_name_enc)
    ).all()
    for candidate_id, token in rows:
        ref = token_ref(token)
        if ref is None or ref not in keys:
            continue  # an erased person's name is gone for good
        try:
            name = DataKeyCipher(ref, master.unwrap(keys[ref])).decrypt(token)
        except DecryptionError:
            continue
        connection.execute(
            candidates.update().where(candidates.c.id == candidate_id).values(full_name=name)
        )
