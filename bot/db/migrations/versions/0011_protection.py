"""protection: wrapped data keys, staff PINs, the wipe, the audit chain, encrypted names

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 16:30:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    # The chain's head exists from the start, so two instances never race to create it.
    op.bulk_insert(
        sa.table(
            "audit_head",
            sa.column("id", sa.Integer()),
            sa.column("seq", sa.BigInteger()),
            sa.column("entry_hash", sa.String()),
            sa.column("updated_at", sa.DateTime(timezone=True)),
        ),
        [{"id": 1, "seq": 0, "entry_hash": "0" * 64, "updated_at": datetime.now(UTC)}],
    )
    op.create_table(
        "audit_seals",
        sa.Column("audit_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("content_digest", sa.String(length=129), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("erased", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_audit_seals")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_seals_seq")),
    )
    op.create_table(
        "data_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("ref", sa.String(length=24), nullable=False),
        sa.Column("wrapped", sa.Text(), nullable=False),
        sa.Column("master_fp", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_keys")),
        sa.UniqueConstraint("kind", "owner", name="kind_owner"),
        sa.UniqueConstraint("ref", name=op.f("uq_data_keys_ref")),
    )
    op.create_table(
        "staff_pins",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("pin_hash", sa.Text(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_staff_pins")),
    )
    op.create_table(
        "wipe_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.BigInteger(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.BigInteger(), nullable=True),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("master_fp", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wipe_requests")),
    )
    op.create_table(
        "candidate_names",
        sa.Column("candidate_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("full_name_enc", sa.Text(), nullable=False),
        sa.Column("name_index", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_candidate_names_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("candidate_id", name=op.f("pk_candidate_names")),
    )
    with op.batch_alter_table("candidate_names", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_candidate_names_name_index"), ["name_index"], unique=False
        )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_actor_at", ["actor_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_actor_at")
    with op.batch_alter_table("candidate_names", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_names_name_index"))

    op.drop_table("candidate_names")
    op.drop_table("wipe_requests")
    op.drop_table("staff_pins")
    op.drop_table("data_keys")
    op.drop_table("audit_seals")
    op.drop_table("audit_head")
