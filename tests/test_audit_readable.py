"""The trail in words: sentences that name people and records, labels instead of codes."""

from __future__ import annotations

import pytest

from records.db import read_session, unit_of_work
from records.errors import PermissionDenied
from records.services.audit import (
    audit_filter_choices,
    list_entries,
    readable_entries,
    readable_history,
)
from records.services.incidents import create_incident, update_incident
from records.services.review import add_comment, submit_incident, verify_incident
from records.services.users import authenticate, end_session, revoke_sessions, start_session
from tests.conftest import PASSWORD
from tests.factories import incident_data

VICTIM = {"person": {"full_name": "Fahim al-Taie"}, "outcome": "injured"}


def _verified(engine, users) -> str:
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(victims=[VICTIM]), by=users["carla"])
        edited = update_incident(session, created.ref, {"method": "ied"},
                                 by=users["carla"], expected_version=created.version)
        submitted = submit_incident(session, created.ref, by=users["carla"],
                                    expected_version=edited.version)
    with unit_of_work(engine) as session:
        add_comment(session, created.ref, "Checked the news reports", by=users["rana"])
        verify_incident(session, created.ref, by=users["rana"],
                        expected_version=submitted.version, reason="Checked the news reports")
    return created.ref


def test_the_history_speaks_in_names_and_labels(engine, users):
    ref = _verified(engine, users)
    with read_session(engine) as session:
        lines = readable_history(session, ref, by=users["carla"])
    assert [line.sentence for line in lines] == [
        "Rana verified the incident (submitted → verified): Checked the news reports",
        "Rana commented: Checked the news reports",
        "Carla submitted the incident for review (draft → submitted)",
        "Carla changed the incident: method",
        "Carla added a follow-up event (Complaint filed)",
        "Carla added the source Example News report",
        "Carla added the perpetrator Unidentified gunmen (test)",
        "Carla added the victim Fahim al-Taie",
        "Carla created the incident",
    ]
    verified, _comment, submitted, changed = lines[:4]
    assert [(d.field, d.old, d.new) for d in verified.details] == [
        ("status", "submitted", "verified"), ("verified by", "—", "Rana")]
    assert [(d.field, d.old, d.new) for d in submitted.details] == [
        ("status", "draft", "submitted"), ("submitted by", "—", "Carla")]
    assert [(d.field, d.old, d.new) for d in changed.details] == [
        ("method", "Firearm", "Improvised explosive device")]
    assert ("person", "—", "Fahim al-Taie") in [(d.field, d.old, d.new)
                                               for d in lines[7].details]


def test_the_audit_log_names_the_incident_and_the_events(engine, users):
    ref = _verified(engine, users)
    with unit_of_work(engine) as session:
        carla = authenticate(session, "carla", PASSWORD)
        token = start_session(session, by=carla)
        end_session(session, token, by=carla)
        revoke_sessions(session, "carla", by=users["admin"])  # none left: nothing written
    with read_session(engine) as session:
        page = list_entries(session, by=users["admin"], page_size=5)
        lines = readable_entries(session, page.items, by=users["admin"])
    assert [line.sentence for line in lines] == [
        "Carla logged out",
        "Carla logged in",
        f"Rana verified the incident {ref} (submitted → verified): Checked the news reports",
        f"Rana commented on {ref}: Checked the news reports",
        f"Carla submitted the incident {ref} for review (draft → submitted)",
    ]


def test_filters_offer_users_and_actions_by_name(engine, users):
    with read_session(engine) as session:
        people, actions = audit_filter_choices(session, by=users["rana"])
    assert list(people.items())[:3] == [("system", "The system"), ("admin", "Admin (admin)"),
                                        ("carla", "Carla (carla)")]
    assert actions["verify"] == "verified" and actions["login_failed"] == "failed log-in"


def test_viewers_read_no_trail(engine, users):
    with pytest.raises(PermissionDenied), read_session(engine) as session:
        audit_filter_choices(session, by=users["vera"])
