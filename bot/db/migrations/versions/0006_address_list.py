"""address list

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "buildings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("formation_id", sa.Integer(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("house", sa.String(length=20), nullable=False),
        sa.Column("block", sa.String(length=20), nullable=True),
        sa.Column("address_key", sa.String(length=250), nullable=False),
        sa.Column("apartments", sa.Integer(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("polling_station", sa.String(length=20), nullable=True),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["electoral_districts.id"],
            name=op.f("fk_buildings_district_id_electoral_districts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["elections.id"],
            name=op.f("fk_buildings_election_id_elections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["formation_id"],
            ["municipal_formations.id"],
            name=op.f("fk_buildings_formation_id_municipal_formations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buildings")),
        sa.UniqueConstraint("election_id", "address_key", name="election_address"),
    )
    with op.batch_alter_table("buildings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_buildings_address_key"), ["address_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_buildings_district_id"), ["district_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_buildings_formation_id"), ["formation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("buildings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_buildings_formation_id"))
        batch_op.drop_index(batch_op.f("ix_buildings_district_id"))
        batch_op.drop_index(batch_op.f("ix_buildings_address_key"))

    op.drop_table("buildings")
