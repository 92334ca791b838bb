"""Verification reads the trail in ranges of seqs and never counts it to plan the work:
what it finds beyond the first range is named exactly as a whole scan would name it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text, update

from records.db import read_session, unit_of_work
from records.models import AuditEntry
from records.services.access import SYSTEM
from records.services.audit import verify_chain
from records.services.audit.verify import plan_units, replay_tables
from records.services.incidents import create_incident
from tests.factories import incident_data

entries = AuditEntry.__table__


def _trail(engine, users, incidents: int = 6) -> int:
    """A few incidents written through the write path; the seq of the last entry."""
    with unit_of_work(engine) as session:
        for _ in range(incidents):
            create_incident(session, incident_data(), by=users["carla"])
    with read_session(engine) as session:
        return session.scalar(select(func.max(AuditEntry.seq)))


def _drop_triggers(engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_entry_no_update"))
        else:
            conn.execute(text("DROP TRIGGER audit_entry_no_update_delete ON audit_entry"))


class _Recording:
    """A DB-API connection that notes each statement run through its cursors."""

    def __init__(self, conn):
        self.conn, self.statements = conn, []

    def cursor(self, *args, **kwargs):
        cursor = self.conn.cursor(*args, **kwargs)
        recording = self

        class Cursor:
            def execute(self, sql, params=()):
                recording.statements.append(sql)
                return cursor.execute(sql, params)

            def __getattr__(self, name):
                return getattr(cursor, name)

        return Cursor()


def test_the_plan_reads_no_count_and_covers_every_seq(engine, users, monkeypatch):
    last = _trail(engine, users)
    monkeypatch.setattr("records.services.audit.verify.UNIT_ENTRIES", 4)
    with read_session(engine) as session:
        conn = _Recording(session.connection().connection.driver_connection)
        units = plan_units(conn, engine.dialect.name, last, replay_tables())
    assert conn.statements and not any("count(" in s.lower() for s in conn.statements)
    chain = sorted((u["lo"], u["hi"]) for u in units if u["kind"] == "chain")
    assert chain[0][0] == 1 and chain[-1][1] is None
    assert all(a[1] == b[0] for a, b in zip(chain, chain[1:], strict=False))
    assert len(chain) == -(-last // 4)
    incident = [(u["lo"], u["hi"]) for u in units
                if u["kind"] == "replay" and u["table"] == "incident"]
    ordered = sorted(incident, key=lambda r: -1 if r[0] is None else r[0])
    assert ordered[0][0] is None and ordered[-1][1] is None
    assert all(a[1] == b[0] for a, b in zip(ordered, ordered[1:], strict=False))


@pytest.mark.parametrize("workers", [1, 2])
def test_an_entry_altered_beyond_the_first_range_is_named(engine, users, monkeypatch,
                                                          workers):
    last = _trail(engine, users)
    _drop_triggers(engine)
    altered = last - 2  # in the last range but one of three entries each
    with engine.begin() as conn:
        conn.execute(update(entries).where(entries.c.seq == altered)
                     .values(reason="rewritten"))
    monkeypatch.setattr("records.services.audit.verify.UNIT_ENTRIES", 3)
    with read_session(engine) as session:
        result = verify_chain(session, by=SYSTEM, workers=workers)
    assert not result.ok
    assert result.first_bad_seq == altered
    assert result.checked == altered - 1
    assert result.message == (
        f"audit trail broken at seq {altered}: entry {altered} is not signed by this "
        "installation's key (altered, or written with another key)")


def test_an_intact_trail_cut_in_many_ranges_verifies_whole(engine, users, monkeypatch):
    last = _trail(engine, users)
    monkeypatch.setattr("records.services.audit.verify.UNIT_ENTRIES", 2)
    with read_session(engine) as session:
        result = verify_chain(session, by=SYSTEM, workers=2)
    assert result.ok, result.message
    assert result.message == f"audit trail intact: {last} entries checked"
