"""supporter base

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supporter_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("merged", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("to_review", sa.Integer(), nullable=False),
        sa.Column("unassigned", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_supporter_imports_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supporter_imports")),
    )
    op.create_table(
        "supporters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("name_enc", sa.Text(), nullable=True),
        sa.Column("name_index", sa.String(length=64), nullable=True),
        sa.Column("phone_enc", sa.Text(), nullable=True),
        sa.Column("phone_index", sa.String(length=64), nullable=True),
        sa.Column("email_enc", sa.Text(), nullable=True),
        sa.Column("email_index", sa.String(length=64), nullable=True),
        sa.Column("address_enc", sa.Text(), nullable=True),
        sa.Column("address_index", sa.String(length=64), nullable=True),
        sa.Column("birth_enc", sa.Text(), nullable=True),
        sa.Column("birth_index", sa.String(length=64), nullable=True),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("formation_id", sa.Integer(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("consent_contact", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("consent_volunteer", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("consent_news", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("contact_org_id", sa.Integer(), nullable=True),
        sa.Column("volunteer_org_id", sa.Integer(), nullable=True),
        sa.Column("news_org_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_supporters_building_id_buildings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_org_id"],
            ["organisations.id"],
            name=op.f("fk_supporters_contact_org_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["electoral_districts.id"],
            name=op.f("fk_supporters_district_id_electoral_districts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["formation_id"],
            ["municipal_formations.id"],
            name=op.f("fk_supporters_formation_id_municipal_formations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["news_org_id"],
            ["organisations.id"],
            name=op.f("fk_supporters_news_org_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_org_id"],
            ["organisations.id"],
            name=op.f("fk_supporters_volunteer_org_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supporters")),
        sa.UniqueConstraint("user_id", name=op.f("uq_supporters_user_id")),
    )
    with op.batch_alter_table("supporters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supporters_district_id"), ["district_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supporters_email_index"), ["email_index"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supporters_formation_id"), ["formation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supporters_phone_index"), ["phone_index"], unique=False
        )

    op.create_table(
        "supporter_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supporter_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolved_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["other_id"],
            ["supporters.id"],
            name=op.f("fk_supporter_matches_other_id_supporters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supporter_id"],
            ["supporters.id"],
            name=op.f("fk_supporter_matches_supporter_id_supporters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supporter_matches")),
        sa.UniqueConstraint("supporter_id", "other_id", name="pair"),
    )
    with op.batch_alter_table("supporter_matches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supporter_matches_other_id"), ["other_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_supporter_matches_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_supporter_matches_supporter_id"), ["supporter_id"], unique=False
        )

    op.create_table(
        "supporter_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supporter_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.Column("consent_contact", sa.Boolean(), nullable=True),
        sa.Column("consent_volunteer", sa.Boolean(), nullable=True),
        sa.Column("consent_news", sa.Boolean(), nullable=True),
        sa.Column("details_enc", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["supporter_imports.id"],
            name=op.f("fk_supporter_sources_import_id_supporter_imports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_supporter_sources_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["supporter_id"],
            ["supporters.id"],
            name=op.f("fk_supporter_sources_supporter_id_supporters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supporter_sources")),
        sa.UniqueConstraint("key", name=op.f("uq_supporter_sources_key")),
    )
    with op.batch_alter_table("supporter_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supporter_sources_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supporter_sources_supporter_id"), ["supporter_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("supporter_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supporter_sources_supporter_id"))
        batch_op.drop_index(batch_op.f("ix_supporter_sources_organisation_id"))

    op.drop_table("supporter_sources")
    with op.batch_alter_table("supporter_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supporter_matches_supporter_id"))
        batch_op.drop_index(batch_op.f("ix_supporter_matches_status"))
        batch_op.drop_index(batch_op.f("ix_supporter_matches_other_id"))

    op.drop_table("supporter_matches")
    with op.batch_alter_table("supporters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supporters_phone_index"))
        batch_op.drop_index(batch_op.f("ix_supporters_formation_id"))
        batch_op.drop_index(batch_op.f("ix_supporters_email_index"))
        batch_op.drop_index(batch_op.f("ix_supporters_district_id"))

    op.drop_table("supporters")
    op.drop_table("supporter_imports")
