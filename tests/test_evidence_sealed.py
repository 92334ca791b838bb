"""Evidence files of restricted incidents are sealed on disk under the incident's key
(issue 12, point 3), opened intact for those who may see them, and gone with a purge."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from records.db import read_session, unit_of_work
from records.models import DataKey
from records.services.audit import purge_incident, verify_chain
from records.services.evidence import add_attachment, open_attachment, verify_files
from records.services.incidents import create_incident, get_incident, update_incident
from tests.factories import incident_data

SCAN = b"%PDF-1.4 scanned statement of witness W-7731, signed in Kufa\n"
# Worked out once with `hashlib.sha256(SCAN).hexdigest()` and typed here.
SCAN_SHA256 = "9fbf274459f2ac3dcf56944e7bf8a7598e3c3c2f8092f9c839be4484665379b9"


def _on_disk(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


def _incident(engine, users, sensitivity):
    with unit_of_work(engine) as session:
        return create_incident(session, incident_data(sensitivity=sensitivity),
                               by=users["carla"])


def _attach(engine, users, ref):
    with unit_of_work(engine) as session:
        return add_attachment(session, ref, filename="statement.pdf", data=SCAN,
                              by=users["carla"])


def test_a_restricted_incidents_file_is_sealed_and_opens_intact(engine, users, files):
    created = _incident(engine, users, "restricted")
    attached = _attach(engine, users, created.ref)
    assert attached.sha256 == SCAN_SHA256
    assert b"witness W-7731" not in _on_disk(files)
    assert [p.name.endswith(".sealed") for p in files.rglob("*") if p.is_file()] == [True]
    with read_session(engine) as session:
        read, content = open_attachment(session, attached.id, by=users["rana"])
        report = verify_files(session, by=users["rana"])
    assert content == SCAN and read.sha256 == SCAN_SHA256
    assert (report.checked, report.problems) == (1, [])


def test_an_incident_made_restricted_has_its_files_sealed(engine, users, files):
    created = _incident(engine, users, "normal")
    attached = _attach(engine, users, created.ref)
    assert b"witness W-7731" in _on_disk(files)  # a normal incident's file is kept as is
    with unit_of_work(engine) as session:
        version = get_incident(session, created.ref, by=users["carla"]).version
        update_incident(session, created.ref, {"sensitivity": "restricted"},
                        by=users["carla"], expected_version=version)
    assert b"witness W-7731" not in _on_disk(files)
    with read_session(engine) as session:
        _read, content = open_attachment(session, attached.id, by=users["rana"])
        assert verify_files(session, by=users["rana"]).problems == []
    assert content == SCAN


def test_purging_a_restricted_incident_removes_its_files_and_key(engine, users, files):
    created = _incident(engine, users, "restricted")
    _attach(engine, users, created.ref)
    with unit_of_work(engine) as session:
        purge_incident(session, created.ref, by=users["admin"], reason="asked to be erased")
    assert [p for p in files.rglob("*") if p.is_file()] == []
    with engine.connect() as conn:
        key = conn.execute(select(DataKey.__table__).where(
            DataKey.__table__.c.owner == f"incident:{created.ref}")).one()
    assert key.wrapped is None
    with read_session(engine) as session:
        assert verify_chain(session, by=users["admin"]).ok


def test_a_failed_purge_keeps_the_files(engine, users, files):
    created = _incident(engine, users, "restricted")
    _attach(engine, users, created.ref)
    before = sorted(p.name for p in files.rglob("*") if p.is_file())
    with pytest.raises(RuntimeError), unit_of_work(engine) as session:
        purge_incident(session, created.ref, by=users["admin"], reason="asked to be erased")
        raise RuntimeError("the transaction fails after the purge")
    assert sorted(p.name for p in files.rglob("*") if p.is_file()) == before
    with read_session(engine) as session:
        assert verify_files(session, by=users["rana"]).problems == []
