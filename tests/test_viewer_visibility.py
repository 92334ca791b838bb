"""Viewers read verified and published incidents only: drafts, submitted, returned and
archived records are work in progress, and for a viewer they do not exist — not by ref, not
in a list, a count, a lookup or a search by name. Caseworkers and up still see them."""

from __future__ import annotations

import json

import pytest

from records.db import read_session, unit_of_work
from records.errors import NotFound
from records.services.exchange import ExportFilters, ExportRequest, run_export
from records.services.incidents import (
    IncidentFilter,
    create_incident,
    get_incident,
    list_incidents,
)
from records.services.people import list_actors
from records.services.review import (
    archive_incident,
    publish_incident,
    return_incident,
    submit_incident,
    verify_incident,
)
from records.services.stats import dashboard_stats
from tests.factories import incident_data

DRAFT_ONLY_NAME = "Rawa Only-In-Drafts"
DRAFT_ONLY_GROUP = "Battalion Only-In-Drafts"


def _victim(name: str) -> list[dict]:
    # Consented, so a viewer would see the name wherever the incident is visible.
    return [{"person": {"full_name": name, "profiles": ["activist"]}, "outcome": "injured",
             "consent_to_publish_name": True}]


def _seed(engine, users) -> dict[str, str]:
    """status → ref: one incident in each status; only the draft names DRAFT_ONLY_*."""
    carla, rana, ravi = users["carla"], users["rana"], users["ravi"]
    refs = {}
    with unit_of_work(engine) as session:
        refs["draft"] = create_incident(session, incident_data(
            title="Draft about Rawa", victims=_victim(DRAFT_ONLY_NAME),
            perpetrators=[{"actor": {"name": DRAFT_ONLY_GROUP,
                                     "actor_type": "state_affiliated_armed_group"},
                           "attribution": "alleged"}]), by=carla).ref
        for status in ("submitted", "returned", "verified", "published", "archived"):
            created = create_incident(session, incident_data(
                title=f"A {status} incident", victims=_victim(f"Victim of {status}")),
                by=carla)
            record = submit_incident(session, created.ref, by=carla,
                                     expected_version=created.version)
            if status == "returned":
                record = return_incident(session, record.ref, by=rana, comment="Fix it.",
                                         expected_version=record.version)
            if status in ("verified", "published"):
                record = verify_incident(session, record.ref, by=rana,
                                         expected_version=record.version)
            if status == "published":
                record = publish_incident(session, record.ref, by=ravi,
                                          expected_version=record.version)
            if status == "archived":
                record = archive_incident(session, record.ref, by=users["admin"],
                                          expected_version=record.version, reason="dup")
            assert record.status == status
            refs[status] = record.ref
    return refs


@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "archived"])
def test_a_viewer_cannot_open_work_in_progress_by_ref(engine, users, status):
    refs = _seed(engine, users)
    with read_session(engine) as session:
        with pytest.raises(NotFound) as hidden:
            get_incident(session, refs[status], by=users["vera"])
        with pytest.raises(NotFound) as missing:
            get_incident(session, "INC-2020-09999", by=users["vera"])
        # A caseworker who did not write it still reads it.
        assert get_incident(session, refs[status], by=users["chen"]).status == status
    assert str(hidden.value) == f"no incident {refs[status]}"
    assert str(missing.value) == "no incident INC-2020-09999"


def test_a_viewer_reads_verified_and_published_incidents(engine, users):
    refs = _seed(engine, users)
    with read_session(engine) as session:
        shown = [get_incident(session, refs[s], by=users["vera"]).status
                 for s in ("verified", "published")]
    assert shown == ["verified", "published"]


def test_the_dashboard_counts_for_a_viewer_only_what_they_may_read(engine, users):
    _seed(engine, users)
    with read_session(engine) as session:
        viewer = dashboard_stats(session, by=users["vera"])
        caseworker = dashboard_stats(session, by=users["chen"])
    assert (viewer.total, viewer.by_status) == (2, {"verified": 1, "published": 1})
    assert viewer.victims_by_profile == {"activist": 2}
    assert viewer.by_actor_type == {"unidentified_gunmen": 2}
    assert caseworker.by_status == {"draft": 1, "submitted": 1, "returned": 1,
                                    "verified": 1, "published": 1}


def test_the_incidents_list_shows_a_viewer_no_work_in_progress(engine, users):
    refs = _seed(engine, users)
    with read_session(engine) as session:
        listed = list_incidents(session, by=users["vera"])
        asked = list_incidents(session, by=users["vera"], filters=IncidentFilter(
            statuses=["draft", "submitted", "returned", "archived"]))
        archived = list_incidents(session, by=users["vera"],
                                  filters=IncidentFilter(include_archived=True))
        by_ref = list_incidents(session, by=users["vera"],
                                filters=IncidentFilter(text=refs["draft"]))
    assert sorted(i.status for i in listed.items) == ["published", "verified"]
    assert listed.total == 2
    assert (asked.total, asked.items) == (0, [])
    assert archived.total == 2
    assert by_ref.total == 0


def test_a_person_or_group_only_in_drafts_cannot_be_found_by_a_viewer(engine, users):
    _seed(engine, users)
    with read_session(engine) as session:
        by_name = list_incidents(session, by=users["vera"],
                                 filters=IncidentFilter(text=DRAFT_ONLY_NAME))
        by_title = list_incidents(session, by=users["vera"],
                                  filters=IncidentFilter(text="Draft about Rawa"))
        groups = [a.name for a in list_actors(session, by=users["vera"])]
        # The same searches find them for a caseworker: the draft is what hides them.
        caseworker = list_incidents(session, by=users["chen"],
                                    filters=IncidentFilter(text=DRAFT_ONLY_NAME))
        caseworker_groups = [a.name for a in list_actors(session, by=users["chen"])]
    assert (by_name.total, by_title.total) == (0, 0)
    assert DRAFT_ONLY_GROUP not in groups
    assert groups == ["Unidentified gunmen (test)"]
    assert caseworker.total == 1
    assert DRAFT_ONLY_GROUP in caseworker_groups


def test_a_viewer_still_exports_the_public_records(engine, users, tmp_path):
    refs = _seed(engine, users)
    out = tmp_path / "public.json"
    result = run_export(engine, ExportRequest("json", out, "public", ExportFilters()),
                        by=users["vera"])
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert result.incidents == 2
    assert sorted(i["ref"] for i in exported["incidents"]) == sorted(
        [refs["verified"], refs["published"]])
