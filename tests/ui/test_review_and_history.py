"""Review queue, four eyes, history diffs, revert and the audit log page."""

from __future__ import annotations

import datetime as dt
import re

from records.db import read_session, unit_of_work
from records.models.incident_io import IncidentCreate
from records.services.incidents import (
    create_incident,
    create_incidents,
    get_incident,
    remove_part,
    update_incident,
)
from records.services.review import submit_incident
from tests.factories import incident_data
from tests.ui.conftest import button, no_exceptions, shown, texts

QUEUE = "app_pages/review_queue.py"
INCIDENT = "app_pages/incident.py"


def _submitted(engine, by, **overrides):
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(**overrides), by=by)
        return submit_incident(session, created.ref, by=by,
                               expected_version=created.version)


def _status(engine, ref, by):
    with read_session(engine) as session:
        return get_incident(session, ref, by=by).status


def test_a_reviewer_verifies_what_a_caseworker_submitted(app, engine, users):
    submitted = _submitted(engine, users["carla"])
    at = no_exceptions(app.open("rana", QUEUE))
    assert "1 incident waiting for review" in texts(at)
    assert "Four-eyes rule" not in texts(at)
    at.text_area(key=f"review_{submitted.ref}_comment").set_value("Checked both sources.")
    button(at, "Verify").click()
    no_exceptions(at.run())
    assert f"Verified {submitted.ref}." in texts(at)
    assert _status(engine, submitted.ref, users["rana"]) == "verified"
    at.switch_page(INCIDENT)
    at.query_params["ref"] = submitted.ref
    no_exceptions(at.run())
    assert "Checked both sources." in [t.value for t in at.text]


def test_the_queue_pages_through_every_waiting_incident_longest_waiting_first(app, engine,
                                                                           users):
    refs = [f"INC-2021-{n:05d}" for n in range(1, 56)]
    with unit_of_work(engine) as session:
        create_incidents(session, (IncidentCreate(
            ref=ref, title=f"Waiting {ref}", incident_type="threat",
            start_date=dt.date(2021, 1, 1)) for ref in refs), by=users["carla"])
        # Submitted newest ref first: the queue must not follow refs, dates or ids.
        for ref in reversed(refs):
            submit_incident(session, ref, by=users["carla"], expected_version=1)
    at = no_exceptions(app.open("rana", QUEUE))
    assert "55 incidents waiting for review, the longest waiting first · page 1 of 2" in (
        texts(at))
    first = list(at.dataframe[0].value["Reference"])
    assert first == refs[::-1][:50]
    assert at.dataframe[0].value["Submitted by"].unique().tolist() == ["carla"]
    button(at, "Next →").click()
    no_exceptions(at.run())
    assert "page 2 of 2" in texts(at)
    assert list(at.dataframe[0].value["Reference"]) == refs[::-1][50:]
    assert button(at, "Next →").disabled
    # The incident to review is picked from this page.
    assert at.selectbox(key="review_pick").value == refs[4]
    button(at, "← Previous").click()
    no_exceptions(at.run())
    assert list(at.dataframe[0].value["Reference"]) == first


def test_returning_needs_a_comment(app, engine, users):
    submitted = _submitted(engine, users["carla"])
    at = no_exceptions(app.open("rana", QUEUE))
    button(at, "Return to caseworker").click()
    no_exceptions(at.run())
    assert any(shown(e.value).startswith("comment: ") for e in at.error)
    assert _status(engine, submitted.ref, users["rana"]) == "submitted"
    at.text_area(key=f"review_{submitted.ref}_comment").set_value("Add the second source.")
    button(at, "Return to caseworker").click()
    no_exceptions(at.run())
    assert _status(engine, submitted.ref, users["rana"]) == "returned"


def test_four_eyes_a_reviewer_cannot_verify_their_own_submission(app, engine, users):
    submitted = _submitted(engine, users["rana"])
    at = no_exceptions(app.open("rana", QUEUE))
    assert "Four-eyes rule: a record is verified by someone other than" in texts(at)
    button(at, "Verify").click()
    no_exceptions(at.run())
    assert "another reviewer must verify" in " ".join(e.value for e in at.error)
    assert _status(engine, submitted.ref, users["rana"]) == "submitted"
    other = no_exceptions(app.open("ravi", QUEUE))
    button(other, "Verify").click()
    no_exceptions(other.run())
    assert _status(engine, submitted.ref, users["ravi"]) == "verified"


def _lines(at):
    """The expanders that are history lines ("#seq · time · sentence")."""
    return [e for e in at.expander if shown(e.label).startswith("#")]


def test_history_shows_who_changed_which_field_from_what_to_what(app, engine, users):
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(), by=users["carla"])
    with unit_of_work(engine) as session:
        update_incident(session, created.ref, {"locality": "Second street"},
                        by=users["carla"], expected_version=created.version,
                        reason="witness corrected the street")
    at = no_exceptions(app.open("rana", INCIDENT, ref=created.ref))
    lines = [shown(e.label).split(" · ", 2)[2] for e in _lines(at)]
    assert lines[:2] == [
        "Carla changed the incident: locality: witness corrected the street",
        "Carla added a follow-up event (Complaint filed)"]
    assert lines[-1] == "Carla created the incident"
    change = _lines(at)[0].dataframe[0].value
    assert change.to_dict("records") == [
        {"Field": "locality", "Before": "Fictional Street 12", "After": "Second street"}]


def test_revert_a_field_to_an_earlier_entry(app, engine, users):
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(), by=users["carla"])
    with unit_of_work(engine) as session:
        changed = update_incident(session, created.ref, {"locality": "Wrong street",
                                                         "title": "A new title"},
                                  by=users["carla"], expected_version=created.version)
    at = no_exceptions(app.open("carla", INCIDENT, ref=created.ref))
    pick = at.selectbox(key=f"asof_{created.ref}")
    first_seq = min(pick.options, key=lambda o: int(o.split(" ")[0][1:]))
    pick.set_value(int(first_seq.split(" ")[0][1:]))
    no_exceptions(at.run())
    then = at.dataframe[-1].value
    assert then[then["Field"] == "locality"].iloc[0]["Then"] == "Fictional Street 12"
    at.multiselect(key=f"revert_{created.ref}_fields").set_value(["locality"])
    at.text_input(key=f"revert_{created.ref}_reason").set_value("typo")
    button(at, "Revert").click()
    no_exceptions(at.run())
    assert "Reverted" in texts(at)
    with read_session(engine) as session:
        now = get_incident(session, created.ref, by=users["carla"])
    assert (now.locality, now.title) == ("Fictional Street 12", "A new title")
    assert now.version > changed.version


def test_the_audit_log_lists_entries_and_verifies_the_chain(app, engine, users):
    _submitted(engine, users["carla"])
    submitted = _submitted(engine, users["carla"])
    at = no_exceptions(app.open("admin", "app_pages/audit_log.py"))
    lines = [shown(e.label).split(" · ", 2)[2] for e in _lines(at)]
    assert lines[0] == (f"Carla submitted the incident {submitted.ref} for review "
                        "(draft → submitted)")
    at.selectbox(key="audit_user").set_value("admin")
    at.selectbox(key="audit_action").set_value("submit")
    button(at, "Apply").click()
    no_exceptions(at.run())
    assert "0 entries" in texts(at) and not _lines(at)
    at.selectbox(key="audit_user").set_value("carla")
    button(at, "Apply").click()
    no_exceptions(at.run())
    assert len(_lines(at)) == 2  # the two submits
    button(at, "Verify the chain").click()
    no_exceptions(at.run())
    assert any(s.value.startswith("Chain intact:") for s in at.success)


def _pick_first_entry(at, ref: str) -> None:
    pick = at.selectbox(key=f"asof_{ref}")
    first = min(pick.options, key=lambda o: int(o.split(" ")[0][1:]))
    pick.set_value(int(first.split(" ")[0][1:]))
    no_exceptions(at.run())


def test_reverting_the_whole_record_brings_back_a_removed_victim(app, engine, users):
    hana = {"person": {"full_name": "Hana Example"}, "outcome": "killed"}
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(
            victims=[*incident_data()["victims"], hana]), by=users["carla"])
    with unit_of_work(engine) as session:
        remove_part(session, created.ref, "victims", created.victims[1].id,
                    by=users["carla"], expected_version=created.version)
    at = no_exceptions(app.open("carla", INCIDENT, ref=created.ref))
    assert ("Revert brings the whole record back to how it was as of the entry above: its "
            "fields, victims, perpetrators, sources and follow-up events.") in texts(at)
    _pick_first_entry(at, created.ref)
    at.text_input(key=f"revert_{created.ref}_reason").set_value("Removed by mistake")
    button(at, "Revert").click()
    no_exceptions(at.run())
    assert f"Reverted {created.ref} to entry #" in texts(at)
    assert "the whole record is as it was then." in texts(at)
    with read_session(engine) as session:
        now = get_incident(session, created.ref, by=users["carla"])
    assert [v.person.full_name for v in now.victims] == ["Sami Example", "Hana Example"]


def test_a_stale_revert_says_nothing_was_reverted_and_why(app, engine, users):
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(), by=users["carla"])
    at = no_exceptions(app.open("carla", INCIDENT, ref=created.ref))
    with unit_of_work(engine) as session:
        update_incident(session, created.ref, {"locality": "Elsewhere"}, by=users["rana"],
                        expected_version=created.version)
    _pick_first_entry(at, created.ref)
    at.text_input(key=f"revert_{created.ref}_reason").set_value("Undo")
    button(at, "Revert").click()
    no_exceptions(at.run())
    sentence = re.compile(
        rf"Nothing was reverted: rana changed {created.ref} at \d{{4}}-\d\d-\d\d \d\d:\d\d "
        r"UTC, after you opened it\. Reload the record \(Details tab\) to see their change, "
        r"then revert again if it is still needed\.")
    assert [e for e in (shown(e.value) for e in at.error) if sentence.fullmatch(e)]
    with read_session(engine) as session:
        assert get_incident(session, created.ref, by=users["carla"]).locality == "Elsewhere"
