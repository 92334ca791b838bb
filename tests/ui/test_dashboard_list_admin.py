"""Dashboard, the incidents list and the admin page."""

from __future__ import annotations

import contextlib
import json

import pytest
from sqlmodel import select

from records.db import read_session, unit_of_work
from records.errors import AuthenticationError
from records.models import AuditEntry
from records.services.incidents import create_incident
from records.services.users import (
    FAILURES_BEFORE_DELAY,
    LOGIN_THROTTLE,
    authenticate,
    get_user,
)
from records.services.vocabularies import labels
from tests.conftest import PASSWORD
from tests.factories import incident_data
from tests.ui.conftest import button, no_exceptions, texts
from ui import state


def _create(engine, by, n=1, **overrides):
    with unit_of_work(engine) as session:
        for _ in range(n):
            create_incident(session, incident_data(**overrides), by=by)


def test_the_dashboard_counts_what_the_user_may_see(app, engine, users):
    _create(engine, users["carla"], n=2)
    _create(engine, users["carla"], sensitivity="restricted")
    other = no_exceptions(app.open("chen", "app_pages/dashboard.py"))
    assert other.metric[0].value == "2"
    viewer = no_exceptions(app.open("vera", "app_pages/dashboard.py"))
    assert viewer.metric[0].value == "0"  # drafts are for caseworkers and up
    reviewer = no_exceptions(app.open("rana", "app_pages/dashboard.py"))
    assert reviewer.metric[0].value == "3"
    assert "By governorate" in texts(reviewer)


def test_the_incidents_list_filters_and_pages_in_the_database(app, engine, users):
    _create(engine, users["carla"], n=3)
    _create(engine, users["carla"], title="Abduction of a journalist (fictional)",
            incident_type="abduction", admin1="IQ-KA")
    at = no_exceptions(app.open("carla", "app_pages/incidents.py"))
    assert len(at.dataframe[0].value) == 4
    assert "4 incidents · page 1 of 1" in texts(at)
    at.selectbox(key="w_incidents_admin1").set_value("IQ-KA")
    button(at, "Apply filters").click()
    no_exceptions(at.run())
    table = at.dataframe[0].value
    assert list(table["Title"]) == ["Abduction of a journalist (fictional)"]
    at.selectbox(key="w_incidents_admin1").set_value("")
    at.text_input(key="w_incidents_text").set_value("سامي")
    button(at, "Apply filters").click()
    no_exceptions(at.run())
    assert len(at.dataframe[0].value) == 4


def test_the_incidents_list_moves_page_by_page(app, engine, users):
    _create(engine, users["carla"], n=51)
    at = no_exceptions(app.open("carla", "app_pages/incidents.py"))
    assert len(at.dataframe[0].value) == 50
    button(at, "Next →").click()
    no_exceptions(at.run())
    assert len(at.dataframe[0].value) == 1
    assert at.session_state[state.INCIDENT_PAGE] == 2


def test_admin_adds_a_user_changes_a_role_and_edits_a_label(app, engine):
    at = no_exceptions(app.open("admin", "app_pages/admin.py"))
    at.text_input(key="add_user_username").set_value("nadia")
    at.text_input(key="add_user_password").set_value("a long enough password")
    at.selectbox(key="add_user_role").set_value("reviewer")
    button(at, "Add user").click()
    no_exceptions(at.run())
    assert "User nadia added." in texts(at)
    at.selectbox(key="edit_user_pick").set_value("vera")
    no_exceptions(at.run())
    form_role = [s for s in at.selectbox if s.label == "Role"][-1]
    form_role.set_value("caseworker")
    button(at, "Save user").click()
    no_exceptions(at.run())
    at.selectbox(key="vocab_pick").set_value("incident_type")
    no_exceptions(at.run())
    at.selectbox(key="vocab_term").set_value("killing")
    no_exceptions(at.run())
    english = [t for t in at.text_input if t.label == "English label"][0]
    english.set_value("Targeted killing")
    button(at, "Save term").click()
    no_exceptions(at.run())
    with read_session(engine) as session:
        assert get_user(session, "nadia").role == "reviewer"
        assert get_user(session, "vera").role == "caseworker"
        assert labels(session, "incident_type")["killing"] == "Targeted killing"


def test_pages_follow_the_role(app):
    viewer = no_exceptions(app.open("vera"))
    try:
        viewer.switch_page("app_pages/admin.py")
    except ValueError:
        pass
    else:
        raise AssertionError("a viewer has the admin page")
    caseworker = no_exceptions(app.open("carla", "app_pages/new_incident.py"))
    assert caseworker.title[0].value == "New incident"



@pytest.fixture
def fresh_throttle():
    """The log-in throttle lives in the process, shared by every test: start and end clean.
    Its clock stands still meanwhile: the first delay is 2 s, less than a slow machine
    takes to draw the admin page, and the test is about showing it, not about its end."""
    LOGIN_THROTTLE.reset()
    clock, LOGIN_THROTTLE.now = LOGIN_THROTTLE.now, lambda: 1000.0
    yield LOGIN_THROTTLE
    LOGIN_THROTTLE.now = clock
    LOGIN_THROTTLE.reset()


def test_admin_sees_log_in_delays_and_unlocks_a_user(app, engine, users, fresh_throttle):
    for _ in range(FAILURES_BEFORE_DELAY):
        with unit_of_work(engine) as session, contextlib.suppress(AuthenticationError):
            authenticate(session, "chen", "wrong password", client="203.0.113.5")
    delayed = "Log-in delayed until (UTC)"
    at = no_exceptions(app.open("admin", "app_pages/admin.py"))
    table = at.dataframe[0].value.set_index("Username")
    assert table.loc["chen", delayed] != "" and table.loc["carla", delayed] == ""
    at.selectbox(key="edit_user_pick").set_value("chen")
    no_exceptions(at.run())
    button(at, "Unlock log-in").click()
    no_exceptions(at.run())
    assert "Log-in unlocked for chen." in texts(at)
    assert at.dataframe[0].value.set_index("Username").loc["chen", delayed] == ""
    button(at, "Unlock log-in").click()
    no_exceptions(at.run())
    assert "No failed log-ins are counted for chen; nothing to unlock." in texts(at)
    with unit_of_work(engine) as session:
        assert authenticate(session, "chen", PASSWORD, client="203.0.113.5").username == "chen"
    with read_session(engine) as session:
        unlocks = session.exec(select(AuditEntry).where(
            AuditEntry.reason == "log-in delays cleared")).all()
    assert [(e.actor_id, e.entity_id) for e in unlocks] == [(users["admin"].id,
                                                             users["chen"].id)]


def test_the_incidents_list_shows_dates_at_their_precision_and_filters_by_overlap(app, engine,
                                                                                  users):
    import datetime as dt

    from tests.test_export_data import seed_dated

    seed_dated(engine, users)
    at = no_exceptions(app.open("rana", "app_pages/incidents.py"))
    table = at.dataframe[0].value
    assert list(table["Date"]) == ["February–March 2020", "c. January 2020",
                                   "30 December 2019–2 January 2020", "December 2019",
                                   "30 November 2019", "2019"]
    assert "2019-12-01" not in table.to_csv() and "2019-12-01" not in texts(at)
    at.date_input(key="w_incidents_date_from").set_value(dt.date(2019, 12, 15))
    at.date_input(key="w_incidents_date_to").set_value(dt.date(2019, 12, 15))
    button(at, "Apply filters").click()
    no_exceptions(at.run())
    assert list(at.dataframe[0].value["Date"]) == ["December 2019", "2019"]


def test_the_dashboard_keeps_year_dated_incidents_out_of_months_and_says_so(app, engine,
                                                                            users):
    import datetime as dt

    from tests.test_export_data import seed_dated

    seed_dated(engine, users)
    at = no_exceptions(app.open("rana", "app_pages/dashboard.py"))
    assert at.metric[0].value == "6"
    assert "1 incident dated to the year only is counted by year, not by month." in texts(at)
    assert "Incidents per year" in texts(at)
    at.date_input(key="w_dashboard_date_from").set_value(dt.date(2019, 12, 15))
    at.date_input(key="w_dashboard_date_to").set_value(dt.date(2019, 12, 15))
    button(at, "Apply period").click()
    no_exceptions(at.run())
    assert at.metric[0].value == "2"


def test_admin_purges_an_incident_with_a_reason_and_a_confirmation(app, engine, users):
    with unit_of_work(engine) as session:
        ref = create_incident(session, incident_data(sensitivity="restricted"),
                              by=users["carla"]).ref
    at = no_exceptions(app.open("admin", "app_pages/admin.py"))
    at.text_input(key="purge_target").set_value(ref)
    at.text_area(key="purge_reason").set_value("Entered by mistake: a test record")
    button(at, "Purge for good").click()
    no_exceptions(at.run())
    assert "Tick the box to confirm that this cannot be undone." in texts(at)
    at.checkbox(key="purge_sure").check()
    button(at, "Purge for good").click()
    no_exceptions(at.run())
    assert f"Purged incident {ref}." in texts(at)
    assert ("Older backups can no longer open any encrypted value: make a fresh backup now "
            "(tab Backup).") in texts(at)
    with read_session(engine) as session:
        destroyed = session.exec(select(AuditEntry).where(
            AuditEntry.action == "keys_destroy").order_by(AuditEntry.seq)).all()
    # The incident's key, and that of its victim, whom no other incident names.
    assert [json.loads(e.changes)["owner"].split(":")[0] for e in destroyed] == [
        "incident", "person"]
    assert {(e.actor_id, e.reason) for e in destroyed} == {
        (users["admin"].id, "Entered by mistake: a test record")}
