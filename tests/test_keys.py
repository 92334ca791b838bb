"""The installation's keys: generation, the key file, derivation, wrapping, a missing or
wrong key, and rotation of the master key."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import stat

import pytest
from sqlalchemy import func, select

from records.db import read_session, unit_of_work
from records.keys import (
    ChainKeys,
    MasterKey,
    SecretKeyError,
    StoredKeyError,
    derive,
    generate_key,
    key_id,
    parse_key,
    unwrap_key,
    wrap_key,
)
from records.models import AuditEntry, DataKey
from records.services.incidents import create_incident
from tests.conftest import TEST_SECRET_KEY
from tests.factories import incident_data

CHAIN_KEY = bytes(range(32))


def _master(text: str | None = None) -> MasterKey:
    return MasterKey(parse_key(text or generate_key(), "test"), "test")


def test_a_generated_key_is_32_random_bytes_in_url_safe_base64():
    one, two = generate_key(), generate_key()
    assert one != two
    assert len(base64.urlsafe_b64decode(one)) == 32
    assert parse_key(one + "\n", "test") == base64.urlsafe_b64decode(one)
    assert parse_key(one.rstrip("="), "test") == base64.urlsafe_b64decode(one)


@pytest.mark.parametrize("text", ["", "short", "c2lqaWw" * 10, "+" * 43 + "=", "é" * 44])
def test_a_malformed_key_is_refused_naming_the_variable(text):
    with pytest.raises(SecretKeyError) as refused:
        parse_key(text, "SIJIL_SECRET_KEY")
    assert str(refused.value) == (
        "SIJIL_SECRET_KEY is not a valid key: it must be 32 bytes in URL-safe base64, as "
        "`sijil keys generate` prints one (SIJIL_SECRET_KEY or SIJIL_SECRET_KEY_FILE)")


def test_derived_keys_are_rfc_5869_hkdf_of_the_purpose():
    """Worked out by hand with hmac: HKDF-Extract with no salt (32 zero bytes), then one
    HKDF-Expand block with the info "sijil/v1/<purpose>"."""
    prk = hmac.new(b"\0" * 32, CHAIN_KEY, hashlib.sha256).digest()
    by_hand = hmac.new(prk, b"sijil/v1/credential\x01", hashlib.sha256).digest()
    assert by_hand.hex() == "83ea355952e76e6dfcc65a6bceb2596db74e4c110666ef3c231ee79c4e2ec03b"
    assert derive(CHAIN_KEY, "credential") == by_hand
    assert key_id(CHAIN_KEY) == "5f898d4ed131a57c"
    keys = ChainKeys.from_chain_key(CHAIN_KEY)
    assert keys.credential_digest("$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g") == (
        "hmac-sha256:36b5b06a82a84cf0684c4ccce1814a5af849342cf4f1225bf9ad29f067c50f17")


def test_the_digest_prefix_is_the_same_in_the_helpers():
    from records.keys import DIGEST_PREFIX
    from records.services.audit import rules

    assert rules.DIGEST_PREFIX == DIGEST_PREFIX


def test_a_wrapped_key_opens_only_for_its_purpose_and_owner_under_its_master():
    master = _master()
    wrapped = wrap_key(master, CHAIN_KEY, purpose="chain", owner="installation")
    assert wrapped != wrap_key(master, CHAIN_KEY, purpose="chain", owner="installation")
    assert len(wrapped) == 12 + 32 + 16  # nonce, key, tag
    assert unwrap_key(master, wrapped, purpose="chain", owner="installation") == CHAIN_KEY
    altered = wrapped[:20] + bytes([wrapped[20] ^ 1]) + wrapped[21:]
    for other_master, blob, purpose, owner in [
        (_master(), wrapped, "chain", "installation"),
        (master, wrapped, "field", "installation"),
        (master, wrapped, "chain", "person:0c1d"),
        (master, altered, "chain", "installation"),
    ]:
        with pytest.raises(StoredKeyError, match="does not open"):
            unwrap_key(other_master, blob, purpose=purpose, owner=owner)


def test_the_master_key_never_shows_in_a_repr():
    master = _master(TEST_SECRET_KEY)
    keys = ChainKeys.from_chain_key(CHAIN_KEY)
    assert TEST_SECRET_KEY.rstrip("=") not in repr(master)
    assert "secret" not in repr(master) and "entry_key" not in repr(keys)


def _no_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SIJIL_SECRET_KEY")
    monkeypatch.setenv("SIJIL_SECRET_KEY_FILE", str(tmp_path / "none" / "secret.key"))
    return tmp_path / "none" / "secret.key"


def _entries(engine) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


@pytest.mark.parametrize("args", [("audit", "verify"), ("user", "add", "newcomer", "--role",
                                                        "viewer", "--password-stdin")])
def test_a_missing_key_is_one_clear_line_and_nothing_is_written(engine, users, sijil,
                                                                  monkeypatch, tmp_path, args):
    path = _no_key(monkeypatch, tmp_path)
    before = _entries(engine)
    done = sijil(engine, *args, stdin="a long enough password\n")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (f"sijil: no secret key: set SIJIL_SECRET_KEY, or create the key "
                           f"file {path} (SIJIL_SECRET_KEY_FILE) with `sijil keys init` or "
                           "`make run`\n")
    assert _entries(engine) == before


def test_a_malformed_or_wrong_key_is_one_clear_line(engine, users, sijil, monkeypatch):
    monkeypatch.setenv("SIJIL_SECRET_KEY", "not a key")
    done = sijil(engine, "audit", "verify")
    assert (done.returncode, len(done.stderr.splitlines())) == (1, 1)
    assert done.stderr.startswith("sijil: SIJIL_SECRET_KEY is not a valid key")
    other = _master()
    monkeypatch.setenv("SIJIL_SECRET_KEY", base64.urlsafe_b64encode(other.secret).decode())
    done = sijil(engine, "audit", "verify")
    assert (done.returncode, len(done.stderr.splitlines())) == (1, 1)
    assert done.stderr == (
        f"sijil: the stored keys are wrapped under master key {_master(TEST_SECRET_KEY).id}, "
        f"but SIJIL_SECRET_KEY is key {other.id}: give this installation's key in "
        "SIJIL_SECRET_KEY or its key file (after `sijil keys rotate`, the new one)\n")


def test_keys_generate_prints_a_new_key(sijil_process, tmp_path):
    done = sijil_process(f"sqlite:///{tmp_path / 'unused.db'}", "keys", "generate")
    assert done.returncode == 0
    assert len(base64.urlsafe_b64decode(done.stdout.strip())) == 32
    assert not (tmp_path / "unused.db").exists()


def test_keys_init_makes_a_private_key_file_once(sijil_process, monkeypatch, tmp_path):
    path = _no_key(monkeypatch, tmp_path)
    url = f"sqlite:///{tmp_path / 'unused.db'}"
    done = sijil_process(url, "keys", "init")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"sijil: made a new secret key in {path} (mode 0600).")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    key = path.read_text()
    assert len(parse_key(key, "test")) == 32
    again = sijil_process(url, "keys", "init")
    assert again.stdout == f"sijil: the secret key is read from {path}\n"
    assert path.read_text() == key


def _wrapped(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(DataKey.__table__)
                                               .order_by(DataKey.__table__.c.id))]


def test_rotation_rewraps_every_key_and_the_trail_stays_verifiable(engine, users, sijil,
                                                                     monkeypatch, tmp_path):
    with unit_of_work(engine) as session:
        create_incident(session, incident_data(), by=users["carla"])
    new_text = generate_key()
    (tmp_path / "new.key").write_text(new_text)
    before = _wrapped(engine)
    done = sijil(engine, "keys", "rotate", "--new-key-file", str(tmp_path / "new.key"))
    assert done.returncode == 0, done.stderr
    new_id, old_id = _master(new_text).id, _master(TEST_SECRET_KEY).id
    assert done.stdout.splitlines() == [
        f"sijil: 1 stored key(s) re-wrapped under master key {new_id} (was {old_id})",
        "sijil: set SIJIL_SECRET_KEY to the new key for every process now: the old one no "
        "longer opens the stored keys"]
    (after,) = _wrapped(engine)
    assert after[1] == before[0][1] and after[5] == new_id and after[4] != before[0][4]
    stale = sijil(engine, "audit", "verify")
    assert stale.returncode == 1 and "wrapped under master key" in stale.stderr
    monkeypatch.setenv("SIJIL_SECRET_KEY", new_text)
    with unit_of_work(engine) as session:
        create_incident(session, incident_data(title="After the rotation"), by=users["carla"])
    verified = sijil(engine, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    with read_session(engine) as session:
        rotated = session.scalars(select(AuditEntry).where(AuditEntry.action == "keys_rotate")
                                  ).one()
    assert (rotated.entity_type, rotated.changes) == (
        "data_key", f'{{"from":"{old_id}","keys":1,"to":"{new_id}"}}')


def test_rotation_replaces_the_key_file_once_the_database_commits(engine, users, sijil,
                                                                    monkeypatch, tmp_path):
    path = _no_key(monkeypatch, tmp_path)
    path.parent.mkdir(mode=0o700)
    path.write_text(TEST_SECRET_KEY + "\n")
    new_text = generate_key()
    done = sijil(engine, "keys", "rotate", stdin=new_text + "\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"sijil: {path} now holds the new key"
    assert path.read_text() == new_text + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(path.parent) == ["secret.key"]
    assert sijil(engine, "audit", "verify").returncode == 0


@pytest.mark.parametrize("problem", ["an unopenable key", "the same key"])
def test_a_failed_rotation_changes_nothing(engine, users, sijil, monkeypatch, tmp_path,
                                           problem):
    path = _no_key(monkeypatch, tmp_path)
    path.parent.mkdir(mode=0o700)
    path.write_text(TEST_SECRET_KEY + "\n")
    if problem == "an unopenable key":  # a second stored key, wrapped under another master
        stranger = _master()
        with engine.begin() as conn:
            conn.execute(DataKey.__table__.insert().values(
                key_id=key_id(CHAIN_KEY), purpose="field", owner="person:test",
                wrapped=wrap_key(stranger, CHAIN_KEY, purpose="field", owner="person:test"),
                master_key_id=_master(TEST_SECRET_KEY).id, created_at=dt.datetime.now(dt.UTC)))
    before, entries = _wrapped(engine), _entries(engine)
    new_text = TEST_SECRET_KEY if problem == "the same key" else generate_key()
    done = sijil(engine, "keys", "rotate", stdin=new_text + "\n")
    assert (done.returncode, done.stdout, len(done.stderr.splitlines())) == (1, "", 1)
    assert ("does not open" if problem == "an unopenable key" else "is the key in use") in (
        done.stderr)
    assert (_wrapped(engine), _entries(engine)) == (before, entries)
    assert path.read_text() == TEST_SECRET_KEY + "\n"
    assert os.listdir(path.parent) == ["secret.key"]

