"""log-in sessions bound to the installation's key; entries name their log-in

Revision ID: c2a24e0b0002
Revises: b7e1d3f5a920
Create Date: 2026-12-08 01:50:00

A session row now carries a MAC under the installation's session key and the seq of the
`login` entry that opened it; a row without a valid MAC logs nobody in. Rows written
before cannot be shown genuine, so they are removed: everyone logs in once more. Each
audit entry written through a workspace session names that log-in (audit_entry.login_seq,
hashed with the entry); entries written before have none and hash as they always did.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "c2a24e0b0002"
down_revision: str | Sequence[str] | None = "b7e1d3f5a920"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM user_session")
    with op.batch_alter_table("user_session") as batch_op:
        batch_op.add_column(sa.Column("login_seq", sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column("mac", sqlmodel.sql.sqltypes.AutoString(length=80),
                                      nullable=False))
    # A plain ALTER, never a batch: on SQLite a batch recreates audit_entry and drops its
    # append-only triggers.
    op.execute("ALTER TABLE audit_entry ADD COLUMN login_seq INTEGER")
    op.create_index(op.f("ix_audit_entry_login"), "audit_entry",
                    ["login_seq", "actor_id", "seq"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_entry_login"), table_name="audit_entry")
    op.execute("ALTER TABLE audit_entry DROP COLUMN login_seq")
    op.execute("DELETE FROM user_session")
    with op.batch_alter_table("user_session") as batch_op:
        batch_op.drop_column("mac")
        batch_op.drop_column("login_seq")
