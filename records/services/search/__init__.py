"""Full-text search over incidents' titles, narratives, places and names: the index
(search_text, fed with text folded by linkage's normaliser, never with a sealed value),
kept current on every write, and the ranked, visibility-filtered query both engines answer
from their own index (SQLite FTS5, PostgreSQL tsvector + GIN).

Importing this package registers the listeners that keep the index current
(`upkeep`); records.services imports it so every writer has them."""

from records.services.search.documents import delete_documents, write_documents
from records.services.search.folding import fold, query_words
from records.services.search.query import IncidentMatches, ranked
from records.services.search.upkeep import (
    forget_incident,
    note_incidents,
    rebuild_index,
)

__all__ = [
    "IncidentMatches",
    "delete_documents",
    "fold",
    "forget_incident",
    "note_incidents",
    "query_words",
    "ranked",
    "rebuild_index",
    "write_documents",
]
