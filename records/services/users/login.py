"""Log-in: one answer and one cost for every failure, throttled per name and client, and
an admin's way to lift the delays (docs/design.md §4)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import NoReturn

from sqlmodel import Session, select

from records.audit_chain import append_event, chain_keys
from records.errors import AuthenticationError
from records.i18n import _
from records.models import AppUser
from records.models.types import utcnow
from records.services.access import SYSTEM, Principal, act_as, require_role
from records.services.users.accounts import load_user, principal_of
from records.services.users.passwords import hash_password, needs_rehash, verify_password
from records.services.users.throttle import LOGIN_THROTTLE, clear_after_commit


def wrong_login_message() -> str:
    """The one answer to every failed log-in that was not throttled."""
    return _("Wrong username or password.")


def throttled_message(wait: float) -> str:
    """The answer to an attempt that came too soon; it depends only on the wait."""
    seconds = max(1, math.ceil(wait))
    if seconds < 120:
        return _("Too many failed log-ins: wait {n} s before trying again.").format(n=seconds)
    return _("Too many failed log-ins: wait {n} min before trying again.").format(
        n=math.ceil(seconds / 60))


def _refuse(session: Session, user: AppUser | None, reason: str, message: str) -> NoReturn:
    # Nothing typed goes into the trail, for an unknown name only the fact: people type
    # passwords into the name field, and the trail is permanent and read by reviewers.
    # A digest would not do either: a short password's digest is found by trying them all.
    act_as(session, principal_of(user) if user is not None else SYSTEM)
    append_event(session, action="login_failed", entity_type="app_user",
                 entity_id=user.id if user is not None else None, reason=reason)
    raise AuthenticationError(message)


@dataclass(frozen=True)
class PasswordCheck:
    """The outcome of `check_password`: which stored hash `password` was checked against
    (None: no such account) and whether it matched. Holds no password."""

    username: str
    checked_hash: str | None
    matches: bool


def check_password(session: Session, username: str, password: str) -> PasswordCheck:
    """The argon2id verification of a log-in, done in a read session before the write
    transaction of `authenticate`, so that the write lock is not held while the hash is
    computed (on SQLite every writer waits for it). Costs exactly one verification whether
    or not the account exists, as `authenticate` does."""
    name = username.strip()
    stored = session.exec(select(AppUser.password_hash)
                          .where(AppUser.username == name)).first()
    return PasswordCheck(name, stored, verify_password(stored, password))


def authenticate(session: Session, username: str, password: str, *,
                 client: str = "", checked: PasswordCheck | None = None) -> Principal:
    """Check a password and return the principal it logs in, naming its `login` entry
    (`login_seq`: `start_session` opens the browser's session with it). Every attempt is
    audited.

    Every failure costs one argon2id verification and one audit entry, and answers with
    `wrong_login_message()`, whether the name exists, the password is wrong or the account
    is inactive. After too many failures for this name from this `client` (its network
    address; "" when unknown), further attempts from it must wait a growing delay and are
    answered with `throttled_message()`, the same for names that exist and names that do
    not; a success clears the count. Raises AuthenticationError, whose message can be shown
    as it is. The caller commits even when this raises, so that failures are recorded.

    With `checked` (`check_password` of the same name, done before this transaction), its
    answer is used when the stored hash has not changed since, and no hash is computed
    here; otherwise the password is verified here as without it."""
    name = username.strip()
    user = session.exec(select(AppUser).where(AppUser.username == name)).first()
    stored = user.password_hash if user is not None else None
    done = checked is not None and checked.username == name and checked.checked_hash == stored
    wait = LOGIN_THROTTLE.attempt(name, client)
    if wait > 0:
        if not done:
            verify_password(None, password)  # the same work as an attempt that is checked
        _refuse(session, user, "throttled" if user is not None else "unknown user; throttled",
                throttled_message(wait))
    matches = checked.matches if done else verify_password(stored, password)
    if user is None:
        _refuse(session, None, "unknown user", wrong_login_message())
    if not (matches and user.is_active):
        _refuse(session, user, "wrong password" if user.is_active else "inactive account",
                wrong_login_message())
    LOGIN_THROTTLE.succeeded(name, client)
    act_as(session, principal_of(user))
    # The entry records the keyed digest of the hash the password was checked against:
    # verification names a log-in whose hash is not the one the trail holds for the
    # account then (a hash set by SQL to log in, and put back after).
    seq = append_event(session, action="login", entity_type="app_user", entity_id=user.id,
                       changes={"password_digest":
                                chain_keys(session).credential_digest(stored)})
    principal = principal_of(user, login_seq=seq)
    act_as(session, principal)  # what follows in this transaction is the log-in's own
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    # The lock these columns held is no longer used; a success clears any left from before.
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    session.flush()
    return principal


def unlock_user(session: Session, username: str, *, by: Principal) -> bool:
    """Lift every log-in delay on this account, from every client (admin only).

    Returns whether there was anything to lift; when there was, an `update` entry for the
    account with the reason "log-in delays cleared" records who did it, and the delays are
    lifted once that entry is committed (never without it). Raises PermissionDenied for
    non-admins and NotFound for an unknown name."""
    require_role(by, "admin", _("unlock accounts"))
    user = load_user(session, username)
    counted = LOGIN_THROTTLE.clients(user.username) > 0
    legacy = user.failed_logins != 0 or user.locked_until is not None
    if not (counted or legacy):
        return False
    act_as(session, by)
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    append_event(session, action="update", entity_type="app_user", entity_id=user.id,
                 reason="log-in delays cleared")
    clear_after_commit(session, user.username)
    return True


def login_delays(session: Session, *, by: Principal) -> dict[str, dt.datetime]:
    """Username → until when (UTC) log-ins to it are delayed for some client, for every
    account with a delay now (admin only; raises PermissionDenied otherwise)."""
    require_role(by, "admin", _("see log-in delays"))
    now = utcnow()
    left = LOGIN_THROTTLE.delays(session.exec(select(AppUser.username)).all())
    return {name: now + dt.timedelta(seconds=seconds) for name, seconds in left.items()}
