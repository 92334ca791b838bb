"""Log in, log out, idle expiry, lock-out — through the app's own pages."""

from __future__ import annotations

from sqlmodel import select

from records.db import read_session
from records.models import AuditEntry
from tests.conftest import PASSWORD
from tests.ui.conftest import button, no_exceptions, texts
from ui import state


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
    assert "Carla" in sidebar and "caseworker" in sidebar
    assert at.title[0].value == "Dashboard"
    button(at, "Log out").click()
    no_exceptions(at.run())
    assert state.PRINCIPAL not in at.session_state
    assert [b.label for b in at.button] == ["Log in"]


def test_wrong_password_is_refused_audited_and_five_failures_lock_the_account(app, engine):
    at = no_exceptions(app.open(None))
    _log_in(at, "chen", "wrong password!")
    assert at.error[0].value == "Wrong username or password."
    for _ in range(4):
        _log_in(at, "chen", "wrong password!")
    assert "locked for 15 minutes" in at.error[0].value
    _log_in(at, "chen", PASSWORD)
    assert "locked" in at.error[0].value
    assert state.PRINCIPAL not in at.session_state
    with read_session(engine) as session:
        actions = session.exec(select(AuditEntry.action).where(
            AuditEntry.action.in_(["login", "login_failed"]))).all()
    assert actions.count("login_failed") == 6 and "login" not in actions


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
