"""End to end in a real Chromium: a caseworker enters and submits, a reviewer verifies.

Starts `streamlit run ui/app.py` on a free port over a temporary SQLite database, drives it
with Playwright, and saves a screenshot of every page under docs/screenshots/."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from records.db import make_engine, unit_of_work
from records.services.access import SYSTEM
from records.services.demo import load_demo
from records.services.setup import prepare_database
from records.services.users import add_user

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "correct horse battery"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's chromium at /usr/bin/chromium "
                              "(apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare(url: str) -> None:
    engine = make_engine(url)
    prepare_database(engine)
    with unit_of_work(engine) as session:
        add_user(session, "admin", PASSWORD, role="admin", by=SYSTEM, display_name="Admin")
    with unit_of_work(engine) as session:
        for name, role in (("carla", "caseworker"), ("rana", "reviewer")):
            add_user(session, name, PASSWORD, role=role, by=SYSTEM,
                     display_name=name.title())
    # Some fictional records, so the dashboard and lists look like a working database.
    load_demo(engine, incidents=120, seed=7, by=SYSTEM)
    engine.dispose()


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'sijil.db'}"
    _prepare(url)
    port = _free_port()
    env = {**os.environ, "SIJIL_DATABASE_URL": url, "SIJIL_FILES_DIR": str(tmp_path / "files")}
    log = (tmp_path / "streamlit.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "ui" / "app.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError((tmp_path / "streamlit.log").read_text())
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        yield context.new_page()
        browser.close()


def _settle(page) -> None:
    """Wait until Streamlit has finished the current run."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-stale=\"true\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=30000)
    page.wait_for_timeout(200)


def _shot(page, name: str) -> None:
    _settle(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _log_in(page, base: str | None, username: str) -> None:
    if base:
        page.goto(base)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Role:").wait_for()
    _settle(page)


def _choose(page, label: str, option: str, scope=None) -> None:
    choice = page.get_by_role("option", name=option, exact=True)
    for _attempt in range(3):
        (scope or page).get_by_label(label, exact=True).click()
        try:
            choice.wait_for(timeout=5000)
            break
        except Exception:  # noqa: BLE001 - the list opens late while an expander animates
            page.keyboard.press("Escape")
    choice.click()
    _settle(page)


def _nav(page, title: str) -> None:
    """Follow a link of the sidebar menu (a new address would start a new session)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    _settle(page)


def test_caseworker_enters_and_submits_reviewer_verifies(server, page):
    page.goto(server)
    page.get_by_label("Username").wait_for()
    _shot(page, "01-login")
    _log_in(page, server, "carla")
    _shot(page, "02-dashboard")
    _nav(page, "Incidents")
    _shot(page, "03-incidents")

    _nav(page, "New incident")
    page.get_by_text("Add to Victims").click()
    _settle(page)
    victim = page.locator('[data-testid="stForm"]').filter(has_text="Add victim")
    victim.get_by_label("Full name").fill("Sami Example")
    victim.get_by_label("Name in original script (e.g. Arabic)").fill("سامي المثال")
    _choose(page, "Outcome", "Injured", victim)
    victim.get_by_role("button", name="Add victim").click()
    page.get_by_text("1. Sami Example · Injured").wait_for()
    _settle(page)
    page.get_by_text("Add to Sources and citations").click()
    _settle(page)
    source = page.locator('[data-testid="stForm"]').filter(has_text="Add source")
    source.get_by_label("Source title").fill("Example News report")
    source.get_by_role("button", name="Add source").click()
    page.get_by_text("1. Example News report").wait_for()
    _settle(page)

    form = page.locator('[data-testid="stForm"]').filter(has_text="Submit for review")
    form.get_by_label("Title", exact=True).fill("Shooting of a protest organiser (fictional)")
    _choose(page, "Incident type", "Attempted killing", form)
    _choose(page, "Governorate", "Baghdād", form)
    form.get_by_label("Locality", exact=True).fill("Fictional Street 12")
    form.get_by_label("Narrative", exact=True).fill(
        "أطلق مسلحان على دراجة نارية النار على المنظم.\n"
        "Two gunmen on a motorcycle fired at the organiser.")
    _shot(page, "04-new-incident")
    form.get_by_role("button", name="Submit for review").click()
    message = page.get_by_text(re.compile(r"Submitted INC-\d{4}-\d{5} for review\."))
    message.wait_for(timeout=30000)
    ref = re.search(r"INC-\d{4}-\d{5}", message.inner_text()).group(0)
    _shot(page, "05-incident")

    page.get_by_role("button", name="Log out").click()
    _settle(page)
    _log_in(page, server, "rana")
    _nav(page, "Review queue")
    _choose(page, "Open for review", f"{ref} · Shooting of a protest organiser (fictional)")
    _settle(page)
    page.get_by_label("Comment").fill("Checked the news report.")
    _shot(page, "06-review-queue")
    page.get_by_role("button", name="Verify", exact=True).click()
    page.get_by_text(f"Verified {ref}.").wait_for(timeout=30000)

    # A shared link: it asks for the log-in, then opens the incident.
    page.goto(f"{server}/incident?ref={ref}")
    _log_in(page, None, "rana")
    page.get_by_role("heading", name=ref).wait_for()
    page.get_by_role("tab", name="History").click()
    _settle(page)
    panel = page.get_by_role("tabpanel", name="History")
    panel.locator('[data-testid="stDataFrame"]').first.wait_for()
    _shot(page, "07-incident-history")
    grid = panel.locator('[data-testid="stDataFrame"] table').first.inner_text()
    assert "carla" in grid and "rana" in grid and "verify" in grid

    page.get_by_role("button", name="Log out").click()
    _settle(page)
    _log_in(page, server, "admin")
    _nav(page, "Audit log")
    page.get_by_role("button", name="Verify the chain").click()
    page.get_by_text(re.compile("Chain intact")).wait_for(timeout=60000)
    _shot(page, "08-audit-log")
    _nav(page, "Admin")
    _shot(page, "09-admin")


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
    _log_in(page, server, "carla")
    _nav(page, "Import")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "legacy-records.csv", "mimeType": "text/csv",
                "buffer": IMPORT_CSV.encode()}])
    page.get_by_text("Incidents to create").wait_for(timeout=30000)
    _shot(page, "10-import")
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text(re.compile(r"Imported 3 incident\(s\) from legacy-records\.csv")).wait_for(
        timeout=30000)

    _nav(page, "Export")
    page.get_by_role("button", name="Export", exact=True).click()
    page.get_by_text(re.compile(r"incident\(s\), \d+ row\(s\) exported")).wait_for(
        timeout=60000)
    _shot(page, "11-export")
