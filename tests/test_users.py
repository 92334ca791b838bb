"""Accounts: argon2id hashes, roles, log-in throttling, all audited."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlmodel import select

from records.db import read_session, unit_of_work
from records.errors import AuthenticationError, PermissionDenied, ValidationError
from records.models import AppUser, AuditEntry
from records.models.types import utcnow
from records.services.access import SYSTEM
from records.services.audit import verify_chain
from records.services.users import (
    FAILURES_BEFORE_DELAY,
    LOGIN_THROTTLE,
    add_user,
    authenticate,
    count_users,
    login_delays,
    unlock_user,
    update_user,
)
from records.services.users.throttle import LoginThrottle, client_key
from tests.conftest import PASSWORD

WRONG = "Wrong username or password."
HERE, ELSEWHERE = "203.0.113.5", "198.51.100.7"


class Clock:
    """The throttle's clock, moved by hand so no test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> Clock:
    # The throttle lives in the process: each test (and each engine) starts from nothing.
    LOGIN_THROTTLE.reset()
    fake = Clock()
    monkeypatch.setattr(LOGIN_THROTTLE, "now", fake)
    yield fake
    LOGIN_THROTTLE.reset()


def _login(engine, name, password, client=""):
    """Log in the way the UI does: commit the attempt even when it fails."""
    with unit_of_work(engine) as session:
        try:
            return authenticate(session, name, password, client=client)
        except AuthenticationError as error:
            session.commit()
            raise error


def _answer(engine, name, password, client="") -> str:
    """The message a failed log-in answers with."""
    with pytest.raises(AuthenticationError) as caught:
        _login(engine, name, password, client)
    return str(caught.value)


def _fail(engine, name, times, client=""):
    for _ in range(times):
        assert _answer(engine, name, "wrong password", client) == WRONG


def _actions(engine) -> list[str]:
    with read_session(engine) as session:
        return list(session.exec(select(AuditEntry.action).order_by(AuditEntry.seq)).all())


def _last_entry(engine) -> AuditEntry:
    with read_session(engine) as session:
        return session.exec(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()


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
    assert _answer(engine, "carla", "not the password") == WRONG
    assert _answer(engine, "nobody", "whatever") == WRONG
    assert _actions(engine)[-3:] == ["login", "login_failed", "login_failed"]


def test_an_unknown_name_leaves_nothing_typed_in_the_trail(engine, users, clock):
    typed = "Tr0ub4dor&3"  # a password typed into the name field
    digest = hashlib.sha256(typed.encode()).hexdigest()
    for _ in range(FAILURES_BEFORE_DELAY + 1):  # the last one is throttled
        with pytest.raises(AuthenticationError):
            _login(engine, typed, "whatever", HERE)
    with read_session(engine) as session:
        rows = session.connection().execute(text("SELECT * FROM audit_entry")).all()
        failed = session.exec(select(AuditEntry).where(AuditEntry.action == "login_failed")
                              .order_by(AuditEntry.seq)).all()
    for row in rows:
        for value in row:
            assert typed.casefold() not in str(value).casefold()
            assert digest not in str(value)
    assert [(e.actor_id, e.entity_type, e.entity_id, e.changes, e.reason) for e in failed] == [
        *[(None, "app_user", None, "{}", "unknown user")] * FAILURES_BEFORE_DELAY,
        (None, "app_user", None, "{}", "unknown user; throttled")]


def test_every_failure_costs_one_argon2_verification(engine, users, monkeypatch):
    checked: list[str] = []
    real_verify = PasswordHasher.verify

    def counting(self, hash, password):  # noqa: A002 - argon2's own parameter name
        checked.append(hash)
        return real_verify(self, hash, password)

    def hashes_checked(name: str, password: str) -> list[str]:
        checked.clear()
        _answer(engine, name, password)
        return list(checked)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    with unit_of_work(engine) as session:
        chen = session.exec(select(AppUser).where(AppUser.username == "chen")).one()
        vera = session.exec(select(AppUser).where(AppUser.username == "vera")).one()
        vera.password_hash = "not an argon2 hash"
    unknown = hashes_checked("nobody", "whatever")
    # A stand-in hash with the real hasher's parameters: "$argon2id$v=19$m=…,t=…,p=…$".
    assert len(unknown) == 1
    assert unknown[0].split("$")[:4] == chen.password_hash.split("$")[:4]
    assert hashes_checked("chen", "wrong password") == [chen.password_hash]
    # An unreadable hash is refused at once, so the stand-in is checked after it.
    assert hashes_checked("vera", PASSWORD) == ["not an argon2 hash", *unknown]
    _fail(engine, "ravi", FAILURES_BEFORE_DELAY)
    assert hashes_checked("ravi", PASSWORD) == unknown  # throttled: the same work, no check


def test_unknown_and_known_names_get_the_same_answers_in_every_state(engine, users, clock):
    with unit_of_work(engine) as session:
        update_user(session, "carla", by=users["admin"], is_active=False)

    def answers(name: str, password: str) -> list[str]:
        seen = [_answer(engine, name, password, HERE)
                for _ in range(FAILURES_BEFORE_DELAY + 1)]
        clock.advance(1)
        seen.append(_answer(engine, name, password, HERE))
        clock.advance(1)
        seen += [_answer(engine, name, password, HERE), _answer(engine, name, password, HERE)]
        return seen

    expected = [*[WRONG] * FAILURES_BEFORE_DELAY,
                "Too many failed log-ins: wait 2 s before trying again.",
                "Too many failed log-ins: wait 1 s before trying again.",
                WRONG,
                "Too many failed log-ins: wait 4 s before trying again."]
    assert answers("no-such-person", "wrong password") == expected
    assert answers("chen", "wrong password") == expected
    assert answers("carla", PASSWORD) == expected  # inactive, with the right password


def test_a_throttled_client_waits_while_others_log_in(engine, users, clock):
    _fail(engine, "chen", FAILURES_BEFORE_DELAY, HERE)
    assert _answer(engine, "chen", PASSWORD, HERE) == (
        "Too many failed log-ins: wait 2 s before trying again.")
    assert _login(engine, "chen", PASSWORD, ELSEWHERE).username == "chen"
    assert _login(engine, "admin", PASSWORD, HERE).username == "admin"
    clock.advance(1.5)
    assert "wait 1 s" in _answer(engine, "CHEN", PASSWORD, HERE)  # names count casefolded
    clock.advance(0.5)
    assert _login(engine, "chen", PASSWORD, HERE).username == "chen"
    _fail(engine, "chen", FAILURES_BEFORE_DELAY, HERE)  # the success cleared the count


def test_failed_logins_no_longer_lock_an_account(engine, users):
    _fail(engine, "chen", FAILURES_BEFORE_DELAY, HERE)
    with unit_of_work(engine) as session:  # a lock left by the old rule before an upgrade
        user = session.exec(select(AppUser).where(AppUser.username == "chen")).one()
        assert (user.failed_logins, user.locked_until) == (0, None)
        user.failed_logins, user.locked_until = 4, utcnow() + timedelta(minutes=10)
    assert _login(engine, "chen", PASSWORD, ELSEWHERE).username == "chen"
    with read_session(engine) as session:
        user = session.exec(select(AppUser).where(AppUser.username == "chen")).one()
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_delays_double_up_to_fifteen_minutes():
    clock = Clock()
    throttle = LoginThrottle(now=clock)
    for _ in range(FAILURES_BEFORE_DELAY):
        assert throttle.attempt("admin", HERE) == 0.0
    waits = []
    for _ in range(12):
        waits.append(throttle.attempt("admin", HERE))
        clock.advance(waits[-1])
        assert throttle.attempt("admin", HERE) == 0.0
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
    assert throttle.delays(["Admin", "rana"]) == {"Admin": 900}
    assert throttle.attempt("admin", ELSEWHERE) == 0.0
    clock.advance(24 * 3600 + 1)  # a day without failures: forgotten
    assert throttle.attempt("admin", HERE) == 0.0


def test_one_ipv6_network_counts_as_one_client():
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9")
    assert client_key("2001:db8:1:2:aaaa::1") != client_key("2001:db8:1:3::1")
    assert client_key("::ffff:203.0.113.5") == client_key(HERE) == HERE
    assert client_key("") == ""


def test_an_admin_unlock_lifts_the_delays_and_is_audited(engine, users):
    _fail(engine, "chen", FAILURES_BEFORE_DELAY, HERE)
    _fail(engine, "chen", FAILURES_BEFORE_DELAY, ELSEWHERE)
    with read_session(engine) as session:
        assert set(login_delays(session, by=users["admin"])) == {"chen"}
    with pytest.raises(RuntimeError), unit_of_work(engine) as session:
        assert unlock_user(session, "chen", by=users["admin"])
        raise RuntimeError("rolled back: the delays stay, as nothing recorded the unlock")
    assert "Too many" in _answer(engine, "chen", PASSWORD, HERE)
    with unit_of_work(engine) as session:
        assert unlock_user(session, "chen", by=users["admin"]) is True
    entry = _last_entry(engine)
    assert (entry.action, entry.entity_type, entry.entity_id, entry.actor_id, entry.changes,
            entry.reason) == ("update", "app_user", users["chen"].id, users["admin"].id, "{}",
                              "log-in delays cleared")
    with read_session(engine) as session:
        assert login_delays(session, by=users["admin"]) == {}
    assert _login(engine, "chen", PASSWORD, HERE).username == "chen"
    assert _login(engine, "chen", PASSWORD, ELSEWHERE).username == "chen"
    before = _last_entry(engine).seq
    with unit_of_work(engine) as session:  # nothing left to lift: nothing written
        assert unlock_user(session, "chen", by=users["admin"]) is False
    assert _last_entry(engine).seq == before
    with read_session(engine) as session:
        assert verify_chain(session, by=users["admin"]).ok


def test_only_admins_unlock_or_see_delays(engine, users):
    _fail(engine, "chen", FAILURES_BEFORE_DELAY, HERE)
    for name in ("rana", "chen", "vera"):
        with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
            unlock_user(session, "chen", by=users[name])
        with pytest.raises(PermissionDenied), read_session(engine) as session:
            login_delays(session, by=users[name])
    assert "Too many" in _answer(engine, "chen", PASSWORD, HERE)


def test_deactivated_user_cannot_log_in(engine, users):
    with unit_of_work(engine) as session:
        update_user(session, "chen", by=users["admin"], is_active=False)
    assert _answer(engine, "chen", PASSWORD) == WRONG


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


def test_a_new_password_lifts_the_delays(engine, users):
    _fail(engine, "chen", FAILURES_BEFORE_DELAY, HERE)
    with unit_of_work(engine) as session:
        update_user(session, "chen", by=users["admin"], password="a new long password")
    assert _login(engine, "chen", "a new long password", HERE).username == "chen"
