"""the locality searched only by readers of the exact place

Revision ID: c5a24e0b0005
Revises: c4a24e0b0004
Create Date: 2026-12-08 01:50:00

A viewer reads incidents at the public level, which leaves the locality out; the search
index had it in the text every reader searches, so a viewer could find an incident by the
words of its locality. It now goes with `names_all`, which only caseworkers and up search.
No table changes: the index rows are rewritten with the code that keeps them current.
"""
from collections.abc import Sequence

from alembic import op

revision: str = "c5a24e0b0005"
down_revision: str | Sequence[str] | None = "c4a24e0b0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rewrite_index() -> None:
    from records.services.search import write_documents
    from records.services.search.documents import all_incident_ids

    conn = op.get_bind()
    write_documents(conn, all_incident_ids(conn))


def upgrade() -> None:
    _rewrite_index()


def downgrade() -> None:
    # The older code rewrites its own rows as incidents change; leaving the locality out of
    # the text every reader searches is the safe state to go back to.
    pass
