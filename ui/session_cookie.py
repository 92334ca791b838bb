"""The `sijil_session` cookie: how a reload or a second tab finds its log-in session.

A Streamlit page runs over a WebSocket and cannot set a cookie. So after a log-in (or a
log-out) the page leaves the token (or None, to clear it) here, in this process's memory,
for the browser whose `sijil_client` cookie its session arrived with, and shows a hidden
image whose request, `/session/claim`, reaches ui/server.py: the server sets the cookie on
that response (HttpOnly, SameSite=Strict, Secure over HTTPS), and the handoff is gone.
Handoffs expire after a minute; one browser has at most one.
"""

from __future__ import annotations

import threading
import time

COOKIE = "sijil_session"
ROUTE = "/session/claim"
LIFETIME_SECONDS = 60

_lock = threading.Lock()
_handoffs: dict[str, tuple[str | None, float]] = {}


def hand_over(client: str | None, token: str | None, *, now: float | None = None) -> None:
    """Leave `token` (None: clear the cookie) for the browser `client` to claim."""
    if client is None:
        return
    now = time.monotonic() if now is None else now
    with _lock:
        _handoffs[client] = (token, now + LIFETIME_SECONDS)


def pending(client: str | None, *, now: float | None = None) -> bool:
    """Whether `client` has a handoff to claim (the page then shows the claiming image)."""
    now = time.monotonic() if now is None else now
    with _lock:
        found = _handoffs.get(client) if client is not None else None
    return found is not None and found[1] > now


def claim(client: str | None, *, now: float | None = None) -> tuple[bool, str | None]:
    """(whether there was a live handoff for `client`, its token); the handoff is removed."""
    now = time.monotonic() if now is None else now
    with _lock:
        for old in [c for c, (_t, expires) in _handoffs.items() if expires <= now]:
            del _handoffs[old]
        found = _handoffs.pop(client, None) if client is not None else None
    return (False, None) if found is None else (True, found[0])


def set_cookie_header(token: str | None, *, https: bool) -> str:
    """The Set-Cookie value that stores `token`, or that clears the cookie for None. No
    expiry date: the server ends the session after idle time, log-out or revocation."""
    value = f"{COOKIE}={token}" if token is not None else f"{COOKIE}=; Max-Age=0"
    return value + "; Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if https else "")


def claim_image() -> str:
    """The hidden image whose request lets the server set or clear the cookie."""
    return f'<img src="{ROUTE}" alt="" width="1" height="1" style="display:none">'
