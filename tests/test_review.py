"""The review workflow and its role rules, called directly on the services."""

from __future__ import annotations

import pytest

from records.db import read_session, unit_of_work
from records.errors import NotFound, PermissionDenied, ValidationError
from records.services.access import SYSTEM
from records.services.incidents import create_incident, get_incident, update_incident
from records.services.review import (
    add_comment,
    archive_incident,
    publish_incident,
    reopen_incident,
    return_incident,
    submit_incident,
    verify_incident,
    workflow_actions,
)
from tests.factories import incident_data


def _call(engine, fn, *args, **kwargs):
    with unit_of_work(engine) as session:
        return fn(session, *args, **kwargs)


def _submitted(engine, users):
    draft = _call(engine, create_incident, incident_data(), by=users["carla"])
    return _call(engine, submit_incident, draft.ref, by=users["carla"],
                 expected_version=draft.version)


def test_full_workflow_draft_to_published(engine, users):
    submitted = _submitted(engine, users)
    assert submitted.status == "submitted"
    assert submitted.submitted_by == "carla"
    verified = _call(engine, verify_incident, submitted.ref, by=users["rana"],
                     expected_version=submitted.version)
    assert (verified.status, verified.verified_by) == ("verified", "rana")
    published = _call(engine, publish_incident, verified.ref, by=users["ravi"],
                      expected_version=verified.version)
    assert published.status == "published"


def test_submitter_cannot_verify_own_record(engine, users):
    draft = _call(engine, create_incident, incident_data(), by=users["rana"])
    submitted = _call(engine, submit_incident, draft.ref, by=users["rana"],
                      expected_version=draft.version)
    with pytest.raises(PermissionDenied, match="Four-eyes"):
        _call(engine, verify_incident, submitted.ref, by=users["rana"],
              expected_version=submitted.version)
    with read_session(engine) as session:
        assert get_incident(session, draft.ref, by=users["rana"]).status == "submitted"


def test_last_editor_cannot_verify(engine, users):
    submitted = _submitted(engine, users)
    edited = _call(engine, update_incident, submitted.ref, {"locality": "Corrected place"},
                   by=users["rana"], expected_version=submitted.version)
    with pytest.raises(PermissionDenied, match="Four-eyes"):
        _call(engine, verify_incident, edited.ref, by=users["rana"],
              expected_version=edited.version)
    verified = _call(engine, verify_incident, edited.ref, by=users["ravi"],
                     expected_version=edited.version)
    assert verified.status == "verified"


def test_the_system_never_verifies(engine, users):
    submitted = _submitted(engine, users)
    with pytest.raises(PermissionDenied, match="named reviewer who did not edit or submit it"):
        _call(engine, verify_incident, submitted.ref, by=SYSTEM,
              expected_version=submitted.version)
    with read_session(engine) as session:
        assert get_incident(session, submitted.ref, by=SYSTEM).status == "submitted"
    # Other steps stay open to the system (the CLI on the server, without --as).
    returned = _call(engine, return_incident, submitted.ref, by=SYSTEM,
                     expected_version=submitted.version, comment="Add a source.")
    assert returned.status == "returned"


def test_caseworker_and_viewer_cannot_verify(engine, users):
    submitted = _submitted(engine, users)
    with pytest.raises(PermissionDenied, match="needs the Reviewer role"):
        _call(engine, verify_incident, submitted.ref, by=users["chen"],
              expected_version=submitted.version)
    # A viewer does not even see a record in review.
    with pytest.raises(NotFound):
        _call(engine, verify_incident, submitted.ref, by=users["vera"],
              expected_version=submitted.version)


def test_return_needs_a_comment_and_goes_back_to_draft(engine, users):
    submitted = _submitted(engine, users)
    with pytest.raises(ValidationError) as caught:
        _call(engine, return_incident, submitted.ref, by=users["rana"],
              expected_version=submitted.version, comment="  ")
    assert "comment" in caught.value.by_field()
    returned = _call(engine, return_incident, submitted.ref, by=users["rana"],
                     expected_version=submitted.version, comment="Add the source's date.")
    assert returned.status == "returned"
    assert [c.body for c in returned.comments] == ["Add the source's date."]
    reopened = _call(engine, reopen_incident, returned.ref, by=users["carla"],
                     expected_version=returned.version)
    assert reopened.status == "draft"


def test_editing_a_returned_record_makes_it_a_draft_again(engine, users):
    submitted = _submitted(engine, users)
    returned = _call(engine, return_incident, submitted.ref, by=users["rana"],
                     expected_version=submitted.version, comment="Fix the title.")
    edited = _call(engine, update_incident, returned.ref, {"title": "Fixed title"},
                   by=users["carla"], expected_version=returned.version)
    assert edited.status == "draft"


def test_caseworker_cannot_edit_submitted_record(engine, users):
    submitted = _submitted(engine, users)
    with pytest.raises(PermissionDenied):
        _call(engine, update_incident, submitted.ref, {"title": "Late change"},
              by=users["carla"], expected_version=submitted.version)


def test_changing_a_verified_record_needs_verification_again(engine, users):
    submitted = _submitted(engine, users)
    verified = _call(engine, verify_incident, submitted.ref, by=users["rana"],
                     expected_version=submitted.version)
    changed = _call(engine, update_incident, verified.ref, {"fatalities": 1},
                    by=users["ravi"], expected_version=verified.version)
    assert changed.status == "submitted"
    assert changed.verified_by is None


def test_only_admin_archives_and_needs_a_reason(engine, users):
    draft = _call(engine, create_incident, incident_data(), by=users["carla"])
    with pytest.raises(PermissionDenied):
        _call(engine, archive_incident, draft.ref, by=users["rana"],
              expected_version=draft.version, reason="duplicate")
    with pytest.raises(ValidationError):
        _call(engine, archive_incident, draft.ref, by=users["admin"],
              expected_version=draft.version, reason="")
    archived = _call(engine, archive_incident, draft.ref, by=users["admin"],
                     expected_version=draft.version, reason="duplicate of INC-2020-00002")
    assert archived.status == "archived"
    with pytest.raises(PermissionDenied, match="archived"):
        _call(engine, update_incident, draft.ref, {"title": "x"}, by=users["admin"],
              expected_version=archived.version)


def test_workflow_refuses_wrong_status(engine, users):
    draft = _call(engine, create_incident, incident_data(), by=users["carla"])
    with pytest.raises(PermissionDenied, match="cannot be verified now: its status is Draft"):
        _call(engine, verify_incident, draft.ref, by=users["rana"],
              expected_version=draft.version)
    with pytest.raises(PermissionDenied, match="cannot be published now: its status is Draft"):
        _call(engine, publish_incident, draft.ref, by=users["rana"],
              expected_version=draft.version)


def test_caseworker_may_not_comment_on_others_records(engine, users):
    draft = _call(engine, create_incident, incident_data(), by=users["carla"])
    with pytest.raises(PermissionDenied):
        _call(engine, add_comment, draft.ref, "Looks fine", by=users["chen"])
    commented = _call(engine, add_comment, draft.ref, "Check the date", by=users["rana"])
    assert [(c.author, c.body) for c in commented.comments] == [("rana", "Check the date")]


def test_workflow_actions_follow_role_and_status(engine, users):
    submitted = _submitted(engine, users)
    assert workflow_actions(users["carla"], submitted) == []
    assert workflow_actions(users["rana"], submitted) == ["verify", "return"]
    assert workflow_actions(users["admin"], submitted) == ["verify", "return", "archive"]
    returned = _call(engine, return_incident, submitted.ref, by=users["rana"],
                     expected_version=submitted.version, comment="Add a source.")
    assert workflow_actions(users["carla"], returned) == ["submit", "reopen"]
    resubmitted = _call(engine, submit_incident, returned.ref, by=users["carla"],
                        expected_version=returned.version)
    assert resubmitted.status == "submitted"
