"""Sessions nobody can forge: a session row written by SQL logs nobody in and is named by
verification; a log-in with a password hash set behind the trail is named; a write made
under a log-in the trail does not hold is named; a password, role or activity change ends
the account's other sessions."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import insert, select, update

from records.db import read_session, unit_of_work
from records.models import AppUser, AuditEntry, UserSession
from records.models.types import utcnow
from records.services.access import Principal
from records.services.audit import verify_chain
from records.services.incidents import create_incident
from records.services.review import submit_incident, verify_incident
from records.services.users import (
    authenticate,
    open_sessions,
    resume_session,
    start_session,
    update_user,
)
from records.services.users.passwords import hash_password
from tests.conftest import PASSWORD
from tests.factories import incident_data

NEW_PASSWORD = "a brand new passphrase"


def _log_in(engine, name: str, password: str = PASSWORD):
    """Log in the way the workspace does: the log-in and its session in one unit of work."""
    with unit_of_work(engine) as session:
        who = authenticate(session, name, password, client="203.0.113.5")
        return who, start_session(session, by=who, client="203.0.113.5")


def _resume(engine, token):
    with read_session(engine) as session:
        return resume_session(session, token)


def _verify(engine, users):
    with read_session(engine) as session:
        return verify_chain(session, by=users["admin"])


def _last_login_seq(engine, user_id: int) -> int:
    with read_session(engine) as session:
        return session.exec(select(AuditEntry.seq).where(
            AuditEntry.action == "login", AuditEntry.actor_id == user_id)
            .order_by(AuditEntry.seq.desc())).first()[0]


def test_a_session_row_written_by_sql_logs_nobody_in_and_is_named(engine, users):
    _log_in(engine, "rana")  # a real log-in of rana's is in the trail
    rana_login = _last_login_seq(engine, users["rana"].id)
    token = secrets.token_urlsafe(32)
    table = UserSession.__table__
    now = utcnow()
    row = {"token_sha256": hashlib.sha256(token.encode()).hexdigest(),
           "user_id": users["rana"].id, "created_at": now, "last_seen_at": now}
    # The strongest forgery: any MAC one can make up, naming rana's real log-in.
    if "mac" in table.c:
        row |= {"mac": "hmac-sha256:" + "0" * 64, "login_seq": rana_login}
    with engine.begin() as conn:
        conn.execute(insert(table).values(**row))
        forged_id = conn.execute(select(table.c.id).where(
            table.c.token_sha256 == row["token_sha256"])).scalar_one()

    assert _resume(engine, token) is None
    with read_session(engine) as session:  # rana's real session only
        assert open_sessions(session, by=users["admin"]) == {"rana": 1}
    named = (f"audit trail broken outside the trail: session {forged_id} of user rana was "
             "not opened by this installation (its row was written outside the workspace)")
    result = _verify(engine, users)
    assert (result.ok, result.message) == (False, named)
    # Ending it (here by a password reset) does not make it look genuine.
    with unit_of_work(engine) as session:
        update_user(session, "rana", by=users["admin"], password=NEW_PASSWORD)
    result = _verify(engine, users)
    assert (result.ok, result.message) == (False, named)


def test_a_session_row_moved_to_another_user_logs_nobody_in(engine, users):
    _who, token = _log_in(engine, "carla")
    with engine.begin() as conn:
        conn.execute(update(UserSession.__table__).values(user_id=users["rana"].id))
    assert _resume(engine, token) is None
    assert not _verify(engine, users).ok


def test_a_password_hash_set_by_sql_to_log_in_then_restored_is_named(engine, users):
    table = AppUser.__table__
    with engine.begin() as conn:
        real = conn.execute(select(table.c.password_hash)
                            .where(table.c.username == "rana")).scalar_one()
        conn.execute(update(table).where(table.c.username == "rana")
                     .values(password_hash=hash_password("the attacker's own")))
    _log_in(engine, "rana", "the attacker's own")
    login = _last_login_seq(engine, users["rana"].id)
    with engine.begin() as conn:
        conn.execute(update(table).where(table.c.username == "rana")
                     .values(password_hash=real))

    result = _verify(engine, users)
    assert not result.ok
    assert result.first_bad_seq == login
    assert result.message == (
        f"audit trail broken at seq {login}: entry {login}: user rana logged in with a "
        "password hash other than the one the trail records for the account (set behind "
        "the trail)")


def test_ordinary_log_ins_a_password_change_and_a_rehash_verify(engine, users):
    _log_in(engine, "rana")
    with unit_of_work(engine) as session:
        update_user(session, "rana", by=users["admin"], password=NEW_PASSWORD)
    _log_in(engine, "rana", NEW_PASSWORD)
    assert _verify(engine, users).ok


def test_writes_carry_the_log_in_they_were_made_under(engine, users):
    rana, _token = _log_in(engine, "rana")
    carla, _token = _log_in(engine, "carla")
    with unit_of_work(engine) as session:
        made = create_incident(session, incident_data(), by=carla)
        submitted = submit_incident(session, made.ref, by=carla,
                                    expected_version=made.version)
    with unit_of_work(engine) as session:
        verify_incident(session, made.ref, by=rana, expected_version=submitted.version)
    with read_session(engine) as session:
        entries = session.exec(select(AuditEntry.action, AuditEntry.actor_id,
                                      AuditEntry.login_seq)
                               .where(AuditEntry.incident_ref == made.ref)).all()
    logins = {users["rana"].id: rana.login_seq, users["carla"].id: carla.login_seq}
    assert {(action, logins[actor] == seq) for action, actor, seq in entries} == {
        ("create", True), ("submit", True), ("verify", True)}
    assert _verify(engine, users).ok


def test_a_verify_step_under_a_log_in_that_is_not_the_reviewers_is_named(engine, users):
    carla, _token = _log_in(engine, "carla")
    with unit_of_work(engine) as session:
        made = create_incident(session, incident_data(), by=carla)
        submitted = submit_incident(session, made.ref, by=carla,
                                    expected_version=made.version)
    # A process holding a session for rana that no log-in of rana's opened: it names
    # carla's log-in, the only one there is.
    ghost = Principal(id=users["rana"].id, username="rana", role="reviewer",
                      login_seq=carla.login_seq)
    with unit_of_work(engine) as session:
        verify_incident(session, made.ref, by=ghost, expected_version=submitted.version)
    with read_session(engine) as session:
        step = session.exec(select(AuditEntry.seq).where(
            AuditEntry.action == "verify", AuditEntry.incident_ref == made.ref)).one()[0]
    result = _verify(engine, users)
    assert not result.ok and result.first_bad_seq == step
    assert result.message == (
        f"audit trail broken at seq {step}: entry {step}: user rana writes (verify) under "
        f"log-in {carla.login_seq}, which is not a log-in of theirs in the trail")


def test_an_admins_password_reset_ends_every_session_of_the_account(engine, users):
    _who, first = _log_in(engine, "carla")
    _who, second = _log_in(engine, "carla")
    _who, other = _log_in(engine, "chen")
    with unit_of_work(engine) as session:
        update_user(session, "carla", by=users["admin"], password=NEW_PASSWORD)
    assert _resume(engine, first) is None and _resume(engine, second) is None
    assert _resume(engine, other).username == "chen"
    with read_session(engine) as session:
        why = session.exec(select(UserSession.ended_why)
                           .where(UserSession.user_id == users["carla"].id)).all()
        event = session.exec(select(AuditEntry.actor_id, AuditEntry.changes,
                                    AuditEntry.reason)
                             .where(AuditEntry.action == "session_revoked")).one()
    assert [tuple(w) for w in why] == [("password changed",), ("password changed",)]
    assert tuple(event) == (users["admin"].id, '{"sessions":2}', "password changed")
    assert _verify(engine, users).ok


def test_a_role_change_and_a_deactivation_end_the_sessions(engine, users):
    _who, token = _log_in(engine, "carla")
    with unit_of_work(engine) as session:  # the same role again changes nothing
        update_user(session, "carla", by=users["admin"], role="caseworker", is_active=True)
    assert _resume(engine, token).username == "carla"
    with unit_of_work(engine) as session:
        update_user(session, "carla", by=users["admin"], role="reviewer")
    assert _resume(engine, token) is None
    _who, token = _log_in(engine, "chen")
    with unit_of_work(engine) as session:
        update_user(session, "chen", by=users["admin"], is_active=False)
    with read_session(engine) as session:
        ended = session.exec(select(UserSession.user_id, UserSession.ended_why)
                             .where(UserSession.ended_at.is_not(None))
                             .order_by(UserSession.id)).all()
    assert [tuple(e) for e in ended] == [(users["carla"].id, "role changed"),
                                         (users["chen"].id, "deactivated")]
    assert _verify(engine, users).ok


def test_changing_ones_own_password_keeps_only_the_current_session(engine, users):
    here, current = _log_in(engine, "admin")
    _who, elsewhere = _log_in(engine, "admin")
    with unit_of_work(engine) as session:
        update_user(session, "admin", by=here, password=NEW_PASSWORD)
    assert _resume(engine, current).username == "admin"
    assert _resume(engine, elsewhere) is None
    assert _verify(engine, users).ok
