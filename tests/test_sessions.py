"""Log-in sessions kept on the server: resumed from a cookie's token until idle expiry,
log-out, an admin's revocation or deactivation; log-out and revocation audited."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import select

from records.db import read_session, unit_of_work
from records.errors import PermissionDenied
from records.models import AuditEntry, UserSession
from records.models.types import utcnow
from records.services.audit import verify_chain
from records.services.users import (
    authenticate,
    end_session,
    open_sessions,
    resume_session,
    revoke_sessions,
    start_session,
    touch_session,
    update_user,
)
from tests.conftest import PASSWORD


def _start(engine, who, client="203.0.113.5") -> str:
    """Log `who` in as the workspace does: the log-in and its session in one transaction."""
    with unit_of_work(engine) as session:
        logged_in = authenticate(session, who.username, PASSWORD, client=client)
        return start_session(session, by=logged_in, client=client)


def _resume(engine, token, now=None):
    with read_session(engine) as session:
        return resume_session(session, token, now=now)


def _entries(engine) -> list[tuple[str, int | None, str]]:
    with read_session(engine) as session:
        rows = session.exec(select(AuditEntry).order_by(AuditEntry.seq)).all()
        return [(e.action, e.actor_id, e.changes) for e in rows
                if e.action in ("logout", "session_revoked")]


def test_a_token_resumes_its_user_and_only_its_digest_is_stored(engine, users):
    token = _start(engine, users["carla"])
    assert len(token) == 43
    assert _resume(engine, token).username == "carla"
    with read_session(engine) as session:
        row = session.exec(select(UserSession)).one()
        assert row.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
        assert row.client == "203.0.113.5"
        assert token not in str(row.model_dump())


@pytest.mark.parametrize("token", [None, "", "x" * 43, "not a token", 42, "a" * 44])
def test_unknown_or_malformed_tokens_log_in_nobody(engine, users, token):
    _start(engine, users["carla"])
    assert _resume(engine, token) is None


def test_a_session_not_seen_for_thirty_minutes_has_ended(engine, users):
    token = _start(engine, users["carla"])
    later = utcnow() + timedelta(minutes=29)
    assert _resume(engine, token, now=later) is not None
    with unit_of_work(engine) as session:
        touch_session(session, token, now=later)  # seen: the idle time starts again
    assert _resume(engine, token, now=later + timedelta(minutes=29)) is not None
    assert _resume(engine, token, now=later + timedelta(minutes=31)) is None
    with unit_of_work(engine) as session:  # too late to touch
        touch_session(session, token, now=later + timedelta(minutes=31))
    assert _resume(engine, token, now=later + timedelta(minutes=31)) is None


def test_a_new_log_in_closes_the_accounts_idle_sessions(engine, users):
    old = _start(engine, users["carla"])
    with unit_of_work(engine) as session:
        session.exec(select(UserSession)).one().last_seen_at = utcnow() - timedelta(hours=1)
    _start(engine, users["carla"])
    with read_session(engine) as session:
        rows = session.exec(select(UserSession).order_by(UserSession.id)).all()
        assert [(r.ended_why, r.ended_at is None) for r in rows] == [("idle", False),
                                                                     (None, True)]
    assert _resume(engine, old) is None


def test_log_out_ends_the_session_and_is_audited(engine, users):
    token = _start(engine, users["carla"])
    with unit_of_work(engine) as session:
        end_session(session, token, by=users["carla"])
    assert _resume(engine, token) is None
    assert _entries(engine) == [("logout", users["carla"].id, "{}")]
    with read_session(engine) as session:
        assert verify_chain(session, by=users["admin"]).ok


def test_nobody_ends_another_users_session_by_logging_out(engine, users):
    token = _start(engine, users["carla"])
    with unit_of_work(engine) as session:
        end_session(session, token, by=users["chen"])
    assert _resume(engine, token).username == "carla"


def test_an_admin_revokes_every_session_of_a_user(engine, users):
    first, second = _start(engine, users["carla"]), _start(engine, users["carla"])
    other = _start(engine, users["chen"])
    with unit_of_work(engine) as session:
        assert open_sessions(session, by=users["admin"]) == {"carla": 2, "chen": 1}
        assert revoke_sessions(session, "carla", by=users["admin"]) == 2
    assert _resume(engine, first) is None and _resume(engine, second) is None
    assert _resume(engine, other).username == "chen"
    with unit_of_work(engine) as session:
        assert revoke_sessions(session, "carla", by=users["admin"]) == 0  # writes nothing
    assert _entries(engine) == [("session_revoked", users["admin"].id, '{"sessions":2}')]
    with read_session(engine) as session:
        assert verify_chain(session, by=users["admin"]).ok


def test_only_admins_revoke_or_list_sessions(engine, users):
    _start(engine, users["carla"])
    with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
        revoke_sessions(session, "carla", by=users["rana"])
    with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
        open_sessions(session, by=users["rana"])


def test_a_deactivated_account_is_not_resumed(engine, users):
    token = _start(engine, users["carla"])
    with unit_of_work(engine) as session:
        update_user(session, "carla", is_active=False, by=users["admin"])
    assert _resume(engine, token) is None
