"""The first start of an empty database: the first admin account, through the app's page."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.ui.conftest import button, no_exceptions, texts
from ui import state


def _log_in(at, username: str, password: str):
    at.text_input(key="login_username").set_value(username)
    at.text_input(key="login_password").set_value(password)
    button(at, "Log in").click()
    return at.run()


def test_first_start_asks_for_the_first_admin(bare_app):
    at = no_exceptions(bare_app.open(None))
    assert "Welcome to Sijil" in texts(at)
    at.text_input(key="first_username").set_value("amira")
    at.text_input(key="first_password").set_value(PASSWORD)
    at.text_input(key="first_repeat").set_value(PASSWORD)
    button(at, "Create admin account").click()
    no_exceptions(at.run())
    assert "Account created: please log in." in texts(at)
    no_exceptions(_log_in(at, "amira", PASSWORD))
    assert at.session_state[state.PRINCIPAL].role == "admin"
