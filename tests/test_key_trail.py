"""Silent erasure by SQL is named: every data key's making and destruction is in the trail,
and `audit verify` names a key that is missing, changed, slipped in or destroyed without a
purge; purges and master key rotations verify."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, insert, select, update

from records import audit_chain
from records.db import read_session, unit_of_work
from records.keys import generate_key, parse_key
from records.models import AuditEntry, DataKey
from records.models.types import utcnow
from records.services.audit import purge, verify_chain
from records.services.keys import MasterKey, rotate_master_key
from records.services.setup import prepare_database
from records.services.users import list_users, principal_of
from tests.conftest import _seed_users
from tests.test_encryption_at_rest import _record

_keys = DataKey.__table__


def _verify(engine, users):
    with read_session(engine) as session:
        return verify_chain(session, by=users["admin"])


def _witness_key(engine):
    with engine.connect() as conn:
        return conn.execute(select(_keys).where(_keys.c.owner.like("person:%"))
                            .order_by(_keys.c.id)).first()


def test_every_key_made_is_named_in_the_trail_never_the_key(engine, users):
    _record(engine, users)
    with engine.connect() as conn:
        owners = {r.owner: r.key_id for r in conn.execute(
            select(_keys).where(_keys.c.purpose == "fields"))}
        made = [json.loads(c) for c in conn.scalars(
            select(AuditEntry.changes).where(AuditEntry.action == "keys_create"))]
    named = {owner: kid for entry in made for purpose, owner, kid in entry["keys"]
             if purpose == "fields"}
    assert named == owners and len(owners) == 5  # 3 people, a source, the incident
    assert _verify(engine, users).ok


def test_a_key_nulled_by_sql_is_named(engine, users):
    _record(engine, users)
    key = _witness_key(engine)
    with engine.begin() as conn:
        conn.execute(update(_keys).where(_keys.c.id == key.id).values(
            wrapped=None, destroyed_at=utcnow()))
    result = _verify(engine, users)
    assert not result.ok
    assert (f"the fields key {key.key_id} of {key.owner} was destroyed without a purge"
            in result.message)


def test_a_key_row_deleted_by_sql_is_named(engine, users, sijil):
    _record(engine, users)
    key = _witness_key(engine)
    with engine.begin() as conn:
        conn.execute(delete(_keys).where(_keys.c.id == key.id))
    done = sijil(engine, "audit", "verify")
    assert done.returncode == 1
    assert (f"the fields key {key.key_id} of {key.owner} is missing from table data_key"
            in done.stdout + done.stderr)


def test_a_key_whose_wrapped_bytes_were_changed_is_named(engine, users):
    _record(engine, users)
    key = _witness_key(engine)
    changed = bytes(key.wrapped)[:-1] + bytes([key.wrapped[-1] ^ 1])
    with engine.begin() as conn:
        conn.execute(update(_keys).where(_keys.c.id == key.id).values(wrapped=changed))
    result = _verify(engine, users)
    assert not result.ok and f"{key.key_id} of {key.owner} was changed" in result.message


def test_a_key_slipped_in_by_sql_is_named(engine, users):
    _record(engine, users)
    with engine.begin() as conn:
        conn.execute(insert(_keys).values(
            key_id="00112233aabbccdd", purpose="fields", owner="person:someone",
            wrapped=b"x" * 60, master_key_id="whatever", created_at=utcnow()))
    result = _verify(engine, users)
    assert not result.ok
    assert "the fields key 00112233aabbccdd of person:someone is in table data_key, but no " \
           "entry made it" in result.message


def test_a_purged_key_put_back_by_sql_is_named(engine, users):
    created = _record(engine, users)
    with engine.connect() as conn:
        before = conn.execute(select(_keys).where(
            _keys.c.owner == f"incident:{created.ref}")).one()
    with unit_of_work(engine) as session:
        purge(session, created.ref, by=users["admin"], reason="entered twice")
    assert _verify(engine, users).ok
    with engine.begin() as conn:
        conn.execute(update(_keys).where(_keys.c.id == before.id).values(
            wrapped=before.wrapped, destroyed_at=None))
    result = _verify(engine, users)
    assert not result.ok and "holds it again" in result.message


def test_a_rotation_keeps_the_keys_verifiable(engine, users, monkeypatch):
    _record(engine, users)
    text = generate_key()
    with unit_of_work(engine) as session:
        rotate_master_key(session, MasterKey(parse_key(text, "new"), "new"),
                          by=users["admin"])
    monkeypatch.setenv("SIJIL_SECRET_KEY", text)
    result = _verify(engine, users)
    assert result.ok, result.message


def test_keys_made_before_they_were_recorded_are_adopted_once(empty_engine, monkeypatch):
    engine = empty_engine
    # A database from before key entries: a sealed trail, keys made with no entry naming
    # them.
    with monkeypatch.context() as before:
        before.setattr(audit_chain, "record_new_keys", lambda session, rows: None)
        before.setattr(audit_chain, "_adopt_data_keys", lambda session, keys: None)
        prepare_database(engine)
        _seed_users(engine)
        with read_session(engine) as session:
            users = {u.username: principal_of(u) for u in list_users(session)}
        _record(engine, users)
        assert _verify(engine, users).ok  # never recorded: nothing to compare yet
    _record(engine, users)  # the first write after the upgrade records the keys held
    with engine.connect() as conn:
        adopted = conn.scalars(select(AuditEntry.changes).where(
            AuditEntry.action == "keys_adopt")).all()
    listed = json.loads(adopted[0])["keys"]
    # The first record's 5 keys and the chain's (and those made by the write itself).
    assert len(adopted) == 1 and listed[0][:2] == ["chain", "installation"]
    assert len(listed) >= 6
    result = _verify(engine, users)
    assert result.ok, result.message
    key = _witness_key(engine)
    with engine.begin() as conn:
        conn.execute(delete(_keys).where(_keys.c.id == key.id))
    result = _verify(engine, users)
    assert not result.ok and "missing from table data_key" in result.message


@pytest.mark.parametrize("action", ["keys_create", "keys_adopt"])
def test_key_entries_read_as_words(action):
    from records.services.audit.readable import ACTION_LABELS

    assert action in ACTION_LABELS
