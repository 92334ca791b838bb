"""The review queue: submitted incidents, longest waiting first, keyset-paged, visible only
as far as the incident pages are."""

from __future__ import annotations

import pytest

from records.db import read_session, unit_of_work
from records.errors import PermissionDenied, ValidationError
from records.services.access import SYSTEM
from records.services.exchange import import_file
from records.services.incidents import create_incident, get_incident, update_incident
from records.services.review import (
    list_review_queue,
    return_incident,
    submit_incident,
    verify_incident,
)
from tests.factories import incident_data


def _drafts(engine, by, *titles, **overrides) -> dict[str, str]:
    """title → ref of new drafts, created in the order given."""
    with unit_of_work(engine) as session:
        return {t: create_incident(session, incident_data(title=t, **overrides), by=by).ref
                for t in titles}


def _submit(engine, by, ref):
    with unit_of_work(engine) as session:
        version = _version(session, ref, by)
        return submit_incident(session, ref, by=by, expected_version=version)


def _version(session, ref, by):
    return get_incident(session, ref, by=by).version


def _queue(engine, by, **kwargs):
    with read_session(engine) as session:
        return list_review_queue(session, by=by, **kwargs)


def _titles(page) -> list[str]:
    return [item.title for item in page.items]


def test_the_longest_waiting_comes_first_whatever_the_creation_order(engine, users):
    refs = _drafts(engine, users["carla"], "First made", "Second made", "Third made")
    for title in ("Third made", "First made", "Second made"):
        _submit(engine, users["carla"], refs[title])
    page = _queue(engine, users["rana"])
    assert _titles(page) == ["Third made", "First made", "Second made"]
    assert page.total == 3 and page.next_after is None
    assert [i.submitted_by for i in page.items] == ["carla", "carla", "carla"]
    assert all(i.submitted_at is not None for i in page.items)
    assert page.items[0].submitted_at <= page.items[1].submitted_at <= page.items[2].submitted_at


def test_a_record_back_in_review_waits_from_its_latest_entry(engine, users):
    refs = _drafts(engine, users["carla"], "Verified then edited", "Returned then fixed",
                   "Waiting all along")
    for title in refs:
        _submit(engine, users["carla"], refs[title])
    with unit_of_work(engine) as session:
        ref = refs["Verified then edited"]
        verified = verify_incident(session, ref, by=users["rana"],
                                   expected_version=_version(session, ref, users["rana"]))
        update_incident(session, ref, {"fatalities": 1}, by=users["ravi"],
                        expected_version=verified.version)
        ref = refs["Returned then fixed"]
        return_incident(session, ref, by=users["rana"], comment="Add a source.",
                        expected_version=_version(session, ref, users["rana"]))
    _submit(engine, users["carla"], refs["Returned then fixed"])
    page = _queue(engine, users["admin"])
    assert _titles(page) == ["Waiting all along", "Verified then edited",
                             "Returned then fixed"]
    # The edit of a verified record sent it back for review: its editor is its submitter.
    assert [i.submitted_by for i in page.items] == ["carla", "ravi", "carla"]


def test_an_import_that_keeps_the_status_waits_from_its_creation(engine, users, tmp_path):
    refs = _drafts(engine, users["carla"], "Submitted by hand")
    _submit(engine, users["carla"], refs["Submitted by hand"])
    path = tmp_path / "in.csv"
    path.write_text("title,incident_type,start_date,status\n"
                    "Imported in review,killing,2021-02-03,submitted\n", encoding="utf-8")
    with unit_of_work(engine) as session:
        import_file(session, path, by=SYSTEM)
    page = _queue(engine, users["rana"])
    assert _titles(page) == ["Submitted by hand", "Imported in review"]
    assert page.items[1].submitted_by == "system"


def test_pages_follow_each_other_without_gaps_or_repeats(engine, users):
    titles = [f"Incident {n}" for n in range(5)]
    refs = _drafts(engine, users["carla"], *titles)
    for title in reversed(titles):
        _submit(engine, users["carla"], refs[title])
    first = _queue(engine, users["rana"], limit=2)
    second = _queue(engine, users["rana"], limit=2, after=first.next_after)
    third = _queue(engine, users["rana"], limit=2, after=second.next_after)
    assert [_titles(p) for p in (first, second, third)] == [
        ["Incident 4", "Incident 3"], ["Incident 2", "Incident 1"], ["Incident 0"]]
    assert [p.total for p in (first, second, third)] == [5, 5, 5]
    assert third.next_after is None
    # An item's own cursor continues right after it.
    assert _titles(_queue(engine, users["rana"], limit=1,
                          after=first.items[0].cursor)) == ["Incident 3"]


def test_a_step_taken_between_pages_shifts_nothing(engine, users):
    refs = _drafts(engine, users["carla"], "A", "B", "C", "D")
    for title in "ABCD":
        _submit(engine, users["carla"], refs[title])
    first = _queue(engine, users["rana"], limit=2)
    with unit_of_work(engine) as session:
        verify_incident(session, refs["A"], by=users["rana"],
                        expected_version=_version(session, refs["A"], users["rana"]))
    second = _queue(engine, users["rana"], limit=2, after=first.next_after)
    assert (_titles(first), _titles(second), second.total) == (["A", "B"], ["C", "D"], 3)


def test_the_queue_shows_only_what_the_reader_may_see(engine, users):
    refs = _drafts(engine, users["chen"], "Restricted by chen", sensitivity="restricted")
    refs |= _drafts(engine, users["carla"], "Open one", "Still a draft")
    _submit(engine, users["chen"], refs["Restricted by chen"])
    _submit(engine, users["carla"], refs["Open one"])
    assert _titles(_queue(engine, users["rana"])) == ["Restricted by chen", "Open one"]
    assert _titles(_queue(engine, users["chen"])) == ["Restricted by chen", "Open one"]
    carla = _queue(engine, users["carla"])
    assert (_titles(carla), carla.total) == (["Open one"], 1)
    with pytest.raises(PermissionDenied, match="vera \\(Viewer\\) may not read the review"):
        _queue(engine, users["vera"])


@pytest.mark.parametrize("cursor", ["12", "a:b", "-1:2", "1:2:3", " "])
def test_a_cursor_the_queue_did_not_hand_out_is_refused(engine, users, cursor):
    with pytest.raises(ValidationError) as refused:
        _queue(engine, users["rana"], after=cursor)
    assert refused.value.by_field() == {
        "after": f"'{cursor}' is not a position in the review queue"}
