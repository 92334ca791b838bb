"""data_key: data keys stored wrapped under the master key (the audit chain's key first)

Revision ID: 6abe47dddb22
Revises: 5e9c2b7d41a0
Create Date: 2026-11-29 08:34:25

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import records.models.types
from alembic import op

revision: str = "6abe47dddb22"
down_revision: str | Sequence[str] | None = "5e9c2b7d41a0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# No key is made here: a migration may run without the master key (as the schema owner,
# SIJIL_MIGRATION_URL). The first keyed write makes the chain key and seals the trail.
def upgrade() -> None:
    op.create_table(
        "data_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=True),
        sa.Column("master_key_id", sqlmodel.sql.sqltypes.AutoString(length=32),
                  nullable=False),
        sa.Column("created_at", records.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("destroyed_at", records.models.types.UTCDateTime(timezone=True),
                  nullable=True),
        sa.CheckConstraint("(wrapped IS NULL) = (destroyed_at IS NOT NULL)",
                           name=op.f("ck_data_key_wrapped_until_destroyed")),
        sa.CheckConstraint("length(purpose) > 0 AND length(owner) > 0",
                           name=op.f("ck_data_key_named")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_key")),
        sa.UniqueConstraint("key_id", name=op.f("uq_data_key_key_id")),
        sa.UniqueConstraint("purpose", "owner", name=op.f("uq_data_key_purpose_owner")),
    )


def downgrade() -> None:
    op.drop_table("data_key")
