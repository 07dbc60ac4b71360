"""electoral fund

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fund_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("payee_name", sa.String(length=160), nullable=False),
        sa.Column("bic", sa.String(length=9), nullable=False),
        sa.Column("account", sa.String(length=20), nullable=False),
        sa.Column("corr_account", sa.String(length=20), nullable=False),
        sa.Column("bank_name", sa.String(length=45), nullable=False),
        sa.Column("payee_inn", sa.String(length=12), nullable=True),
        sa.Column("kpp", sa.String(length=9), nullable=True),
        sa.Column("token", sa.String(length=24), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_fund_accounts_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_accounts")),
        sa.UniqueConstraint("candidate_id", name=op.f("uq_fund_accounts_candidate_id")),
        sa.UniqueConstraint("token", name=op.f("uq_fund_accounts_token")),
    )
    op.create_table(
        "fund_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("DONATION", "SPENDING", name="entrykind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("amount_kop", sa.BigInteger(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column(
            "donor_type",
            sa.Enum(
                "CITIZEN",
                "LEGAL",
                "OWN",
                "PARTY",
                "UNKNOWN",
                name="donortype",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("donor_name_enc", sa.Text(), nullable=True),
        sa.Column("donor_details_enc", sa.Text(), nullable=True),
        sa.Column("donor_index", sa.String(length=64), nullable=True),
        sa.Column("note_enc", sa.Text(), nullable=True),
        sa.Column(
            "flag",
            sa.Enum(
                "ANONYMOUS", "OVER_CAP", "INELIGIBLE", name="flag", native_enum=False, length=16
            ),
            nullable=True,
        ),
        sa.Column("return_kop", sa.BigInteger(), nullable=False),
        sa.Column("return_due", sa.Date(), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("import_key", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_fund_entries_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_entries")),
        sa.UniqueConstraint("candidate_id", "import_key", name="candidate_import"),
    )
    with op.batch_alter_table("fund_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fund_entries_candidate_donor", ["candidate_id", "donor_index"], unique=False
        )
        batch_op.create_index("ix_fund_entries_return_due", ["return_due"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fund_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_fund_entries_return_due")
        batch_op.drop_index("ix_fund_entries_candidate_donor")

    op.drop_table("fund_entries")
    op.drop_table("fund_accounts")
