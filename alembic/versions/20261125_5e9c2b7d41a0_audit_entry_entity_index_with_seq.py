"""audit_entry: the entity index also holds seq, so a row's entries come in order unsorted

Revision ID: 5e9c2b7d41a0
Revises: 2577dee811a1
Create Date: 2026-11-25 15:20:00

"""
from collections.abc import Sequence

from alembic import op

revision: str = "5e9c2b7d41a0"
down_revision: str | Sequence[str] | None = "2577dee811a1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain index statements, not a batch: on SQLite a batch could copy the table, and the
# append-only triggers on audit_entry would not survive the copy.
def upgrade() -> None:
    op.drop_index("ix_audit_entry_entity", table_name="audit_entry")
    op.create_index("ix_audit_entry_entity", "audit_entry",
                    ["entity_type", "entity_id", "seq"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_entry_entity", table_name="audit_entry")
    op.create_index("ix_audit_entry_entity", "audit_entry", ["entity_type", "entity_id"],
                    unique=False)
