"""The keyed trail: entries signed with the installation's key, the seal after an unkeyed
past, the rules verification replays, and the anchor.

Every attack here is made by hand with SQL, as someone with the database's password but
not the installation's key would. New names are imported inside the tests, so that the
file also runs against the code before keys and shows each attack passing there."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json

import pytest
from sqlalchemy import func, insert, select, update

from records.audit_chain import entry_hash, format_time
from records.db import read_session, unit_of_work
from records.models import AppUser, AuditCheckpoint, AuditEntry, Incident, Victim
from records.services.access import SYSTEM, act_as
from records.services.audit import verify_chain
from records.services.incidents import create_incident, update_incident
from records.services.review import submit_incident, verify_incident
from tests.factories import incident_data

entries = AuditEntry.__table__
checkpoint = AuditCheckpoint.__table__

# Known answer, worked out once by hand with hmac and hashlib on these literals:
# chain key 00 01 … 1f; entry key = HKDF-SHA-256(chain key, no salt, "sijil/v1/audit-entry").
CHAIN_KEY = bytes.fromhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
ENTRY_KEY = "9833a357eddf13bb49c9528d18babe8e70263399d2a2fb77672bf0ce9f1268ec"
FIELDS = (7, "2026-11-25T12:00:00.000000Z", 3, "verify", "incident", 1, "INC-2020-00001",
          '{"status":["submitted","verified"]}', None, "ab" * 32)
PAYLOAD = ('[7,"2026-11-25T12:00:00.000000Z",3,"verify","incident",1,"INC-2020-00001",'
           '"{\\"status\\":[\\"submitted\\",\\"verified\\"]}",null,'
           '"abababababababababababababababababababababababababababababababab"]')
DIGEST = "949d99a2a4d930804ff59d7fd3bba9224e7b8fd39b93129bd4c6421e1b829d2b"


def test_the_keyed_hash_of_a_known_entry():
    from records.audit_chain import entry_payload, keyed_entry_hash
    from records.keys import ChainKeys

    key = bytes.fromhex(ENTRY_KEY)
    assert hmac.new(key, PAYLOAD.encode("utf-8"), hashlib.sha256).hexdigest() == DIGEST
    assert entry_payload(*FIELDS) == PAYLOAD.encode("utf-8")
    assert keyed_entry_hash(key, *FIELDS) == DIGEST
    assert ChainKeys.from_chain_key(CHAIN_KEY).entry_key.hex() == ENTRY_KEY


def _verify(engine, **options):
    with read_session(engine) as session:
        return verify_chain(session, by=SYSTEM, **options)


def _head(conn) -> tuple[int, str]:
    return conn.execute(select(checkpoint.c.seq, checkpoint.c.hash)).one()


def _verified(engine, users, **overrides) -> tuple[str, int]:
    """An incident by carla, submitted by her and verified by rana: (ref, id)."""
    with unit_of_work(engine) as session:
        made = create_incident(session, incident_data(**overrides), by=users["carla"])
    with unit_of_work(engine) as session:
        v = submit_incident(session, made.ref, by=users["carla"],
                            expected_version=made.version).version
        verify_incident(session, made.ref, by=users["rana"], expected_version=v)
    return made.ref, made.id


def _append_unkeyed(conn, **entry) -> int:
    """An entry chained after the head with plain SHA-256, and the head moved to it."""
    seq, prev = _head(conn)
    row = {"seq": seq + 1, "at": dt.datetime.now(dt.UTC), "reason": None,
           "prev_hash": prev, **entry}
    row["hash"] = entry_hash(row["seq"], format_time(row["at"]), row["actor_id"],
                             row["action"], row["entity_type"], row["entity_id"],
                             row["incident_ref"], row["changes"], row["reason"], prev)
    conn.execute(insert(entries).values(row))
    conn.execute(update(checkpoint).values(seq=row["seq"], hash=row["hash"]))
    return row["seq"]


def test_the_consent_flip_forgery_is_found(engine, users):
    """SQL flips a victim's consent to publish their name, appends a correctly chained
    entry saying a reviewer did it, and moves the chain head."""
    victim = {"person": {"full_name": "Noor Fictional", "sex": "female"}, "outcome": "killed",
              "consent_to_publish_name": False}
    ref, _incident = _verified(engine, users, victims=[victim], fatalities=1, injured=0)
    with engine.begin() as conn:
        victim_id = conn.scalar(select(Victim.__table__.c.id))
        conn.execute(update(Victim.__table__).values(consent_to_publish_name=True))
        forged = _append_unkeyed(
            conn, actor_id=users["rana"].id, action="update", entity_type="victim",
            entity_id=victim_id, incident_ref=ref,
            changes=json.dumps({"consent_to_publish_name": [False, True]},
                               separators=(",", ":")))
    result = _verify(engine)
    assert (result.ok, result.first_bad_seq) == (False, forged)
    assert result.message == (
        f"audit trail broken at seq {forged}: entry {forged} is not signed by this "
        "installation's key (it carries a plain SHA-256, as written without the key)")


def test_entries_written_with_another_key_fail_naming_the_first(engine, users, monkeypatch):
    """Another installation's process (its own master and chain key swapped into the row,
    then put back) writes through the real write path: every entry it signed fails under
    this installation's key, and verification names the first."""
    from records.keys import (
        CHAIN_PURPOSE,
        INSTALLATION,
        MasterKey,
        generate_key,
        key_id,
        parse_key,
        wrap_key,
    )
    from records.models import DataKey

    keys = DataKey.__table__
    _verified(engine, users)
    with engine.begin() as conn:
        ours = conn.execute(select(keys)).one()
        first = _head(conn)[0] + 1
    other_text, other_chain = generate_key(), bytes(range(100, 132))
    other = MasterKey(parse_key(other_text, "test"), "test")
    with engine.begin() as conn:
        conn.execute(update(keys).values(
            key_id=key_id(other_chain), master_key_id=other.id,
            wrapped=wrap_key(other, other_chain, purpose=CHAIN_PURPOSE, owner=INSTALLATION)))
    with monkeypatch.context() as patch:
        patch.setenv("SIJIL_SECRET_KEY", other_text)
        _verified(engine, users, title="Written with another key")
    with engine.begin() as conn:
        conn.execute(update(keys).values(key_id=ours.key_id, master_key_id=ours.master_key_id,
                                         wrapped=ours.wrapped))
    result = _verify(engine)
    assert (result.ok, result.first_bad_seq) == (False, first)
    assert result.message == (
        f"audit trail broken at seq {first}: entry {first} is not signed by this "
        "installation's key (altered, or written with another key)")


def test_a_password_hash_set_by_sql_is_found(engine, users):
    from records.services.users.passwords import hash_password

    with engine.begin() as conn:
        conn.execute(update(AppUser.__table__).where(AppUser.__table__.c.username == "carla")
                     .values(password_hash=hash_password("the attacker's password")))
        recorded = conn.scalar(select(func.max(entries.c.seq)).where(
            entries.c.entity_type == "app_user", entries.c.entity_id == users["carla"].id,
            entries.c.changes.like('%"password_hash"%')))
    result = _verify(engine)
    assert (result.ok, result.first_bad_seq) == (False, recorded)
    assert result.message == (
        f"audit trail broken at seq {recorded}: entry {recorded}: account carla has another "
        "password hash than the one this entry records (changed behind the trail)")


def test_a_password_change_is_recorded_as_a_keyed_digest_and_verifies(engine, users):
    from records.keys import load_chain_keys, read_master_key
    from records.services.users import update_user

    with unit_of_work(engine) as session:
        update_user(session, "carla", by=users["admin"], password="a new long password")
    with read_session(engine) as session:
        changes = json.loads(session.scalars(select(AuditEntry.changes)
                                             .order_by(AuditEntry.seq.desc())).first())
        stored = session.scalar(select(AppUser.password_hash)
                                .where(AppUser.id == users["carla"].id))
    with engine.connect() as conn:
        keys = load_chain_keys(conn, read_master_key())
    old, new = changes["password_hash"]
    assert old.startswith("hmac-sha256:") and new == "hmac-sha256:" + hmac.new(
        keys.credential_key, stored.encode(), hashlib.sha256).hexdigest()
    assert "$argon2" not in json.dumps(changes)
    assert _verify(engine).ok


def test_the_last_editor_set_by_sql_is_found(engine, users):
    """Who last edited a record decides who may verify it: set by SQL, it shows."""
    with unit_of_work(engine) as session:
        made = create_incident(session, incident_data(), by=users["carla"])
    with engine.begin() as conn:
        conn.execute(update(Incident.__table__).values(last_edited_by_id=users["chen"].id))
        created = conn.scalar(select(entries.c.seq).where(
            entries.c.entity_type == "incident", entries.c.action == "create"))
    result = _verify(engine)
    assert (result.ok, result.first_bad_seq) == (False, created)
    assert result.message == (
        f"audit trail broken at seq {created}: entry {created}: the trail gives incident "
        f"{made.id}.last_edited_by_id = {users['carla'].id}, the database has "
        f"{users['chen'].id}")


def _step(engine, by, ref: str, action: str | None, **values) -> int:
    """Change an incident through the write path but around the workflow's checks, as a
    faulty service would; the seq of the entry written."""
    from records.audit_chain import audit_action

    with unit_of_work(engine) as session:
        act_as(session, by)
        incident = session.scalars(select(Incident).where(Incident.ref == ref)).one()
        with audit_action(session, action) if action else contextlib.nullcontext():
            for name, value in values.items():
                setattr(incident, name, value)
            session.flush()
    with read_session(engine) as session:
        return session.scalar(select(func.max(AuditEntry.seq)))


FOUR_EYES = {
    # rana edits the record, then verifies it herself.
    "own edit": ("rana", "carla", "verify",
                 "user rana verifies {ref}, which they last edited (four eyes)"),
    # rana submits it (a reviewer may), then verifies it herself.
    "own submit": ("carla", "rana", "verify",
                   "user rana verifies {ref}, which they submitted (four eyes)"),
    # Verified by a plain edit, with no verify step at all.
    "no verify step": ("carla", "carla", None,
                       "makes {ref} verified by a 'update', not a verify step"),
    # Verified by the system: nobody stands behind it.
    "by the system": ("carla", "carla", "verify",
                      "the system verifies {ref}, but a verify step needs a named reviewer "
                      "(four eyes)"),
}


@pytest.mark.parametrize("case", sorted(FOUR_EYES))
def test_a_verified_incident_without_an_independent_verify_step_is_found(engine, users, case):
    editor, submitter, action, says = FOUR_EYES[case]
    with unit_of_work(engine) as session:
        made = create_incident(session, incident_data(), by=users["carla"])
    with unit_of_work(engine) as session:
        v = update_incident(session, made.ref, {"injured": 2}, by=users[editor],
                            expected_version=made.version).version
        submit_incident(session, made.ref, by=users[submitter], expected_version=v)
    verifier = SYSTEM if case == "by the system" else users["rana"]
    seq = _step(engine, verifier, made.ref, action, status="verified",
                verified_by_id=verifier.id)
    result = _verify(engine)
    assert (result.ok, result.first_bad_seq) == (False, seq)
    assert result.message == f"audit trail broken at seq {seq}: entry {seq}" + (
        ": " if action else " ") + says.format(ref=made.ref)


@pytest.mark.parametrize("who", ["carla", "admin", None])
def test_nobody_creates_a_verified_incident(engine, users, who):
    """Not even the system or an admin (an import once kept a file's status this way)."""
    from records.models.incident_io import IncidentCreate
    from records.services.incidents import build_incident

    by = users[who] if who else SYSTEM
    with unit_of_work(engine) as session:
        act_as(session, by)
        incident = build_incident(session, IncidentCreate.model_validate(incident_data()), by)
        incident.status = "verified"
        session.add(incident)
        session.flush()
        ref = incident.ref
    result = _verify(engine)
    assert result.ok is False
    name = f"user {who}" if who else "the system"
    assert result.message.endswith(f"{name} creates {ref} as verified, without a verify "
                                   "step (four eyes)")


def test_the_workflow_itself_passes_the_rules(engine, users):
    _verified(engine, users)
    assert _verify(engine).ok
