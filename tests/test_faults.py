"""Faults outside the record (issue 14, point 5): a read-only database, a full disk, a
writer that holds the lock; each is one sentence, and nothing is written."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, func, select, text

from records.db import make_engine, read_session, unit_of_work
from records.errors import DatabaseFault
from records.models import Incident
from records.services.incidents import create_incident
from tests.factories import incident_data

FULL = ("The disk of the database is full, so nothing was saved: ask the administrator to "
        "free space on the server, then try again.")
READ_ONLY = ("The database is read-only, so nothing was saved: ask the administrator to make "
             "the database file and its folder writable for Sijil (or the database role "
             "writable).")
BUSY = ("The database was busy with other changes for too long, so nothing was saved: try "
        "again in a moment.")


def _count(engine) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(Incident))


def test_a_full_disk_is_one_sentence_and_nothing_is_written(engine, users):
    if engine.dialect.name == "sqlite":
        # SQLite's own limit on the file's pages answers exactly as a full disk does.
        @event.listens_for(engine, "connect")
        def _small(dbapi_connection, _record):
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count={pages + 1}")
        engine.dispose()
    else:
        pytest.skip("a full disk cannot be made on a shared server; the message is shared")
    before = _count(engine)
    with pytest.raises(DatabaseFault) as fault, unit_of_work(engine) as session:
        create_incident(session, incident_data(narrative="x" * 200_000), by=users["carla"])
    assert str(fault.value) == FULL
    assert _count(engine) == before


def test_a_read_only_database_is_one_sentence(engine, users):
    if engine.dialect.name == "sqlite":
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        readonly = make_engine(url.replace("sqlite:///", "sqlite:///file:") + "?mode=ro&uri=true")
    else:
        readonly = make_engine(engine.url.render_as_string(hide_password=False),
                               connect_args={"options": "-c default_transaction_read_only=on"})
    try:
        with pytest.raises(DatabaseFault) as fault, unit_of_work(readonly) as session:
            create_incident(session, incident_data(), by=users["carla"])
        assert str(fault.value) == READ_ONLY
    finally:
        readonly.dispose()
    assert _count(engine) == 0


def test_a_writer_waits_for_another_and_then_succeeds(engine, users):
    """SQLite retries a locked database for its busy timeout; PostgreSQL waits on the chain
    head's row lock. Either way the second writer gets through once the first is done."""
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with unit_of_work(engine) as session:
            create_incident(session, incident_data(title="First writer"), by=users["carla"])
            holding.set()
            time.sleep(1.0)
        done.set()

    first = threading.Thread(target=hold)
    first.start()
    holding.wait(10)
    with unit_of_work(engine) as session:
        create_incident(session, incident_data(title="Second writer"), by=users["chen"])
    first.join()
    assert done.is_set() and _count(engine) == 2


def test_a_lock_held_too_long_is_one_sentence(engine, users):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL writers wait on a row lock without a timeout")
    url = engine.url.render_as_string(hide_password=False)
    impatient = make_engine(url)

    @event.listens_for(impatient, "connect")
    def _short(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA busy_timeout=200")

    blocker = engine.raw_connection()
    try:
        blocker.driver_connection.execute("BEGIN IMMEDIATE")
        with pytest.raises(DatabaseFault) as fault, unit_of_work(impatient) as session:
            create_incident(session, incident_data(), by=users["carla"])
        assert str(fault.value) == BUSY
    finally:
        blocker.driver_connection.execute("ROLLBACK")
        blocker.close()
        impatient.dispose()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM incident")).scalar() == 0
