"""Follow-up events on the incident page: dated at their precision, naming whom they concern,
after an export and an import too; where an imported incident came from."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil

import pytest
import streamlit as st

from records.db import make_engine, read_session, unit_of_work
from records.services.exchange import ExportFilters, ExportRequest, import_file, run_export
from records.services.incidents import get_incident
from records.services.users import get_user, principal_of
from tests.test_case_events import BRIGADE, SUSPECT, seed_case
from tests.ui.conftest import App, button, no_exceptions, texts

INCIDENT = "app_pages/incident.py"


@pytest.fixture
def other_app(engine, tmp_path, sqlite_templates, pg_server, monkeypatch):
    """The app on a second database with the test accounts and no incidents, of the same
    kind as `engine`."""
    if engine.dialect.name == "sqlite":
        path = tmp_path / "other.db"
        shutil.copyfile(sqlite_templates["users"], path)
        other, name = make_engine(f"sqlite:///{path}"), None
    else:
        name = pg_server.create(pg_server.template)
        other = make_engine(pg_server.database_url(name))
    monkeypatch.setenv("SIJIL_DATABASE_URL", other.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SIJIL_FILES_DIR", str(tmp_path / "files"))
    st.cache_resource.clear()
    yield App(other)
    st.cache_resource.clear()
    other.dispose()
    if name:
        pg_server.drop_later(name)


def _follow_up_table(at):
    return next(d.value for d in at.dataframe if "What happened" in d.value.columns)


@pytest.mark.parametrize("name", ["case.json", "case.csv"])
def test_imported_follow_up_reads_at_its_precision_on_the_incident_page(engine, users,
                                                                         other_app,
                                                                         tmp_path, name):
    ref = seed_case(engine, users)
    out = tmp_path / name
    run_export(engine, ExportRequest(out.suffix[1:], out, "internal",
                                     ExportFilters(statuses=None)), by=users["rana"])
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    with read_session(other_app.engine) as session:
        admin = principal_of(get_user(session, "admin"))
    with unit_of_work(other_app.engine) as session:
        import_file(session, out, by=admin)

    at = no_exceptions(other_app.open("carla", INCIDENT, ref=ref))
    table = _follow_up_table(at)
    assert list(table["Date"]) == ["26 May 2021", "June 2021"]
    assert list(table["What happened"]) == ["Arrest", "Release"]
    assert list(table["Concerns"]) == [SUSPECT, SUSPECT]
    assert list(table["Source"]) == ["", "Example News report"]
    assert (f"Imported from {name} sha256:{digest}; status in the file: Verified"
            in texts(at))


def test_a_follow_up_event_is_added_and_changed_on_the_incident_page(app, engine, users):
    ref = seed_case(engine, users)
    at = no_exceptions(app.open("rana", INCIDENT, ref=ref))
    form = f"add_case_events_{ref}"
    at.date_input(key=f"{form}_date").set_value(dt.date(2021, 9, 1))
    at.selectbox(key=f"{form}_precision").set_value("month")
    at.selectbox(key=f"{form}_kind").set_value("charge")
    at.text_input(key=f"{form}_actor_name").set_value(BRIGADE)
    at.selectbox(key=f"{form}_actor_type").set_value("state_affiliated_armed_group")
    button(at, "Add follow-up event").click()
    at = no_exceptions(at.run())
    table = _follow_up_table(at)
    assert list(table["Date"]) == ["26 May 2021", "June 2021", "September 2021"]
    assert list(table["Concerns"]) == [SUSPECT, SUSPECT, BRIGADE]

    with read_session(engine) as session:
        arrest = get_incident(session, ref, by=users["rana"]).case_events[0]
    at.selectbox(key=f"change_case_event_{ref}").set_value(arrest.id)
    at = no_exceptions(at.run())
    change = f"change_case_events_{ref}_{arrest.id}"
    assert at.date_input(key=f"{change}_date").value == dt.date(2021, 5, 26)
    at.selectbox(key=f"{change}_precision").set_value("approximate")
    button(at, "Save follow-up event").click()
    at = no_exceptions(at.run())
    assert list(_follow_up_table(at)["Date"]) == ["c. May 2021", "June 2021",
                                                  "September 2021"]
    assert f"Saved the follow-up event of {ref}." in texts(at)
