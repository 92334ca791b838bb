"""What verification checks of log-ins and workspace sessions (docs/design.md §4).

- Each entry written through a workspace session names the `login` entry that opened it
  (audit_entry.login_seq, inside the entry's keyed hash): it must be an earlier log-in of
  the same user. A write by a session no log-in opened is named.
- Each `login` entry records the keyed digest of the password hash the password was
  checked against; it must be the digest the trail recorded last for that account. A
  hash set by SQL to log in, and put back afterwards, is named.
- Each session row must carry a MAC under this installation's session key and name a
  log-in of its own user: a row added or changed by SQL is named.
CLI writes (`--as`) carry no log-in and are not sessions: nothing is asked of them.
"""

from __future__ import annotations

import orjson
from sqlalchemy import select
from sqlmodel import Session

from records.keys import ChainKeys
from records.models import AppUser, UserSession
from records.services.audit.chain_scan import Problem, fetch_one, placeholder, stream
from records.services.audit.exact_replay import earliest
from records.services.audit.rules import ENDED, MISSING, new_value
from records.services.users import genuine_session

LOGIN = "login"
# The key of a login entry's changes that holds the digest (records.services.users.login).
DIGEST = "password_digest"


def _username(conn, dialect: str, user_id: int | None) -> str:
    if user_id is None:
        return "the system"
    row = fetch_one(conn, "SELECT username FROM app_user "  # noqa: S608
                          f"WHERE id = {placeholder(dialect)}", (user_id,))
    return f"user {row[0]}" if row else f"user {user_id}"


def _foreign_login(conn, dialect: str) -> Problem | None:
    """The first entry written under a log-in that is not an earlier log-in of its actor.
    One row per (log-in, actor) pair, read from an index: not one per entry."""
    row = fetch_one(conn, """
        SELECT g.first_seq, g.login_seq, g.actor_id FROM (
            SELECT login_seq, actor_id, min(seq) AS first_seq FROM audit_entry
            WHERE login_seq IS NOT NULL GROUP BY login_seq, actor_id) g
        LEFT JOIN audit_entry l ON l.seq = g.login_seq AND l.action = 'login'
            AND l.actor_id = g.actor_id AND l.seq < g.first_seq
        WHERE l.seq IS NULL ORDER BY g.first_seq LIMIT 1""")
    if row is None:
        return None
    seq, login, actor = row
    action = fetch_one(conn, "SELECT action FROM audit_entry "  # noqa: S608
                             f"WHERE seq = {placeholder(dialect)}", (seq,))[0]
    return (seq, f"entry {seq}: {_username(conn, dialect, actor)} writes ({action}) under "
                 f"log-in {login}, which is not a log-in of theirs in the trail")


def _login_digests(conn, dialect: str) -> Problem | None:
    """The first log-in whose password digest is not the account's in the trail then.
    Each account's entries in turn, in seq order: memory holds one account's state."""
    cursor = stream(conn, dialect, "sijil_login_digests",
                    "SELECT entity_id, seq, action, changes FROM audit_entry "
                    "WHERE entity_type = 'app_user' AND entity_id IS NOT NULL "
                    "ORDER BY entity_id, seq")
    found: Problem | None = None
    account, recorded = None, MISSING
    try:
        for entity_id, seq, action, changes in cursor:
            if entity_id != account:
                account, recorded = entity_id, MISSING
            if action == LOGIN:
                checked = _recorded_digest(changes)
                if checked is not None and checked != recorded:
                    found = earliest(found, (seq, f"entry {seq}: "
                                           f"{_username(conn, dialect, entity_id)} logged in "
                                           "with a password hash other than the one the "
                                           "trail records for the account (set behind the "
                                           "trail)"))
                continue
            value = new_value(action, changes, "password_hash")
            if value is ENDED:
                recorded = MISSING
            elif value is not MISSING:
                recorded = value
    finally:
        cursor.close()
    return found


def _recorded_digest(changes: str) -> str | None:
    """The digest a login entry recorded, alone and not as an [old, new] pair (None: a
    log-in from before log-ins recorded one)."""
    if DIGEST not in changes:
        return None
    try:
        parsed = orjson.loads(changes)
    except orjson.JSONDecodeError:
        return None
    value = parsed.get(DIGEST) if type(parsed) is dict else None
    return value if type(value) is str else None


def _session_rows(session: Session, conn, dialect: str, keys: ChainKeys | None
                  ) -> Problem | None:
    """The first session row not written by this installation as it is, or naming a
    log-in that is not its user's."""
    row = fetch_one(conn, """
        SELECT s.id, s.user_id FROM user_session s
        LEFT JOIN audit_entry l ON l.seq = s.login_seq AND l.action = 'login'
            AND l.actor_id = s.user_id
        WHERE l.seq IS NULL ORDER BY s.id LIMIT 1""")
    bad = None if row is None else row[0]
    if keys is not None:
        query = select(UserSession).order_by(UserSession.id).execution_options(yield_per=500)
        for found in session.execute(query).scalars():
            if bad is not None and found.id >= bad:
                break
            if not genuine_session(found, keys):
                bad = found.id
                break
    if bad is None:
        return None
    owner = session.execute(select(AppUser.username).join(
        UserSession, UserSession.user_id == AppUser.id).where(UserSession.id == bad)).scalar()
    who = f"user {owner}" if owner else "no user"
    return (None, f"session {bad} of {who} was not opened by this installation (its row "
                  "was written outside the workspace)")


def session_problem(session: Session, conn, dialect: str, keys: ChainKeys | None
                    ) -> Problem | None:
    """The first problem with log-ins and sessions: an entry under a log-in not its
    actor's, a log-in with a hash the trail does not hold, then a session row not written
    by this installation (which names no entry). None when all hold."""
    return (earliest(_foreign_login(conn, dialect), _login_digests(conn, dialect))
            or _session_rows(session, conn, dialect, keys))
