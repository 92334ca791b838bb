"""Merging two people or two incidents, and undoing it: every link kept, then every row
back as it was, on both engines; the trail verifies after each step."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from records.db import read_session, unit_of_work
from records.errors import PermissionDenied
from records.models import Incident, RecordMerge
from records.sealing import SEALABLE, open_values, owner_of
from records.services.audit import verify_chain
from records.services.evidence import add_attachment
from records.services.incidents import create_incident
from records.services.linkage import MergeRefused, merge_records, unmerge
from records.services.linkage.rows import MODELS
from tests.factories import incident_data

SEEN = ("person", "incident", "victim", "perpetrator", "citation", "case_event",
        "review_comment", "attachment")
# Written twice (moved, then moved back): optimistic locking must see that they changed.
# A merge and its undoing are edits: each incident they change names its last editor.
REWRITTEN = {"updated_at", "version", "last_edited_by_id"}


def _victim(name, arabic=None, consent=True, profiles=("activist",)):
    return {"person": {"full_name": name, "name_original": arabic, "sex": "male",
                       "profiles": list(profiles)},
            "outcome": "killed", "consent_to_publish_name": consent}


def _tables(engine) -> dict[str, dict[int, dict]]:
    """Every row of the linked tables, sealed values opened (a row sealed again under the
    same key has another ciphertext but the same text)."""
    out = {}
    with read_session(engine) as session:
        for table in SEEN:
            model = MODELS[table]
            rows = {}
            for obj in session.scalars(select(model)).all():
                values = {c.key: getattr(obj, c.key) for c in model.__table__.c
                          if c.key not in REWRITTEN}
                if table in SEALABLE:
                    opened = open_values(session, table, owner_of(session, obj), values)
                    if table == "person":
                        opened.pop("name_key")  # derived from the opened names
                    values = opened
                rows[obj.id] = values
            out[table] = rows
    return out


def _ok(engine, by):
    with read_session(engine) as session:
        result = verify_chain(session, by=by)
    assert result.ok, result


@pytest.fixture
def two_reports(engine, users, files):
    """Two reports of one killing: the victim spelt two ways, one witness each."""
    with unit_of_work(engine) as session:
        first = create_incident(session, incident_data(
            title="Killing of Ihab al-Wazni (fictional)",
            victims=[_victim("Ihab al-Wazni", "إيهاب الوزني"),
                     _victim("Hidden Witness One", consent=False, profiles=("witness",))]),
            by=users["carla"])
        second = create_incident(session, incident_data(
            title="Activist shot in Karbala (fictional)",
            victims=[_victim("Ehab Al Wazni", consent=False),
                     _victim("Sami Bystander")]),
            by=users["chen"])
    with unit_of_work(engine) as session:
        add_attachment(session, second.ref, filename="note.txt", data=b"a witness note",
                       by=users["chen"])
    return first, second


def test_merge_then_undo_restores_every_row(engine, users, two_reports):
    first, second = two_reports
    rana = users["rana"]
    before = _tables(engine)
    ihab, ehab = first.victims[0].person.uid, second.victims[0].person.uid

    with unit_of_work(engine) as session:
        people = merge_records(session, ihab, ehab, by=rana, score=100.0)
    with engine.connect() as conn:
        last = conn.execute(text("SELECT max(seq) FROM audit_entry")).scalar_one()
    with unit_of_work(engine) as session:
        incidents = merge_records(session, first.ref, second.ref, by=rana)
    with engine.connect() as conn:
        entries = conn.execute(text(
            "SELECT action, entity_type, actor_id FROM audit_entry WHERE seq > :last"),
            {"last": last}).all()
    # One change, by the reviewer: moves recorded as "merge", the removed rows, the record.
    assert {e.actor_id for e in entries} == {rana.id}
    assert {e.action for e in entries} == {"merge", "delete", "create"}
    assert [e.entity_type for e in entries if e.action == "create"] == ["record_merge"]
    merged = _tables(engine)
    # One person and one incident left, with every link of both: Ihab (once: he was the
    # victim "Ehab" of the second report), the witness, the bystander; both citations,
    # both case events and the attachment.
    assert [p["full_name"] for p in merged["person"].values()].count("Ehab Al Wazni") == 0
    assert list(merged["incident"]) == [min(before["incident"])]
    kept = min(before["incident"])
    assert sorted(v["person_id"] for v in merged["victim"].values()) == sorted(
        [min(before["person"]), *[p for p in before["person"]
                                  if before["person"][p]["full_name"] in
                                  ("Hidden Witness One", "Sami Bystander")]])
    assert all(v["incident_id"] == kept for v in merged["victim"].values())
    assert len(merged["citation"]) == 2 and len(merged["case_event"]) == 2
    assert [a["incident_id"] for a in merged["attachment"].values()] == [kept]
    assert (people.moved, people.removed) == (1, 0)  # Ehab's one victim link
    assert (incidents.moved, incidents.removed) == (5, 1)  # Ihab twice: one link goes
    _ok(engine, rana)

    with unit_of_work(engine) as session:
        unmerge(session, incidents.id, by=rana)
    with unit_of_work(engine) as session:
        unmerge(session, people.id, by=rana)
    assert _tables(engine) == before
    with read_session(engine) as session:
        assert session.scalars(select(Incident.last_edited_by_id)).all() == [rana.id] * 2
    _ok(engine, rana)
    with read_session(engine) as session:
        merges = session.scalars(select(RecordMerge).order_by(RecordMerge.id)).all()
        assert [(m.kind, m.merged_key, m.undone_at is not None) for m in merges] == [
            ("person", ehab, True), ("incident", second.ref, True)]


def test_only_reviewers_merge_and_a_merge_is_undone_once(engine, users, two_reports):
    first, second = two_reports
    before = _tables(engine)
    with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
        merge_records(session, first.ref, second.ref, by=users["carla"])
    assert _tables(engine) == before
    with unit_of_work(engine) as session:
        merge = merge_records(session, first.ref, second.ref, by=users["rana"])
    with unit_of_work(engine) as session:
        unmerge(session, merge.id, by=users["rana"])
    after = _tables(engine)
    with pytest.raises(MergeRefused), unit_of_work(engine) as session:
        unmerge(session, merge.id, by=users["rana"])
    assert _tables(engine) == after
