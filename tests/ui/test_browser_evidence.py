"""In a real Chromium: the Evidence files tab previews a photo without its metadata, gives
the cleaned copy to this browser only, and adds to the chain of custody. Saves
docs/screenshots/evidence_panel.png."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import urlparse

import pytest
from PIL import Image, ImageDraw

from records.db import unit_of_work
from records.services.evidence import add_attachment, add_custody_event
from records.services.incidents import create_incident
from tests.factories import incident_data
from tests.ui.browser import browser_test, choose, log_in, migrated_with_users, serve, settle, shot

pytestmark = browser_test


def _street_photo() -> bytes:
    """A fictional scene with what a phone would record: GPS, camera, owner."""
    image = Image.new("RGB", (640, 400), (135, 170, 205))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 260, 640, 400), fill=(95, 95, 100))
    draw.rectangle((60, 120, 250, 260), fill=(190, 175, 150))
    draw.rectangle((330, 200, 560, 270), fill=(170, 40, 40))
    for x in (370, 520):
        draw.ellipse((x - 22, 250, x + 22, 294), fill=(30, 30, 30))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x013B] = "FictionalCam", "FC-1", "Owner Example"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (33.0, 18.0, 25.0), "E", (44.0, 21.0, 40.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=88)
    return out.getvalue()


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'sijil.db'}"
    engine, users = migrated_with_users(
        url, {"admin": "admin", "carla": "caseworker", "rana": "reviewer"})
    with unit_of_work(engine) as session:
        ref = create_incident(session, incident_data(), by=users["carla"]).ref
        photo = add_attachment(session, ref, filename="IMG_2291.jpg", data=_street_photo(),
                               by=users["carla"], files_dir=tmp_path / "files",
                               description="the car after the shooting")
        add_custody_event(session, photo.id, kind="transferred", by=users["carla"],
                          at=dt.datetime(2021, 3, 15, 9, 30, tzinfo=dt.UTC),
                          counterpart="Fictional Legal Aid", method="by hand, sealed envelope")
    engine.dispose()
    with serve(tmp_path, url) as base:
        yield base, ref


def test_a_reviewer_previews_downloads_and_records_custody(server, page):
    base, ref = server
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{base}/incident?ref={ref}")
    log_in(page, None, "rana")
    page.get_by_role("heading", name=ref).wait_for()
    page.get_by_role("tab", name="Evidence files").click()
    settle(page)
    panel = page.get_by_role("tabpanel", name="Evidence files")
    preview = panel.locator('img[src^="data:image/jpeg"]')
    preview.wait_for()
    assert preview.evaluate("img => img.naturalWidth") == 640

    panel.get_by_role("button", name="Download", exact=True).click()
    settle(page)
    with page.expect_download() as fetched:
        panel.get_by_role("link", name="Download IMG_2291.jpg").click()
    copy = fetched.value.path().read_bytes()
    assert copy.startswith(b"\xff\xd8") and b"FictionalCam" not in copy
    assert b"Owner Example" not in copy
    with Image.open(io.BytesIO(copy)) as image:
        assert dict(image.getexif()) == {} and image.size == (640, 400)

    choose(page, "Event", "Examined", scope=panel)
    panel.get_by_label("From or to whom").fill("Fictional forensic lab")
    panel.get_by_label("How (by hand, courier, encrypted drive…)").fill(
        "hash compared with the received copy")
    panel.get_by_label("Note").fill("no sign of editing")
    panel.get_by_role("button", name="Add event").click()
    page.get_by_text("Added to the chain of custody of IMG_2291.jpg.").wait_for(timeout=30000)
    page.get_by_role("tab", name="Evidence files").click()
    settle(page)
    grid = panel.locator('[data-testid="stDataFrame"]').nth(1)
    grid.wait_for()
    panel.locator('img[src^="data:image/jpeg"]').wait_for()
    # Streamlit scrolls inside its own container: a taller window shows the whole panel.
    page.set_viewport_size({"width": 1400, "height": 2100})
    settle(page)
    shot(page, "evidence_panel")
    assert [u for u in requested if urlparse(u).path.startswith("/media/")] == []


ARABIC_NAME = "شهادة الشاهد.txt"


@pytest.fixture
def arabic_server(tmp_path):
    url = f"sqlite:///{tmp_path / 'sijil.db'}"
    engine, users = migrated_with_users(url, {"admin": "admin", "carla": "caseworker"})
    with unit_of_work(engine) as session:
        ref = create_incident(session, incident_data(), by=users["carla"]).ref
        add_attachment(session, ref, filename=ARABIC_NAME, data=b"A fictional statement.\n",
                       by=users["carla"], files_dir=tmp_path / "files")
    engine.dispose()
    with serve(tmp_path, url) as base:
        yield base, ref


def test_a_file_with_an_arabic_name_downloads_under_its_name(arabic_server, page):
    base, ref = arabic_server
    page.goto(f"{base}/incident?ref={ref}")
    log_in(page, None, "carla")
    page.get_by_role("heading", name=ref).wait_for()
    page.get_by_role("tab", name="Evidence files").click()
    settle(page)
    panel = page.get_by_role("tabpanel", name="Evidence files")
    panel.get_by_role("button", name="Download", exact=True).click()
    settle(page)
    with page.expect_download() as fetched:
        panel.get_by_role("link", name=f"Download {ARABIC_NAME}").click()
    download = fetched.value
    assert download.failure() is None
    assert download.suggested_filename == ARABIC_NAME
    assert download.path().read_bytes() == b"A fictional statement.\n"
