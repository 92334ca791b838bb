"""stored search documents (PostgreSQL)

Revision ID: b7e1d3f5a920
Revises: a4c8e2f6b019
Create Date: 2026-11-29 17:50:00

PostgreSQL ranked every match of a search by computing its document again from the text
(`ts_rank(to_tsvector(...))`): 264 ms for the 17 600 matches of one word at 100 000
incidents. The two documents are now stored beside the text (generated columns, kept by
the database itself on every write of search_text) and indexed there; ranking reads them.
SQLite is unchanged: FTS5 stores its own index.
"""
from collections.abc import Sequence

from alembic import op

revision: str = "b7e1d3f5a920"
down_revision: str | Sequence[str] | None = "a4c8e2f6b019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _document(names: str) -> str:
    # The same expression the GIN indexes of 9e3a7c5f1b17 were built on.
    return ("(setweight(to_tsvector('simple'::regconfig, title), 'A') || "
            "to_tsvector('simple'::regconfig, body) || "
            f"setweight(to_tsvector('simple'::regconfig, {names}), 'B'))")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column, names in (("doc_public", "names_public"), ("doc_all", "names_all")):
        op.execute(f"ALTER TABLE search_text ADD COLUMN {column} tsvector "
                   f"GENERATED ALWAYS AS {_document(names)} STORED")
    op.execute("DROP INDEX IF EXISTS ix_search_text_public_doc")
    op.execute("DROP INDEX IF EXISTS ix_search_text_full_doc")
    op.execute("CREATE INDEX ix_search_text_doc_public ON search_text USING gin (doc_public)")
    op.execute("CREATE INDEX ix_search_text_doc_all ON search_text USING gin (doc_all)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_search_text_doc_public")
    op.execute("DROP INDEX IF EXISTS ix_search_text_doc_all")
    op.execute("ALTER TABLE search_text DROP COLUMN doc_public")
    op.execute("ALTER TABLE search_text DROP COLUMN doc_all")
    op.execute("CREATE INDEX ix_search_text_public_doc ON search_text USING gin "
               f"({_document('names_public')})")
    op.execute("CREATE INDEX ix_search_text_full_doc ON search_text USING gin "
               f"({_document('names_all')})")
