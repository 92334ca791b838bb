"""A viewer's incident page shows no withheld name, not even in the free text of a follow-up
event, the narrative or a perpetrator's basis, in Arabic or in a transliteration; a
reviewer's page shows the text as written."""

from __future__ import annotations

import datetime as dt

from records.db import read_session
from records.services.incidents import get_incident
from tests.test_withheld_notices import _draft_with_suspect
from tests.test_withheld_text import COMMANDER, EVENT, folded_hits, seed_commander
from tests.ui.conftest import button, no_exceptions, shown, texts
from ui import downloads

INCIDENT = "app_pages/incident.py"
EXPORT_PAGE = "app_pages/export_page.py"


def _everything(at) -> str:
    """The page's text and every cell of its tables."""
    cells = [d.value.to_string() for d in at.dataframe] + [
        t.value.to_string() for t in at.table]
    return "\n".join([texts(at), *cells])


def test_a_viewer_page_holds_no_withheld_name(app, engine, users):
    ref = seed_commander(engine, users)
    viewer = _everything(no_exceptions(app.open("vera", INCIDENT, ref=ref)))
    assert folded_hits(viewer) == []
    assert "Name withheld" in viewer and "[name withheld]" in viewer
    reviewer = _everything(no_exceptions(app.open("rana", INCIDENT, ref=ref)))
    assert "Aly Hasan Tikriti" in reviewer and "Abu Hamza" in reviewer


def test_saving_a_follow_up_event_names_the_withheld_names_in_its_text(app, engine, users):
    ref, _uid, _version = _draft_with_suspect(engine, users)
    at = no_exceptions(app.open("carla", INCIDENT, ref=ref))
    form = f"add_case_events_{ref}"
    at.date_input(key=f"{form}_date").set_value(dt.date(2020, 4, 1))
    at.selectbox(key=f"{form}_kind").set_value("arrest")
    at.text_area(key=f"{form}_description").set_value(EVENT)
    at.text_input(key=f"{form}_person_name").set_value(COMMANDER)
    button(at, "Add follow-up event").click()
    at = no_exceptions(at.run())
    assert [shown(w.value) for w in at.warning] == [
        "This text names people whose name is withheld; they read [name withheld] "
        f"wherever names are withheld: {COMMANDER}"]


def test_the_export_page_says_what_it_withholds(app, engine, users, monkeypatch):
    seed_commander(engine, users)
    monkeypatch.setattr(downloads, "client_id", lambda: "B" * 43)
    at = no_exceptions(app.open("vera", EXPORT_PAGE))
    at.multiselect(key="export_statuses").set_value([])
    button(at, "Export").click()
    at = no_exceptions(at.run())
    assert "Names withheld from text: 5 in 1 incidents." in texts(at)


def test_the_follow_up_form_marks_a_new_person_a_public_figure(app, engine, users):
    ref, _uid, _version = _draft_with_suspect(engine, users)
    at = no_exceptions(app.open("carla", INCIDENT, ref=ref))
    form = f"add_case_events_{ref}"
    at.date_input(key=f"{form}_date").set_value(dt.date(2020, 4, 2))
    at.selectbox(key=f"{form}_kind").set_value("arrest")
    at.text_input(key=f"{form}_person_name").set_value("Minister Example (fictional)")
    at.checkbox(key=f"{form}_public_figure").check()
    button(at, "Add follow-up event").click()
    no_exceptions(at.run())
    with read_session(engine) as session:
        concerned = get_incident(session, ref, by=users["carla"]).case_events[-1].person
    assert (concerned.full_name, concerned.is_public_figure) == (
        "Minister Example (fictional)", True)
