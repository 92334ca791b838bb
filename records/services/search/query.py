"""Asking the index: the incidents whose text holds every word of a query (each word also
as the start of a longer one: "karb" finds "karbala"), ranked, on either engine.

SQLite: FTS5 `search_fts` over search_text, ranked by bm25 with the title weighing most.
PostgreSQL: the stored documents (`to_tsvector('simple', ...)` of the same columns, kept
by the database in generated columns), matched through their GIN indexes and ranked by
ts_rank. A reader who does not see every
name (`all_names` False: viewers) searches the columns without the withheld names; which
incidents they may see at all is filtered afterwards by `visible_incidents`.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, bindparam, func, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import column, table
from sqlalchemy.sql.visitors import InternalTraversal

from records.models import Incident, SearchText

_search = SearchText.__table__
_fts = table("search_fts", column("rowid"))

# PostgreSQL's documents, stored beside the text by the database (generated columns,
# migration b7e1d3f5a920) and GIN-indexed: title weighs most (A), names next (B), the rest
# least (D). Ranking reads them instead of computing every match's document again.
PG_DOCUMENT = {False: "search_text.doc_public", True: "search_text.doc_all"}
# bm25 weights of the FTS5 columns (title, body, names_public, names_all).
_BM25 = {False: (5.0, 1.0, 2.0, 0.0), True: (5.0, 1.0, 0.0, 2.0)}


def fts5_query(words: list[str], all_names: bool) -> str:
    """The FTS5 MATCH expression: every word, as a prefix, in the allowed columns. Words
    are letters and digits only (folding.query_words), so quoting cannot be escaped."""
    columns = "{title body names_all}" if all_names else "{title body names_public}"
    terms = " AND ".join('"' + w + '"*' for w in words)
    return f"{columns} : ({terms})"


def pg_query(words: list[str]) -> str:
    """The to_tsquery text: every word, as a prefix."""
    return " & ".join(f"'{w}':*" for w in words)


def matching_ids(words: list[str], *, all_names: bool, dialect: str) -> Select:
    """incident_id of every incident matching all `words`, unranked (for filters and
    counts: no rank is computed for rows only counted)."""
    if dialect == "sqlite":
        fts = literal_column("search_fts")
        return (select(literal_column("search_fts.rowid").label("incident_id"))
                .select_from(_fts)
                .where(fts.op("MATCH")(bindparam("fts_q", fts5_query(words, all_names)))))
    document = literal_column(PG_DOCUMENT[all_names])
    tsquery = func.to_tsquery(literal_column("'simple'::regconfig"),
                              bindparam("ts_q", pg_query(words)))
    return select(_search.c.incident_id).where(document.op("@@")(tsquery))


def ranked(words: list[str], *, all_names: bool, dialect: str) -> Select:
    """(incident_id, rank) of every incident matching all `words`; a lower rank is a
    better match."""
    if dialect == "sqlite":
        fts = literal_column("search_fts")
        return (select(literal_column("search_fts.rowid").label("incident_id"),
                       func.bm25(fts, *_BM25[all_names]).label("rank"))
                .select_from(_fts)
                .where(fts.op("MATCH")(bindparam("fts_q", fts5_query(words, all_names)))))
    document = literal_column(PG_DOCUMENT[all_names])
    tsquery = func.to_tsquery(literal_column("'simple'::regconfig"),
                              bindparam("ts_q", pg_query(words)))
    return (select(_search.c.incident_id,
                   (-func.ts_rank(document, tsquery)).label("rank"))
            .where(document.op("@@")(tsquery)))


class _MatchingIds(ColumnElement):
    """`(SELECT incident_id FROM the index WHERE it matches)`, built for the dialect it is
    compiled for. The words are part of its cache key: the statement around it is compiled
    once per query and reused (the count and the page of one search, the next page)."""

    inherit_cache = True
    _traverse_internals = [("words", InternalTraversal.dp_plain_obj),
                           ("all_names", InternalTraversal.dp_boolean)]

    def __init__(self, words: list[str], all_names: bool) -> None:
        self.words = tuple(words)
        self.all_names = all_names


@compiles(_MatchingIds)
def _compile_matching(element: _MatchingIds, compiler, **kw) -> str:
    return "(" + compiler.process(matching_ids(list(element.words),
                                               all_names=element.all_names,
                                               dialect=compiler.dialect.name), **kw) + ")"


def IncidentMatches(words: list[str], all_names: bool) -> ColumnElement[bool]:  # noqa: N802
    """`incident.id IN (the matching incidents)`, so a filter can be written once for both
    engines."""
    return Incident.id.op("IN", is_comparison=True)(_MatchingIds(words, all_names))
