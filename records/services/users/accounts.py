"""User accounts: argon2id passwords, roles, log-in with lock-out after repeated failures."""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from records.audit_chain import append_event
from records.errors import AuthenticationError, NotFound, ValidationError
from records.i18n import _
from records.models import AppUser
from records.models.types import utcnow
from records.models.user import ROLES, UserBase, UserRead
from records.services.access import SYSTEM, Principal, act_as, require_role
from records.services.validation import parse

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def _read(user: AppUser) -> UserRead:
    return UserRead.model_validate(user.model_dump())


def principal_of(user: UserRead | AppUser) -> Principal:
    return Principal(id=user.id, username=user.username, role=user.role,
                     display_name=user.display_name)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError.single(
            "password", _("a password needs at least {n} characters").format(
                n=MIN_PASSWORD_LENGTH))


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError.single(
            "role", _("'{role}' is not a role; allowed: {allowed}").format(
                role=role, allowed=", ".join(ROLES)), role)


def usernames(session: Session, ids: set[int | None]) -> dict[int, str]:
    """id → username for the given user ids (None, the system, is left out)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.exec(select(AppUser.id, AppUser.username)
                             .where(AppUser.id.in_(wanted))).all())


def count_users(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AppUser)).one()


def _get(session: Session, username: str) -> AppUser:
    user = session.exec(select(AppUser).where(AppUser.username == username)).first()
    if user is None:
        raise NotFound(_("no user named {name}").format(name=username))
    return user


def get_user(session: Session, username: str) -> UserRead:
    return _read(_get(session, username))


def list_users(session: Session) -> list[UserRead]:
    return [_read(u) for u in session.exec(select(AppUser).order_by(AppUser.username)).all()]


def add_user(session: Session, username: str, password: str, *, role: str,
             by: Principal, display_name: str = "") -> UserRead:
    """Create an account (admin only; the first account of an empty database may be made by
    anyone and must be an admin). Raises ValidationError for a taken name, unknown role or a
    short password."""
    first = count_users(session) == 0
    if first and role != "admin":
        raise ValidationError.single("role", _("the first account must be an admin"), role)
    if not first:
        require_role(by, "admin", _("add users"))
    data = parse(UserBase, {"username": username.strip(), "display_name": display_name.strip(),
                            "role": role})
    _check_role(role)
    _check_password(password)
    if session.exec(select(AppUser.id).where(AppUser.username == data.username)).first():
        raise ValidationError.single(
            "username", _("the username {name} is taken").format(name=data.username), username)
    act_as(session, by if not first else SYSTEM)
    user = AppUser(**data.model_dump(), password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    return _read(user)


def update_user(session: Session, username: str, *, by: Principal,
                role: str | None = None, is_active: bool | None = None,
                display_name: str | None = None, password: str | None = None) -> UserRead:
    """Change a user's role, active flag, name or password (admin only, audited).

    An admin cannot take away their own admin role or deactivate themselves, so the
    database never loses its last way in by accident."""
    require_role(by, "admin", _("manage users"))
    user = _get(session, username)
    if user.id == by.id and (role not in (None, "admin") or is_active is False):
        raise ValidationError.single(
            "role", _("you cannot remove your own admin rights or deactivate yourself"))
    act_as(session, by)
    if role is not None:
        _check_role(role)
        user.role = role
    if is_active is not None:
        user.is_active = is_active
    if display_name is not None:
        user.display_name = display_name.strip()
    if password is not None:
        _check_password(password)
        user.password_hash = _hasher.hash(password)
        user.failed_logins = 0
        user.locked_until = None
    session.flush()
    return _read(user)


def authenticate(session: Session, username: str, password: str) -> Principal:
    """Check a password. Every attempt is audited; five failures lock the account for
    fifteen minutes. Raises AuthenticationError with a message that can be shown as it is.

    The caller commits even when this raises, so that failures are counted and recorded."""
    generic = _("Wrong username or password.")
    user = session.exec(select(AppUser).where(AppUser.username == username.strip())).first()
    now = utcnow()
    if user is None:
        act_as(session, SYSTEM)
        append_event(session, action="login_failed", entity_type="app_user",
                     changes={"username": username[:64]}, reason="unknown user")
        raise AuthenticationError(generic)
    act_as(session, principal_of(user))
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        append_event(session, action="login_failed", entity_type="app_user",
                     entity_id=user.id, reason="account locked")
        raise AuthenticationError(
            _("This account is locked after {n} failed log-ins. Try again in {m} minutes or "
              "ask an admin to reset the password.").format(n=MAX_FAILED_LOGINS, m=minutes))
    try:
        _hasher.verify(user.password_hash, password)
        ok = user.is_active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        user.failed_logins += 1
        reason = "wrong password" if user.is_active else "inactive account"
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            reason += "; account locked"
        session.flush()
        append_event(session, action="login_failed", entity_type="app_user",
                     entity_id=user.id, reason=reason)
        if user.locked_until is not None and user.locked_until > now:
            raise AuthenticationError(
                _("Too many failed log-ins: this account is locked for {m} minutes.")
                .format(m=int(LOCKOUT.total_seconds() // 60)))
        raise AuthenticationError(generic)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.flush()
    append_event(session, action="login", entity_type="app_user", entity_id=user.id)
    return principal_of(user)
