"""The workspace in English, Arabic and Sorani: every page, the language switch, the choice
kept with the account and before log-in, right-to-left layout."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from records.db import read_session, unit_of_work
from records.models import AuditEntry
from records.services.incidents import create_incident
from records.services.users import get_user, set_user_language
from tests.conftest import PASSWORD
from tests.factories import incident_data
from tests.ui.conftest import no_exceptions, texts
from ui import state

PAGES = ["app_pages/dashboard.py", "app_pages/incidents.py", "app_pages/new_incident.py",
         "app_pages/import_page.py", "app_pages/export_page.py",
         "app_pages/review_queue.py", "app_pages/audit_log.py", "app_pages/admin.py",
         "app_pages/duplicates.py", "app_pages/reported_figures.py", "app_pages/incident.py"]
# (the Log out button, the incident type "attempted killing", its date 14 March 2020)
KNOWN = {
    "en": ("Log out", "Attempted killing", "14 March 2020"),
    "ar": ("تسجيل الخروج", "محاولة قتل", "14 آذار 2020"),
    "ckb": ("چوونەدەرەوە", "هەوڵی کوشتن", "14 ئازار 2020"),
}


def _incident(engine, by) -> str:
    with unit_of_work(engine) as session:
        return create_incident(session, incident_data(start_date=dt.date(2020, 3, 14)),
                               by=by).ref


def _open(app, username, language, page=None, **query):
    at = app.session(username)
    at.session_state[state.LANGUAGE] = language
    at.run()
    if page:
        at.query_params.update(query)
        at.switch_page(page)
        at.run()
    return no_exceptions(at)


# Every page on both engines in English; in Arabic and Sorani, where only the words and the
# direction change (the queries are the same), on SQLite.
@pytest.mark.long
@pytest.mark.parametrize(("engine", "language"), [
    ("sqlite", "en"), ("postgresql", "en"), ("sqlite", "ar"), ("sqlite", "ckb"),
], indirect=["engine"])
def test_every_page_runs_in_each_language(app, engine, users, language):
    ref = _incident(engine, users["carla"])
    log_out, incident_type, date = KNOWN[language]
    for page in PAGES:
        at = _open(app, "admin", language, page, ref=ref)
        assert [b.label for b in at.sidebar.button] == [log_out], page
    assert incident_type in texts(at) and date in texts(at)  # the incident page, last


def test_the_incidents_list_says_its_count_in_the_language(app, engine, users):
    _incident(engine, users["carla"])
    assert "1 incident · page 1 of 1" in texts(_open(app, "carla", "en",
                                                     "app_pages/incidents.py"))
    table = _open(app, "carla", "ar", "app_pages/incidents.py").dataframe[0].value
    assert "14 آذار 2020" in table.to_string()


def test_tables_run_right_to_left_on_arabic_pages(app, engine, users):
    # The grid is drawn left to right whatever the page's direction, so an Arabic table
    # lists its columns in reverse: the reference ends up at the right-hand edge.
    _incident(engine, users["carla"])
    english = _open(app, "carla", "en", "app_pages/incidents.py").dataframe[0].value
    arabic = _open(app, "carla", "ar", "app_pages/incidents.py").dataframe[0].value
    assert list(english.columns)[:3] == ["ref", "Link", "Title"]
    assert list(arabic.columns)[-3:] == ["العنوان", "الرابط", "ref"]


def test_the_sidebar_switch_stores_the_choice_with_the_account(app, engine, users):
    at = _open(app, "carla", "en")
    switch = at.sidebar.selectbox(key="language_switch")
    assert switch.options == ["English", "العربية", "کوردی"]  # each in its own language
    switch.set_value("ar")
    no_exceptions(at.run())
    assert [b.label for b in at.sidebar.button] == ["تسجيل الخروج"]
    with read_session(engine) as session:
        assert get_user(session, "carla").language == "ar"
        entry = session.exec(select(AuditEntry).where(
            AuditEntry.entity_type == "app_user", AuditEntry.entity_id == users["carla"].id
        ).order_by(AuditEntry.seq.desc())).first()
    assert (entry.action, entry.actor_id, entry.changes) == (
        "update", users["carla"].id, '{"language":[null,"ar"]}')


def test_the_stored_language_is_the_sessions_at_log_in(app, engine, users):
    with unit_of_work(engine) as session:
        set_user_language(session, by=users["rana"], language="ckb")
    at = no_exceptions(app.session("rana"))
    at.run()
    assert [b.label for b in at.sidebar.button] == ["چوونەدەرەوە"]


def test_a_language_chosen_on_the_log_in_page_is_kept_and_stored(app, engine, users):
    at = app.session()
    at.run()
    at.selectbox(key="login_language").set_value("ar")
    no_exceptions(at.run())
    assert at.button[0].label == "تسجيل الدخول"
    at.text_input(key="login_username").set_value("chen")
    at.text_input(key="login_password").set_value(PASSWORD)
    at.button[0].click()
    no_exceptions(at.run())
    assert [b.label for b in at.sidebar.button] == ["تسجيل الخروج"]
    with read_session(engine) as session:
        assert get_user(session, "chen").language == "ar"


def test_choosing_the_same_language_again_writes_nothing(engine, users):
    with unit_of_work(engine) as session:
        set_user_language(session, by=users["vera"], language="ar")
    with read_session(engine) as session:
        before = len(session.exec(select(AuditEntry)).all())
    with unit_of_work(engine) as session:
        set_user_language(session, by=users["vera"], language="ar")
    with read_session(engine) as session:
        assert len(session.exec(select(AuditEntry)).all()) == before


def test_right_to_left_pages_get_the_stylesheet(app, users):
    def styles(at):
        return "\n".join(str(h.proto.body) for h in at.get("html"))

    assert "direction: rtl" in styles(_open(app, "carla", "ar"))
    assert "direction: rtl" in styles(_open(app, "carla", "ckb"))
    assert "direction: rtl" not in styles(_open(app, "carla", "en"))
