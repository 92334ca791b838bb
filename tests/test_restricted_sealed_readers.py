"""Every reader who may see a restricted incident gets its sealed title, place, harm and
basis opened: its history, a revert, the duplicate finder, the internal export; and the
trail of these changes still verifies."""

from __future__ import annotations

import json

from sqlalchemy import func, select, text

from records.db import read_session, unit_of_work
from records.models import AuditEntry
from records.models.incident import STATUSES
from records.sealing import SEALED_PREFIX
from records.services.audit import (
    incident_as_of,
    readable_history,
    revert_incident,
    verify_chain,
)
from records.services.exchange.export_records import ExportFilters
from records.services.exchange.exporting import ExportRequest, write_export
from records.services.incidents import add_part, get_incident, update_incident, update_victim
from records.services.linkage.candidates import similar_incidents
from tests.test_restricted_sealed import (
    BASIS,
    DISTRICT,
    FILE_NOTE,
    HARM,
    LATITUDE,
    LOCALITY,
    LONGITUDE,
    TITLE,
    _record,
)


def _last_seq(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.max(AuditEntry.seq)))


def test_history_and_revert_open_the_sealed_values(engine, users, files):
    created = _record(engine, users, files)
    first = _last_seq(engine)
    with unit_of_work(engine) as session:
        edited = update_incident(session, created.ref, {"title": "Renamed", "latitude": 30.5},
                                 by=users["rana"], expected_version=created.version + 1)
    with read_session(engine) as session:
        then = incident_as_of(session, created.ref, by=users["rana"], seq=first)
    assert (then.title, then.locality, then.latitude, then.longitude) == (
        TITLE, LOCALITY, LATITUDE, LONGITUDE)
    assert then.victims[0].harm_description == HARM
    assert then.perpetrators[0].basis == BASIS
    with unit_of_work(engine) as session:
        reverted = revert_incident(session, created.ref, by=users["rana"], to_seq=first,
                                   expected_version=edited.version, reason="First was right")
    assert (reverted.title, reverted.admin2, reverted.latitude, reverted.longitude) == (
        TITLE, DISTRICT, LATITUDE, LONGITUDE)
    with engine.connect() as conn:
        changes = json.loads(conn.scalar(select(AuditEntry.changes).where(
            AuditEntry.action == "revert")))
    # Only what changed, and only sealed: the coordinates' columns stay empty.
    assert sorted(changes) == ["coordinates", "title"]
    assert all(v.startswith(SEALED_PREFIX) for pair in changes.values() for v in pair)
    with read_session(engine) as session:
        result = verify_chain(session, by=users["admin"])
    assert result.ok, result.message


def test_an_unchanged_harm_saved_again_writes_nothing(engine, users, files):
    created = _record(engine, users, files)
    with read_session(engine) as session:
        seen = get_incident(session, created.ref, by=users["rana"])
    before = _last_seq(engine)
    with unit_of_work(engine) as session:
        after = update_victim(session, created.ref, seen.victims[0].id,
                              {"harm_description": HARM}, by=users["rana"],
                              expected_version=seen.version)
    assert after.version == seen.version
    assert _last_seq(engine) == before


def test_the_duplicate_finder_compares_the_opened_title_and_place(engine, users, files):
    created = _record(engine, users, files)
    with read_session(engine) as session:
        found = similar_incidents(session, {
            "title": TITLE, "incident_type": "attempted_killing",
            "start_date": created.start_date, "date_precision": "day", "admin1": "IQ-NA",
            "latitude": LATITUDE, "longitude": LONGITUDE}, by=users["rana"])
    assert [(c.b_key, c.b_name) for c in found] == [(created.ref, TITLE)]


def test_the_internal_export_opens_them_and_the_partner_export_leaves_it_out(
        engine, users, files, tmp_path):
    _record(engine, users, files)
    every = ExportFilters(statuses=STATUSES)
    with read_session(engine) as session:
        write_export(session, ExportRequest("json", tmp_path / "in.json", "internal", every),
                     by=users["rana"])
        write_export(session, ExportRequest("json", tmp_path / "partner.json", "partner",
                                            every), by=users["rana"])
    internal = (tmp_path / "in.json").read_text(encoding="utf-8")
    partner = (tmp_path / "partner.json").read_text(encoding="utf-8")
    assert SEALED_PREFIX not in internal + partner
    for value in (TITLE, DISTRICT, LOCALITY, HARM, BASIS, FILE_NOTE, "informant-umm-haidar"):
        assert json.dumps(value)[1:-1] in internal, value
        assert value not in partner, value
    record = json.loads(internal)["incidents"][0]
    assert (record["latitude"], record["longitude"]) == (LATITUDE, LONGITUDE)


def test_parts_added_or_changed_later_are_sealed_too(engine, users, files):
    created = _record(engine, users, files)
    with unit_of_work(engine) as session:
        added = add_part(session, created.ref, "perpetrators", {
            "actor": {"name": "Another group (test)", "actor_type": "unidentified_gunmen"},
            "basis": "Seen by the cousin Raed"}, by=users["carla"],
            expected_version=created.version + 1)
        changed = update_victim(session, created.ref, added.victims[0].id,
                                {"harm_description": "Lost an eye, says Raed"},
                                by=users["carla"], expected_version=added.version)
    with engine.connect() as conn:
        stored = " ".join(str(tuple(r)) for t in ("victim", "perpetrator", "audit_entry")
                          for r in conn.execute(text(f"SELECT * FROM {t}")))
    assert "Raed" not in stored
    assert changed.victims[0].harm_description == "Lost an eye, says Raed"
    assert sorted(p.basis for p in changed.perpetrators) == ["Seen by the cousin Raed", BASIS]


def test_the_readable_trail_names_the_sealed_fields_without_their_values(engine, users, files):
    created = _record(engine, users, files)
    with read_session(engine) as session:
        entries = readable_history(session, created.ref, by=users["rana"])
    shown = " ".join(e.model_dump_json() for e in entries)
    assert "coordinates" in shown and "[encrypted]" in shown
    for value in (TITLE, LOCALITY, HARM, BASIS, FILE_NOTE, SEALED_PREFIX, "32.03719"):
        assert value not in shown, value
