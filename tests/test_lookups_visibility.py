"""Lookups, filter options and references by uid see no further than the incident pages:
a person, actor or source that appears only in a restricted incident does not exist for a
user who may not see that incident."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from records.db import read_session, unit_of_work
from records.errors import ValidationError
from records.models import Incident
from records.services.incidents import create_incident
from records.services.people import find_similar_people, list_actors, list_sources
from records.services.review import submit_incident, verify_incident
from tests.factories import incident_data

SECRET_CONTACT = "+964 770 000 1111 safe house"


def _restricted(engine, by) -> str:
    """A restricted incident whose witness, group and source appear nowhere else."""
    data = incident_data(
        sensitivity="restricted",
        # Consenting, so the name is in clear and can be looked up at all (a withheld name
        # is sealed at rest and found by nobody: tests/test_encryption_at_rest.py).
        victims=[{"person": {"full_name": "Hidden Witness Qasim", "contact": SECRET_CONTACT},
                  "outcome": "unharmed", "consent_to_publish_name": True}],
        perpetrators=[{"actor": {"name": "Brigade Only-In-Restricted",
                                 "actor_type": "state_affiliated_armed_group"},
                       "attribution": "alleged"}],
        citations=[{"source": {"kind": "media", "title": "Leaked memo on the brigade"},
                    "statement": "names the brigade"}])
    with unit_of_work(engine) as session:
        return create_incident(session, data, by=by).ref


def _uids(engine, ref) -> dict[str, str]:
    with read_session(engine) as session:
        incident = session.exec(select(Incident).where(Incident.ref == ref)).one()
        return {"person": incident.victims[0].person.uid,
                "actor": incident.perpetrators[0].actor.uid,
                "source": incident.citations[0].source.uid}


def test_people_lookup_hides_people_of_incidents_the_user_may_not_see(engine, users):
    _restricted(engine, users["carla"])
    with read_session(engine) as session:
        other = find_similar_people(session, "Hidden Witness", by=users["chen"])
        author = find_similar_people(session, "Hidden Witness", by=users["carla"])
        reviewer = find_similar_people(session, "hidden witness", by=users["rana"])
    assert other == []
    assert [p.full_name for p in author] == ["Hidden Witness Qasim"]
    assert [p.full_name for p in reviewer] == ["Hidden Witness Qasim"]
    # Choosing a person to attach needs no contact: no lookup ever carries one.
    assert author[0].contact is None and reviewer[0].contact is None


def test_actor_and_source_lists_hide_what_only_restricted_incidents_hold(engine, users):
    _restricted(engine, users["carla"])
    with unit_of_work(engine) as session:
        draft = create_incident(session, incident_data(), by=users["carla"])
    # Viewers read verified and published incidents only.
    with unit_of_work(engine) as session:
        submitted = submit_incident(session, draft.ref, by=users["carla"],
                                    expected_version=draft.version)
    with unit_of_work(engine) as session:
        verify_incident(session, draft.ref, by=users["rana"],
                        expected_version=submitted.version)
    with read_session(engine) as session:
        viewer_actors = [a.name for a in list_actors(session, by=users["vera"])]
        chen_actors = [a.name for a in list_actors(session, by=users["chen"])]
        reviewer_actors = [a.name for a in list_actors(session, by=users["rana"])]
        chen_sources = [s.title for s in list_sources(session, by=users["chen"])]
        carla_sources = [s.title for s in list_sources(session, by=users["carla"])]
    assert viewer_actors == ["Unidentified gunmen (test)"]
    assert chen_actors == ["Unidentified gunmen (test)"]
    assert reviewer_actors == ["Brigade Only-In-Restricted", "Unidentified gunmen (test)"]
    assert chen_sources == ["Example News report"]
    assert carla_sources == ["Example News report", "Leaked memo on the brigade"]


@pytest.mark.parametrize("part", ["person", "actor", "source"])
def test_a_uid_from_a_hidden_incident_is_refused_as_unknown(engine, users, part):
    uids = _uids(engine, _restricted(engine, users["carla"]))
    reference = {
        "person": {"victims": [{"person_uid": uids["person"], "outcome": "injured"}]},
        "actor": {"perpetrators": [{"actor_uid": uids["actor"], "attribution": "alleged"}]},
        "source": {"citations": [{"source_uid": uids["source"], "statement": "x"}]},
    }[part]
    field = {"person": "victims.0.person_uid", "actor": "perpetrators.0.actor_uid",
             "source": "citations.0.source_uid"}[part]
    with pytest.raises(ValidationError) as refused, unit_of_work(engine) as session:
        create_incident(session, incident_data(**reference), by=users["chen"])
    assert [(p.field, p.message) for p in refused.value.problems] == [
        (field, f"no {part} with this uid")]
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Incident)).one() == 1
    # The author of the restricted incident may refer to what it holds.
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(**reference), by=users["carla"])
    assert created.ref == "INC-2020-00002"


def test_defining_a_row_with_a_hidden_uid_is_refused_too(engine, users):
    uids = _uids(engine, _restricted(engine, users["carla"]))
    data = incident_data(victims=[{"person": {"full_name": "Someone Else",
                                              "uid": uids["person"]},
                                   "outcome": "injured"}])
    with pytest.raises(ValidationError) as refused, unit_of_work(engine) as session:
        create_incident(session, data, by=users["chen"])
    assert [p.field for p in refused.value.problems] == ["victims.0.person_uid"]
