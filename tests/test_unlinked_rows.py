"""People, groups and sources left in no incident: those only a restricted or purged
incident ever held stay hidden below reviewer (no lookup, list, filter option, reference by
uid or export shows them), and a purge destroys the data keys of the people and sources only
it named; what an open incident also holds stays as visible as it was."""

from __future__ import annotations

import base64
import json
import os

import pytest
from sqlmodel import select

from records.db import read_session, unit_of_work
from records.errors import ValidationError
from records.keys import ErasedKeyError, MasterKey, load_data_key
from records.models import Incident
from records.services.audit import purge, verify_chain
from records.services.exchange import ExportFilters, ExportRequest, run_export
from records.services.incidents import create_incident, get_incident, remove_part
from records.services.linkage import person_candidates
from records.services.people import (
    find_likely_people,
    find_similar_people,
    list_actors,
    list_sources,
)
from tests.factories import incident_data

CONSENTING = "Qasim Only-In-Restricted"
WITNESS = "Wadiha Sealed-Witness"
GROUP = "Brigade Only-In-Restricted"
SECRET_TITLE = "Interview W-17 in Najaf"
OPEN_TITLE = "Example News report"


def _restricted(engine, users, **extra) -> str:
    """A restricted incident by carla whose people, group and confidential source appear
    nowhere else (the shared news report and gunmen of the factory aside)."""
    parts = dict(
        victims=[{"person": {"full_name": CONSENTING}, "outcome": "unharmed",
                  "consent_to_publish_name": True},
                 {"person": {"full_name": WITNESS, "profiles": ["witness"]},
                  "outcome": "unharmed"}],
        perpetrators=[{"actor": {"name": GROUP, "actor_type": "state_affiliated_armed_group"},
                       "attribution": "alleged"}],
        citations=[{"source": {"kind": "witness_testimony", "title": SECRET_TITLE,
                               "is_confidential": True},
                    "statement": "The witness describes the raid."}])
    data = incident_data(sensitivity="restricted", **{**parts, **extra})
    with unit_of_work(engine) as session:
        return create_incident(session, data, by=users["carla"]).ref


def _uids(engine, ref) -> dict[str, str]:
    with read_session(engine) as session:
        incident = session.exec(select(Incident).where(Incident.ref == ref)).one()
        return {"consenting": incident.victims[0].person.uid,
                "witness": incident.victims[1].person.uid,
                "actor": incident.perpetrators[0].actor.uid,
                "source": incident.citations[0].source.uid}


def _seen(engine, by) -> dict[str, list[str]]:
    """What `by` finds of the restricted incident's rows, lookup by lookup."""
    with read_session(engine) as session:
        seen = {"actors": [a.name for a in list_actors(session, by=by)],
                "actors_by_text": [a.name for a in list_actors(session, by=by, text="Brigade")]}
        if by.role == "viewer":
            return seen
        seen["sources"] = [s.title for s in list_sources(session, by=by)]
        seen["people"] = [p.full_name for p in find_similar_people(session, "Qasim", by=by)]
        seen["likely"] = [p.full_name for p, _s, _r in find_likely_people(
            session, CONSENTING, by=by)]
        return seen


def _refused_as_unknown(engine, by, uids) -> list[str]:
    """The fields refused when `by` refers to each row by uid in a new incident."""
    data = incident_data(
        victims=[{"person_uid": uids["consenting"], "outcome": "injured"}],
        perpetrators=[{"actor_uid": uids["actor"], "attribution": "alleged"}],
        citations=[{"source_uid": uids["source"], "statement": "x"}])
    try:
        with unit_of_work(engine) as session:
            create_incident(session, data, by=by)
    except ValidationError as refused:
        return sorted(p.field for p in refused.problems)
    return []


HIDDEN = {"actors": ["Unidentified gunmen (test)"],
          "actors_by_text": [],
          "sources": [OPEN_TITLE],
          "people": [],
          "likely": []}
ALL_REFUSED = ["citations.0.source_uid", "perpetrators.0.actor_uid", "victims.0.person_uid"]


def _open_incident(engine, users) -> str:
    """An open incident by chen: the factory's victim, gunmen and news report."""
    with unit_of_work(engine) as session:
        return create_incident(session, incident_data(), by=users["chen"]).ref


def test_after_purging_a_restricted_incident_no_caseworker_finds_its_rows(engine, users):
    _open_incident(engine, users)
    ref = _restricted(engine, users)
    uids = _uids(engine, ref)
    with unit_of_work(engine) as session:
        purge(session, ref, by=users["admin"], reason="the witness asked")
    # Nobody below reviewer finds them: not the caseworker's source lookup (which would
    # show the confidential title, opened), nor the author now that the incident is gone.
    for name in ("chen", "carla"):
        assert _seen(engine, users[name]) == HIDDEN, name
        assert _refused_as_unknown(engine, users[name], uids) == ALL_REFUSED, name
    assert _seen(engine, users["vera"]) == {"actors": [], "actors_by_text": []}
    # Reviewers still see the rows (the confidential title is erased with its key).
    reviewer = _seen(engine, users["rana"])
    assert reviewer["actors"] == [GROUP, "Unidentified gunmen (test)"]
    assert reviewer["sources"] == [OPEN_TITLE, "[erased]"]
    with read_session(engine) as session:
        result = verify_chain(session, by=users["admin"])
    assert result.ok, result.message


def test_linkage_candidates_offer_no_person_removed_from_a_restricted_incident(engine, users):
    """A caseworker's list of likely duplicates never pairs a person whom only a
    restricted incident held; a reviewer's still does."""
    ref = _restricted(engine, users)
    carla = users["carla"]
    with unit_of_work(engine) as session:
        record = get_incident(session, ref, by=carla)
        remove_part(session, ref, "victims", record.victims[0].id, by=carla,
                    expected_version=record.version)
    with unit_of_work(engine) as session:
        create_incident(session, incident_data(victims=[
            {"person": {"full_name": CONSENTING}, "outcome": "injured",
             "consent_to_publish_name": True}]), by=users["chen"])
    with read_session(engine) as session:
        pairs = person_candidates(session, by=users["chen"], min_score=0.0)
        reviewer = person_candidates(session, by=users["rana"], min_score=0.0)
    assert pairs == []
    assert [(c.a_name, c.b_name) for c in reviewer] == [(CONSENTING, CONSENTING)]


def test_an_export_below_reviewer_names_no_purged_row(engine, users, tmp_path):
    _open_incident(engine, users)
    ref = _restricted(engine, users)
    with unit_of_work(engine) as session:
        purge(session, ref, by=users["admin"], reason="the witness asked")
    out = tmp_path / "partner.json"
    run_export(engine, ExportRequest("json", out, "partner", ExportFilters(statuses=None)),
               by=users["chen"])
    text = out.read_text(encoding="utf-8")
    assert json.loads(text)["incidents"][0]["citations"][0]["source"]["title"] == OPEN_TITLE
    for value in (CONSENTING, WITNESS, GROUP, SECRET_TITLE):
        assert value not in text


def test_a_purge_destroys_the_keys_of_the_people_and_sources_only_it_named(engine, users):
    ref = _restricted(engine, users)
    uids = _uids(engine, ref)
    with unit_of_work(engine) as session:
        purge(session, ref, by=users["admin"], reason="the witness asked")
    master = MasterKey(base64.urlsafe_b64decode(os.environ["SIJIL_SECRET_KEY"]), "test")
    with engine.connect() as conn:
        for owner in (f"person:{uids['witness']}", f"source:{uids['source']}"):
            with pytest.raises(ErasedKeyError):
                load_data_key(conn, master, owner)
    with read_session(engine) as session:
        # The reviewer finds the rows, their sealed values erased for good.
        titles = [s.title for s in list_sources(session, by=users["rana"])]
        names = [p.full_name for p in find_similar_people(session, "Wadiha",
                                                          by=users["rana"])]
    assert titles == ["[erased]"]
    assert names == []  # a sealed name is found by nobody, and this one never again


def test_a_part_removed_from_a_restricted_incident_stays_hidden(engine, users):
    _open_incident(engine, users)
    ref = _restricted(engine, users)
    uids = _uids(engine, ref)
    carla = users["carla"]
    for part in ("victims", "perpetrators", "citations"):
        with unit_of_work(engine) as session:
            record = get_incident(session, ref, by=carla)
            remove_part(session, ref, part, getattr(record, part)[0].id, by=carla,
                        expected_version=record.version)
    # The removed rows are in no incident now; the author lost them with the links.
    for name in ("chen", "carla"):
        assert _seen(engine, users[name]) == HIDDEN, name
        assert _refused_as_unknown(engine, users[name], uids) == ALL_REFUSED, name
    with read_session(engine) as session:
        result = verify_chain(session, by=users["admin"])
    assert result.ok, result.message


def test_a_row_shared_with_an_open_incident_stays_visible_and_readable(engine, users):
    opened = _open_incident(engine, users)
    with read_session(engine) as session:
        record = get_incident(session, opened, by=users["chen"])
        shared = {"person": record.victims[0].person.uid,
                  "source": record.citations[0].source.uid}
    ref = _restricted(engine, users, victims=[
        {"person_uid": shared["person"], "outcome": "injured"}], citations=[
        {"source_uid": shared["source"], "statement": "also here"}])
    with unit_of_work(engine) as session:
        purge(session, ref, by=users["admin"], reason="duplicate")
    with read_session(engine) as session:
        sources = [s.title for s in list_sources(session, by=users["chen"])]
        people = [p.full_name for p in find_similar_people(session, "Sami Example",
                                                           by=users["chen"])]
        actors = [a.name for a in list_actors(session, by=users["vera"])]
    assert sources == [OPEN_TITLE]
    assert people == ["Sami Example"]
    # The purged incident's own group is gone for a viewer; the open incident is a draft,
    # which viewers do not read yet.
    assert actors == []
    with unit_of_work(engine) as session:
        cited = create_incident(session, incident_data(
            victims=[{"person_uid": shared["person"], "outcome": "injured"}],
            citations=[{"source_uid": shared["source"], "statement": "x"}]),
            by=users["chen"])
    assert cited.citations[0].source.title == OPEN_TITLE


def test_a_part_removed_from_an_open_incident_stays_visible(engine, users):
    ref = _open_incident(engine, users)
    chen = users["chen"]
    with unit_of_work(engine) as session:
        record = get_incident(session, ref, by=chen)
        remove_part(session, ref, "citations", record.citations[0].id, by=chen,
                    expected_version=record.version)
    with read_session(engine) as session:
        assert [s.title for s in list_sources(session, by=users["carla"])] == [OPEN_TITLE]


def test_whom_a_restricted_case_event_concerns_is_hidden_like_its_victims(engine, users):
    """A commander named only in a restricted incident's follow-up exists for nobody who
    may not see that incident."""
    ref = _restricted(engine, users, case_events=[
        {"date": "2020-03-20", "kind": "arrest", "description": "Arrested.",
         "person": {"full_name": "Commander Only-In-Restricted", "is_public_figure": True}},
        {"date": "2020-03-21", "kind": "complaint", "description": "Complaint.",
         "actor": {"name": "Unit Only-In-A-Case-Event", "actor_type": "state_forces"}}])
    with read_session(engine) as session:
        events = session.exec(select(Incident).where(Incident.ref == ref)).one().case_events
        person_uid = next(e.person.uid for e in events if e.person)
    data = incident_data(perpetrators=[{"person_uid": person_uid, "attribution": "alleged"}])
    with pytest.raises(ValidationError) as refused, unit_of_work(engine) as session:
        create_incident(session, data, by=users["chen"])
    assert [p.field for p in refused.value.problems] == ["perpetrators.0.person_uid"]
    with read_session(engine) as session:
        found = find_similar_people(session, "Commander Only", by=users["chen"])
        actors = [a.name for a in list_actors(session, by=users["chen"], text="Unit Only")]
    assert (found, actors) == ([], [])


def test_evidence_cannot_name_a_hidden_source(engine, users, files):
    """Attaching a file "from" a source is a reference like any other: a uid that only a
    restricted incident holds is refused as unknown, with the words of a uid nobody has."""
    from records.services.evidence import add_attachment

    opened = _open_incident(engine, users)
    uids = _uids(engine, _restricted(engine, users))
    with pytest.raises(ValidationError) as refused, unit_of_work(engine) as session:
        add_attachment(session, opened, filename="note.txt", data=b"a note",
                       by=users["chen"], source_uid=uids["source"])
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("source_uid", "no source with this uid")]


def test_a_hidden_group_is_not_found_by_its_name_either(engine, users):
    """A caseworker naming a group that only a restricted incident holds gets a group of
    their own, not the hidden one (whose uid, aliases and parent would then show)."""
    uids = _uids(engine, _restricted(engine, users))
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(perpetrators=[
            {"actor": {"name": GROUP, "actor_type": "state_affiliated_armed_group"},
             "attribution": "alleged"}]), by=users["chen"])
    assert created.perpetrators[0].actor.uid != uids["actor"]
    with unit_of_work(engine) as session:
        again = create_incident(session, incident_data(perpetrators=[
            {"actor": {"name": GROUP, "actor_type": "state_affiliated_armed_group"},
             "attribution": "alleged"}]), by=users["carla"])
    # The author of the restricted incident sees both and is given the first made.
    assert again.perpetrators[0].actor.uid == uids["actor"]
