"""Log in: every attempt is audited; repeated failures from one address slow that address.

app.py calls render() for every address until someone is logged in."""

import streamlit as st

from records.errors import AuthenticationError
from records.services.users import authenticate, check_password
from ui import state
from ui.components import get_engine, login_session, read_session, show_error, unit_of_work
from ui.components.language import language_switch
from ui.components.text import escape_markdown
from ui.i18n import _


def client_address() -> str:
    """The network address log-ins are throttled by (docs/design.md §4): the browser's, or
    behind a reverse proxy on this host the one it names in X-Forwarded-For; "" when there
    is none (a browser on this machine, or AppTest, where the value is a stand-in)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else ""


def render() -> None:
    st.title(_("Sijil"))
    st.caption(_("Documentation database for human-rights incidents"))
    language_switch(key="login_language")
    expired = st.session_state.pop(state.EXPIRED, None)
    if expired:
        st.info(escape_markdown(expired))

    with st.form("login"):
        username = st.text_input(_("Username"), key="login_username")
        password = st.text_input(_("Password"), type="password", key="login_password")
        submitted = st.form_submit_button(_("Log in"), type="primary")

    if submitted:
        failure = None
        # The slow part, the password hash, before the write lock is taken.
        with read_session(get_engine()) as session:
            checked = check_password(session, username or "", password or "")
        # The attempt is committed even when it fails, so failures are recorded.
        with unit_of_work(get_engine()) as session:
            try:
                principal = authenticate(session, username or "", password or "",
                                         client=client_address(), checked=checked)
                token = login_session.open_session(session, principal, client_address())
            except AuthenticationError as error:
                failure = error
        if failure is not None:
            show_error(failure)  # the service's one sentence, the same for every name
        else:
            login_session.adopt(principal, token)
            st.rerun()
