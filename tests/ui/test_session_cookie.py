"""The `sijil_session` cookie is set only for the browser the log-in page left it for, once,
within a minute; log-out leaves a handoff that clears it."""

from __future__ import annotations

import asyncio

from starlette.requests import Request

from ui import session_cookie
from ui.server import claim_session_cookie

CLIENT, STRANGER = "c" * 43, "s" * 43
TOKEN = "t" * 43


def _claim(client_cookie: str | None):
    headers = [] if client_cookie is None else [
        (b"cookie", f"sijil_client={client_cookie}".encode())]
    request = Request({"type": "http", "method": "GET", "scheme": "http",
                       "path": session_cookie.ROUTE, "query_string": b"", "headers": headers,
                       "server": ("127.0.0.1", 8501)})
    return asyncio.run(claim_session_cookie(request))


def test_only_the_browser_it_was_left_for_gets_the_cookie_and_only_once():
    session_cookie.hand_over(CLIENT, TOKEN)
    for other in (None, STRANGER):
        reply = _claim(other)
        assert reply.status_code == 204 and "set-cookie" not in reply.headers
    reply = _claim(CLIENT)
    assert reply.status_code == 204
    assert reply.headers["set-cookie"] == (
        f"sijil_session={TOKEN}; Path=/; HttpOnly; SameSite=Strict")
    assert reply.headers["cache-control"] == "no-store"
    assert "set-cookie" not in _claim(CLIENT).headers


def test_log_out_clears_the_cookie():
    session_cookie.hand_over(CLIENT, None)
    assert _claim(CLIENT).headers["set-cookie"] == (
        "sijil_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict")


def test_a_handoff_expires_after_a_minute():
    session_cookie.hand_over(CLIENT, TOKEN, now=1000.0)
    assert session_cookie.pending(CLIENT, now=1059.0)
    assert not session_cookie.pending(CLIENT, now=1060.0)
    assert session_cookie.claim(CLIENT, now=1060.0) == (False, None)


def test_over_https_the_cookie_is_secure():
    assert session_cookie.set_cookie_header(TOKEN, https=True).endswith("; Secure")
