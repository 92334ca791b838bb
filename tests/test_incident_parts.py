"""Victims, perpetrators, citations and case events of an existing incident."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import func, select

from records.db import read_session, unit_of_work
from records.errors import ConflictError, ValidationError
from records.models import Person
from records.services.incidents import add_part, create_incident, remove_part, update_victim
from records.services.people import find_similar_people
from tests.factories import incident_data


def _call(engine, fn, *args, **kwargs):
    with unit_of_work(engine) as session:
        return fn(session, *args, **kwargs)


def test_adding_a_victim_bumps_the_incident_version_and_counts(engine, users):
    created = _call(engine, create_incident, incident_data(), by=users["carla"])
    updated = _call(engine, add_part, created.ref, "victims",
                    {"person": {"full_name": "Layla Example", "name_original": "ليلى المثال"},
                     "outcome": "killed"},
                    by=users["carla"], expected_version=created.version)
    assert updated.version == created.version + 1
    assert updated.fatalities == 1
    assert sorted(v.person.full_name for v in updated.victims) == ["Layla Example",
                                                                   "Sami Example"]
    with pytest.raises(ConflictError), unit_of_work(engine) as session:
        add_part(session, created.ref, "case_events",
                 {"date": dt.date(2020, 4, 1), "kind": "arrest"},
                 by=users["carla"], expected_version=created.version)


def test_an_existing_person_is_linked_not_copied(engine, users):
    first = _call(engine, create_incident, incident_data(), by=users["carla"])
    uid = first.victims[0].person.uid
    second = _call(engine, create_incident,
                   incident_data(victims=[{"person_uid": uid, "outcome": "unharmed"}]),
                   by=users["carla"])
    assert second.victims[0].person.uid == uid
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Person)).one() == 1
    with pytest.raises(ValidationError) as caught:
        _call(engine, add_part, second.ref, "victims", {"person_uid": uid, "outcome": "killed"},
              by=users["carla"], expected_version=second.version)
    assert "victims.0.person_uid" in caught.value.by_field()


def test_likely_duplicate_names_are_found_across_spellings(engine, users):
    _call(engine, create_incident, incident_data(), by=users["carla"])
    with read_session(engine) as session:
        latin = find_similar_people(session, "sami example", by=users["carla"])
        arabic = find_similar_people(session, "سامي", by=users["carla"])
    assert [p.full_name for p in latin] == ["Sami Example"]
    assert [p.full_name for p in arabic] == ["Sami Example"]


def test_update_and_remove_a_victim(engine, users):
    created = _call(engine, create_incident, incident_data(), by=users["carla"])
    victim_id = created.victims[0].id
    changed = _call(engine, update_victim, created.ref, victim_id, {"outcome": "killed"},
                    by=users["carla"], expected_version=created.version)
    assert changed.victims[0].outcome == "killed"
    assert changed.fatalities == 1
    removed = _call(engine, remove_part, changed.ref, "victims", victim_id,
                    by=users["carla"], expected_version=changed.version)
    assert removed.victims == []
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Person)).one() == 1


def test_bad_part_names_the_field(engine, users):
    created = _call(engine, create_incident, incident_data(), by=users["carla"])
    with pytest.raises(ValidationError) as caught:
        _call(engine, add_part, created.ref, "perpetrators",
              {"actor": {"name": "Group X", "actor_type": "aliens"}, "attribution": "alleged"},
              by=users["carla"], expected_version=created.version)
    assert "perpetrators.0.actor.actor_type" in caught.value.by_field()
    with pytest.raises(ValidationError) as caught:
        _call(engine, add_part, created.ref, "citations",
              {"source": {"kind": "media", "title": "T", "reliability": "Z"}},
              by=users["carla"], expected_version=created.version)
    assert "citations.0.source.reliability" in caught.value.by_field()
