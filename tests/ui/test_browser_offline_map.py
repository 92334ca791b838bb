"""The dashboard's map works without the internet: in a real Chromium, every request the
dashboard makes while it draws Iraq's governorates goes to the workspace itself."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from records.services.access import SYSTEM
from records.services.demo import load_demo
from tests.ui.browser import SHOTS, browser_test, log_in, migrated_with_users, serve, settle

pytestmark = browser_test


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'sijil.db'}"
    engine, _users = migrated_with_users(url, {"admin": "admin", "vic": "viewer"})
    load_demo(engine, incidents=80, seed=3, by=SYSTEM)
    engine.dispose()
    with serve(tmp_path, url) as base:
        yield base


def test_dashboard_map_makes_no_request_beyond_the_workspace(server, page):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    # Whatever slips through must fail, not reach a third party from the test machine.
    page.route("**/*", lambda route: route.continue_()
               if urlsplit(route.request.url).netloc == urlsplit(server).netloc
               or urlsplit(route.request.url).scheme in ("data", "blob")
               else route.abort())
    log_in(page, server, "vic")
    page.get_by_text("By governorate").first.wait_for()
    map_chart = page.locator('[data-testid="stVegaLiteChart"]').filter(
        has=page.locator("path[aria-roledescription='geoshape']"))
    map_chart.first.wait_for(timeout=30000)
    settle(page)
    page.wait_for_timeout(1500)  # anything a chart would fetch late
    map_chart.first.scroll_into_view_if_needed()
    map_chart.first.locator("xpath=../..").screenshot(path=str(SHOTS / "dashboard-map.png"))

    assert requested, "the browser recorded no request at all"
    elsewhere = [u for u in requested
                 if urlsplit(u).scheme not in ("data", "blob")
                 and urlsplit(u).netloc != urlsplit(server).netloc]
    assert elsewhere == []
    # The 18 governorates are drawn as shapes.
    assert map_chart.first.locator("path[aria-roledescription='geoshape']").count() == 18
