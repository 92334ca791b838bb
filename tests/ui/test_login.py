"""Log in, log out, idle expiry, throttling — through the app's own pages."""

from __future__ import annotations

import pytest
from sqlmodel import select

from records.db import read_session
from records.models import AuditEntry
from records.services.users import FAILURES_BEFORE_DELAY, LOGIN_THROTTLE
from tests.conftest import PASSWORD
from tests.ui.conftest import button, no_exceptions, shown, texts
from ui import state


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> list[float]:
    """The log-in throttle's clock, moved by hand (clock[0] += seconds); no test sleeps."""
    LOGIN_THROTTLE.reset()
    now = [1000.0]
    monkeypatch.setattr(LOGIN_THROTTLE, "now", lambda: now[0])
    yield now
    LOGIN_THROTTLE.reset()


def _log_in(at, username: str, password: str):
    at.text_input(key="login_username").set_value(username)
    at.text_input(key="login_password").set_value(password)
    button(at, "Log in").click()
    return at.run()


def test_log_in_shows_who_and_role_in_the_sidebar_and_log_out_ends_it(app):
    at = no_exceptions(app.open(None))
    assert [w.label for w in at.text_input] == ["Username", "Password"]
    no_exceptions(_log_in(at, "carla", PASSWORD))
    sidebar = "\n".join([str(e.value) for e in at.sidebar.markdown]
                        + [str(e.value) for e in at.sidebar.caption])
    assert "Carla" in sidebar and "Caseworker" in sidebar
    assert at.title[0].value == "Dashboard"
    button(at, "Log out").click()
    no_exceptions(at.run())
    assert state.PRINCIPAL not in at.session_state
    assert [b.label for b in at.button] == ["Log in"]


def _answers(at, username: str, password: str) -> list[str]:
    """What the page says to each of FAILURES_BEFORE_DELAY + 1 attempts."""
    seen = []
    for _ in range(FAILURES_BEFORE_DELAY + 1):
        no_exceptions(_log_in(at, username, password))
        assert len(at.error) == 1 and state.PRINCIPAL not in at.session_state
        seen.append(shown(at.error[0].value))
    return seen


def test_failures_are_audited_and_slow_this_address_the_same_for_every_name(app, engine,
                                                                             clock):
    expected = [*["Wrong username or password."] * FAILURES_BEFORE_DELAY,
                "Too many failed log-ins: wait 2 s before trying again."]
    at = no_exceptions(app.open(None))
    assert _answers(at, "no-such-person", "wrong password!") == expected
    assert _answers(at, "chen", "wrong password!") == expected
    no_exceptions(_log_in(at, "chen", PASSWORD))  # the right password must wait too
    assert shown(at.error[0].value) == expected[-1]
    with read_session(engine) as session:
        actions = session.exec(select(AuditEntry.action).where(
            AuditEntry.action.in_(["login", "login_failed"]))).all()
    assert actions.count("login_failed") == 13 and "login" not in actions
    clock[0] += 2
    no_exceptions(_log_in(at, "chen", PASSWORD))
    assert at.title[0].value == "Dashboard"
    assert at.session_state[state.PRINCIPAL].username == "chen"


def test_an_idle_session_expires(app):
    at = no_exceptions(app.open("carla"))
    assert at.title[0].value == "Dashboard"
    at.session_state[state.LAST_SEEN] -= state.IDLE_TIMEOUT_SECONDS + 1
    no_exceptions(at.run())
    assert "session expired after 30 minutes" in texts(at)
    assert [b.label for b in at.button] == ["Log in"]


def test_a_deactivated_account_is_logged_out_at_its_next_click(app, engine, users):
    from records.db import unit_of_work
    from records.services.users import update_user

    at = no_exceptions(app.open("chen"))
    with unit_of_work(engine) as session:
        update_user(session, "chen", by=users["admin"], is_active=False)
    no_exceptions(at.run())
    assert "no longer active" in texts(at)


def test_a_password_reset_by_an_admin_logs_the_open_tab_out_at_its_next_click(app, engine,
                                                                             users):
    from records.db import unit_of_work
    from records.services.users import update_user

    at = no_exceptions(app.open(None))
    no_exceptions(_log_in(at, "carla", PASSWORD))
    assert at.title[0].value == "Dashboard"
    with unit_of_work(engine) as session:
        update_user(session, "carla", by=users["admin"], password="a brand new passphrase")
    no_exceptions(at.run())
    assert "Your session has ended. Please log in again." in texts(at)
    assert state.PRINCIPAL not in at.session_state
    assert [b.label for b in at.button] == ["Log in"]
