"""What the browser shows around the pages, in a real Chromium: no Deploy button or
developer menu, and a tab title naming the page (or the incident)."""

from __future__ import annotations

import pytest

from records.db import unit_of_work
from records.services.incidents import create_incident
from tests.factories import incident_data
from tests.ui.browser import browser_test, log_in, migrated_with_users, nav, serve, settle

pytestmark = browser_test


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'sijil.db'}"
    engine, users = migrated_with_users(url, {"admin": "admin", "carla": "caseworker"})
    with unit_of_work(engine) as session:
        ref = create_incident(session, incident_data(), by=users["carla"]).ref
    engine.dispose()
    with serve(tmp_path, url) as base:
        yield base, ref


def test_no_deploy_button_and_every_tab_names_its_page(server, page):
    base, ref = server
    log_in(page, base, "admin")
    assert page.title() == "Dashboard · Sijil"
    assert page.get_by_text("Deploy", exact=True).count() == 0
    assert page.locator('[data-testid="stAppDeployButton"]').count() == 0
    for title in ("Incidents", "Review queue", "Audit log", "Admin"):
        nav(page, title)
        page.wait_for_function(f"() => document.title === '{title} · Sijil'")
    page.goto(f"{base}/incident?ref={ref}")
    page.get_by_role("heading", name=ref).wait_for()
    settle(page)
    assert page.title() == f"{ref} · Sijil"
