"""The first start of an empty database: the first admin account, through the app's page,
which asks for the setup code `sijil ui` prints (issued here the same way)."""

from __future__ import annotations

import pytest

from records.db import read_session
from records.services.access import SYSTEM
from records.services.setup import issue_setup_code
from records.services.users import list_users
from tests.conftest import PASSWORD
from tests.ui.conftest import button, no_exceptions, shown, texts
from ui import state


@pytest.fixture
def setup_code(bare_app, tmp_path, monkeypatch) -> str:
    """The code `sijil ui` would print for this database; the page checks it in the file
    the server process reads (SIJIL_SETUP_CODE_FILE)."""
    monkeypatch.setenv("SIJIL_SETUP_CODE_FILE", str(tmp_path / "sijil.setup-code"))
    with read_session(bare_app.engine) as session:
        return issue_setup_code(session, by=SYSTEM)


def _log_in(at, username: str, password: str):
    at.text_input(key="login_username").set_value(username)
    at.text_input(key="login_password").set_value(password)
    button(at, "Log in").click()
    return at.run()


def _fill(at, username: str = "amira", code: str | None = None):
    if code is not None:
        at.text_input(key="first_setup_code").set_value(code)
    at.text_input(key="first_username").set_value(username)
    at.text_input(key="first_password").set_value(PASSWORD)
    at.text_input(key="first_repeat").set_value(PASSWORD)
    button(at, "Create admin account").click()
    return no_exceptions(at.run())


def _errors(at) -> list[str]:
    return [shown(e.value) for e in at.error]


def _accounts(app) -> list[tuple[str, str]]:
    with read_session(app.engine) as session:
        return [(u.username, u.role) for u in list_users(session)]


def test_first_start_asks_for_the_setup_code_then_the_first_admin(bare_app, setup_code):
    at = no_exceptions(bare_app.open(None))
    assert "Welcome to Sijil" in texts(at)
    assert at.text_input(key="first_setup_code").label == "Setup code"
    _fill(at, code=setup_code)
    assert "Account created: please log in." in texts(at)
    no_exceptions(_log_in(at, "amira", PASSWORD))
    assert at.session_state[state.PRINCIPAL].role == "admin"


def test_without_the_setup_code_nothing_is_created(bare_app, setup_code):
    at = _fill(no_exceptions(bare_app.open(None)))
    assert _errors(at) == [
        "Enter the setup code printed in the terminal where Sijil was started (sijil ui)."]
    assert _accounts(bare_app) == []


def test_a_wrong_setup_code_is_refused_in_one_sentence(bare_app, setup_code):
    at = _fill(no_exceptions(bare_app.open(None)), code="ABCDE-FGHJK-MNPQR-STVWX-YZ234")
    assert _errors(at) == [
        "The setup code is wrong: use the code printed in the terminal where Sijil was "
        "started (sijil ui). Starting it again prints a new one."]
    assert _accounts(bare_app) == []
    assert "Welcome to Sijil" in texts(at)


def test_a_second_open_form_leads_to_the_log_in_once_the_admin_exists(bare_app, setup_code):
    first = no_exceptions(bare_app.open(None))
    second = no_exceptions(bare_app.open(None))
    _fill(first, "amira", setup_code)
    _fill(second, "intruder", setup_code)
    assert [b.label for b in second.button] == ["Log in"]
    assert _accounts(bare_app) == [("amira", "admin")]
