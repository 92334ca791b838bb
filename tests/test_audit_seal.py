"""The seal between an unkeyed past and the keyed trail, the anchor published elsewhere,
and how the chain key reaches the verification helpers."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import subprocess

import pytest
from sqlalchemy import delete, select, text, update

import records.audit_chain as chain
from records.audit_chain import dump_changes, entry_hash, format_time, keyed_entry_hash
from records.db import read_session, unit_of_work
from records.keys import load_chain_keys, read_master_key
from records.models import AppUser, AuditCheckpoint, AuditEntry, DataKey
from records.services.access import SYSTEM
from records.services.audit import purge_incident, verify_chain
from records.services.incidents import create_incident, update_incident
from records.services.review import submit_incident, verify_incident
from records.services.setup import prepare_database
from records.services.users import add_user, list_users, principal_of
from tests.conftest import PASSWORD, TEST_USERS
from tests.factories import incident_data

entries = AuditEntry.__table__
checkpoint = AuditCheckpoint.__table__


def _verify(engine, **options):
    with read_session(engine) as session:
        return verify_chain(session, by=SYSTEM, **options)


def _drop_triggers(engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_entry_no_update"))
            conn.execute(text("DROP TRIGGER audit_entry_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_entry_no_update_delete ON audit_entry"))


class _Unkeyed:
    """What the writer held before keys: nothing; passwords showed as "[redacted]"."""

    key_id = "none"
    entry_key = b""

    def credential_digest(self, value: str) -> str:
        return "[redacted]"


@contextlib.contextmanager
def _writer_before_keys():
    """Write as the code before keys did: SHA-256 hashes, no seal, "[redacted]" password
    hashes, no last_edited_by_id."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chain, "chain_keys", lambda session: _Unkeyed())
        patch.setattr(chain, "keyed_entry_hash", lambda key, *fields: entry_hash(*fields))
        patch.setattr(chain, "NOT_AUDITED", {**chain.NOT_AUDITED,
                                             "incident": ("last_edited_by_id",)})
        patch.setattr(chain, "_FIELDS", {})
        yield


def _legacy_database(engine) -> dict:
    """A database written entirely before keys: accounts, an incident verified by a second
    reviewer, another still a draft."""
    with _writer_before_keys():
        prepare_database(engine)
        with unit_of_work(engine) as session:
            for name, role in TEST_USERS.items():
                add_user(session, name, PASSWORD, role=role, by=SYSTEM)
        with read_session(engine) as session:
            users = {u.username: principal_of(u) for u in list_users(session)}
        with unit_of_work(engine) as session:
            verified = create_incident(session, incident_data(), by=users["carla"])
            draft = create_incident(session, incident_data(title="Still a draft"),
                                    by=users["carla"])
            purged = create_incident(session, incident_data(title="Entered twice"),
                                     by=users["carla"])
        with unit_of_work(engine) as session:
            v = update_incident(session, verified.ref, {"injured": 2}, by=users["ravi"],
                                expected_version=verified.version).version
            v = submit_incident(session, verified.ref, by=users["carla"],
                                expected_version=v).version
            verify_incident(session, verified.ref, by=users["rana"], expected_version=v)
        with unit_of_work(engine) as session:
            purge_incident(session, purged.ref, by=users["admin"], reason="Entered twice")
    return {"users": users, "draft": draft}


def test_a_legacy_trail_followed_by_keyed_entries_verifies(empty_engine):
    engine = empty_engine
    legacy = _legacy_database(engine)
    with engine.connect() as conn:
        legacy_head = conn.execute(select(checkpoint.c.seq, checkpoint.c.hash)).one()
    result = _verify(engine)
    assert (result.ok, result.first_bad_seq) == (False, None)
    assert result.message.startswith(f"audit trail not sealed: its {legacy_head.seq} entries "
                                     "are intact, but none is signed")
    draft = legacy["draft"]
    with unit_of_work(engine) as session:  # the first keyed write seals the trail first
        update_incident(session, draft.ref, {"title": "Edited after the upgrade"},
                        by=legacy["users"]["carla"], expected_version=draft.version)
    with read_session(engine) as session:
        written = session.scalars(select(AuditEntry).where(AuditEntry.seq > legacy_head.seq)
                                  .order_by(AuditEntry.seq)).all()
    seal, *adopted, keys, edit = written
    # Then the data keys the database holds, named once, the new chain key among them.
    assert keys.action == "keys_adopt"
    assert ["chain", "installation"] in [k[:2] for k in json.loads(keys.changes)["keys"]]
    assert (seal.seq, seal.action, seal.entity_type, seal.prev_hash) == (
        legacy_head.seq + 1, "seal", "audit_entry", legacy_head.hash)
    assert json.loads(seal.changes)["legacy_head"] == [legacy_head.seq, legacy_head.hash]
    # What the trail records from the seal on, as the rows held it then.
    assert sorted((e.entity_type, sorted(json.loads(e.changes))) for e in adopted) == (
        [("app_user", ["password_hash"])] * len(TEST_USERS)
        + [("incident", ["last_edited_by_id"])] * 2)
    assert (edit.action, edit.entity_type) == ("update", "incident")
    assert _verify(engine).ok, _verify(engine).message
    # The seal signs the unkeyed head: the legacy part cannot be rewritten either.
    _drop_triggers(engine)
    with engine.begin() as conn:
        conn.execute(update(entries).where(entries.c.seq == 2).values(reason="rewritten"))
        _rechain_unkeyed(conn, 2, legacy_head.seq)
    result = _verify(engine)
    assert (result.ok, result.first_bad_seq) == (False, legacy_head.seq)
    assert result.message.endswith(f"entry {legacy_head.seq} was altered: entry "
                                   f"{legacy_head.seq + 1} records a different hash for it")


def _rechain_unkeyed(conn, first: int, last: int) -> None:
    prev = conn.scalar(select(entries.c.hash).where(entries.c.seq == first - 1)) or "0" * 64
    for row in conn.execute(select(entries).where(entries.c.seq.between(first, last))
                            .order_by(entries.c.seq)).all():
        digest = entry_hash(row.seq, format_time(row.at), row.actor_id, row.action,
                            row.entity_type, row.entity_id, row.incident_ref, row.changes,
                            row.reason, prev)
        conn.execute(update(entries).where(entries.c.seq == row.seq)
                     .values(prev_hash=prev, hash=digest))
        prev = digest
    conn.execute(update(checkpoint).where(checkpoint.c.seq == last).values(hash=prev))


def test_sijil_audit_seal_seals_a_legacy_trail_once(empty_engine, sijil):
    _legacy_database(empty_engine)
    done = sijil(empty_engine, "audit", "seal")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("sijil: sealed the audit trail at entry ")
    again = sijil(empty_engine, "audit", "seal")
    assert again.stdout.startswith("sijil: the audit trail is sealed already (entry ")
    verified = sijil(empty_engine, "audit", "verify")
    assert verified.returncode == 0, verified.stderr


def test_a_stripped_trail_is_not_intact(engine, users):
    """Without the key nobody can sign an entry, but SQL can turn the seal into something
    else, re-chain every entry with plain SHA-256 and drop the chain key: what is left
    looks like a trail written before keys. It does not verify; the anchor names it."""
    with unit_of_work(engine) as session:
        create_incident(session, incident_data(), by=users["carla"])
    with read_session(engine) as session:
        seq, digest = session.execute(select(checkpoint.c.seq, checkpoint.c.hash)).one()
    _drop_triggers(engine)
    with engine.begin() as conn:
        conn.execute(update(entries).where(entries.c.action == "seal")
                     .values(action="import", entity_type="incident"))
        _rechain_unkeyed(conn, 1, seq)
        conn.execute(delete(DataKey.__table__))
    result = _verify(engine)
    assert (result.ok, result.first_bad_seq) == (False, None)
    assert result.message.startswith("audit trail not sealed")
    anchored = _verify(engine, anchor=(seq, digest))
    assert (anchored.ok, anchored.first_bad_seq) == (False, seq)
    assert f"entry {seq} does not match the anchor" in anchored.message


def test_the_anchor_shows_a_trail_cut_back_or_rewritten_with_the_key(engine, users, sijil):
    """Event entries change no row: someone holding the key can cut them off, or rewrite
    one and sign it again, and the chain alone cannot tell. A head published before can."""
    from records.services.users import authenticate

    with unit_of_work(engine) as session:
        authenticate(session, "carla", PASSWORD)
    anchor = sijil(engine, "audit", "anchor")
    assert anchor.returncode == 0, anchor.stderr
    seq_digest, at = anchor.stdout.rstrip("\n").split("\t")
    seq = int(seq_digest.split(":")[0])
    assert at.endswith("Z") and len(seq_digest.split(":")[1]) == 64
    done = sijil(engine, "audit", "verify", "--anchor", seq_digest)
    assert done.stdout == (f"audit trail intact: {seq} entries checked; entry {seq} matches "
                           "the anchor\n")
    _drop_triggers(engine)
    with engine.begin() as conn:  # the log-in re-signed as another user's
        row = conn.execute(select(entries).where(entries.c.seq == seq)).one()
        keys = load_chain_keys(conn, read_master_key())
        # With the key, even the digest of the password hash it checked is chen's.
        chens = conn.execute(select(AppUser.__table__.c.password_hash)
                             .where(AppUser.__table__.c.id == users["chen"].id)).scalar_one()
        changes = dump_changes({"password_digest": keys.credential_digest(chens)})
        digest = keyed_entry_hash(keys.entry_key, seq, format_time(row.at), users["chen"].id,
                                  row.action, row.entity_type, users["chen"].id,
                                  row.incident_ref, changes, row.reason, row.prev_hash)
        conn.execute(update(entries).where(entries.c.seq == seq).values(
            actor_id=users["chen"].id, entity_id=users["chen"].id, changes=changes,
            hash=digest))
        conn.execute(update(checkpoint).values(hash=digest))
    assert sijil(engine, "audit", "verify").returncode == 0
    rewritten = sijil(engine, "audit", "verify", "--anchor", seq_digest)
    assert rewritten.returncode == 1
    assert rewritten.stderr.startswith(f"sijil: audit trail broken at seq {seq}: entry {seq} "
                                       "does not match the anchor")
    with engine.begin() as conn:  # cut back to before the log-in
        conn.execute(delete(entries).where(entries.c.seq == seq))
        conn.execute(update(checkpoint).values(seq=seq - 1, hash=row.prev_hash))
    assert sijil(engine, "audit", "verify").returncode == 0
    cut = sijil(engine, "audit", "verify", "--anchor", seq_digest)
    assert cut.stderr == (f"sijil: audit trail broken at seq {seq}: entry {seq}, which the "
                          "anchor names, is not in the trail: it was cut or rewritten after "
                          "the anchor was taken\n")


@pytest.mark.parametrize("anchor", ["12", "x:y", "0:" + "a" * 64, "5:" + "A" * 64])
def test_a_malformed_anchor_is_one_clear_line(engine, sijil, anchor):
    done = sijil(engine, "audit", "verify", "--anchor", anchor)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (f"sijil: --anchor: '{anchor}' is not SEQ:DIGEST, as "
                           "`sijil audit anchor` prints it\n")


def test_helpers_get_the_chain_keys_through_stdin_only(engine, users, monkeypatch):
    """The helpers need the derived keys, never the master key; neither goes through argv
    or the environment, which other users of the machine can read."""
    from records.services.audit import helper_pool

    started: list[tuple[list[str], dict | None]] = []
    real_popen = subprocess.Popen

    class Recording(real_popen):
        def __init__(self, args, **kwargs):
            super().__init__(args, **kwargs)
            started.append((list(args), kwargs.get("env")))

    monkeypatch.setattr(helper_pool.subprocess, "Popen", Recording)
    with read_session(engine) as session:
        result = verify_chain(session, by=SYSTEM, workers=2)
    assert result.ok, result.message
    with engine.connect() as conn:
        keys = load_chain_keys(conn, read_master_key())
    secrets = [base64.b64encode(key).decode() for key in (keys.entry_key, keys.credential_key)]
    secrets.append(os.environ["SIJIL_SECRET_KEY"])
    assert len(started) == 2
    for argv, env in started:
        assert not any(secret in " ".join(argv) for secret in secrets)
        assert env is not None and "SIJIL_SECRET_KEY" not in env
        assert not any(secret in value for secret in secrets for value in env.values())
