"""End to end in a real Chromium: a caseworker enters and submits, a reviewer verifies.

Serves the workspace on a free port over a temporary SQLite database, drives it with
Playwright, and saves a screenshot of every page under docs/screenshots/."""

from __future__ import annotations

import re

import pytest

from records.services.access import SYSTEM
from records.services.demo import load_demo
from tests.ui.browser import (
    browser_test,
    choose,
    log_in,
    migrated_with_users,
    nav,
    serve,
    settle,
    shot,
)

pytestmark = browser_test


def _prepare(url: str) -> None:
    engine, _users = migrated_with_users(
        url, {"admin": "admin", "carla": "caseworker", "rana": "reviewer"})
    # Some fictional records, so the dashboard and lists look like a working database.
    load_demo(engine, incidents=120, seed=7, by=SYSTEM)
    engine.dispose()


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'sijil.db'}"
    _prepare(url)
    with serve(tmp_path, url) as base:
        yield base


def test_caseworker_enters_and_submits_reviewer_verifies(server, page):
    page.goto(server)
    page.get_by_label("Username").wait_for()
    shot(page, "01-login")
    log_in(page, server, "carla")
    shot(page, "02-dashboard")
    nav(page, "Incidents")
    shot(page, "03-incidents")

    nav(page, "New incident")
    page.get_by_text("Add to Victims").click()
    settle(page)
    victim = page.locator('[data-testid="stForm"]').filter(has_text="Add victim")
    victim.get_by_label("Full name").fill("Sami Example")
    victim.get_by_label("Name in original script (e.g. Arabic)").fill("سامي المثال")
    choose(page, "Outcome", "Injured", victim)
    victim.get_by_role("button", name="Add victim").click()
    page.get_by_text("1. Sami Example · Injured").wait_for()
    settle(page)
    page.get_by_text("Add to Sources and citations").click()
    settle(page)
    source = page.locator('[data-testid="stForm"]').filter(has_text="Add source")
    source.get_by_label("Source title").fill("Example News report")
    source.get_by_role("button", name="Add source").click()
    page.get_by_text("1. Example News report").wait_for()
    settle(page)

    form = page.locator('[data-testid="stForm"]').filter(has_text="Submit for review")
    form.get_by_label("Title", exact=True).fill("Shooting of a protest organiser (fictional)")
    choose(page, "Incident type", "Attempted killing", form)
    choose(page, "Governorate", "Baghdād", form)
    form.get_by_label("Locality", exact=True).fill("Fictional Street 12")
    form.get_by_label("Narrative", exact=True).fill(
        "أطلق مسلحان على دراجة نارية النار على المنظم.\n"
        "Two gunmen on a motorcycle fired at the organiser.")
    shot(page, "04-new-incident")
    form.get_by_role("button", name="Submit for review").click()
    message = page.get_by_text(re.compile(r"Submitted INC-\d{4}-\d{5} for review\."))
    message.wait_for(timeout=30000)
    ref = re.search(r"INC-\d{4}-\d{5}", message.inner_text()).group(0)
    shot(page, "05-incident")

    page.get_by_role("button", name="Log out").click()
    settle(page)
    log_in(page, server, "rana")
    nav(page, "Review queue")
    choose(page, "Open for review", f"{ref} · Shooting of a protest organiser (fictional)")
    settle(page)
    page.get_by_label("Comment").fill("Checked the news report.")
    shot(page, "06-review-queue")
    page.get_by_role("button", name="Verify", exact=True).click()
    page.get_by_text(f"Verified {ref}.").wait_for(timeout=30000)

    # A shared link opens the incident in the log-in this browser already has.
    page.goto(f"{server}/incident?ref={ref}")
    page.get_by_role("heading", name=ref).wait_for()
    assert page.title() == f"{ref} · Sijil"
    page.get_by_role("tab", name="History").click()
    settle(page)
    panel = page.get_by_role("tabpanel", name="History")
    verified = panel.get_by_text(
        "Rana verified the incident (submitted → verified): Checked the news report.")
    verified.click()  # its field changes, one click away
    panel.locator('[data-testid="stDataFrame"]').first.wait_for()
    shot(page, "07-incident-history")
    assert panel.get_by_text("Carla created the incident").count() == 1

    page.get_by_role("button", name="Log out").click()
    settle(page)
    log_in(page, server, "admin")
    nav(page, "Audit log")
    page.get_by_role("button", name="Verify the chain").click()
    page.get_by_text(re.compile("Chain intact")).wait_for(timeout=60000)
    shot(page, "08-audit-log")
    nav(page, "Admin")
    shot(page, "09-admin")


IMPORT_CSV = (
    "incident_ref,title,incident_type,start_date,admin1,latitude,longitude,status,"
    "victim_name,victim_name_original,victim_outcome,victim_consent\n"
    "INC-2019-09001,Killing of a lawyer (fictional),killing,2019-10-25,IQ-BG,33.3,44.4,"
    "verified,Omar Example,عمر المثال,killed,no\n"
    "INC-2019-09002,Abduction of two students (fictional),abduction,2019-11-02,IQ-BA,30.5,"
    "47.8,verified,Ali Example,علي المثال,disappeared,no\n"
    "INC-2019-09002,Abduction of two students (fictional),abduction,2019-11-02,IQ-BA,30.5,"
    "47.8,verified,Hasan Example,حسن المثال,disappeared,yes\n"
    "INC-2020-09003,اغتيال ناشط في كربلاء,killing,2020-01-10,IQ-KA,32.6,44.0,verified,"
    "Karim Example,كريم المثال,killed,yes\n")


def test_caseworker_previews_an_import_and_exports(server, page):
    log_in(page, server, "carla")
    nav(page, "Import")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "legacy-records.csv", "mimeType": "text/csv",
                "buffer": IMPORT_CSV.encode()}])
    page.get_by_text("Incidents to create").wait_for(timeout=30000)
    shot(page, "10-import")
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text(re.compile(r"Imported 3 incidents from legacy-records\.csv")).wait_for(
        timeout=30000)

    nav(page, "Export")
    page.get_by_role("button", name="Export", exact=True).click()
    page.get_by_text(re.compile(r"\d+ rows? exported at the")).wait_for(
        timeout=60000)
    shot(page, "11-export")
