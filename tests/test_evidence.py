"""Evidence files: content-addressed storage, attachments, custody, integrity checks."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from sqlmodel import select

from records.db import read_session, unit_of_work
from records.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from records.models import Attachment, AuditEntry
from records.services.access import SYSTEM
from records.services.evidence import (
    EvidenceFileError,
    add_attachment,
    add_custody_event,
    attachment_by_hash,
    audit_files_check,
    custody_events,
    file_path,
    list_attachments,
    open_attachment,
    store_file,
    verify_files,
)
from records.services.incidents import create_incident, get_incident
from records.services.review import submit_incident, verify_incident
from tests.factories import incident_data

HELLO = b"hello"
HELLO_SHA = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
PHOTO = b"\xff\xd8\xff\xe0 fictional photo bytes"
PHOTO_SHA = hashlib.sha256(PHOTO).hexdigest()


def _stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_store_file_puts_content_under_its_hash(tmp_path):
    assert store_file(HELLO, tmp_path) == (HELLO_SHA, 5)
    assert _stored_files(tmp_path) == [f"2c/f2/{HELLO_SHA}"]
    assert (tmp_path / "2c" / "f2" / HELLO_SHA).read_bytes() == HELLO


def test_storing_the_same_content_twice_keeps_one_file(tmp_path):
    store_file(HELLO, tmp_path)
    assert store_file(io.BytesIO(HELLO), tmp_path) == (HELLO_SHA, 5)
    assert _stored_files(tmp_path) == [f"2c/f2/{HELLO_SHA}"]


def test_store_file_reads_a_stream_in_blocks(tmp_path):
    data = bytes(range(256)) * 20_000  # several read blocks
    sha, size = store_file(io.BytesIO(data), tmp_path)
    assert (sha, size) == (hashlib.sha256(data).hexdigest(), 5_120_000)
    assert file_path(sha, tmp_path).read_bytes() == data


def test_storing_again_repairs_an_altered_copy(tmp_path):
    store_file(HELLO, tmp_path)
    path = file_path(HELLO_SHA, tmp_path)
    path.chmod(0o644)
    path.write_bytes(b"HELLO")
    store_file(HELLO, tmp_path)
    assert path.read_bytes() == HELLO


def test_file_path_refuses_anything_but_a_digest(tmp_path):
    with pytest.raises(ValueError):
        file_path("../../etc/passwd", tmp_path)


@pytest.fixture
def files_dir(tmp_path):
    """Apart from the SQLite database file, which the engine fixture keeps in tmp_path."""
    return tmp_path / "files"


def _incident(engine, by, **overrides):
    with unit_of_work(engine) as session:
        return create_incident(session, incident_data(**overrides), by=by)


def _attach(engine, ref, by, files_dir, data=PHOTO, filename="photo.jpg", **kwargs):
    with unit_of_work(engine) as session:
        return add_attachment(session, ref, filename=filename, data=data, by=by,
                              files_dir=files_dir, **kwargs)


def test_caseworker_attaches_a_file_to_her_draft(engine, users, files_dir):
    incident = _incident(engine, users["carla"])
    captured = dt.datetime(2020, 3, 14, 18, 30, tzinfo=dt.UTC)
    read = _attach(engine, incident.ref, users["carla"], files_dir, description=" the car ",
                   captured_at=captured, expected_version=incident.version)
    assert (read.sha256, read.size, read.mime_type) == (PHOTO_SHA, 26, "image/jpeg")
    assert (read.original_name, read.description) == ("photo.jpg", "the car")
    assert (read.incident_ref, read.uploaded_by, read.captured_at) == (
        "INC-2020-00001", "carla", captured)
    assert [(c.kind, c.by_user, c.method) for c in read.custody] == [
        ("received", "carla", "upload")]
    assert _stored_files(files_dir) == [f"{PHOTO_SHA[:2]}/{PHOTO_SHA[2:4]}/{PHOTO_SHA}"]
    with read_session(engine) as session:
        assert get_incident(session, incident.ref, by=users["carla"]).version == 2
        entries = session.exec(select(AuditEntry.entity_type, AuditEntry.action,
                                      AuditEntry.incident_ref)
                               .where(AuditEntry.entity_type.in_(
                                   ["attachment", "custody_event"]))).all()
    assert sorted(entries) == [("attachment", "create", "INC-2020-00001"),
                               ("custody_event", "create", None)]


def test_the_name_given_is_metadata_only(engine, users, files_dir):
    incident = _incident(engine, users["carla"])
    read = _attach(engine, incident.ref, users["carla"], files_dir, filename="../../etc/x.pdf")
    # The content is a JPEG whatever the name says.
    assert (read.original_name, read.mime_type) == ("x.pdf", "image/jpeg")
    assert _stored_files(files_dir) == [f"{PHOTO_SHA[:2]}/{PHOTO_SHA[2:4]}/{PHOTO_SHA}"]


def test_unknown_content_is_stored_as_octet_stream(engine, users, files_dir):
    incident = _incident(engine, users["carla"])
    read = _attach(engine, incident.ref, users["carla"], files_dir, filename="notes.jpg",
                   data=b"\x00\x01\x02 no known signature")
    assert read.mime_type == "application/octet-stream"


@pytest.mark.parametrize("who", ["vera", "chen"])
def test_only_who_may_edit_the_incident_attaches(engine, users, files_dir, who):
    incident = _incident(engine, users["carla"])
    with pytest.raises(PermissionDenied):
        _attach(engine, incident.ref, users[who], files_dir)
    with read_session(engine) as session:
        assert session.exec(select(Attachment)).all() == []


def test_a_stale_version_attaches_nothing(engine, users, files_dir):
    incident = _incident(engine, users["carla"])
    with pytest.raises(ConflictError):
        _attach(engine, incident.ref, users["carla"], files_dir, expected_version=0)
    with read_session(engine) as session:
        assert session.exec(select(Attachment)).all() == []


def test_the_same_file_cannot_be_attached_twice_to_one_incident(engine, users, files_dir):
    first = _incident(engine, users["carla"])
    second = _incident(engine, users["carla"])
    _attach(engine, first.ref, users["carla"], files_dir)
    with pytest.raises(ValidationError) as error:
        _attach(engine, first.ref, users["carla"], files_dir, filename="copy.jpg")
    assert error.value.by_field() == {"data": "this file is already attached to INC-2020-00001"}
    assert _attach(engine, second.ref, users["carla"], files_dir).sha256 == PHOTO_SHA


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"filename": "  "}, "filename"),
    ({"source_uid": "no-such-source"}, "source_uid"),
    ({"captured_at": dt.datetime(2020, 3, 14, 18, 30)}, "captured_at"),
])
def test_invalid_attachment_input_is_refused(engine, users, files_dir, kwargs, field):
    incident = _incident(engine, users["carla"])
    with pytest.raises(ValidationError) as error:
        _attach(engine, incident.ref, users["carla"], files_dir, **kwargs)
    assert list(error.value.by_field()) == [field]


def test_an_attachment_can_name_the_source_it_comes_from(engine, users, files_dir):
    incident = _incident(engine, users["carla"])
    uid = incident.citations[0].source.uid
    assert _attach(engine, incident.ref, users["carla"], files_dir,
                   source_uid=uid).source_uid == uid


def test_new_evidence_sends_a_verified_incident_back_for_review(engine, users, files_dir):
    incident = _incident(engine, users["carla"])
    with unit_of_work(engine) as session:
        submitted = submit_incident(session, incident.ref, by=users["carla"],
                                    expected_version=incident.version)
        verify_incident(session, incident.ref, by=users["rana"],
                        expected_version=submitted.version)
    _attach(engine, incident.ref, users["ravi"], files_dir)
    with read_session(engine) as session:
        after = get_incident(session, incident.ref, by=users["rana"])
    assert (after.status, after.submitted_by) == ("submitted", "ravi")


def test_list_attachments_shows_files_with_their_custody(engine, users, files_dir):
    incident = _incident(engine, users["carla"])
    photo = _attach(engine, incident.ref, users["carla"], files_dir)
    _attach(engine, incident.ref, users["carla"], files_dir, data=HELLO, filename="note.txt")
    with unit_of_work(engine) as session:
        add_custody_event(session, photo.id, kind="transferred", by=users["rana"],
                          counterpart="Fictional Legal Aid", method="encrypted USB drive")
    with read_session(engine) as session:
        listed = list_attachments(session, incident.ref, by=users["rana"])
    assert [(a.original_name, a.mime_type) for a in listed] == [
        ("photo.jpg", "image/jpeg"), ("note.txt", "text/plain")]
    assert [(c.kind, c.by_user, c.counterpart) for c in listed[0].custody] == [
        ("received", "carla", None), ("transferred", "rana", "Fictional Legal Aid")]


def test_viewers_do_not_see_evidence(engine, users, files_dir):
    incident = _incident(engine, users["carla"])
    photo = _attach(engine, incident.ref, users["carla"], files_dir)
    with read_session(engine) as session:
        with pytest.raises(PermissionDenied):
            list_attachments(session, incident.ref, by=users["vera"])
        with pytest.raises(PermissionDenied):
            open_attachment(session, photo.id, by=users["vera"], files_dir=files_dir)


def test_evidence_of_a_restricted_incident_stays_hidden(engine, users, files_dir):
    incident = _incident(engine, users["carla"], sensitivity="restricted")
    photo = _attach(engine, incident.ref, users["carla"], files_dir)
    with read_session(engine) as session:
        with pytest.raises(NotFound):
            list_attachments(session, incident.ref, by=users["chen"])
        with pytest.raises(NotFound):
            open_attachment(session, photo.id, by=users["chen"], files_dir=files_dir)
        read, content = open_attachment(session, photo.id, by=users["rana"], original=True,
                                        files_dir=files_dir)
    assert (read.original_name, content) == ("photo.jpg", PHOTO)


def test_an_altered_or_missing_file_is_not_handed_out(engine, users, files_dir):
    incident = _incident(engine, users["carla"])
    photo = _attach(engine, incident.ref, users["carla"], files_dir)
    path = file_path(PHOTO_SHA, files_dir)
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    with read_session(engine) as session:
        with pytest.raises(EvidenceFileError, match="was altered"):
            open_attachment(session, photo.id, by=users["carla"], files_dir=files_dir)
        path.unlink()
        with pytest.raises(EvidenceFileError, match="is missing"):
            open_attachment(session, photo.id, by=users["carla"], files_dir=files_dir)


def test_verify_files_names_missing_and_altered_files(engine, users, files_dir):
    incident = _incident(engine, users["carla"])
    photo = _attach(engine, incident.ref, users["carla"], files_dir)
    note = _attach(engine, incident.ref, users["carla"], files_dir, data=HELLO,
                   filename="note.txt")
    other = _incident(engine, users["carla"])
    _attach(engine, other.ref, users["carla"], files_dir, data=b"intact", filename="ok.txt")
    with read_session(engine) as session:
        report = verify_files(session, files_dir, by=SYSTEM)
        assert (report.checked, report.ok) == (3, True)
        file_path(PHOTO_SHA, files_dir).unlink()
        altered = file_path(HELLO_SHA, files_dir)
        altered.chmod(0o644)
        altered.write_bytes(b"HELLO")
        report = verify_files(session, files_dir, by=SYSTEM)
    assert (report.checked, report.ok) == (3, False)
    assert [(p.attachment_id, p.original_name, p.incident_ref) for p in report.missing] == [
        (photo.id, "photo.jpg", "INC-2020-00001")]
    assert [(p.attachment_id, p.original_name) for p in report.altered] == [
        (note.id, "note.txt")]


def test_custody_events_use_the_custody_vocabulary(engine, users, files_dir):
    incident = _incident(engine, users["carla"])
    photo = _attach(engine, incident.ref, users["carla"], files_dir)
    with unit_of_work(engine) as session:
        with pytest.raises(ValidationError) as error:
            add_custody_event(session, photo.id, kind="lost", by=users["carla"])
        assert list(error.value.by_field()) == ["kind"]
        event = add_custody_event(session, photo.id, kind="verified", by=users["carla"],
                                  method="hash compared", note="matches the original")
    assert (event.kind, event.by_user, event.method, event.note) == (
        "verified", "carla", "hash compared", "matches the original")


def test_a_chain_of_custody_reads_who_when_and_how(engine, users, files_dir):
    incident = _incident(engine, users["carla"])
    photo = _attach(engine, incident.ref, users["carla"], files_dir)
    handed = dt.datetime(2021, 5, 9, 14, 0, tzinfo=dt.UTC)
    with unit_of_work(engine) as session:
        add_custody_event(session, photo.id, kind="transferred", by=users["carla"], at=handed,
                          counterpart="Fictional Legal Aid", method="by hand, sealed envelope")
        add_custody_event(session, photo.id, kind="examined", by=users["rana"],
                          at=handed + dt.timedelta(days=1), method="hash compared",
                          note="matches the received copy")
        add_custody_event(session, photo.id, kind="returned", by=users["carla"],
                          at=handed + dt.timedelta(days=2), counterpart="the witness")
    with read_session(engine) as session:
        log = custody_events(session, photo.id, by=users["chen"])
    # In the order it happened: the events given a time come before the upload (now).
    assert [(e.kind, e.by_user, e.counterpart, e.method, e.note) for e in log] == [
        ("transferred", "carla", "Fictional Legal Aid", "by hand, sealed envelope", ""),
        ("examined", "rana", None, "hash compared", "matches the received copy"),
        ("returned", "carla", "the witness", None, ""),
        ("received", "carla", None, "upload", "added to INC-2020-00001")]
    assert [e.at for e in log[:3]] == [
        dt.datetime(2021, 5, 9, 14, 0, tzinfo=dt.UTC),
        dt.datetime(2021, 5, 10, 14, 0, tzinfo=dt.UTC),
        dt.datetime(2021, 5, 11, 14, 0, tzinfo=dt.UTC)]


@pytest.mark.parametrize(("at", "message"), [
    (dt.datetime(2099, 1, 1, tzinfo=dt.UTC), "this time is in the future"),
    (dt.datetime(2021, 5, 9, 14, 0), "give a time with its time zone (UTC)"),
])
def test_a_custody_time_must_be_past_and_zoned(engine, users, files_dir, at, message):
    incident = _incident(engine, users["carla"])
    photo = _attach(engine, incident.ref, users["carla"], files_dir)
    with unit_of_work(engine) as session, pytest.raises(ValidationError) as refused:
        add_custody_event(session, photo.id, kind="examined", by=users["carla"], at=at)
    assert refused.value.by_field() == {"at": message}
    with read_session(engine) as session:
        assert len(custody_events(session, photo.id, by=users["carla"])) == 1


def test_custody_of_a_hidden_incident_does_not_exist_for_the_reader(engine, users,
                                                                    files_dir):
    incident = _incident(engine, users["carla"], sensitivity="restricted")
    photo = _attach(engine, incident.ref, users["carla"], files_dir)
    with read_session(engine) as session:
        with pytest.raises(NotFound):
            custody_events(session, photo.id, by=users["chen"])
        with pytest.raises(PermissionDenied):
            custody_events(session, photo.id, by=users["vera"])
        assert [e.kind for e in custody_events(session, photo.id, by=users["rana"])] == [
            "received"]


def test_a_file_is_found_by_its_hash_within_its_incident(engine, users, files_dir):
    incident = _incident(engine, users["carla"])
    other = _incident(engine, users["carla"])
    photo = _attach(engine, incident.ref, users["carla"], files_dir)
    with read_session(engine) as session:
        found = attachment_by_hash(session, incident.ref, PHOTO_SHA.upper(),
                                   by=users["chen"])
        assert found.id == photo.id
        with pytest.raises(NotFound) as missing:
            attachment_by_hash(session, other.ref, PHOTO_SHA, by=users["chen"])
        assert str(missing.value) == f"INC-2020-00002 has no evidence file with SHA-256 {PHOTO_SHA}"
        with pytest.raises(ValidationError) as malformed:
            attachment_by_hash(session, incident.ref, "abc123", by=users["chen"])
    assert malformed.value.by_field() == {
        "sha256": "give the 64 hexadecimal digits of the file's SHA-256"}


def test_custody_of_someone_elses_evidence_needs_edit_rights(engine, users, files_dir):
    incident = _incident(engine, users["carla"])
    photo = _attach(engine, incident.ref, users["carla"], files_dir)
    with unit_of_work(engine) as session, pytest.raises(PermissionDenied):
        add_custody_event(session, photo.id, kind="copied", by=users["chen"])


def test_a_files_check_is_recorded_in_the_audit_trail(engine, users, files_dir):
    incident = _incident(engine, users["carla"])
    photo = _attach(engine, incident.ref, users["carla"], files_dir)
    file_path(PHOTO_SHA, files_dir).unlink()
    with read_session(engine) as session:
        report = verify_files(session, files_dir, by=SYSTEM)
    with unit_of_work(engine) as session:
        audit_files_check(session, report, by=users["admin"])
    with read_session(engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "files_verify")).one()
    assert (entry.entity_type, entry.actor_id) == ("attachment", users["admin"].id)
    assert entry.changes == f'{{"altered":[],"checked":1,"missing":[{photo.id}]}}'
