"""Side doors, tried in a real Chromium as an attacker would: what a caseworker's or a
viewer's browser receives (page text and every websocket frame) holds nothing of an
incident they may not see, and a crafted address or file name draws no link or image."""

from __future__ import annotations

import pytest

from records.db import make_engine, unit_of_work
from records.services.incidents import create_incident
from records.services.review import submit_incident, verify_incident
from tests.factories import incident_data
from tests.ui.browser import (
    browser_test,
    log_in,
    migrated_with_users,
    nav,
    serve,
    settle,
)

pytestmark = browser_test

WITNESS = "Qasim Hiddenwitness"
CONTACT = "+964 770 555 0199"
BRIGADE = "Brigade Onlyinrestricted"
MEMO = "Leaked memo Onlyinrestricted"
VISIBLE = "Samir Visiblevictim"
VISIBLE_REF = "INC-2020-00042"
LOCALITY = "in front of his home"
CRAFTED = "[Session expired, log in here](https://evil.example/login) ![p](https://evil.example/p.png)"


def _prepare(url: str) -> None:
    engine, users = migrated_with_users(
        url, {"admin": "admin", "carla": "caseworker", "rana": "reviewer", "vera": "viewer"})
    rana = users["rana"]
    with unit_of_work(engine) as session:
        create_incident(session, incident_data(
            sensitivity="restricted",
            victims=[{"person": {"full_name": WITNESS, "contact": CONTACT,
                                 "profiles": ["witness"]}, "outcome": "unharmed"}],
            perpetrators=[{"actor": {"name": BRIGADE, "actor_type": "state_forces"},
                           "attribution": "alleged"}],
            citations=[{"source": {"kind": "media", "title": MEMO}, "statement": "x"}]),
            by=rana)
        visible = create_incident(session, incident_data(
            ref=VISIBLE_REF, latitude=32.615, longitude=44.025, geo_precision="exact",
            locality=LOCALITY, victims=[
            # Consenting: a withheld name is sealed at rest and found by no lookup at all.
            {"person": {"full_name": VISIBLE}, "outcome": "injured",
             "consent_to_publish_name": True}]), by=rana)
    # Viewers read verified incidents only: this one is submitted by rana, verified by admin.
    with unit_of_work(engine) as session:
        submitted = submit_incident(session, visible.ref, by=rana,
                                    expected_version=visible.version)
    with unit_of_work(engine) as session:
        verify_incident(session, visible.ref, by=users["admin"],
                        expected_version=submitted.version)
    engine.dispose()


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'sijil.db'}"
    _prepare(url)
    with serve(tmp_path, url) as base:
        yield base


def _frames(page) -> list[bytes]:
    """Every websocket frame the browser receives from now on, as bytes."""
    frames: list[bytes] = []

    def on_socket(socket) -> None:
        socket.on("framereceived", lambda payload: frames.append(
            payload if isinstance(payload, bytes) else payload.encode()))

    page.on("websocket", on_socket)
    return frames


def _received(frames: list[bytes], text: str) -> bool:
    return any(text.encode() in frame for frame in frames)


def test_a_caseworker_never_receives_what_only_a_restricted_incident_holds(server, page):
    frames = _frames(page)
    log_in(page, server, "carla")
    nav(page, "New incident")
    page.get_by_text("Add to Victims").click()
    settle(page)
    search = page.get_by_label("Find an existing person by name")
    search.fill("Visiblevictim")
    search.press("Enter")
    settle(page)
    assert _received(frames, VISIBLE)  # the frames are really read
    search.fill("Hiddenwitness")
    search.press("Enter")
    settle(page)
    page.get_by_text("No one with a similar name is recorded yet.").wait_for()
    for secret in (WITNESS, "Hiddenwitness Qasim", CONTACT, BRIGADE, MEMO):
        assert not _received(frames, secret), secret
        assert secret not in page.content()


def test_a_viewer_filter_list_names_no_group_of_a_restricted_incident(server, page):
    frames = _frames(page)
    log_in(page, server, "vera")
    nav(page, "Incidents")
    settle(page)
    assert _received(frames, "Unidentified gunmen (test)")
    assert not _received(frames, BRIGADE)


def test_a_viewers_incident_page_receives_no_exact_place_and_no_locality(server, page):
    frames = _frames(page)
    log_in(page, server, "vera")
    page.goto(f"{server}/incident?ref={VISIBLE_REF}")
    page.get_by_text("Coordinates").first.wait_for()
    settle(page)
    assert _received(frames, VISIBLE)  # the frames are really read
    for secret in ("32.615", "44.025", LOCALITY):
        assert not _received(frames, secret), secret
        assert secret not in page.content()
    # The public level's place: rounded to 0.1 degree, the locality left out.
    assert _received(frames, "32.6, 44.0")


def test_a_crafted_address_and_file_draw_no_link_and_no_image(server, page):
    log_in(page, server, "carla")
    # The log-in survives the new address (a server-side session).
    page.goto(f"{server}/incident?ref={CRAFTED}")
    page.get_by_text("Session expired, log in here", exact=False).first.wait_for()
    settle(page)
    assert page.locator('a[href*="evil.example"]').count() == 0

    nav(page, "Import")
    header = "incident_ref,title,incident_type,start_date,admin1,[log in](https://evil.example/x)\n"
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "crafted.csv", "mimeType": "text/csv",
                "buffer": (header + "INC-2019-00001,T,killing,2019-10-25,IQ-BG,x\n").encode()}])
    page.get_by_text("ignored unknown columns", exact=False).wait_for(timeout=30000)
    settle(page)
    assert page.locator('a[href*="evil.example"]').count() == 0


def test_an_unexpected_error_shows_one_sentence_and_no_traceback(tmp_path, page):
    url = f"sqlite:///{tmp_path / 'sijil.db'}"
    _prepare(url)
    with serve(tmp_path, url) as base:
        # A table gone from under the server: every page fails in the database layer.
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE app_user RENAME TO app_user_gone")
        engine.dispose()
        page.goto(base)
        page.get_by_text("Something went wrong and the page stopped.").wait_for(timeout=30000)
        settle(page)
        text = page.inner_text("body")
        for leak in ("Traceback", "app_user", "sqlite", "SELECT", "/work/", ".py"):
            assert leak not in text, leak
        log = (tmp_path / "streamlit.log").read_text()
        assert "no such table: app_user" in log
