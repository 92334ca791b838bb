"""The search index's source table: one row per incident, its searchable text folded
(records.services.search), kept current on every write.

Not audited and not a record: it is derived from the incident and its victims and
perpetrators and can be rebuilt from them at any time (`sijil search-index rebuild`). What
each engine indexes over it is made by the migration and is not part of this metadata: on
SQLite the FTS5 table `search_fts` (external content: this table) and the triggers that
feed it; on PostgreSQL two stored documents (generated tsvector columns `doc_public` and
`doc_all`, `to_tsvector('simple', ...)` of these columns) and their GIN indexes.
`include_name` tells Alembic's comparison to leave those objects alone.

Nothing sealed (records/sealing.py) is ever written here: a sealed value is left out, so a
restricted incident's narrative and a withheld name are not in the index at all.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

# The FTS5 table and its shadow tables (SQLite), the GIN indexes (PostgreSQL: over the
# expressions until migration b7e1d3f5a920, then over the stored documents).
INDEX_OBJECTS = ("search_fts", "ix_search_text_public_doc", "ix_search_text_full_doc",
                 "ix_search_text_doc_public", "ix_search_text_doc_all")
# PostgreSQL's stored documents (generated columns the database keeps current).
DOCUMENT_COLUMNS = ("doc_public", "doc_all")


class SearchText(SQLModel, table=True):
    """Folded text of one incident. `names_public` holds the names every reader of the
    incident may see (public figures, victims who consented here; never witnesses);
    `names_all` every name stored in clear and the locality (which the public level leaves
    out), for readers who see all names."""

    __tablename__ = "search_text"

    # No ON DELETE: a purge removes the row first (records.services.search.forget_incident),
    # and any other deletion of an incident that forgot to fails instead of leaving text.
    incident_id: int = Field(sa_column=Column(Integer, ForeignKey("incident.id"),
                                              primary_key=True, autoincrement=False))
    title: str = Field(default="", sa_column=Column(Text, nullable=False))
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    names_public: str = Field(default="", sa_column=Column(Text, nullable=False))
    names_all: str = Field(default="", sa_column=Column(Text, nullable=False))


def include_name(name: str | None, type_: str, _parent_names) -> bool:
    """For Alembic's `include_name`: the engine-specific index objects over search_text
    are made by hand in the migration, so the comparison with the models skips them."""
    if name is None:
        return True
    if type_ == "table":
        return not (name == "search_fts" or name.startswith("search_fts_"))
    if type_ == "index":
        return name not in INDEX_OBJECTS
    if type_ == "column":
        return name not in DOCUMENT_COLUMNS
    return True
