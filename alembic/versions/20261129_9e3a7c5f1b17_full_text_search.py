"""full-text search index

Revision ID: 9e3a7c5f1b17
Revises: 8d2f6b4e0a18
Create Date: 2026-11-29 13:10:00

search_text holds each incident's folded text (records/models/search.py); each engine
indexes it its own way. SQLite: an FTS5 table with search_text as its external content,
fed by triggers, so any writer of search_text (the ORM listener, a batched import, a
rebuild) keeps it in step. PostgreSQL: GIN indexes over the two documents that
records/services/search/query.py asks (PG_DOCUMENT; the texts must stay identical, or the
planner does not use them). The rows of an existing database are written by the data step
at the end, with the same code that keeps them current.
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "9e3a7c5f1b17"
down_revision: str | Sequence[str] | None = "8d2f6b4e0a18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_OBJECTS = (
    # unicode61 with diacritics removed; prefixes of 2 and 3 characters indexed so a
    # short prefix query stays an index lookup.
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title, body, names_public, names_all, content='search_text', "
    "content_rowid='incident_id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    """CREATE TRIGGER search_text_ai AFTER INSERT ON search_text BEGIN
        INSERT INTO search_fts(rowid, title, body, names_public, names_all)
        VALUES (new.incident_id, new.title, new.body, new.names_public, new.names_all);
    END""",
    """CREATE TRIGGER search_text_ad AFTER DELETE ON search_text BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, names_public, names_all)
        VALUES ('delete', old.incident_id, old.title, old.body, old.names_public,
                old.names_all);
    END""",
    """CREATE TRIGGER search_text_au AFTER UPDATE ON search_text BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, names_public, names_all)
        VALUES ('delete', old.incident_id, old.title, old.body, old.names_public,
                old.names_all);
        INSERT INTO search_fts(rowid, title, body, names_public, names_all)
        VALUES (new.incident_id, new.title, new.body, new.names_public, new.names_all);
    END""",
)


def _pg_document(names: str) -> str:
    return ("(setweight(to_tsvector('simple'::regconfig, title), 'A') || "
            "to_tsvector('simple'::regconfig, body) || "
            f"setweight(to_tsvector('simple'::regconfig, {names}), 'B'))")


POSTGRESQL_OBJECTS = (
    "CREATE INDEX ix_search_text_public_doc ON search_text USING gin "
    f"({_pg_document('names_public')})",
    "CREATE INDEX ix_search_text_full_doc ON search_text USING gin "
    f"({_pg_document('names_all')})",
)


def upgrade() -> None:
    op.create_table(
        "search_text",
        sa.Column("incident_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("names_public", sa.Text(), nullable=False),
        sa.Column("names_all", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"],
                                name=op.f("fk_search_text_incident_id_incident")),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_search_text")),
    )
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_OBJECTS,
                      "postgresql": POSTGRESQL_OBJECTS}.get(dialect, ()):
        op.execute(statement)
    # Existing incidents: indexed with the code that keeps the index current.
    from records.services.search import write_documents
    from records.services.search.documents import all_incident_ids

    conn = op.get_bind()
    write_documents(conn, all_incident_ids(conn))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_text_ai", "search_text_ad", "search_text_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_text")
