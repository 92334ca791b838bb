"""Reading the trail: pages of entries, an incident's history, who may read what, the CLI."""

from __future__ import annotations

import datetime as dt

import pytest

from records.db import read_session, unit_of_work
from records.errors import NotFound, PermissionDenied, ValidationError
from records.services.audit import FieldChange, incident_history, list_entries
from records.services.incidents import create_incident, update_incident
from tests.factories import incident_data

BARE = {"victims": [], "perpetrators": [], "citations": [], "case_events": []}


def _create(engine, by, **overrides):
    with unit_of_work(engine) as session:
        return create_incident(session, incident_data(**overrides), by=by)


def _edit(engine, by, incident, **changes):
    with unit_of_work(engine) as session:
        return update_incident(session, incident.ref, changes, by=by,
                               expected_version=incident.version)


def test_viewers_may_not_read_the_trail(engine, users):
    with read_session(engine) as session, pytest.raises(PermissionDenied):
        list_entries(session, by=users["vera"])
    with read_session(engine) as session, pytest.raises(PermissionDenied):
        incident_history(session, "INC-2020-00001", by=users["vera"])


def test_caseworkers_see_only_entries_of_incidents_they_can_see(engine, users):
    public = _create(engine, users["carla"], **BARE)
    secret = _create(engine, users["carla"], sensitivity="restricted", **BARE)
    own = _create(engine, users["chen"], sensitivity="restricted", **BARE)
    with read_session(engine) as session:
        page = list_entries(session, by=users["chen"])
        with pytest.raises(NotFound):
            incident_history(session, secret.ref, by=users["chen"])
        everything = list_entries(session, by=users["rana"], page_size=1000)
    assert [(e.action, e.incident_ref) for e in page.items] == [
        ("create", own.ref), ("create", public.ref)]
    assert page.total == 2
    assert everything.total > 100  # vocabularies, users and all three incidents
    assert {e.incident_ref for e in everything.items} >= {public.ref, secret.ref, own.ref}


def test_filters_combine_and_pages_come_newest_first(engine, users):
    incident = _create(engine, users["carla"], **BARE)
    for n in range(3):
        incident = _edit(engine, users["rana"], incident, title=f"Edit {n}")
    with read_session(engine) as session:
        by_rana = list_entries(session, by=users["admin"], actor_name="rana",
                               entity_ref=incident.ref.lower(), page=1, page_size=2)
        second = list_entries(session, by=users["admin"], actor_name="rana",
                              entity_ref=incident.ref, page=2, page_size=2)
        creates = list_entries(session, by=users["admin"], entity_ref=incident.ref,
                               action="create")
        future = list_entries(session, by=users["admin"], since=dt.date(2999, 1, 1))
        system = list_entries(session, by=users["admin"], actor_name="system",
                              entity_ref="vocabulary_term:1")
    # rana's first edit also made her the last editor (the four-eyes column).
    editor = FieldChange(field="last_edited_by_id", old=users["carla"].id,
                         new=users["rana"].id)
    assert [e.changes for e in by_rana.items] == [
        [FieldChange(field="title", old="Edit 1", new="Edit 2")],
        [FieldChange(field="title", old="Edit 0", new="Edit 1")],
    ]
    assert (by_rana.total, by_rana.pages) == (3, 2)
    assert [e.changes for e in second.items] == [
        [editor, FieldChange(field="title", old=incident_data()["title"], new="Edit 0")]]
    assert {e.actor for e in by_rana.items} == {"rana"}
    assert [(e.actor, e.entity_type) for e in creates.items] == [("carla", "incident")]
    assert future.total == 0
    assert [(e.actor, e.action, e.entity_id) for e in system.items] == [
        ("system", "create", 1)]


def test_unknown_user_and_malformed_entity_are_refused(engine, users):
    with read_session(engine) as session:
        with pytest.raises(NotFound):
            list_entries(session, by=users["admin"], actor_name="nobody")
        with pytest.raises(ValidationError):
            list_entries(session, by=users["admin"], entity_ref="the big one")


def test_history_holds_every_change_of_the_incident_oldest_first(engine, users):
    incident = _create(engine, users["carla"])
    _edit(engine, users["carla"], incident, title="Better title", injured=2)
    with read_session(engine) as session:
        history = incident_history(session, incident.ref.lower(), by=users["carla"])
    assert [(e.action, e.entity_type) for e in history] == [
        ("create", "incident"), ("create", "victim"), ("create", "perpetrator"),
        ("create", "citation"), ("create", "case_event"), ("update", "incident")]
    assert history[-1].changes == [
        FieldChange(field="injured", old=1, new=2),
        FieldChange(field="title",
                    old="Shooting of a protest organiser near Tahrir Square (fictional)",
                    new="Better title")]
    assert history[-1].actor == "carla"
    assert [e.seq for e in history] == sorted(e.seq for e in history)


def test_cli_log_prints_the_newest_entries_of_an_incident(engine, users, sijil):
    incident = _create(engine, users["carla"], **BARE)
    _edit(engine, users["rana"], incident, title="Edited title")
    done = sijil(engine, "audit", "log", "--entity", incident.ref, "--limit", "1")
    assert done.returncode == 0, done.stderr
    fields = done.stdout.rstrip("\n").split("\t")
    assert fields[2:] == ["rana", "update", f"incident:{incident.id}", incident.ref,
                          f"last_edited_by_id: {users['carla'].id} -> {users['rana'].id}; "
                          'title: "Shooting of a protest organiser near Tahrir Square '
                          '(fictional)" -> "Edited title"']
    assert done.stderr == "(1 of 2 entries; use --limit for more)\n"


def test_cli_log_refuses_a_bad_date_in_one_line(engine, users, sijil_process):
    done = sijil_process(engine, "audit", "log", "--since", "last tuesday")
    assert done.returncode == 1
    assert done.stderr == "sijil: --since: 'last tuesday' is not a date (YYYY-MM-DD)\n"


def test_cli_log_as_a_viewer_is_refused_in_one_line(engine, users, sijil):
    done = sijil(engine, "audit", "log", "--as", "vera")
    assert done.returncode == 1
    assert done.stderr.startswith("sijil: vera (Viewer) may not read the audit trail")
    assert len(done.stderr.splitlines()) == 1
