"""audit trail: append-only triggers and the chain head row

Revision ID: a1d17c0de001
Revises: 7396bd330ebd
Create Date: 2026-11-25 12:10:00

"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "a1d17c0de001"
down_revision: str | Sequence[str] | None = "7396bd330ebd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64
MESSAGE = "audit_entry is append-only: entries cannot be changed or deleted"

# A batch migration of audit_entry on SQLite recreates the table and drops these triggers:
# any later revision that alters audit_entry must create them again.
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]

POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$""",
    """CREATE TRIGGER audit_entry_no_update_delete BEFORE UPDATE OR DELETE ON audit_entry
        FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
        FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()""",
]


def upgrade() -> None:
    bind = op.get_bind()
    statements = SQLITE_TRIGGERS if bind.dialect.name == "sqlite" else POSTGRES_TRIGGERS
    for statement in statements:
        op.execute(statement)
    checkpoint = sa.table(
        "audit_checkpoint",
        sa.column("id", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("hash", sa.String),
        sa.column("updated_at", sa.DateTime),
    )
    op.execute(
        checkpoint.insert().values(id=1, seq=0, hash=GENESIS_HASH, updated_at=sa.func.now())
    )


def downgrade() -> None:
    op.execute("DELETE FROM audit_checkpoint WHERE id = 1")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update_delete ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
