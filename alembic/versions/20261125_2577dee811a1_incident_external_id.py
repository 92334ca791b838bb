"""incident: external_id, the event's id in the dataset it was imported from (ACLED)

Revision ID: 2577dee811a1
Revises: a1d17c0de001
Create Date: 2026-11-25 12:25:38

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "2577dee811a1"
down_revision: str | Sequence[str] | None = "a1d17c0de001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite adds a nullable column and an index in place: the table is not recreated.
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=100),
                                      nullable=True))
        batch_op.create_index(batch_op.f("ix_incident_external_id"), ["external_id"],
                              unique=True)


def downgrade() -> None:
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_external_id"))
        batch_op.drop_column("external_id")
