"""A log-in that survives a reload, in a real Chromium: the `sijil_session` cookie resumes
it in a reloaded page and in a second tab opened on an incident's link; log-out ends it; an
admin's revocation logs the other browser out at its next click."""

from __future__ import annotations

import pytest

from records.db import unit_of_work
from records.services.incidents import create_incident
from tests.factories import incident_data
from tests.ui.browser import (
    browser_test,
    choose,
    log_in,
    migrated_with_users,
    nav,
    serve,
    settle,
)

pytestmark = browser_test

LOGIN_PAGE = "Documentation database for human-rights incidents"


@pytest.fixture
def database(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'sijil.db'}"


@pytest.fixture
def server(tmp_path, database):
    url = database
    engine, users = migrated_with_users(url, {"admin": "admin", "carla": "caseworker"})
    with unit_of_work(engine) as session:
        ref = create_incident(session, incident_data(title="Shelling of the market"),
                              by=users["carla"]).ref
    engine.dispose()
    with serve(tmp_path, url) as base:
        yield base, ref


def _session_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == "sijil_session"), None)


def _logged_in_as(page, name: str) -> bool:
    # A reloaded page is blank until its first run: wait for either outcome.
    page.get_by_text("Role:").or_(page.get_by_label("Username", exact=True)).first.wait_for()
    settle(page)
    return (page.get_by_text("Role:").count() == 1
            and page.get_by_text(f"Logged in as {name}").count() == 1)


def test_reload_and_a_second_tab_stay_logged_in_until_log_out(server, page):
    base, ref = server
    log_in(page, base, "carla")
    cookie = _session_cookie(page.context)
    for _attempt in range(20):  # the hidden image claims it right after the log-in run
        if cookie is not None:
            break
        page.wait_for_timeout(250)
        cookie = _session_cookie(page.context)
    assert cookie is not None
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    page.reload()
    assert _logged_in_as(page, "Carla")

    tab = page.context.new_page()
    tab.goto(f"{base}/incident?ref={ref}")
    tab.get_by_text("Shelling of the market").first.wait_for()
    assert _logged_in_as(tab, "Carla")
    assert tab.get_by_label("Password", exact=True).count() == 0

    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Username", exact=True).wait_for()
    settle(page)
    page.reload()
    page.get_by_text(LOGIN_PAGE).wait_for()
    page.get_by_label("Password", exact=True).wait_for()
    # The other tab had the same session: its next click finds it ended.
    tab.bring_to_front()
    nav(tab, "Incidents")
    tab.get_by_text(LOGIN_PAGE).wait_for()
    assert tab.get_by_text("Your session has ended. Please log in again.").count() == 1


def test_an_admins_revocation_logs_the_other_browser_out_at_its_next_click(server, page):
    base, _ref = server
    log_in(page, base, "carla")

    admin = page.context.browser.new_context(viewport={"width": 1400, "height": 1000})
    admin_page = admin.new_page()
    log_in(admin_page, base, "admin")
    nav(admin_page, "Admin")
    admin_page.get_by_label("User", exact=True).click()
    admin_page.get_by_role("option", name="carla", exact=True).click()
    settle(admin_page)
    admin_page.get_by_role("button", name="Log out everywhere").click()
    admin_page.get_by_text("carla was logged out of 1 session.").wait_for()

    nav(page, "Incidents")
    page.get_by_text("Your session has ended. Please log in again.").wait_for()
    page.get_by_label("Password", exact=True).wait_for()
    page.reload()
    page.get_by_label("Password", exact=True).wait_for()
    assert page.get_by_text("Role:").count() == 0
    admin.close()


def test_a_password_reset_logs_the_other_browser_out_at_its_next_click(server, page):
    """The reset of a compromised account: the attacker's open tab and a reload of it
    land on the log-in page, and the old password no longer opens a session."""
    base, _ref = server
    log_in(page, base, "carla")

    admin = page.context.browser.new_context(viewport={"width": 1400, "height": 1000})
    admin_page = admin.new_page()
    log_in(admin_page, base, "admin")
    nav(admin_page, "Admin")
    choose(admin_page, "User", "carla")
    admin_page.get_by_label("New password (leave empty to keep)").fill(
        "a brand new passphrase")
    admin_page.get_by_role("button", name="Save user").click()
    admin_page.get_by_text("User carla updated.").wait_for()

    nav(page, "Incidents")
    page.get_by_text("Your session has ended. Please log in again.").wait_for()
    page.get_by_label("Password", exact=True).wait_for()
    page.reload()
    page.get_by_label("Password", exact=True).wait_for()
    assert page.get_by_text("Role:").count() == 0
    admin.close()


def test_a_session_row_written_by_sql_does_not_log_the_browser_in(server, database, page):
    """Someone who can write to the database adds a session row for the admin with a token
    of their own and sets it as their cookie: the workspace shows them the log-in page."""
    import hashlib
    import secrets

    from sqlalchemy import insert

    from records.db import make_engine
    from records.models import UserSession
    from records.models.types import utcnow

    base, _ref = server
    token = secrets.token_urlsafe(32)
    table = UserSession.__table__
    now = utcnow()
    row = {"token_sha256": hashlib.sha256(token.encode()).hexdigest(), "user_id": 1,
           "created_at": now, "last_seen_at": now}
    if "mac" in table.c:
        row |= {"mac": "hmac-sha256:" + "0" * 64, "login_seq": 1}
    engine = make_engine(database)
    with engine.begin() as conn:
        conn.execute(insert(table).values(**row))
    engine.dispose()

    page.context.add_cookies([{"name": "sijil_session", "value": token, "url": base}])
    page.goto(base)
    page.get_by_text("Role:").or_(page.get_by_label("Username", exact=True)).first.wait_for()
    settle(page)
    assert page.get_by_text("Role:").count() == 0
    assert page.get_by_label("Password", exact=True).count() == 1
