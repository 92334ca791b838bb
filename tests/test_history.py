"""An incident as it was, reverting to it, and purging it for good."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from records.db import read_session, unit_of_work
from records.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from records.models import (
    Actor,
    AuditEntry,
    CaseEvent,
    Citation,
    Incident,
    Perpetrator,
    Person,
    ReviewComment,
    Source,
    Victim,
)
from records.services.access import SYSTEM
from records.services.audit import (
    incident_as_of,
    incident_as_of_time,
    incident_history,
    purge_incident,
    revert_incident,
    verify_chain,
)
from records.services.incidents import (
    add_part,
    create_incident,
    get_incident,
    remove_part,
    update_incident,
    update_victim,
)
from records.services.review import (
    publish_incident,
    reopen_incident,
    return_incident,
    submit_incident,
    verify_incident,
)
from tests.factories import incident_data

ORIGINAL_TITLE = "Shooting of a protest organiser near Tahrir Square (fictional)"
# Bookkeeping the trail does not keep: versions count writes, timestamps are set per row.
NOT_REPLAYED = {"version", "created_at", "updated_at", "last_edited_by", "last_edited_by_id"}


def _data(value):
    if isinstance(value, dict):
        return {k: _data(v) for k, v in value.items() if k not in NOT_REPLAYED}
    if isinstance(value, list):
        # Children come in no fixed order from the relationships; the replay sorts by id.
        return sorted((_data(v) for v in value),
                      key=lambda v: v.get("id", 0) if isinstance(v, dict) else 0)
    return value


def _life(engine, users):
    """An incident that goes through most of what can happen to it."""
    carla, rana, ravi = users["carla"], users["rana"], users["ravi"]
    with unit_of_work(engine) as session:
        i = create_incident(session, incident_data(), by=carla)
    ref = i.ref
    steps = [
        lambda s, v: update_incident(s, ref, {"title": "First title", "tags": ["night"]},
                                     by=carla, expected_version=v),
        lambda s, v: add_part(s, ref, "victims", {
            "person": {"full_name": "Hana Example", "sex": "female"}, "outcome": "killed"},
            by=carla, expected_version=v),
        lambda s, v: update_victim(s, ref, i.victims[0].id, {"outcome": "killed"},
                                   by=carla, expected_version=v),
        lambda s, v: remove_part(s, ref, "perpetrators", i.perpetrators[0].id, by=carla,
                                 expected_version=v),
        lambda s, v: submit_incident(s, ref, by=carla, expected_version=v),
        lambda s, v: return_incident(s, ref, by=rana, expected_version=v,
                                     comment="Name the second source"),
        lambda s, v: reopen_incident(s, ref, by=carla, expected_version=v),
        lambda s, v: update_incident(s, ref, {"end_date": "2020-03-15"}, by=carla,
                                     expected_version=v),
        lambda s, v: submit_incident(s, ref, by=carla, expected_version=v),
        lambda s, v: verify_incident(s, ref, by=rana, expected_version=v),
        lambda s, v: publish_incident(s, ref, by=ravi, expected_version=v),
    ]
    version = i.version
    for step in steps:
        with unit_of_work(engine) as session:
            version = step(session, version).version
    return ref


def test_replaying_to_each_entry_ends_in_the_current_record(engine, users):
    ref = _life(engine, users)
    with read_session(engine) as session:
        history = incident_history(session, ref, by=users["rana"])
        states = [incident_as_of(session, ref, by=users["rana"], seq=e.seq)
                  for e in history]
        by_time = [incident_as_of_time(session, ref, by=users["rana"], at=e.at)
                   for e in history]
        current = get_incident(session, ref, by=users["rana"])
    assert _data(states[-1].model_dump()) == _data(current.model_dump())
    assert _data(by_time[-1].model_dump()) == _data(current.model_dump())
    titles = [s.title for s in states]
    assert titles[0] == ORIGINAL_TITLE and "First title" in titles
    assert [len(s.victims) for s in states][:1] == [1]
    assert max(len(s.victims) for s in states) == 2
    assert [len(s.perpetrators) for s in (states[0], states[-1])] == [1, 0]
    assert [s.status for s in states if s.status != states[0].status][-1] == "published"
    assert current.comments[0].body == states[-1].comments[0].body == "Name the second source"
    assert states[-1].victims[0].outcome == "killed"
    assert sorted(v.person.full_name for v in states[-1].victims) == [
        "Hana Example", "Sami Example"]


def test_the_record_as_of_an_entry_shows_the_values_of_then(engine, users):
    ref = _life(engine, users)
    with read_session(engine) as session:
        history = incident_history(session, ref, by=users["carla"])
        first_edit = next(e for e in history if e.action == "update")
        then = incident_as_of(session, ref, by=users["carla"], seq=first_edit.seq)
        before = incident_as_of(session, ref, by=users["carla"], seq=first_edit.seq - 1)
        with pytest.raises(NotFound):
            incident_as_of(session, ref, by=users["carla"], seq=history[0].seq - 1)
    assert (then.title, then.tags, then.status) == ("First title", ["night"], "draft")
    assert (before.title, before.tags) == (ORIGINAL_TITLE, [])
    assert then.created_by == "carla"
    assert then.perpetrators[0].actor.name == "Unidentified gunmen (test)"
    assert then.citations[0].source.title == "Example News report"


def _incident(engine, users):
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(), by=users["carla"])
    with unit_of_work(engine) as session:
        edited = update_incident(session, created.ref, {"title": "Wrong title", "injured": 3},
                                 by=users["carla"], expected_version=created.version)
    with read_session(engine) as session:
        created_seq = session.scalar(select(func.min(AuditEntry.seq)).where(
            AuditEntry.incident_ref == created.ref))
    return edited, created_seq


def _count(engine, model) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_reverting_one_field_is_an_audited_versioned_change(engine, users):
    edited, created_seq = _incident(engine, users)
    with unit_of_work(engine) as session:
        reverted = revert_incident(session, edited.ref, by=users["carla"],
                                   to_seq=created_seq, expected_version=edited.version,
                                   fields=["title"], reason="The edit named the wrong place")
    assert (reverted.title, reverted.injured) == (ORIGINAL_TITLE, 3)
    assert reverted.version == edited.version + 1
    with read_session(engine) as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (last.action, last.reason, last.actor_id) == (
        "revert", "The edit named the wrong place", users["carla"].id)
    assert json.loads(last.changes) == {"title": ["Wrong title", ORIGINAL_TITLE]}


def test_reverting_the_whole_record_and_again_writes_nothing_new(engine, users):
    edited, created_seq = _incident(engine, users)
    with unit_of_work(engine) as session:
        reverted = revert_incident(session, edited.ref, by=users["rana"],
                                   to_seq=created_seq, expected_version=edited.version,
                                   reason="Back to the first report")
    entries = _count(engine, AuditEntry)
    with unit_of_work(engine) as session:
        again = revert_incident(session, edited.ref, by=users["rana"], to_seq=created_seq,
                                expected_version=reverted.version, reason="Once more")
    assert (reverted.title, reverted.injured) == (ORIGINAL_TITLE, 1)
    assert again.version == reverted.version
    assert _count(engine, AuditEntry) == entries


def test_a_cleared_field_is_empty_as_of_then_and_can_be_reverted(engine, users):
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(), by=users["carla"])
    with unit_of_work(engine) as session:
        cleared = update_incident(session, created.ref, {"locality": None},
                                  by=users["carla"], expected_version=created.version)
    with read_session(engine) as session:
        seqs = session.scalars(select(AuditEntry.seq).where(
            AuditEntry.incident_ref == created.ref).order_by(AuditEntry.seq)).all()
        then = incident_as_of(session, created.ref, by=users["carla"], seq=seqs[-1])
        before = incident_as_of(session, created.ref, by=users["carla"], seq=seqs[0])
    assert (then.locality, before.locality) == (None, "Fictional Street 12")
    with unit_of_work(engine) as session:
        reverted = revert_incident(session, created.ref, by=users["carla"], to_seq=seqs[0],
                                   expected_version=cleared.version, fields=["locality"],
                                   reason="The street was known")
    assert reverted.locality == "Fictional Street 12"


def test_a_stale_or_forbidden_revert_writes_nothing(engine, users):
    edited, created_seq = _incident(engine, users)
    entries = _count(engine, AuditEntry)
    cases = [
        (ConflictError, users["carla"], edited.version - 1, None, "Undo"),
        (PermissionDenied, users["chen"], edited.version, None, "Undo"),
        (PermissionDenied, users["vera"], edited.version, None, "Undo"),
        (ValidationError, users["carla"], edited.version, ["ref"], "Undo"),
        (ValidationError, users["carla"], edited.version, None, "  "),
    ]
    for error, actor, version, fields, reason in cases:
        with pytest.raises(error), unit_of_work(engine) as session:
            revert_incident(session, edited.ref, by=actor, to_seq=created_seq,
                            expected_version=version, fields=fields, reason=reason)
    assert _count(engine, AuditEntry) == entries


def test_purge_removes_the_incident_and_keeps_only_content_hashes(engine, users):
    edited, _ = _incident(engine, users)
    with unit_of_work(engine) as session:
        return_incident(session, edited.ref, by=users["rana"],
                        expected_version=submit_incident(
                            session, edited.ref, by=users["carla"],
                            expected_version=edited.version).version,
                        comment="Check the date")
    shared = [_count(engine, m) for m in (Person, Source, Actor)]
    with unit_of_work(engine) as session:
        purge_incident(session, edited.ref, by=users["admin"],
                       reason="Entered by mistake with real names")
    for model in (Incident, Victim, Perpetrator, Citation, CaseEvent, ReviewComment):
        assert _count(engine, model) == 0, model
    assert [_count(engine, m) for m in (Person, Source, Actor)] == shared
    with read_session(engine) as session:
        purges = session.scalars(select(AuditEntry).where(AuditEntry.action == "purge")
                                 .order_by(AuditEntry.seq)).all()
        history = incident_history(session, edited.ref, by=users["rana"])
        with pytest.raises(NotFound):
            incident_history(session, edited.ref, by=users["carla"])
        with pytest.raises(NotFound):
            incident_as_of(session, edited.ref, by=users["rana"], seq=purges[-1].seq)
        result = verify_chain(session, by=SYSTEM)
    assert sorted(p.entity_type for p in purges) == [
        "case_event", "citation", "incident", "perpetrator", "review_comment", "victim"]
    assert {p.reason for p in purges} == {"Entered by mistake with real names"}
    assert all(list(json.loads(p.changes)) == ["content_sha256"] for p in purges)
    assert all(len(json.loads(p.changes)["content_sha256"][1]) == 64 for p in purges)
    assert history[-1].action == "purge"
    assert result.ok, result.message


def test_only_an_admin_may_purge(engine, users):
    edited, _ = _incident(engine, users)
    entries = _count(engine, AuditEntry)
    for actor in ("carla", "rana"):
        with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
            purge_incident(session, edited.ref, by=users[actor], reason="Tidy up")
    with pytest.raises(ValidationError), unit_of_work(engine) as session:
        purge_incident(session, edited.ref, by=users["admin"], reason="")
    assert _count(engine, Incident) == 1
    assert _count(engine, AuditEntry) == entries
