"""The server-side log-in session of this browser tab (records/services/users/sessions.py):
opened at log-in, resumed from the `sijil_session` cookie in a new tab or after a reload,
checked on every run (log-out elsewhere, an admin's revocation, idle expiry), ended at
log-out. The cookie itself is set by the server (ui/session_cookie.py)."""

from __future__ import annotations

import time

import streamlit as st

from records.services.access import Principal
from records.services.users import (
    TOUCH_EVERY,
    end_session,
    resume_session,
    start_session,
    touch_session,
    valid_token,
)
from ui import downloads, session_cookie, state
from ui.components.db import get_engine, read_session, unit_of_work


def _cookie_token() -> str | None:
    try:
        value = st.context.cookies.get(session_cookie.COOKIE)
    except Exception:  # noqa: BLE001 - outside a browser session there are no cookies
        return None
    return value if valid_token(value) else None


def open_session(session, principal: Principal, client: str) -> str:
    """Start the server session of a log-in that `session` (the log-in's unit of work) is
    about to commit; `adopt` it once committed."""
    return start_session(session, by=principal, client=client)


def adopt(principal: Principal, token: str) -> None:
    """This tab is logged in as `principal`; the browser gets the cookie at its next
    request for it (`claim_cookie`)."""
    st.session_state[state.PRINCIPAL] = principal
    st.session_state[state.SESSION_TOKEN] = token
    session_cookie.hand_over(downloads.client_id(), token)
    state.touch()


def _resume(token: str) -> Principal | None:
    """The session's principal, read only; about once a minute the session is also marked
    as seen, which takes the write lock (a write on every click would queue every page)."""
    with read_session(get_engine()) as session:
        principal = resume_session(session, token)
    last = st.session_state.get(state.SESSION_TOUCHED)
    if principal is not None and (last is None
                                  or time.monotonic() - last >= TOUCH_EVERY.total_seconds()):
        with unit_of_work(get_engine()) as session:
            touch_session(session, token)
        st.session_state[state.SESSION_TOUCHED] = time.monotonic()
    return principal


def resume_from_cookie() -> Principal | None:
    """Log this tab in from the browser's session cookie, if it names a live session."""
    token = _cookie_token()
    if token is None:
        return None
    principal = _resume(token)
    if principal is not None:
        st.session_state[state.PRINCIPAL] = principal
        st.session_state[state.SESSION_TOKEN] = token
        state.touch()
    return principal


def still_live() -> bool:
    """Whether this tab's server session goes on (True for a tab without one: AppTest, or
    the app run without ui/server.py, where the session state alone holds the log-in)."""
    token = st.session_state.get(state.SESSION_TOKEN)
    return token is None or _resume(token) is not None


def end(principal: Principal) -> None:
    """Log-out: end this tab's server session (audited) and have the cookie cleared."""
    with unit_of_work(get_engine()) as session:
        end_session(session, st.session_state.get(state.SESSION_TOKEN), by=principal)
    session_cookie.hand_over(downloads.client_id(), None)


def claim_cookie() -> None:
    """Show the hidden image that lets the server set or clear the cookie, while this
    browser has a handoff waiting."""
    if session_cookie.pending(downloads.client_id()):
        st.html(session_cookie.claim_image())
