"""Log-in session rows bound to the installation's key, and ending an account's sessions.

A session row is not in the trail (its `last_seen_at` changes on every page run), so by
itself anyone who can write to the database could add one with a token of their choosing
and be logged in as anybody. Each row therefore carries a MAC under the session key
(records.keys: HKDF of the chain key, which the database holds only wrapped under the
master key) over what it says: whose it is, which token, which `login` entry of the trail
opened it, and its times. A row whose MAC does not verify is treated exactly like an
unknown token, and `sijil audit verify` names it.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json

from sqlmodel import Session, col, select

from records.audit_chain import append_event, chain_keys, format_time
from records.keys import ChainKeys
from records.models import UserSession
from records.models.types import utcnow


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else format_time(value)


def session_payload(row: UserSession) -> bytes:
    """The canonical bytes a session row's MAC is taken over."""
    return json.dumps(
        ["sijil-session", 1, row.token_sha256, row.user_id, row.login_seq,
         _time(row.created_at), _time(row.last_seen_at), _time(row.ended_at)],
        separators=(",", ":")).encode("ascii")


def seal_session(row: UserSession, keys: ChainKeys) -> None:
    """Set the row's MAC for what it says now: after every change of it."""
    row.mac = keys.session_mac(session_payload(row))


def genuine_session(row: UserSession, keys: ChainKeys | None) -> bool:
    """Whether the row was written by this installation as it is (its MAC verifies under
    `keys`; no keys: nothing can be)."""
    if keys is None or not isinstance(row.mac, str):
        return False
    return hmac.compare_digest(row.mac, keys.session_mac(session_payload(row)))


def end_sessions(session: Session, rows: list[UserSession], why: str,
                 now: dt.datetime | None = None) -> None:
    """End `rows` now for the reason `why` (logout, revoked, idle, password changed...),
    each genuine one sealed again as ended (a write session: the chain keys are at hand).
    A row that was not genuine is ended but keeps its MAC, so verification still names
    it: ending it must not make it look written by this installation."""
    keys = chain_keys(session)
    now = now or utcnow()
    for row in rows:
        genuine = genuine_session(row, keys)
        row.ended_at, row.ended_why = now, why
        if genuine:
            seal_session(row, keys)


def end_account_sessions(session: Session, user_id: int, why: str, *,
                         keep_login_seq: int | None = None,
                         audit_reason: str | None = None) -> int:
    """End every live session of the account `user_id` but the one opened by the log-in
    `keep_login_seq` (the session that asks, when a user changes their own account), each
    browser meeting the log-in page at its next click. Returns how many were ended; when
    any were, one `session_revoked` entry names the account, the count and
    `audit_reason`. The caller has bound who acts (act_as)."""
    query = select(UserSession).where(UserSession.user_id == user_id,
                                      col(UserSession.ended_at).is_(None))
    if keep_login_seq is not None:
        query = query.where(UserSession.login_seq != keep_login_seq)
    rows = list(session.exec(query).all())
    if not rows:
        return 0
    end_sessions(session, rows, why)
    session.flush()
    append_event(session, action="session_revoked", entity_type="app_user",
                 entity_id=user_id, changes={"sessions": len(rows)}, reason=audit_reason)
    return len(rows)
