"""Running the Streamlit app in-process (AppTest) against the test databases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from records.db import read_session
from records.services.users import get_user, principal_of
from tests.ui.browser import CHROMIUM, CHROMIUM_ARGS
from ui import state

APP = Path(__file__).resolve().parents[2] / "ui" / "app.py"
# Generous: the first run of a test migrates nothing but still imports pandas and friends.
TIMEOUT = 60


class App:
    """Builds AppTest sessions on one database, logged in as a named user or not at all."""

    def __init__(self, engine):
        self.engine = engine

    def session(self, username: str | None = None) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        if username:
            with read_session(self.engine) as session:
                at.session_state[state.PRINCIPAL] = principal_of(get_user(session, username))
        return at

    def open(self, username: str | None, page: str | None = None, **query) -> AppTest:
        """A session on `page` (a file under ui/, e.g. "app_pages/incidents.py")."""
        at = self.session(username)
        at.run()
        if page:
            at.query_params.update(query)
            at.switch_page(page)
            at.run()
        return at


@pytest.fixture
def app(engine, monkeypatch, tmp_path):
    monkeypatch.setenv("SIJIL_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SIJIL_FILES_DIR", str(tmp_path / "files"))
    st.cache_resource.clear()
    yield App(engine)
    st.cache_resource.clear()


@pytest.fixture
def bare_app(bare_engine, monkeypatch, tmp_path):
    monkeypatch.setenv("SIJIL_DATABASE_URL",
                       bare_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SIJIL_FILES_DIR", str(tmp_path / "files"))
    st.cache_resource.clear()
    yield App(bare_engine)
    st.cache_resource.clear()


def no_exceptions(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(source: object) -> str:
    """Markdown source as a reader sees it: escaped characters as themselves."""
    text = re.sub(r"\\(.)", r"\1", str(source)).replace("\u2060", "")
    return text.replace("  \n", "\n")


def texts(at: AppTest) -> str:
    """Everything the page shows as text, for assertions."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "error",
                 "warning", "info", "success"):
        parts += [shown(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def button(at: AppTest, label: str, index: int = 0):
    """The `index`-th button (or form submit button) with this label."""
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r}; have {[b.label for b in at.button]}"
    return found[index]


def field(at: AppTest, form: str, name: str):
    """A widget of an incident form by its field name (keys come from ui.state)."""
    key = state.widget_key(form, name)
    for kind in ("text_input", "text_area", "selectbox", "date_input", "number_input"):
        for widget in getattr(at, kind):
            if widget.key == key:
                return widget
    raise AssertionError(f"no widget {key}")


def fill_incident(at: AppTest, form: str = "new_incident", **values) -> None:
    import datetime as dt

    defaults = {"title": "Shooting of a protest organiser (fictional)",
                "incident_type": "attempted_killing", "start_date": dt.date(2021, 3, 14),
                "admin1": "IQ-BG", "locality": "Fictional Street 12",
                "narrative": "Two gunmen on a motorcycle fired at the organiser."}
    for name, value in {**defaults, **values}.items():
        field(at, form, name).set_value(value)


@pytest.fixture
def page():
    """A Chromium page (Debian's browser) driven by Playwright, for the browser journeys.

    One Playwright per test, not per test process: while it runs, its event loop is the
    thread's running loop, and the tests that call asyncio.run() in between would fail."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        yield context.new_page()
        browser.close()
