"""quest progress and election config

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 13:53:59.325309
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "STARTED",
                "WAITING",
                "RETURNED",
                "DONE",
                name="taskstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("data_enc", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_task_progress_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_progress")),
        sa.UniqueConstraint("candidate_id", "task_id", name="candidate_task"),
    )
    with op.batch_alter_table("task_progress", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_task_progress_candidate_id"), ["candidate_id"], unique=False
        )

    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("quest_points", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("last_progress_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("elections", schema=None) as batch_op:
        # Existing rows are backfilled with "{}" through a default that is dropped again:
        # new rows get theirs from the application.
        batch_op.add_column(sa.Column("config", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("elections", schema=None) as batch_op:
        batch_op.alter_column("config", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("elections", schema=None) as batch_op:
        batch_op.drop_column("config")

    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("last_progress_at")
        batch_op.drop_column("quest_points")

    with op.batch_alter_table("task_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_progress_candidate_id"))

    op.drop_table("task_progress")
