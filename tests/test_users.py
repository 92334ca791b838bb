"""Accounts: argon2id hashes, roles, log-in throttling, all audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from records.db import read_session, unit_of_work
from records.errors import AuthenticationError, PermissionDenied, ValidationError
from records.models import AppUser, AuditEntry
from records.models.types import utcnow
from records.services.access import SYSTEM
from records.services.users import (
    MAX_FAILED_LOGINS,
    add_user,
    authenticate,
    count_users,
    update_user,
)
from tests.conftest import PASSWORD


def _login(engine, name, password):
    """Log in the way the UI and CLI do: commit the attempt even when it fails."""
    with unit_of_work(engine) as session:
        try:
            return authenticate(session, name, password)
        except AuthenticationError as error:
            session.commit()
            raise error


def _actions(engine) -> list[str]:
    with read_session(engine) as session:
        return list(session.exec(select(AuditEntry.action).order_by(AuditEntry.seq)).all())


def test_first_account_must_be_admin(bare_engine):
    with pytest.raises(ValidationError), unit_of_work(bare_engine) as session:
        add_user(session, "first", "long enough pw", role="caseworker", by=SYSTEM)
    with unit_of_work(bare_engine) as session:
        first = add_user(session, "first", "long enough pw", role="admin", by=SYSTEM)
        assert count_users(session) == 1
    assert first.role == "admin"


def test_passwords_are_argon2id_and_never_in_the_trail(engine, users):
    with read_session(engine) as session:
        stored = session.exec(select(AppUser.password_hash)
                              .where(AppUser.username == "carla")).one()
        trail = " ".join(session.exec(select(AuditEntry.changes)).all())
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in trail
    assert "$argon2" not in trail


def test_login_is_audited(engine, users):
    assert _login(engine, "carla", PASSWORD).role == "caseworker"
    with pytest.raises(AuthenticationError, match="Wrong username or password"):
        _login(engine, "carla", "not the password")
    with pytest.raises(AuthenticationError):
        _login(engine, "nobody", "whatever")
    assert _actions(engine)[-3:] == ["login", "login_failed", "login_failed"]


def test_five_failures_lock_the_account_for_fifteen_minutes(engine, users):
    for _ in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthenticationError, match="Wrong username"):
            _login(engine, "chen", "wrong")
    with pytest.raises(AuthenticationError, match="locked for 15 minutes"):
        _login(engine, "chen", "wrong")
    with pytest.raises(AuthenticationError, match="locked"):
        _login(engine, "chen", PASSWORD)
    with unit_of_work(engine) as session:
        user = session.exec(select(AppUser).where(AppUser.username == "chen")).one()
        assert user.locked_until > utcnow() + timedelta(minutes=14)
        user.locked_until = utcnow() - timedelta(seconds=1)
    assert _login(engine, "chen", PASSWORD).username == "chen"


def test_deactivated_user_cannot_log_in(engine, users):
    with unit_of_work(engine) as session:
        update_user(session, "chen", by=users["admin"], is_active=False)
    with pytest.raises(AuthenticationError):
        _login(engine, "chen", PASSWORD)


def test_only_admins_manage_users(engine, users):
    with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
        add_user(session, "newbie", "long enough pw", role="viewer", by=users["rana"])
    with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
        update_user(session, "carla", by=users["rana"], role="admin")


def test_bad_account_data_names_the_field(engine, users):
    cases = [("carla", "long enough pw", "viewer", "username"),
             ("new", "short", "viewer", "password"),
             ("new", "long enough pw", "chief", "role"),
             ("bad name!", "long enough pw", "viewer", "username")]
    for name, password, role, field in cases:
        with pytest.raises(ValidationError) as caught, unit_of_work(engine) as session:
            add_user(session, name, password, role=role, by=users["admin"])
        assert field in caught.value.by_field()


def test_admin_cannot_demote_themselves(engine, users):
    with pytest.raises(ValidationError), unit_of_work(engine) as session:
        update_user(session, "admin", by=users["admin"], role="viewer")


def test_password_reset_unlocks(engine, users):
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            _login(engine, "chen", "wrong")
    with unit_of_work(engine) as session:
        update_user(session, "chen", by=users["admin"], password="a new long password")
    assert _login(engine, "chen", "a new long password").username == "chen"
