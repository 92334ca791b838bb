"""Log-in sessions kept on the server (docs/design.md §4): what a browser's `sijil_session`
cookie stands for, so a reload or a second tab stays logged in until idle expiry, log-out,
an admin's revocation or the account's deactivation.

The cookie holds a random token (256 bits); the table keeps only its SHA-256, so a copy of
the database does not log anyone in. A token cannot be guessed, so it needs no signature.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from sqlmodel import Session, col, func, select

from records.audit_chain import append_event
from records.i18n import _
from records.models import AppUser, UserSession
from records.models.types import utcnow
from records.services.access import Principal, act_as, require_role
from records.services.users.accounts import load_user, principal_of

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
    """Open a session for `by`, who has just logged in (the log-in is already audited), and
    return its token for the browser's cookie. `client` is the network address, kept for
    the admin's view. The token itself is stored nowhere on the server."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    # This account's sessions that went idle are closed now, so the table says why.
    for old in session.exec(select(UserSession).where(
            UserSession.user_id == by.id, col(UserSession.ended_at).is_(None),
            UserSession.last_seen_at < now - IDLE_EXPIRY)).all():
        old.ended_at, old.ended_why = now, "idle"
    session.add(UserSession(token_sha256=_digest(token), user_id=by.id,
                            client=client[:100] or None))
    session.flush()
    return token


def _live(session: Session, token: object) -> UserSession | None:
    if not valid_token(token):
        return None
    row = session.exec(select(UserSession)
                       .where(UserSession.token_sha256 == _digest(token))).first()
    return row if row is not None and row.ended_at is None else None


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
    return principal_of(user)


def touch_session(session: Session, token: object, *, now: dt.datetime | None = None
                  ) -> None:
    """Record that the live session behind `token` was used now (`last_seen_at`), which
    restarts its idle time; an ended, expired or unknown one is left as it is. Callers do
    this about once every TOUCH_EVERY, not on every read."""
    now = now or utcnow()
    row = _live(session, token)
    if row is not None and now - row.last_seen_at <= IDLE_EXPIRY:
        row.last_seen_at = now
        session.flush()


def end_session(session: Session, token: object, *, by: Principal) -> None:
    """Log `by` out: end the session behind `token` if it is theirs and live (a missing or
    foreign token ends nothing), and audit a `logout` event for the account."""
    row = _live(session, token)
    if row is not None and row.user_id == by.id:
        row.ended_at, row.ended_why = utcnow(), "logout"
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
    rows = session.exec(select(UserSession).where(UserSession.user_id == user.id,
                                                  col(UserSession.ended_at).is_(None))).all()
    if not rows:
        return 0
    now = utcnow()
    for row in rows:
        row.ended_at, row.ended_why = now, "revoked"
    act_as(session, by)
    session.flush()
    append_event(session, action="session_revoked", entity_type="app_user",
                 entity_id=user.id, changes={"sessions": len(rows)})
    return len(rows)


def open_sessions(session: Session, *, by: Principal,
                  now: dt.datetime | None = None) -> dict[str, int]:
    """Username → number of live sessions (not ended, seen within IDLE_EXPIRY), for every
    account that has one (admin only; raises PermissionDenied otherwise)."""
    require_role(by, "admin", _("see who is logged in"))
    since = (now or utcnow()) - IDLE_EXPIRY
    rows = session.exec(
        select(AppUser.username, func.count())
        .join(UserSession, col(UserSession.user_id) == col(AppUser.id))
        .where(col(UserSession.ended_at).is_(None), UserSession.last_seen_at > since)
        .group_by(AppUser.username)).all()
    return dict(rows)
