"""Capturing changes: one entry per changed row, in the transaction of the change, chained."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from records.audit_chain import GENESIS_HASH, format_time, keyed_entry_hash
from records.db import read_session, unit_of_work
from records.errors import AuthenticationError, ConflictError, ValidationError
from records.keys import load_chain_keys, read_master_key
from records.models import AuditCheckpoint, AuditEntry
from records.services.access import SYSTEM
from records.services.audit import verify_chain
from records.services.incidents import create_incident, remove_part, update_incident
from records.services.review import (
    archive_incident,
    publish_incident,
    return_incident,
    submit_incident,
    verify_incident,
)
from records.services.users import authenticate
from tests.conftest import PASSWORD
from tests.factories import incident_data


def _entries(engine, after: int = 0) -> list[AuditEntry]:
    with read_session(engine) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.seq > after)
                                    .order_by(AuditEntry.seq)))


def _last_seq(engine) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.coalesce(func.max(AuditEntry.seq), 0)))


def _create(engine, by, **overrides):
    with unit_of_work(engine) as session:
        return create_incident(session, incident_data(**overrides), by=by)


def test_n_updates_write_exactly_n_entries(engine, users):
    incident = _create(engine, users["carla"])
    before = _last_seq(engine)
    version = incident.version
    for n in range(5):
        with unit_of_work(engine) as session:
            version = update_incident(session, incident.ref, {"title": f"Title {n}"},
                                      by=users["carla"], expected_version=version).version
    entries = _entries(engine, before)
    assert [(e.action, e.entity_type, e.incident_ref) for e in entries] == [
        ("update", "incident", incident.ref)] * 5
    assert [json.loads(e.changes) for e in entries] == [
        {"title": ["Shooting of a protest organiser near Tahrir Square (fictional)",
                   "Title 0"]},
        {"title": ["Title 0", "Title 1"]},
        {"title": ["Title 1", "Title 2"]},
        {"title": ["Title 2", "Title 3"]},
        {"title": ["Title 3", "Title 4"]},
    ]
    assert {e.actor_id for e in entries} == {users["carla"].id}


def test_creating_an_incident_records_each_row_against_its_ref(engine, users):
    before = _last_seq(engine)
    incident = _create(engine, users["carla"])
    entries = _entries(engine, before)
    assert sorted((e.action, e.entity_type, e.incident_ref) for e in entries) == [
        ("create", "actor", None),
        ("create", "case_event", incident.ref),
        ("create", "citation", incident.ref),
        ("create", "incident", incident.ref),
        ("create", "perpetrator", incident.ref),
        ("create", "person", None),
        ("create", "source", None),
        ("create", "victim", incident.ref),
    ]
    created = next(e for e in entries if e.entity_type == "incident")
    changes = json.loads(created.changes)
    assert changes["title"] == [None, "Shooting of a protest organiser near Tahrir Square "
                                      "(fictional)"]
    assert changes["start_date"] == [None, "2020-03-14"]
    assert "end_date" not in changes  # null fields are left out of a create
    assert len({e.at for e in entries}) == 1


def test_workflow_transitions_are_recorded_with_their_verb(engine, users):
    incident = _create(engine, users["carla"])
    before = _last_seq(engine)
    with unit_of_work(engine) as session:
        v = submit_incident(session, incident.ref, by=users["carla"],
                            expected_version=incident.version).version
        v = return_incident(session, incident.ref, by=users["rana"], expected_version=v,
                            comment="Add the second witness").version
    with unit_of_work(engine) as session:
        v = update_incident(session, incident.ref, {"injured": 2}, by=users["carla"],
                            expected_version=v).version
        v = submit_incident(session, incident.ref, by=users["carla"],
                            expected_version=v).version
        v = verify_incident(session, incident.ref, by=users["rana"],
                            expected_version=v).version
        v = publish_incident(session, incident.ref, by=users["ravi"],
                             expected_version=v).version
        archive_incident(session, incident.ref, by=users["admin"], expected_version=v,
                         reason="Duplicate of another report")
    assert [(e.action, e.entity_type, e.reason) for e in _entries(engine, before)] == [
        ("submit", "incident", None),
        ("create", "review_comment", "Add the second witness"),
        ("return", "incident", "Add the second witness"),
        ("update", "incident", None),
        ("submit", "incident", None),
        ("verify", "incident", None),
        ("publish", "incident", None),
        ("archive", "incident", "Duplicate of another report"),
    ]


def test_removed_victim_keeps_its_old_values_in_the_incident_history(engine, users):
    incident = _create(engine, users["carla"])
    before = _last_seq(engine)
    with unit_of_work(engine) as session:
        remove_part(session, incident.ref, "victims", incident.victims[0].id,
                    by=users["carla"], expected_version=incident.version,
                    reason="Entered twice")
    key, person, entry, seen = _entries(engine, before)
    assert (entry.action, entry.entity_type, entry.incident_ref, entry.reason) == (
        "delete", "victim", incident.ref, "Entered twice")
    # The name to seal needs the person's key, made now, and named in the trail first.
    assert (key.action, json.loads(key.changes)["keys"][0][:2]) == (
        "keys_create", ["fields", f"person:{incident.victims[0].person.uid}"])
    # Now in no incident, the person stays seen by caseworkers and up, as in the draft.
    assert (seen.action, seen.entity_type, json.loads(seen.changes)) == (
        "update", "person", {"unlinked_seen_by": [None, "caseworker"]})
    changes = json.loads(entry.changes)
    assert changes["outcome"] == ["injured", None]
    assert changes["consent_to_publish_name"] == [True, None]
    # Without the link that consented, the person's name is withheld again: sealed.
    assert (person.action, person.entity_type) == ("update", "person")
    sealed = json.loads(person.changes)
    assert sealed["full_name"][0] == "Sami Example"
    assert sealed["full_name"][1].startswith("sijil-sealed:v1:")
    assert sealed["name_key"] == ["sami example | سامي المثال", ""]


def test_failed_and_rolled_back_writes_leave_no_entry(engine, users):
    incident = _create(engine, users["carla"])
    before = _last_seq(engine)
    with pytest.raises(ValidationError):
        _create(engine, users["carla"], incident_type="massacre")
    with pytest.raises(ConflictError), unit_of_work(engine) as session:
        update_incident(session, incident.ref, {"title": "Stale"}, by=users["carla"],
                        expected_version=incident.version + 7)
    with pytest.raises(RuntimeError), unit_of_work(engine) as session:
        update_incident(session, incident.ref, {"title": "Rolled back"}, by=users["carla"],
                        expected_version=incident.version)
        raise RuntimeError("the caller fails after the service wrote")
    assert _entries(engine, before) == []
    with read_session(engine) as session:
        head = session.get(AuditCheckpoint, 1)
    assert head.seq == before


def test_log_ins_and_failed_log_ins_are_recorded(engine, users):
    before = _last_seq(engine)
    with unit_of_work(engine) as session:
        authenticate(session, "carla", PASSWORD)
    with pytest.raises(AuthenticationError), unit_of_work(engine) as session:
        try:
            authenticate(session, "nobody", PASSWORD)
        except AuthenticationError:
            session.commit()
            raise
    assert [(e.action, e.actor_id, e.reason) for e in _entries(engine, before)] == [
        ("login", users["carla"].id, None),
        ("login_failed", None, "unknown user"),
    ]


def test_entries_are_chained_and_the_head_points_at_the_last(engine, users):
    _create(engine, users["carla"])
    entries = _entries(engine)
    # The database's first write (the vocabularies) sealed its empty trail.
    assert (entries[0].seq, entries[0].action, entries[0].prev_hash) == (1, "seal",
                                                                         GENESIS_HASH)
    for previous, entry in zip(entries, entries[1:], strict=False):
        assert entry.seq == previous.seq + 1
        assert entry.prev_hash == previous.hash
    last = entries[-1]
    with engine.connect() as conn:
        keys = load_chain_keys(conn, read_master_key())
    assert last.hash == keyed_entry_hash(
        keys.entry_key, last.seq, format_time(last.at), last.actor_id, last.action,
        last.entity_type, last.entity_id, last.incident_ref, last.changes, last.reason,
        last.prev_hash)
    with read_session(engine) as session:
        head = session.get(AuditCheckpoint, 1)
    assert (head.seq, head.hash) == (last.seq, last.hash)


@pytest.mark.parametrize("statement", [
    "UPDATE audit_entry SET reason = 'edited' WHERE seq = 1",
    "DELETE FROM audit_entry WHERE seq = 1",
])
def test_the_database_refuses_to_change_or_delete_entries(engine, users, statement):
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.execute(text(statement))
    assert "append-only" in str(caught.value)
    with read_session(engine) as session:
        assert session.scalar(select(AuditEntry.reason).where(AuditEntry.seq == 1)) == (
            "entries from here on are signed with this installation's key")


def test_eight_concurrent_writers_leave_one_valid_chain(engine, users):
    before = _last_seq(engine)
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(3):
                with unit_of_work(engine) as session:
                    create_incident(session, incident_data(title=f"Writer {n} incident {i}",
                                                           victims=[], perpetrators=[],
                                                           citations=[], case_events=[]),
                                    by=users["carla"])
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    entries = _entries(engine, before)
    assert [e.seq for e in entries] == list(range(before + 1, before + 25))
    assert len({e.incident_ref for e in entries}) == 24
    with read_session(engine) as session:
        result = verify_chain(session, by=SYSTEM)
    assert result.ok, result.message
    assert result.checked == before + 24
