"""The planner's statistics after a bulk write.

PostgreSQL chooses between the full-text index and a scan from its statistics of the
tables. Right after an import of thousands of incidents they still describe the tables
before it (autovacuum refreshes them a minute or more later), and a one-word search at
2 000 incidents then took 100 ms instead of 3 (a nested loop computing every document's
text instead of the GIN index). A bulk write therefore asks for ANALYZE of the tables it
filled, run once its transaction has committed (ANALYZE inside it would sample the
tables as others see them, without the new rows). SQLite needs nothing: the search names
its index (records/services/incidents/listing.py).
"""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlmodel import Session

_KEY = "sijil.analyze_after_commit"
# What an import or the demo fills: the incidents and their parts, the people, groups and
# sources they name, the search index and the trail.
BULK_TABLES = ("incident", "victim", "perpetrator", "citation", "case_event", "person",
               "actor", "source", "search_text", "audit_entry")
# Below this many new incidents autovacuum's own refresh is soon enough.
AT_LEAST = 500

log = logging.getLogger(__name__)


def analyze_after_commit(session: Session, incidents: int,
                         tables: tuple[str, ...] = BULK_TABLES) -> None:
    """Refresh the statistics of `tables` once this session commits, when a bulk write
    added at least AT_LEAST incidents (PostgreSQL only)."""
    if incidents >= AT_LEAST and session.get_bind().dialect.name == "postgresql":
        session.info.setdefault(_KEY, set()).update(tables)


@event.listens_for(Session, "after_commit")
def _analyze(session: Session) -> None:
    tables = session.info.pop(_KEY, None)
    if not tables:
        return
    engine = session.get_bind().engine
    try:
        with engine.connect() as connection:
            # A role that does not own the tables gets a warning per table, not an error;
            # and a failure here must not undo or hide the committed import.
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "ANALYZE " + ", ".join(sorted(tables)))
    except Exception:  # noqa: BLE001 - statistics are an optimisation, never a failure
        log.warning("could not refresh the planner's statistics", exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_KEY, None)
