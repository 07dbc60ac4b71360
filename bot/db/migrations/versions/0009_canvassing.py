"""canvassing

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "canvass_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("token_enc", sa.Text(), nullable=False),
        sa.Column("token_index", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_canvass_invites_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canvass_invites")),
        sa.UniqueConstraint("token_index", name=op.f("uq_canvass_invites_token_index")),
    )
    with op.batch_alter_table("canvass_invites", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_canvass_invites_candidate_id"), ["candidate_id"], unique=False
        )

    op.create_table(
        "canvass_volunteers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("display_name_enc", sa.Text(), nullable=True),
        sa.Column("is_candidate", sa.Boolean(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_building_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_canvass_volunteers_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["last_building_id"],
            ["buildings.id"],
            name=op.f("fk_canvass_volunteers_last_building_id_buildings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_canvass_volunteers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canvass_volunteers")),
        sa.UniqueConstraint("candidate_id", "user_id", name="candidate_user"),
    )
    with op.batch_alter_table("canvass_volunteers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_canvass_volunteers_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_canvass_volunteers_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "canvass_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=True),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("apartment", sa.String(length=12), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("note_enc", sa.Text(), nullable=True),
        sa.Column("voice_file_enc", sa.Text(), nullable=True),
        sa.Column("follow_up", sa.Boolean(), nullable=False),
        sa.Column("follow_up_done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("contact_name_enc", sa.Text(), nullable=True),
        sa.Column("contact_phone_enc", sa.Text(), nullable=True),
        sa.Column("contact_phone_index", sa.String(length=64), nullable=True),
        sa.Column("contact_consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("distance_m", sa.Integer(), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_canvass_visits_building_id_buildings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_canvass_visits_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["canvass_volunteers.id"],
            name=op.f("fk_canvass_visits_volunteer_id_canvass_volunteers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canvass_visits")),
    )
    with op.batch_alter_table("canvass_visits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_canvass_visits_candidate_building", ["candidate_id", "building_id"], unique=False
        )
        batch_op.create_index(
            "ix_canvass_visits_candidate_created", ["candidate_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_canvass_visits_contact_phone_index"),
            ["contact_phone_index"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_canvass_visits_volunteer_id"), ["volunteer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("canvass_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_canvass_visits_volunteer_id"))
        batch_op.drop_index(batch_op.f("ix_canvass_visits_contact_phone_index"))
        batch_op.drop_index("ix_canvass_visits_candidate_created")
        batch_op.drop_index("ix_canvass_visits_candidate_building")

    op.drop_table("canvass_visits")
    with op.batch_alter_table("canvass_volunteers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_canvass_volunteers_user_id"))
        batch_op.drop_index(batch_op.f("ix_canvass_volunteers_candidate_id"))

    op.drop_table("canvass_volunteers")
    with op.batch_alter_table("canvass_invites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_canvass_invites_candidate_id"))

    op.drop_table("canvass_invites")
