"""Log-in sessions kept on the server (docs/design.md §4): what a browser's `sijil_session`
cookie stands for, so a reload or a second tab stays logged in until idle expiry, log-out,
an admin's revocation or the account's deactivation.

The cookie holds a random token (256 bits); the table keeps only its SHA-256, so a copy of
the database does not log anyone in. A token cannot be guessed, so it needs no signature;
the row does, since anyone who can write to the database could add one: each row carries
a MAC under the installation's key and names the log-in that opened it (session_rows.py),
and a row whose MAC does not verify logs nobody in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections import Counter

from sqlmodel import Session, col, select

from records.audit_chain import append_event, chain_keys
from records.i18n import _
from records.keys import (
    ChainKeys,
    SecretKeyError,
    StoredKeyError,
    load_chain_keys,
    read_master_key,
)
from records.models import AppUser, UserSession
from records.models.types import utcnow
from records.services.access import Principal, act_as, require_role
from records.services.users.accounts import load_user, principal_of
from records.services.users.session_rows import (
    end_account_sessions,
    end_sessions,
    genuine_session,
    seal_session,
)

IDLE_EXPIRY = dt.timedelta(minutes=30)
# How often a page marks its session as seen: a click is activity, but a write on every
# click would queue every page run behind the chain-head lock of a unit of work.
TOUCH_EVERY = dt.timedelta(seconds=60)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def valid_token(value: object) -> bool:
    """Whether `value` has the form of a session token (anything else is not looked up)."""
    return isinstance(value, str) and _TOKEN.fullmatch(value) is not None


def start_session(session: Session, *, by: Principal, client: str = "") -> str:
    """Open a session for `by`, the principal `authenticate` has just returned in this
    transaction (it names its `login` entry), and return its token for the browser's
    cookie. `client` is the network address, kept for the admin's view. The token itself
    is stored nowhere on the server. Raises ValueError for a principal no log-in made."""
    if by.id is None or by.login_seq is None:
        raise ValueError("a session is opened by a log-in: pass the principal authenticate "
                         "returned")
    keys = chain_keys(session)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    # This account's sessions that went idle are closed now, so the table says why.
    end_sessions(session, list(session.exec(select(UserSession).where(
        UserSession.user_id == by.id, col(UserSession.ended_at).is_(None),
        UserSession.last_seen_at < now - IDLE_EXPIRY)).all()), "idle", now)
    row = UserSession(token_sha256=_digest(token), user_id=by.id, login_seq=by.login_seq,
                      created_at=now, last_seen_at=now, client=client[:100] or None, mac="")
    seal_session(row, keys)
    session.add(row)
    session.flush()
    return token


def _keys(session: Session) -> ChainKeys | None:
    # Read only (a read session will do): the chain keys unwrapped with the master key.
    # Without them no row can be shown genuine, so none is.
    try:
        return load_chain_keys(session.connection(), read_master_key())
    except (SecretKeyError, StoredKeyError):
        return None


def _live(session: Session, token: object) -> UserSession | None:
    """The live session behind `token`: None when the token is malformed or unknown, the
    session ended, or its row is not as this installation wrote it (added or changed by
    SQL), all alike."""
    if not valid_token(token):
        return None
    row = session.exec(select(UserSession)
                       .where(UserSession.token_sha256 == _digest(token))).first()
    if row is None or row.ended_at is not None or not genuine_session(row, _keys(session)):
        return None
    return row


def resume_session(session: Session, token: object, *,
                   now: dt.datetime | None = None) -> Principal | None:
    """The principal a session token logs in, re-read from the account; None when the token
    is unknown or malformed, the session ended, it was not seen for IDLE_EXPIRY, or the
    account is inactive. Only reads (a read session will do); `touch_session` records the
    activity. Never raises for a bad token: every failure is None, the same for all."""
    now = now or utcnow()
    row = _live(session, token)
    if row is None or now - row.last_seen_at > IDLE_EXPIRY:
        return None
    user = session.get(AppUser, row.user_id)
    if user is None or not user.is_active:
        return None
    return principal_of(user, login_seq=row.login_seq)


def touch_session(session: Session, token: object, *, now: dt.datetime | None = None
                  ) -> None:
    """Record that the live session behind `token` was used now (`last_seen_at`), which
    restarts its idle time; an ended, expired or unknown one is left as it is. Callers do
    this about once every TOUCH_EVERY, not on every read."""
    now = now or utcnow()
    row = _live(session, token)
    if row is not None and now - row.last_seen_at <= IDLE_EXPIRY:
        row.last_seen_at = now
        seal_session(row, chain_keys(session))
        session.flush()


def end_session(session: Session, token: object, *, by: Principal) -> None:
    """Log `by` out: end the session behind `token` if it is theirs and live (a missing or
    foreign token ends nothing), and audit a `logout` event for the account."""
    row = _live(session, token)
    if row is not None and row.user_id == by.id:
        end_sessions(session, [row], "logout")
    act_as(session, by)
    session.flush()
    append_event(session, action="logout", entity_type="app_user", entity_id=by.id)


def revoke_sessions(session: Session, username: str, *, by: Principal) -> int:
    """End every live session of the account `username` (admin only): each of its browsers
    is logged out at its next click. Returns how many were ended; when any were, one
    `session_revoked` event names the account and the count (none when there was nothing to
    end). Raises PermissionDenied for non-admins and NotFound for an unknown name."""
    require_role(by, "admin", _("log users out"))
    user = load_user(session, username)
    act_as(session, by)
    return end_account_sessions(session, user.id, "revoked")


def open_sessions(session: Session, *, by: Principal,
                  now: dt.datetime | None = None) -> dict[str, int]:
    """Username → number of live sessions (not ended, seen within IDLE_EXPIRY, written by
    this installation: a row added by SQL logs nobody in, so it is not counted), for every
    account that has one (admin only; raises PermissionDenied otherwise)."""
    require_role(by, "admin", _("see who is logged in"))
    since = (now or utcnow()) - IDLE_EXPIRY
    keys = _keys(session)
    rows = session.exec(
        select(AppUser.username, UserSession)
        .join(UserSession, col(UserSession.user_id) == col(AppUser.id))
        .where(col(UserSession.ended_at).is_(None), UserSession.last_seen_at > since)).all()
    return dict(Counter(name for name, row in rows if genuine_session(row, keys)))
