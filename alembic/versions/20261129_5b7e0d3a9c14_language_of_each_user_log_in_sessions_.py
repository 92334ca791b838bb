"""language of each user; log-in sessions kept on the server

Revision ID: 5b7e0d3a9c14
Revises: 9d4f2b6c8e21
Create Date: 2026-11-29 11:10:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import records.models.types
from alembic import op

revision: str = "5b7e0d3a9c14"
down_revision: str | Sequence[str] | None = "9d4f2b6c8e21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", records.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("last_seen_at", records.models.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("ended_at", records.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_why", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_user_session_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
    )
    op.create_index(op.f("ix_user_session_token_sha256"), "user_session", ["token_sha256"],
                    unique=True)
    op.create_index(op.f("ix_user_session_user_id"), "user_session", ["user_id"])
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.add_column(sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=10),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.drop_column("language")
    op.drop_index(op.f("ix_user_session_user_id"), table_name="user_session")
    op.drop_index(op.f("ix_user_session_token_sha256"), table_name="user_session")
    op.drop_table("user_session")
