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
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

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


# What may stand in the quoted, ASCII-only `filename=` of a Content-Disposition header.
_PLAIN = re.compile(r"[A-Za-z0-9 !#$&'()+,\-.:;=@\[\]^_`{}~]")


def content_disposition(file_name: str) -> str:
    """The Content-Disposition header that saves a download as `file_name`, in ASCII only
    (an HTTP header holds no other characters: a raw Arabic name made the answer fail).

    As RFC 6266 advises (appendix D), `filename="…"` holds a plain-ASCII stand-in with no
    quote, backslash or percent sign (some browsers read escapes there, some do not), and
    `filename*=UTF-8''…` (RFC 8187) holds the exact name, which browsers prefer. Control
    characters are dropped from both, so a name cannot break the header."""
    name = "".join(c for c in file_name if unicodedata.category(c) != "Cc")
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stand_in = "".join(c if _PLAIN.fullmatch(c) else "_" for c in folded)
    stem, dot, extension = stand_in.rpartition(".")
    if not dot:
        stem, extension = extension, ""
    if not any(c.isalnum() for c in stem):
        stem = "file"
    stand_in = stem + (dot + extension if any(c.isalnum() for c in extension) else "")
    header = f'attachment; filename="{stand_in}"'
    if name and stand_in != name:
        header += "; filename*=UTF-8''" + quote(name, safe="")
    return header
