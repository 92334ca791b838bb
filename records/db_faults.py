"""Database faults a user can meet, said in one sentence (docs/design.md §2).

SQLite and PostgreSQL say "attempt to write a readonly database", "database or disk is
full", "could not extend file … No space left on device", "database is locked" (after
SQLite's busy timeout, 10 s of retrying, has run out). `explain` turns the driver's
error into a DatabaseFault whose message says what happened and that nothing was saved;
the original goes to the log (level INFO) with its traceback.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, OperationalError

from records.errors import DatabaseFault

log = logging.getLogger("sijil.database")

_FAULTS = (
    (("readonly database", "read-only", "read only"),
     "The database is read-only, so nothing was saved: ask the administrator to make the "
     "database file and its folder writable for Sijil (or the database role writable)."),
    (("disk is full", "no space left", "could not extend file", "disk full"),
     "The disk of the database is full, so nothing was saved: ask the administrator to free "
     "space on the server, then try again."),
    (("database is locked", "database table is locked", "lock timeout",
      "could not obtain lock"),
     "The database was busy with other changes for too long, so nothing was saved: try "
     "again in a moment."),
    (("unable to open database", "connection refused", "could not connect",
      "server closed the connection", "connection timeout"),
     "The database cannot be reached: ask the administrator to check that it is running "
     "and that SIJIL_DATABASE_URL names it."),
)


def explain(error: BaseException) -> DatabaseFault | None:
    """The DatabaseFault for a driver error a user can meet, or None for any other."""
    if not isinstance(error, OperationalError | DBAPIError):
        return None
    text = str(getattr(error, "orig", error)).lower()
    for needles, message in _FAULTS:
        if any(needle in text for needle in needles):
            # For the server log (the CLI shows only the sentence).
            log.info("database fault: %s", error, exc_info=error)
            return DatabaseFault(message)
    return None
