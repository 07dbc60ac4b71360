"""console: district teams (candidates who agreed to be seen by their district's candidates)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 16:27:15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_members",
        sa.Column("candidate_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("share_contact", sa.Boolean(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_team_members_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["electoral_districts.id"],
            name=op.f("fk_team_members_district_id_electoral_districts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("candidate_id", name=op.f("pk_team_members")),
    )
    op.create_index(
        op.f("ix_team_members_district_id"), "team_members", ["district_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_team_members_district_id"), table_name="team_members")
    op.drop_table("team_members")
