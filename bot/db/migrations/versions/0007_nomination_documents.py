"""nomination documents

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nomination_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("value_enc", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_nomination_answers_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination_answers")),
        sa.UniqueConstraint("candidate_id", "field", name="candidate_field"),
    )
    with op.batch_alter_table("nomination_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nomination_answers_candidate_id"), ["candidate_id"], unique=False
        )

    op.create_table(
        "nomination_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_enc", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_nomination_documents_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination_documents")),
        sa.UniqueConstraint("candidate_id", "version", "kind", name="candidate_version_kind"),
    )
    with op.batch_alter_table("nomination_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nomination_documents_candidate_id"), ["candidate_id"], unique=False
        )

    op.create_table(
        "nomination_packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "DRAFT",
                "SUBMITTED",
                "RETURNED",
                "APPROVED",
                name="packagestatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("answers_digest", sa.String(length=64), nullable=True),
        sa.Column("submitted_version", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_version", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("comment_enc", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_nomination_packages_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination_packages")),
        sa.UniqueConstraint("candidate_id", name=op.f("uq_nomination_packages_candidate_id")),
    )


def downgrade() -> None:
    op.drop_table("nomination_packages")
    with op.batch_alter_table("nomination_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nomination_documents_candidate_id"))

    op.drop_table("nomination_documents")
    with op.batch_alter_table("nomination_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nomination_answers_candidate_id"))

    op.drop_table("nomination_answers")
