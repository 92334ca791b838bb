"""Personal data unreadable at rest (issue 12, point 3 and 4): contacts, withheld and
witness names, confidential sources and restricted narratives are sealed in the database
and in the audit trail; those who may read them still do; a purge destroys them for good."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import event, select, text, update
from sqlalchemy.orm import Session

from records import sealing
from records.db import read_session, unit_of_work
from records.errors import SijilError
from records.keys import ErasedKeyError, MasterKey, generate_key, load_data_key
from records.models import AuditEntry, DataKey, Person
from records.models.incident import STATUSES
from records.sealing import SEALED_PREFIX, open_values
from records.services.audit import purge, verify_chain
from records.services.exchange.export_records import ExportFilters
from records.services.exchange.exporting import ExportRequest, write_export
from records.services.incidents import create_incident, get_incident, update_victim
from records.services.keys import rotate_master_key
from tests.factories import incident_data

CONTACT = "+964 770 555 0142"
WITNESS = "Wadiha Hidden-Witness"
WITHHELD = "Nameless Unconsented Victim"
QUOTE = "I saw the officer's face clearly"
SOURCE_TITLE = "Interview W-17 in Najaf"
NARRATIVE = "The informant's house in Kufa was raided at night"
SECRETS = (CONTACT, WITNESS, WITHHELD, QUOTE, SOURCE_TITLE, NARRATIVE)
# Not sealed: a victim who consented to publication stays searchable, and is in clear.
CONSENTING = "Sami Consenting-Victim"


def _record(engine, users, sensitivity="restricted", narrative=NARRATIVE):
    data = incident_data(
        sensitivity=sensitivity, narrative=narrative,
        victims=[
            {"person": {"full_name": CONSENTING, "contact": CONTACT}, "outcome": "injured",
             "consent_to_publish_name": True},
            {"person": {"full_name": WITNESS, "profiles": ["witness"]}, "outcome": "unharmed",
             "consent_to_publish_name": True},
            {"person": {"full_name": WITHHELD}, "outcome": "killed"},
        ],
        citations=[{"source": {"kind": "witness_testimony", "title": SOURCE_TITLE,
                               "is_confidential": True},
                    "statement": "The witness describes the raid.", "quote": QUOTE}])
    with unit_of_work(engine) as session:
        return create_incident(session, data, by=users["carla"])


def _stored_text(engine) -> str:
    """Every row of the tables that hold people, sources and incidents, and every audit
    entry, as the database gives them back (no decryption involved)."""
    tables = ("person", "source", "citation", "incident", "victim", "audit_entry")
    with engine.connect() as conn:
        return "\n".join(str(tuple(row)) for table in tables
                         for row in conn.execute(text(f"SELECT * FROM {table}")))


def test_nothing_confidential_is_stored_in_clear(engine, users):
    _record(engine, users)
    stored = _stored_text(engine)
    assert CONSENTING in stored  # the scan does see what is in clear
    for secret in SECRETS:
        assert secret not in stored, secret
    assert SEALED_PREFIX in stored
    with engine.connect() as conn:
        changes = " ".join(conn.scalars(select(AuditEntry.changes)))
    assert CONSENTING in changes
    for secret in SECRETS:
        assert secret not in changes, secret


def test_the_sqlite_file_holds_no_plaintext(engine, users):
    if engine.dialect.name != "sqlite":
        pytest.skip("a file to scan exists on SQLite only")
    _record(engine, users)
    engine.dispose()  # checkpoint the write-ahead log into the file
    path = Path(engine.url.database)
    raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    assert CONSENTING.encode() in raw
    for secret in SECRETS:
        assert secret.encode("utf-8") not in raw, secret


def test_those_who_may_read_it_still_do(engine, users):
    created = _record(engine, users)
    with read_session(engine) as session:
        seen = get_incident(session, created.ref, by=users["rana"])
    assert seen.narrative == NARRATIVE
    names = [v.person.full_name for v in seen.victims]
    assert names == [CONSENTING, WITNESS, WITHHELD]
    assert seen.victims[0].person.contact == CONTACT
    assert (seen.citations[0].quote, seen.citations[0].source.title) == (QUOTE, SOURCE_TITLE)


def test_the_internal_export_opens_and_the_partner_export_never_sees(engine, users, tmp_path):
    _record(engine, users)
    # One a partner may receive: its narrative is not sealed, nor shown here.
    _record(engine, users, sensitivity="normal", narrative="Shots were heard.")
    every = ExportFilters(statuses=STATUSES)
    with read_session(engine) as session:
        write_export(session, ExportRequest("json", tmp_path / "in.json", "internal", every),
                     by=users["rana"])
        write_export(session, ExportRequest("json", tmp_path / "partner.json", "partner",
                                            every), by=users["rana"])
    internal = (tmp_path / "in.json").read_text(encoding="utf-8")
    for secret in SECRETS:
        assert secret in internal, secret
    partner = (tmp_path / "partner.json").read_text(encoding="utf-8")
    assert SEALED_PREFIX not in internal + partner
    assert CONSENTING in partner  # the normal incident is there
    for secret in SECRETS:
        assert secret not in partner, secret


def _person(engine, name) -> Person:
    with read_session(engine) as session:
        return session.scalars(select(Person).where(Person.name_key != "")
                               .where(Person.full_name == name)).first()


def test_consent_unseals_the_name_and_withdrawal_seals_it_again(engine, users):
    created = _record(engine, users)
    victim = created.victims[2]
    with unit_of_work(engine) as session:
        consented = update_victim(session, created.ref, victim.id,
                                  {"consent_to_publish_name": True}, by=users["carla"],
                                  expected_version=created.version)
    assert _person(engine, WITHHELD).name_key == "nameless unconsented victim"
    with unit_of_work(engine) as session:
        update_victim(session, created.ref, victim.id, {"consent_to_publish_name": False},
                      by=users["carla"], expected_version=consented.version)
    assert _person(engine, WITHHELD) is None
    with engine.connect() as conn:
        names = list(conn.scalars(select(Person.full_name).order_by(Person.id)))
    assert names[0] == CONSENTING
    assert all(name.startswith(SEALED_PREFIX) for name in names[1:])
    with read_session(engine) as session:
        assert verify_chain(session, by=users["admin"]).ok


def _sealed_contact(engine) -> tuple[str, str]:
    with engine.connect() as conn:
        uid, contact = conn.execute(select(Person.uid, Person.contact)
                                    .where(Person.contact.is_not(None))).one()
    return uid, contact


def test_a_purged_person_is_unrecoverable_with_the_key_and_the_chain_verifies(engine, users):
    _record(engine, users)
    uid, sealed = _sealed_contact(engine)
    assert sealed.startswith(SEALED_PREFIX)
    with unit_of_work(engine) as session:
        assert purge(session, uid, by=users["admin"], reason="asked to be forgotten") == (
            f"person {uid}")
    with engine.connect() as conn:
        key = conn.execute(select(DataKey.__table__).where(
            DataKey.__table__.c.owner == f"person:{uid}")).one()
        trail = " ".join(conn.scalars(select(AuditEntry.changes)))
        assert conn.scalar(select(Person.id).where(Person.uid == uid)) is None
        # The key is gone, even to a holder of the master key...
        with pytest.raises(ErasedKeyError):
            load_data_key(conn, MasterKey(base64.urlsafe_b64decode(
                os.environ["SIJIL_SECRET_KEY"]), "test"), f"person:{uid}")
    assert key.wrapped is None and key.destroyed_at is not None
    # ...while the sealed contact is still in the trail, readable as erased only.
    assert sealed in trail
    with read_session(engine) as session:
        assert open_values(session, "person", f"person:{uid}", {"contact": sealed}) == {
            "contact": "[erased]"}
        result = verify_chain(session, by=users["admin"])
    assert result.ok, result.message
    with read_session(engine) as session:
        destroyed = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "keys_destroy")).one()
    assert json.loads(destroyed.changes)["owner"] == f"person:{uid}"


def test_a_purged_incident_takes_its_narrative_and_quotes_with_it(engine, users, sijil_process):
    created = _record(engine, users)
    done = sijil_process(engine, "purge", created.ref, "--reason", "duplicate of another record")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        f"purged incident {created.ref}; its data key is destroyed\nbackups made before now "
        "can no longer open any encrypted value")
    with engine.connect() as conn:
        key = conn.execute(select(DataKey.__table__).where(
            DataKey.__table__.c.owner == f"incident:{created.ref}")).one()
    assert key.wrapped is None
    assert sijil_process(engine, "audit", "verify").returncode == 0


def test_purge_needs_an_admin_and_a_reason(engine, users):
    created = _record(engine, users)
    with unit_of_work(engine) as session, pytest.raises(SijilError) as denied:
        purge(session, created.ref, by=users["rana"], reason="no")
    assert "may not purge incidents" in str(denied.value)
    with unit_of_work(engine) as session, pytest.raises(SijilError) as why:
        purge(session, created.ref, by=users["admin"], reason="  ")
    assert "say why the incident is purged" in str(why.value)


def test_key_rotation_keeps_everything_readable(engine, users, monkeypatch):
    created = _record(engine, users)
    new_text = generate_key()
    new = MasterKey(base64.urlsafe_b64decode(new_text), "the new key")
    with unit_of_work(engine) as session:
        rotation = rotate_master_key(session, new, by=users["admin"])
    # The chain key, and one key each for the incident, its three people, the source.
    assert rotation.keys == 6
    monkeypatch.setenv("SIJIL_SECRET_KEY", new_text)
    with read_session(engine) as session:
        seen = get_incident(session, created.ref, by=users["rana"])
    assert (seen.narrative, seen.victims[0].person.contact) == (NARRATIVE, CONTACT)


def test_a_value_copied_to_another_person_does_not_open(engine, users):
    created = _record(engine, users)
    _uid, sealed = _sealed_contact(engine)
    with engine.begin() as conn:
        # Into the two people without a contact: sealed under another key, for another owner.
        conn.execute(update(Person).where(Person.contact.is_(None)).values(contact=sealed))
    with read_session(engine) as session, pytest.raises(SijilError) as refused:
        get_incident(session, created.ref, by=users["rana"])
    assert "does not open" in str(refused.value)


def test_reading_sealed_data_without_the_key_is_one_clear_line(engine, users, sijil,
                                                               monkeypatch, tmp_path):
    _record(engine, users)
    monkeypatch.delenv("SIJIL_SECRET_KEY")
    monkeypatch.setenv("SIJIL_SECRET_KEY_FILE", str(tmp_path / "none" / "secret.key"))
    done = sijil(engine, "export", "--format", "json", "--level", "internal", "--as", "rana",
                 "--out", str(tmp_path / "out.json"))
    assert done.returncode == 1
    assert done.stderr.startswith("sijil: no secret key: set SIJIL_SECRET_KEY")
    assert len(done.stderr.splitlines()) == 1
    assert not (tmp_path / "out.json").exists()


def test_values_stored_before_sealing_are_sealed_by_keys_seal_data(engine, users, sijil):
    event.remove(Session, "before_flush", sealing._seal_before_flush)
    try:  # a database filled before values were sealed
        created = _record(engine, users)
    finally:
        event.listen(Session, "before_flush", sealing._seal_before_flush)
    assert CONTACT in _stored_text(engine)
    done = sijil(engine, "keys", "seal-data")
    assert done.returncode == 0, done.stderr
    # The incident, the source, the witness, the withheld victim, the contact's person,
    # the citation, and the perpetrator (its basis: the incident is restricted): seven rows.
    assert done.stdout == ("sijil: 7 row(s) sealed; entries written before keep what they "
                           "recorded then\n")
    with engine.connect() as conn:
        contact, narrative, latitude = conn.execute(
            select(Person.contact, text("(SELECT narrative FROM incident)"),
                   text("(SELECT latitude FROM incident)"))
            .where(Person.contact.is_not(None))).one()
    assert contact.startswith(SEALED_PREFIX) and narrative.startswith(SEALED_PREFIX)
    assert latitude is None  # the exact place moved into the sealed coordinates
    with read_session(engine) as session:
        seen = get_incident(session, created.ref, by=users["rana"])
    assert (seen.narrative, seen.victims[0].person.contact) == (NARRATIVE, CONTACT)
    assert sijil(engine, "audit", "verify").returncode == 0
