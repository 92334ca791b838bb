"""person, actor, source: unlinked_seen_by, who sees the row while it is in no incident

Revision ID: c4a24e0b0004
Revises: c8a24e0b0008
Create Date: 2026-12-08 01:40:00

A person, group or source left in no incident was shown to everyone, even when only a
restricted incident, since purged or no longer naming it, had ever held it. The write path
now records, as the row leaves its last incident, the lowest role that could see it just
before (records/services/access/unlinked.py). No value is written here: a row that is in
an incident is seen through that incident, and gets its value when it leaves the last one;
a row already in no incident cannot say which incidents it left, so NULL keeps it to
reviewers and admins. Writing no value also keeps the audit trail explaining every row.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "c4a24e0b0004"
down_revision: str | Sequence[str] | None = "c8a24e0b0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("actor", "person", "source")
CHECK = ("unlinked_seen_by IS NULL OR unlinked_seen_by IN "
         "('viewer', 'caseworker', 'reviewer')")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("unlinked_seen_by",
                                          sqlmodel.sql.sqltypes.AutoString(length=10),
                                          nullable=True))
            batch_op.create_check_constraint("unlinked_seen_by_role", CHECK)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint("unlinked_seen_by_role", type_="check")
            batch_op.drop_column("unlinked_seen_by")
