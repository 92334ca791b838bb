"""User accounts: who they are, their roles and argon2id passwords (log-in is in login.py)."""

from __future__ import annotations

from sqlmodel import Session, func, select

from records.errors import NotFound, ValidationError
from records.i18n import _
from records.models import AppUser
from records.models.user import ROLES, UserBase, UserRead
from records.services.access import SYSTEM, Principal, act_as, require_role
from records.services.users.passwords import hash_password
from records.services.users.session_rows import end_account_sessions
from records.services.users.throttle import clear_after_commit
from records.services.validation import parse

MIN_PASSWORD_LENGTH = 10


def _read(user: AppUser) -> UserRead:
    return UserRead.model_validate(user.model_dump())


def principal_of(user: UserRead | AppUser, *, login_seq: int | None = None) -> Principal:
    """The principal of an account; `login_seq` names the log-in it acts under (the seq of
    its `login` entry), for a workspace session."""
    return Principal(id=user.id, username=user.username, role=user.role,
                     display_name=user.display_name, login_seq=login_seq)


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


def load_user(session: Session, username: str) -> AppUser:
    """The account row named `username` (for this package's services); NotFound if none."""
    user = session.exec(select(AppUser).where(AppUser.username == username)).first()
    if user is None:
        raise NotFound(_("no user named {name}").format(name=username))
    return user


def get_user(session: Session, username: str) -> UserRead:
    return _read(load_user(session, username))


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
    user = AppUser(**data.model_dump(), password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return _read(user)


def update_user(session: Session, username: str, *, by: Principal,
                role: str | None = None, is_active: bool | None = None,
                display_name: str | None = None, password: str | None = None) -> UserRead:
    """Change a user's role, active flag, name or password (admin only, audited); a new
    password also lifts the account's log-in delays.

    A new password, another role or a deactivation ends the account's sessions, each
    browser meeting the log-in page at its next click: all of them when an admin changes
    another's account (the reset of a compromised account), all but the one asking when
    admins change their own. An admin cannot take away their own admin role or deactivate
    themselves, so the database never loses its last way in by accident."""
    require_role(by, "admin", _("manage users"))
    user = load_user(session, username)
    if user.id == by.id and (role not in (None, "admin") or is_active is False):
        raise ValidationError.single(
            "role", _("you cannot remove your own admin rights or deactivate yourself"))
    act_as(session, by)
    why = []
    if role is not None:
        _check_role(role)
        if role != user.role:
            why.append("role changed")
        user.role = role
    if is_active is not None:
        if user.is_active and not is_active:
            why.append("deactivated")
        user.is_active = is_active
    if display_name is not None:
        user.display_name = display_name.strip()
    if password is not None:
        _check_password(password)
        user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        clear_after_commit(session, user.username)  # a new password lifts log-in delays
        why.insert(0, "password changed")
    session.flush()
    if why:
        # Ended with the change, in its transaction: never a new password with an old
        # session still open.
        end_account_sessions(session, user.id, why[0], audit_reason=", ".join(why),
                             keep_login_seq=by.login_seq if user.id == by.id else None)
    return _read(user)
