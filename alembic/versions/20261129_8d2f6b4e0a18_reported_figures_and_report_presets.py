"""figures reported by sources; named report presets

Revision ID: 8d2f6b4e0a18
Revises: 7c1e5a3d9b16
Create Date: 2026-11-29 13:10:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import records.models.types
from alembic import op

revision: str = "8d2f6b4e0a18"
down_revision: str | Sequence[str] | None = "7c1e5a3d9b16"
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
        "report_logo",
        sa.Column("sha256", _STR(length=64), nullable=False),
        sa.Column("mime_type", _STR(length=20), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _UTC(timezone=True), nullable=False),
        sa.CheckConstraint("mime_type IN ('image/png', 'image/jpeg')",
                           name=op.f("ck_report_logo_type_known")),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_report_logo")),
    )
    op.create_table(
        "report_preset",
        *_bookkeeping(),
        sa.Column("name", _STR(length=100), nullable=False),
        sa.Column("title", _STR(length=300), nullable=True),
        sa.Column("subtitle", _STR(length=300), nullable=True),
        sa.Column("organisation", _STR(length=300), nullable=True),
        sa.Column("logo_sha256", _STR(length=64), nullable=True),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("last_months", sa.Integer(), nullable=True),
        sa.Column("level", _STR(length=20), nullable=False),
        sa.Column("language", _STR(length=10), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.CheckConstraint("language IN ('en', 'ar', 'ckb')",
                           name=op.f("ck_report_preset_language_known")),
        sa.CheckConstraint("level IN ('public', 'partner', 'internal')",
                           name=op.f("ck_report_preset_level_known")),
        sa.CheckConstraint("last_months IS NULL OR (last_months >= 1 AND last_months <= 240)",
                           name=op.f("ck_report_preset_last_months_range")),
        sa.CheckConstraint("last_months IS NULL OR (since IS NULL AND until IS NULL)",
                           name=op.f("ck_report_preset_one_kind_of_period")),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_report_preset_named")),
        sa.CheckConstraint("since IS NULL OR until IS NULL OR since <= until",
                           name=op.f("ck_report_preset_period_in_order")),
        sa.ForeignKeyConstraint(["logo_sha256"], ["report_logo.sha256"],
                                name=op.f("fk_report_preset_logo_sha256_report_logo")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_preset")),
        sa.UniqueConstraint("name", name=op.f("uq_report_preset_name")),
    )
    op.create_table(
        "reported_figure",
        *_bookkeeping(),
        sa.Column("metric", _STR(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("qualifier", _STR(length=20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("admin1", _STR(length=10), nullable=True),
        sa.Column("source_name", _STR(length=300), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("deleted_at", _UTC(timezone=True), nullable=True),
        sa.CheckConstraint("metric IN ('killed', 'attempted_killing', 'injured', 'abducted', "
                           "'arrested', 'disappeared')",
                           name=op.f("ck_reported_figure_metric_known")),
        sa.CheckConstraint("qualifier IN ('exact', 'at_least', 'over', 'about', 'up_to')",
                           name=op.f("ck_reported_figure_qualifier_known")),
        sa.CheckConstraint("length(source_name) > 0",
                           name=op.f("ck_reported_figure_source_named")),
        sa.CheckConstraint("period_start IS NULL OR period_end IS NULL OR "
                           "period_start <= period_end",
                           name=op.f("ck_reported_figure_period_in_order")),
        sa.CheckConstraint("value >= 0", name=op.f("ck_reported_figure_value_not_negative")),
        sa.ForeignKeyConstraint(["created_by_id"], ["app_user.id"],
                                name=op.f("fk_reported_figure_created_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reported_figure")),
    )
    op.create_index(op.f("ix_reported_figure_metric"), "reported_figure", ["metric"])


def downgrade() -> None:
    op.drop_index(op.f("ix_reported_figure_metric"), table_name="reported_figure")
    op.drop_table("reported_figure")
    op.drop_table("report_preset")
    op.drop_table("report_logo")
