"""case events carry date precision and whom they concern; import provenance; edit presence

Revision ID: 3c5e1a7f0b13
Revises: 6abe47dddb22
Create Date: 2026-11-29 10:00:40

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import records.models.types
from alembic import op

revision: str = "3c5e1a7f0b13"
down_revision: str | Sequence[str] | None = "6abe47dddb22"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "edit_presence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_ref", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("since", records.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", records.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_edit_presence_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edit_presence")),
        sa.UniqueConstraint("incident_ref", "user_id",
                            name=op.f("uq_edit_presence_incident_ref_user_id")),
    )
    op.create_index(op.f("ix_edit_presence_incident_ref"), "edit_presence", ["incident_ref"])

    # Existing case events were entered to the day: that is what their dates claimed.
    with op.batch_alter_table("case_event") as batch_op:
        batch_op.add_column(sa.Column("date_precision",
                                      sqlmodel.sql.sqltypes.AutoString(length=20),
                                      nullable=False, server_default="day"))
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("actor_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_case_event_actor_id"), ["actor_id"])
        batch_op.create_index(batch_op.f("ix_case_event_person_id"), ["person_id"])
        batch_op.create_foreign_key(batch_op.f("fk_case_event_person_id_person"), "person",
                                    ["person_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_case_event_actor_id_actor"), "actor",
                                    ["actor_id"], ["id"])
        batch_op.create_check_constraint("person_or_actor",
                                         "person_id IS NULL OR actor_id IS NULL")

    with op.batch_alter_table("incident") as batch_op:
        batch_op.add_column(sa.Column("imported_status",
                                      sqlmodel.sql.sqltypes.AutoString(length=20),
                                      nullable=True))
        batch_op.add_column(sa.Column("imported_from",
                                      sqlmodel.sql.sqltypes.AutoString(length=300),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incident") as batch_op:
        batch_op.drop_column("imported_from")
        batch_op.drop_column("imported_status")
    with op.batch_alter_table("case_event") as batch_op:
        batch_op.drop_constraint("person_or_actor", type_="check")
        batch_op.drop_constraint(batch_op.f("fk_case_event_actor_id_actor"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_case_event_person_id_person"),
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_case_event_person_id"))
        batch_op.drop_index(batch_op.f("ix_case_event_actor_id"))
        batch_op.drop_column("actor_id")
        batch_op.drop_column("person_id")
        batch_op.drop_column("date_precision")
    op.drop_index(op.f("ix_edit_presence_incident_ref"), table_name="edit_presence")
    op.drop_table("edit_presence")
