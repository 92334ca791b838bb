"""Log in: every attempt is audited; repeated failures lock the account for a while.

app.py calls render() for every address until someone is logged in."""

import streamlit as st

from records.errors import AuthenticationError
from records.services.users import authenticate
from ui import state
from ui.components import get_engine, unit_of_work
from ui.i18n import _


def render() -> None:
    st.title(_("Sijil"))
    st.caption(_("Documentation database for human-rights incidents"))
    expired = st.session_state.pop(state.EXPIRED, None)
    if expired:
        st.info(expired)

    with st.form("login"):
        username = st.text_input(_("Username"), key="login_username")
        password = st.text_input(_("Password"), type="password", key="login_password")
        submitted = st.form_submit_button(_("Log in"), type="primary")

    if submitted:
        failure = None
        # The attempt is committed even when it fails, so failures are counted and audited.
        with unit_of_work(get_engine()) as session:
            try:
                principal = authenticate(session, username or "", password or "")
            except AuthenticationError as error:
                failure = error
        if failure is not None:
            st.error(str(failure))
        else:
            st.session_state[state.PRINCIPAL] = principal
            state.touch()
            st.rerun()
