"""In a real Chromium: switching the workspace to Arabic lays it out right to left, and the
choice holds after logging out and in again; screenshots of the Arabic and Sorani pages."""

from __future__ import annotations

import sqlite3

import pytest

from records.services.access import SYSTEM
from records.services.demo import load_demo
from tests.ui.browser import (
    PASSWORD,
    browser_test,
    choose,
    migrated_with_users,
    nav,
    serve,
    settle,
    shot,
)

pytestmark = browser_test


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'sijil.db'}"
    engine, _users = migrated_with_users(url, {"admin": "admin", "carla": "caseworker"})
    load_demo(engine, incidents=60, seed=7, by=SYSTEM)
    engine.dispose()
    with sqlite3.connect(tmp_path / "sijil.db") as db:
        ref = db.execute("SELECT incident.ref FROM incident JOIN victim "
                         "ON victim.incident_id = incident.id ORDER BY incident.id").fetchone()[0]
    with serve(tmp_path, url) as base:
        yield base, ref


def _menu(page) -> str:
    return page.locator('[data-testid="stSidebarNav"]').inner_text()


def _direction(page) -> str:
    return page.evaluate("() => document.documentElement.dir + ' ' + getComputedStyle("
                         "document.querySelector('[data-testid=\"stMain\"]')).direction")


def _shot(page, name: str) -> None:
    page.mouse.move(1, 1)  # no chart toolbar shown on hover over a heading
    shot(page, name)


def _log_in(page, base: str, username: str) -> None:
    """Log in from a new session, whose log-in page is in English."""
    page.goto(base)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator('[data-testid="stSidebarNav"]').wait_for()
    settle(page)


def test_arabic_reads_right_to_left_and_the_choice_holds(server, page):
    base, ref = server
    _log_in(page, base, "carla")
    assert "Dashboard" in _menu(page)
    assert _direction(page) == "ltr ltr"

    choose(page, "Language", "العربية", page.locator('[data-testid="stSidebar"]'))
    page.get_by_text("لوحة المعلومات").first.wait_for()
    assert "الحوادث" in _menu(page) and "Dashboard" not in _menu(page)
    assert _direction(page) == "rtl rtl"
    _shot(page, "12-dashboard-ar")
    nav(page, "حادثة جديدة")
    _shot(page, "13-new-incident-ar")

    page.get_by_role("button", name="تسجيل الخروج").click()
    settle(page)
    _log_in(page, base, "carla")
    assert "لوحة المعلومات" in _menu(page)
    assert _direction(page) == "rtl rtl"

    page.goto(f"{base}/incident?ref={ref}")
    page.locator('[data-testid="stSidebarNav"]').wait_for()
    settle(page)
    assert _direction(page) == "rtl rtl"
    _shot(page, "14-incident-ar")

    choose(page, "اللغة", "کوردی", page.locator('[data-testid="stSidebar"]'))
    page.get_by_text("داشبۆرد").first.wait_for()
    assert _direction(page) == "rtl rtl"
    _shot(page, "17-incident-ckb")
    nav(page, "داشبۆرد")
    _shot(page, "15-dashboard-ckb")
    nav(page, "ڕووداوی نوێ")
    _shot(page, "16-new-incident-ckb")
