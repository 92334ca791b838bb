"""merges of people and incidents; pairs judged not the same

Revision ID: 7c1e5a3d9b16
Revises: 5b7e0d3a9c14
Create Date: 2026-11-29 13:10:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import records.models.types
from alembic import op

revision: str = "7c1e5a3d9b16"
down_revision: str | Sequence[str] | None = "5b7e0d3a9c14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STR = sqlmodel.sql.sqltypes.AutoString
_UTC = records.models.types.UTCDateTime


def _bookkeeping() -> list[sa.Column]:
    return [sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("created_at", _UTC(timezone=True), nullable=False),
            sa.Column("updated_at", _UTC(timezone=True), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "record_merge",
        *_bookkeeping(),
        sa.Column("kind", _STR(length=10), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.Column("kept_key", _STR(length=36), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=True),
        sa.Column("merged_key", _STR(length=36), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("merged_by_id", sa.Integer(), nullable=True),
        sa.Column("undone_at", _UTC(timezone=True), nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('person', 'incident')",
                           name=op.f("ck_record_merge_kind_known")),
        sa.CheckConstraint("kept_key <> merged_key", name=op.f("ck_record_merge_two_records")),
        sa.ForeignKeyConstraint(["merged_by_id"], ["app_user.id"],
                                name=op.f("fk_record_merge_merged_by_id_app_user")),
        sa.ForeignKeyConstraint(["undone_by_id"], ["app_user.id"],
                                name=op.f("fk_record_merge_undone_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_merge")),
    )
    with op.batch_alter_table("record_merge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_merge_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_merge_kept_id"), ["kept_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_record_merge_kept_key"), ["kept_key"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_record_merge_merged_key"), ["merged_key"],
                              unique=False)
    op.create_table(
        "pair_judged_distinct",
        *_bookkeeping(),
        sa.Column("kind", _STR(length=10), nullable=False),
        sa.Column("a_key", _STR(length=36), nullable=False),
        sa.Column("b_key", _STR(length=36), nullable=False),
        sa.Column("judged_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('person', 'incident')",
                           name=op.f("ck_pair_judged_distinct_kind_known")),
        sa.CheckConstraint("a_key < b_key", name=op.f("ck_pair_judged_distinct_keys_in_order")),
        sa.ForeignKeyConstraint(["judged_by_id"], ["app_user.id"],
                                name=op.f("fk_pair_judged_distinct_judged_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_judged_distinct")),
        sa.UniqueConstraint("kind", "a_key", "b_key",
                            name=op.f("uq_pair_judged_distinct_kind_a_key_b_key")),
    )


def downgrade() -> None:
    op.drop_table("pair_judged_distinct")
    with op.batch_alter_table("record_merge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_merge_merged_key"))
        batch_op.drop_index(batch_op.f("ix_record_merge_kept_key"))
        batch_op.drop_index(batch_op.f("ix_record_merge_kept_id"))
        batch_op.drop_index(batch_op.f("ix_record_merge_kind"))
    op.drop_table("record_merge")
