"""The first start: a one-time setup code, and exactly one first admin, on both engines."""

from __future__ import annotations

import stat
import threading

import pytest
from sqlmodel import func, select

from records.db import read_session, unit_of_work
from records.errors import ConflictError, PermissionDenied, ValidationError
from records.models import AppUser, AuditEntry
from records.services.access import SYSTEM
from records.services.setup import create_first_admin, issue_setup_code, setup_code_file
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def code_file(tmp_path, monkeypatch):
    path = tmp_path / "private" / "sijil.setup-code"
    monkeypatch.setenv("SIJIL_SETUP_CODE_FILE", str(path))
    return path


def _issue(engine) -> str:
    with read_session(engine) as session:
        return issue_setup_code(session, by=SYSTEM)


def _rows(engine) -> tuple[int, int]:
    """(accounts, audit entries): what a refused attempt must leave unchanged."""
    with read_session(engine) as session:
        return (session.exec(select(func.count()).select_from(AppUser)).one(),
                session.exec(select(func.count()).select_from(AuditEntry)).one())


def _first_admin(engine, code: str, username: str = "amira"):
    with unit_of_work(engine) as session:
        return create_first_admin(session, setup_code=code, username=username,
                                  password=PASSWORD, display_name="Amira", by=SYSTEM)


def test_an_empty_database_gets_a_code_whose_digest_only_its_owner_can_read(bare_engine,
                                                                           code_file):
    code = _issue(bare_engine)
    assert setup_code_file() == code_file
    groups = code.split("-")
    assert [len(g) for g in groups] == [5, 5, 5, 5, 5]
    assert set("".join(groups)) <= set("ABCDEFGHJKMNPQRSTVWXYZ23456789")
    kept = code_file.read_text()
    assert kept.startswith("sha256:") and len(kept.strip()) == len("sha256:") + 64
    assert code not in kept and code.replace("-", "") not in kept
    assert stat.S_IMODE(code_file.stat().st_mode) == 0o600
    # Starting again replaces the code: the old one no longer opens anything.
    assert _issue(bare_engine) != code
    with pytest.raises(PermissionDenied, match="setup code is wrong"):
        _first_admin(bare_engine, code)


def test_a_database_with_accounts_gets_no_code_and_loses_a_leftover_one(engine, code_file):
    code_file.parent.mkdir(parents=True)
    code_file.write_text("sha256:" + "0" * 64 + "\n")
    assert _issue(engine) is None
    assert not code_file.exists()


def test_only_the_system_issues_codes(engine, users, code_file):
    with read_session(engine) as session, pytest.raises(PermissionDenied):
        issue_setup_code(session, by=users["admin"])
    assert not code_file.exists()


@pytest.mark.parametrize("given", ["", "   ", "WRONG-CODE0-00000-00000-00000"])
def test_a_missing_or_wrong_code_is_refused_and_nothing_is_written(bare_engine, code_file,
                                                                   given):
    _issue(bare_engine)
    before = _rows(bare_engine)
    with pytest.raises(PermissionDenied) as refused:
        _first_admin(bare_engine, given)
    expected = "Enter the setup code" if not given.strip() else "The setup code is wrong"
    assert str(refused.value).startswith(expected)
    assert _rows(bare_engine) == before == (0, before[1])
    assert code_file.exists()


def test_without_an_issued_code_nobody_becomes_admin(bare_engine, code_file):
    with pytest.raises(PermissionDenied, match="No setup code has been issued"):
        _first_admin(bare_engine, "ABCDE-FGHJK-MNPQR-STVWX-YZ234")
    assert _rows(bare_engine)[0] == 0


def test_the_right_code_creates_one_admin_and_is_used_up(bare_engine, code_file):
    code = _issue(bare_engine)
    # Typed by hand: lower case, spaces instead of dashes.
    admin = _first_admin(bare_engine, code.lower().replace("-", " "))
    assert (admin.username, admin.role, admin.display_name) == ("amira", "admin", "Amira")
    assert not code_file.exists()
    with pytest.raises(ConflictError, match="already exists"):
        _first_admin(bare_engine, code, username="intruder")
    assert _rows(bare_engine)[0] == 1


def test_a_bad_password_keeps_the_code(bare_engine, code_file):
    code = _issue(bare_engine)
    with unit_of_work(bare_engine) as session, pytest.raises(ValidationError):
        create_first_admin(session, setup_code=code, username="amira", password="short",
                           by=SYSTEM)
    assert code_file.exists()
    assert _first_admin(bare_engine, code).role == "admin"


def test_two_concurrent_first_admins_leave_exactly_one_account(bare_engine):
    code = _issue(bare_engine)
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def claim(username: str) -> None:
        start.wait()
        try:
            outcomes[username] = _first_admin(bare_engine, code, username=username).role
        except Exception as error:  # noqa: BLE001 - the outcome is what the test compares
            outcomes[username] = error

    threads = [threading.Thread(target=claim, args=(name,)) for name in ("amira", "bilal")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(type(o).__name__ if isinstance(o, Exception) else o
                  for o in outcomes.values()) == ["ConflictError", "admin"]
    with read_session(bare_engine) as session:
        assert len(session.exec(select(AppUser)).all()) == 1


def test_the_code_is_kept_beside_its_database_unless_configured(monkeypatch):
    monkeypatch.delenv("SIJIL_SETUP_CODE_FILE")
    monkeypatch.setenv("SIJIL_DATABASE_URL", "sqlite:////srv/sijil/records.db")
    assert str(setup_code_file()) == "/srv/sijil/records.setup-code"
    monkeypatch.setenv("SIJIL_DATABASE_URL", "postgresql+psycopg://sijil@db/sijil_prod")
    assert str(setup_code_file()) == "data/sijil_prod.setup-code"
    monkeypatch.setenv("SIJIL_SETUP_CODE_FILE", "/etc/sijil/setup-code")
    assert str(setup_code_file()) == "/etc/sijil/setup-code"
