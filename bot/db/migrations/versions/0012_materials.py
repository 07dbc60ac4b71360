"""materials: leaflets, their versions, print runs, the designers and printers directory

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "material_resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("DESIGNER", "PRINTER", name="resourcekind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact_enc", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("added_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_material_resources")),
    )
    op.create_table(
        "leaflets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column(
            "template",
            sa.Enum(
                "A5",
                "A4_DUPLEX",
                "DOOR_HANGER",
                name="leaflettemplate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("content_enc", sa.Text(), nullable=True),
        sa.Column("photo_enc", sa.Text(), nullable=True),
        sa.Column("photo_others", sa.Boolean(), nullable=False),
        sa.Column("versions_made", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_leaflets_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leaflets")),
    )
    with op.batch_alter_table("leaflets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_leaflets_candidate_id"), ["candidate_id"], unique=False
        )

    op.create_table(
        "leaflet_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("leaflet_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "template",
            sa.Enum(
                "A5",
                "A4_DUPLEX",
                "DOOR_HANGER",
                name="leaflettemplate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("content_enc", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["leaflet_id"],
            ["leaflets.id"],
            name=op.f("fk_leaflet_versions_leaflet_id_leaflets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leaflet_versions")),
        sa.UniqueConstraint("leaflet_id", "number", name="leaflet_number"),
    )
    with op.batch_alter_table("leaflet_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_leaflet_versions_leaflet_id"), ["leaflet_id"], unique=False
        )

    op.create_table(
        "print_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("item", sa.String(length=120), nullable=False),
        sa.Column(
            "template",
            sa.Enum(
                "A5",
                "A4_DUPLEX",
                "DOOR_HANGER",
                name="leaflettemplate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("printer_enc", sa.Text(), nullable=False),
        sa.Column("cost_kopecks", sa.BigInteger(), nullable=False),
        sa.Column("copy_submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_print_runs_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["leaflet_versions.id"],
            name=op.f("fk_print_runs_version_id_leaflet_versions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_runs")),
        sa.UniqueConstraint("version_id", name=op.f("uq_print_runs_version_id")),
    )
    with op.batch_alter_table("print_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_print_runs_candidate_id"), ["candidate_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("print_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_print_runs_candidate_id"))

    op.drop_table("print_runs")
    with op.batch_alter_table("leaflet_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leaflet_versions_leaflet_id"))

    op.drop_table("leaflet_versions")
    with op.batch_alter_table("leaflets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leaflets_candidate_id"))

    op.drop_table("leaflets")
    op.drop_table("material_resources")
