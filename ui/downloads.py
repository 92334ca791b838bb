"""Files offered for download to one browser only, for a few minutes.

Streamlit's own downloads (st.download_button) are served at /media/… to anyone who has the
address, without a log-in; internal exports hold contacts. So the server (ui/server.py) gives
every browser a random, HttpOnly cookie, `sijil_client`; a page offers a file to the browser
whose cookie its session arrived with, and /download/<token> serves the file only to a
request carrying that same cookie. Offers live in this process's memory and expire.
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass

COOKIE = "sijil_client"
LIFETIME_SECONDS = 5 * 60
ROUTE = "/download/"
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Offer:
    client: str
    data: bytes
    file_name: str
    mime: str
    expires: float  # time.monotonic()


_lock = threading.Lock()
_offers: dict[str, Offer] = {}


def new_client_id() -> str:
    return secrets.token_urlsafe(32)


def valid_client_id(value: object) -> bool:
    return isinstance(value, str) and _CLIENT_ID.fullmatch(value) is not None


def client_id() -> str | None:
    """The cookie of the browser this Streamlit session belongs to; None when the app is not
    served by ui/server.py (e.g. `streamlit run ui/app.py`), so nothing can be offered."""
    import streamlit as st

    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 - outside a browser session there are no cookies
        return None
    return value if valid_client_id(value) else None


def _drop_expired(now: float) -> None:
    for token in [t for t, offer in _offers.items() if offer.expires <= now]:
        del _offers[token]


def offer(client: str, data: bytes, file_name: str, mime: str, *,
          now: float | None = None) -> str:
    """Keep `data` for the browser `client` for LIFETIME_SECONDS; its token for the URL.

    A browser has one offer at a time: a new export replaces its previous one, so memory
    holds at most one file per browser."""
    if not valid_client_id(client):
        raise ValueError("not a client id")
    now = time.monotonic() if now is None else now
    token = secrets.token_urlsafe(32)
    with _lock:
        _drop_expired(now)
        for old in [t for t, o in _offers.items() if o.client == client]:
            del _offers[old]
        _offers[token] = Offer(client, data, file_name, mime, now + LIFETIME_SECONDS)
    return token


def offered(token: str, client: str | None, *,
            now: float | None = None) -> Offer | None:
    """The offer behind `token` if it is still there and was made to `client`; None for
    anyone else, so a stranger cannot tell an expired token from a foreign one."""
    now = time.monotonic() if now is None else now
    with _lock:
        _drop_expired(now)
        found = _offers.get(token)
    if found is None or not valid_client_id(client):
        return None
    return found if hmac.compare_digest(found.client, client) else None


def withdraw(client: str | None) -> None:
    """Forget what was offered to `client`: at log-out, so the next person at a shared
    computer cannot download the previous user's export."""
    with _lock:
        for token in [t for t, o in _offers.items() if o.client == client]:
            del _offers[token]


def url(token: str) -> str:
    return f"{ROUTE}{token}"
