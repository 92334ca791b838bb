"""The incident page's Evidence files tab: a preview without metadata, the chain of custody,
and the form that adds to it."""

from __future__ import annotations

import base64
import datetime as dt
import io

from PIL import Image

from records.db import read_session, unit_of_work
from records.services.evidence import add_attachment, custody_events
from records.services.incidents import create_incident
from tests.factories import incident_data
from tests.test_evidence_metadata import PHOTO
from tests.ui.conftest import button, no_exceptions, texts

INCIDENT = "app_pages/incident.py"


def _with_photo(engine, users) -> tuple[str, int]:
    with unit_of_work(engine) as session:
        ref = create_incident(session, incident_data(), by=users["carla"]).ref
        return ref, add_attachment(session, ref, filename="IMG_2291.jpg", data=PHOTO,
                                   by=users["carla"]).id


def _shown_image(at) -> Image.Image:
    [html] = [e.proto.body for e in at.get("html") if "data:image/" in e.proto.body]
    data = html.split("base64,", 1)[1].split('"', 1)[0]
    return Image.open(io.BytesIO(base64.b64decode(data)))


def _custody_table(at):
    return [frame.value for frame in at.dataframe if "Event" in frame.value.columns][0]


def test_the_evidence_tab_previews_the_photo_without_its_metadata(app, engine, users):
    ref, _photo = _with_photo(engine, users)
    at = no_exceptions(app.open("carla", INCIDENT, ref=ref))
    image = _shown_image(at)
    assert image.size == (8, 8) and dict(image.getexif()) == {}
    assert ("Shown without its location, camera and other metadata; the original is kept "
            "unchanged.") in texts(at)
    log = _custody_table(at)
    assert list(log["Event"]) == ["Received"] and list(log["By"]) == ["carla"]


def test_a_custody_event_is_added_and_shown_in_the_log(app, engine, users):
    ref, photo = _with_photo(engine, users)
    at = no_exceptions(app.open("carla", INCIDENT, ref=ref))
    key = f"custody_{photo}_"
    at.selectbox(key=f"{key}kind").set_value("transferred")
    at.date_input(key=f"{key}day").set_value(dt.date(2021, 5, 9))
    at.time_input(key=f"{key}time").set_value(dt.time(14, 0))
    at.text_input(key=f"{key}counterpart").set_value("Fictional Legal Aid")
    at.text_input(key=f"{key}method").set_value("by hand, sealed envelope")
    at.text_area(key=f"{key}note").set_value("for the hearing")
    button(at, "Add event").click()
    no_exceptions(at.run())
    assert "Added to the chain of custody of IMG_2291.jpg." in texts(at)
    assert at.text_input(key=f"{key}counterpart").value == ""  # the form starts afresh
    log = _custody_table(at)
    assert log.to_dict("records")[0] == {
        "When (UTC)": "2021-05-09 14:00", "Event": "Transferred", "By": "carla",
        "From or to": "Fictional Legal Aid", "How": "by hand, sealed envelope",
        "Note": "for the hearing"}
    with read_session(engine) as session:
        assert [e.kind for e in custody_events(session, photo, by=users["carla"])] == [
            "transferred", "received"]


def test_a_custody_time_in_the_future_is_refused_at_its_field(app, engine, users):
    ref, photo = _with_photo(engine, users)
    at = no_exceptions(app.open("carla", INCIDENT, ref=ref))
    at.selectbox(key=f"custody_{photo}_kind").set_value("examined")
    at.date_input(key=f"custody_{photo}_day").set_value(dt.date.today()
                                                         + dt.timedelta(days=2))
    button(at, "Add event").click()
    no_exceptions(at.run())
    assert "at: this time is in the future" in texts(at)
    with read_session(engine) as session:
        assert len(custody_events(session, photo, by=users["carla"])) == 1


def test_who_may_not_edit_sees_the_log_but_no_form(app, engine, users):
    ref, _photo = _with_photo(engine, users)
    at = no_exceptions(app.open("chen", INCIDENT, ref=ref))
    assert list(_custody_table(at)["Event"]) == ["Received"]
    assert "Add event" not in [b.label for b in at.button]
