"""Reverting an incident to an entry: the whole record as it was then, as one audited change."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from records.audit_chain import purging
from records.db import read_session, unit_of_work
from records.errors import ConflictError, ValidationError
from records.models import AuditEntry, Person
from records.services.access import SYSTEM, act_as
from records.services.audit import (
    incident_as_of,
    incident_history,
    revert_incident,
    verify_chain,
)
from records.services.incidents import (
    add_part,
    create_incident,
    get_incident,
    load_incident,
    remove_part,
    touch,
    update_incident,
    update_victim,
)
from tests.factories import incident_data

ORIGINAL_TITLE = "Shooting of a protest organiser near Tahrir Square (fictional)"
HANA = {"person": {"full_name": "Hana Example", "sex": "female"}, "outcome": "killed"}


def _last_seq(engine) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.max(AuditEntry.seq)))


def _first_seq(engine, ref: str) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.min(AuditEntry.seq))
                              .where(AuditEntry.incident_ref == ref))


def _two_victims_then_edited(engine, carla):
    """Two victims and no citation; then one victim removed, the title edited, a citation
    added, each in its own save."""
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(
            victims=[*incident_data()["victims"], HANA], citations=[]), by=carla)
    ref = created.ref
    hana = next(v for v in created.victims if v.person.full_name == "Hana Example")
    steps = [
        lambda s, v: remove_part(s, ref, "victims", hana.id, by=carla, expected_version=v),
        lambda s, v: update_incident(s, ref, {"title": "Edited title"}, by=carla,
                                     expected_version=v),
        lambda s, v: add_part(s, ref, "citations", {
            "source": {"kind": "media", "title": "A later report"},
            "statement": "Says the victim survived."}, by=carla, expected_version=v),
    ]
    version = created.version
    for step in steps:
        with unit_of_work(engine) as session:
            version = step(session, version).version
    return created, hana, version


def test_reverting_brings_back_the_victims_title_and_citations_in_one_audited_change(
        engine, users):
    carla = users["carla"]
    created, _hana, version = _two_victims_then_edited(engine, carla)
    before = _last_seq(engine)
    with unit_of_work(engine) as session:
        reverted = revert_incident(session, created.ref, by=carla,
                                   to_seq=_first_seq(engine, created.ref),
                                   expected_version=version,
                                   reason="The first report was right")
    assert reverted.title == ORIGINAL_TITLE
    assert sorted(v.person.full_name for v in reverted.victims) == [
        "Hana Example", "Sami Example"]
    assert reverted.citations == []
    assert reverted.version == version + 1
    with read_session(engine) as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.seq > before)
                                  .order_by(AuditEntry.seq)).all()
        result = verify_chain(session, by=SYSTEM)
    # The later report's source is left in no incident, to be seen by caseworkers and up
    # as while the draft cited it: recorded with the revert, about the source alone.
    left = [e for e in entries if e.entity_type == "source"]
    entries = [e for e in entries if e.entity_type != "source"]
    assert [(e.action, json.loads(e.changes), e.incident_ref) for e in left] == [
        ("update", {"unlinked_seen_by": [None, "caseworker"]}, None)]
    assert sorted((e.action, e.entity_type) for e in entries) == [
        ("create", "victim"), ("delete", "citation"), ("revert", "incident")]
    assert len({e.at for e in entries}) == 1, "one flush: one change in the history"
    assert {(e.reason, e.actor_id, e.incident_ref) for e in entries} == {
        ("The first report was right", carla.id, created.ref)}
    incident_entry = next(e for e in entries if e.entity_type == "incident")
    assert json.loads(incident_entry.changes) == {"title": ["Edited title", ORIGINAL_TITLE]}
    assert result.ok, result.message


def test_reverting_again_to_the_same_entry_writes_nothing(engine, users):
    carla = users["carla"]
    created, _hana, version = _two_victims_then_edited(engine, carla)
    first = _first_seq(engine, created.ref)
    with unit_of_work(engine) as session:
        reverted = revert_incident(session, created.ref, by=carla, to_seq=first,
                                   expected_version=version, reason="Back")
    before = _last_seq(engine)
    with unit_of_work(engine) as session:
        again = revert_incident(session, created.ref, by=carla, to_seq=first,
                                expected_version=reverted.version, reason="Back again")
    assert again.version == reverted.version
    assert _last_seq(engine) == before


def test_reverting_only_some_fields_leaves_the_parts_alone(engine, users):
    carla = users["carla"]
    created, _hana, version = _two_victims_then_edited(engine, carla)
    with unit_of_work(engine) as session:
        reverted = revert_incident(session, created.ref, by=carla,
                                   to_seq=_first_seq(engine, created.ref),
                                   expected_version=version, fields=["title"],
                                   reason="Only the title")
    assert reverted.title == ORIGINAL_TITLE
    assert [v.person.full_name for v in reverted.victims] == ["Sami Example"]
    assert [c.source.title for c in reverted.citations] == ["A later report"]


def test_a_stale_whole_record_revert_is_refused_and_writes_nothing(engine, users):
    carla = users["carla"]
    created, _hana, version = _two_victims_then_edited(engine, carla)
    before = _last_seq(engine)
    with pytest.raises(ConflictError, match="was changed by carla"), \
            unit_of_work(engine) as session:
        revert_incident(session, created.ref, by=carla,
                        to_seq=_first_seq(engine, created.ref),
                        expected_version=version - 1, reason="Back")
    assert _last_seq(engine) == before


def test_a_victim_whose_person_was_purged_cannot_be_brought_back(engine, users):
    carla = users["carla"]
    created, hana, version = _two_victims_then_edited(engine, carla)
    with unit_of_work(engine) as session:
        act_as(session, SYSTEM, "Erased at her family's request")
        with purging(session):
            session.delete(session.get(Person, hana.person.id))
    before = _last_seq(engine)
    with pytest.raises(ValidationError) as refused, unit_of_work(engine) as session:
        revert_incident(session, created.ref, by=carla,
                        to_seq=_first_seq(engine, created.ref),
                        expected_version=version, reason="Back")
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("person", f"the person “Hana Example” ({hana.person.uid}) no longer exists: "
                   "the record cannot be restored as it was")]
    assert _last_seq(engine) == before


# --- revert(as_of(e)) == as_of(e) -------------------------------------------------------

# What a revert does not bring back: ids of rows created again, counters of writes,
# timestamps, who saved last, and review comments (a conversation, not the record).
NOT_CONTENT = {"id", "version", "created_at", "updated_at", "last_edited_by",
               "last_edited_by_id", "comments"}

FIELD_VALUES = {
    "title": ["Title A", "Title B", "Title C", "Title D"],
    "locality": [None, "Street 1", "Street 2", "Street 3"],
    "injured": [0, 1, 2, 3],
    "tags": [[], ["night"], ["night", "market"], ["market"]],
}
PEOPLE = ["Hana Example", "Omar Example", "Lina Example"]
OUTCOMES = ["killed", "injured", "detained"]
EDITED_TEXT = {"perpetrators": "basis", "citations": "statement", "case_events": "description"}
PARTS = ["victims", "perpetrators", "citations", "case_events"]


def _content(value):
    if isinstance(value, dict):
        return {k: _content(v) for k, v in value.items() if k not in NOT_CONTENT}
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        # Rows created again have new ids, so they no longer sort where they stood.
        return sorted((_content(v) for v in value),
                      key=lambda v: json.dumps(v, sort_keys=True, default=str))
    return value


edits = st.lists(st.one_of(
    st.tuples(st.just("field"), st.sampled_from(sorted(FIELD_VALUES)), st.integers(0, 3)),
    st.tuples(st.just("add_victim"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("edit_victim"), st.integers(0, 5), st.integers(0, 2)),
    st.tuples(st.just("add"), st.sampled_from(sorted(EDITED_TEXT)), st.integers(0, 2)),
    st.tuples(st.just("edit"), st.sampled_from(sorted(EDITED_TEXT)), st.integers(0, 5)),
    st.tuples(st.just("remove"), st.sampled_from(PARTS), st.integers(0, 5)),
), min_size=1, max_size=8)


def _new_part(part: str, k: int, pool: dict[str, str]) -> dict:
    """A part to add; the k-th group or source is created once, then cited by uid."""
    if part == "perpetrators":
        name = f"Group {k} (test)"
        who = {"actor_uid": pool[name]} if name in pool else {
            "actor": {"name": name, "actor_type": "unidentified_gunmen"}}
        return {**who, "attribution": ["alleged", "suspected", "claimed_responsibility"][k],
                "basis": f"Basis {k}"}
    if part == "citations":
        title = f"Report {k}"
        source = {"source_uid": pool[title]} if title in pool else {
            "source": {"kind": "media", "title": title}}
        return {**source, "statement": f"Statement {k}", "page": str(k) if k else None}
    return {"date": dt.date(2020, 3, 15 + k), "kind": ["complaint", "arrest", "trial"][k],
            "description": f"Step {k}"}


def _remember(pool: dict[str, str], record) -> None:
    for p in record.perpetrators:
        if p.actor is not None:
            pool[p.actor.name] = p.actor.uid
    for c in record.citations:
        pool[c.source.title] = c.source.uid
    for v in record.victims:
        pool[v.person.full_name] = v.person.uid


def _apply(engine, carla, ref: str, edit: tuple, pool: dict[str, str]) -> None:
    kind = edit[0]
    with unit_of_work(engine) as session:
        now = get_incident(session, ref, by=carla)
        v = now.version
        if kind == "field":
            _kind, field, k = edit
            update_incident(session, ref, {field: FIELD_VALUES[field][k]}, by=carla,
                            expected_version=v)
        elif kind == "add_victim":
            _kind, who, outcome = edit
            name = PEOPLE[who]
            if any(x.person.full_name == name for x in now.victims):
                return
            person = {"person_uid": pool[name]} if name in pool else {
                "person": {"full_name": name, "sex": "unknown"}}
            add_part(session, ref, "victims", {**person, "outcome": OUTCOMES[outcome]},
                     by=carla, expected_version=v)
        elif kind == "edit_victim" and now.victims:
            _kind, i, k = edit
            victim = now.victims[i % len(now.victims)]
            update_victim(session, ref, victim.id, {
                "outcome": OUTCOMES[k], "harm_description": f"Harm {k}",
                "consent_to_publish_name": k == 1}, by=carla, expected_version=v)
        elif kind == "add":
            _kind, part, k = edit
            add_part(session, ref, part, _new_part(part, k, pool), by=carla,
                     expected_version=v)
        elif kind == "edit" and getattr(now, edit[1]):
            # No service edits these parts yet; an edit through the ORM is recorded
            # like any other (the trail sees every flush), which is all a revert reads.
            _kind, part, i = edit
            incident = load_incident(session, ref, by=carla, for_update=True)
            rows = getattr(incident, part)
            act_as(session, carla)
            setattr(rows[i % len(rows)], EDITED_TEXT[part], f"Edited {i}")
            touch(incident, carla)
        elif kind == "remove" and getattr(now, edit[1]):
            _kind, part, i = edit
            rows = getattr(now, part)
            remove_part(session, ref, part, rows[i % len(rows)].id, by=carla,
                        expected_version=v)
        else:
            return
        _remember(pool, get_incident(session, ref, by=carla))


def test_reverting_to_an_entry_gives_the_record_as_of_that_entry(engine, users):
    carla = users["carla"]

    @settings(max_examples=25, deadline=None, database=None)
    @given(edits=edits, pick=st.integers(0, 10**6))
    def revert_after(edits, pick):
        with unit_of_work(engine) as session:
            created = create_incident(session, incident_data(), by=carla)
        ref, pool = created.ref, {}
        _remember(pool, created)
        for edit in edits:
            _apply(engine, carla, ref, edit, pool)
        with read_session(engine) as session:
            history = incident_history(session, ref, by=carla)
            seq = history[pick % len(history)].seq
            then = incident_as_of(session, ref, by=carla, seq=seq)
            version = get_incident(session, ref, by=carla).version
        with unit_of_work(engine) as session:
            revert_incident(session, ref, by=carla, to_seq=seq, expected_version=version,
                            reason="Back to an earlier state")
        with read_session(engine) as session:
            latest = session.scalar(select(func.max(AuditEntry.seq)))
            after = incident_as_of(session, ref, by=carla, seq=latest)
            live = get_incident(session, ref, by=carla)
        assert _content(after.model_dump()) == _content(then.model_dump())
        assert _content(live.model_dump()) == _content(then.model_dump())

    revert_after()
    with read_session(engine) as session:
        result = verify_chain(session, by=SYSTEM)
    assert result.ok, result.message
