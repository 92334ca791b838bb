"""An incident's evidence files written to a folder: the shown copies by default, the
originals for reviewers and admins, a manifest with hashes and custody, an audit entry."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import select

from records.db import read_session, unit_of_work
from records.errors import NotFound, PermissionDenied, ValidationError
from records.models import AuditEntry
from records.services.evidence import add_attachment, add_custody_event, export_attachments
from records.services.incidents import create_incident
from tests.factories import incident_data
from tests.test_evidence_metadata import CLEAN_SHA256, PHOTO, PHOTO_SHA256

NOTE = b"Witness W-7731 met us in Kufa.\n"
NOTE_SHA256 = "d0b53181f8566ebc627dfd36d679a64895ca02711f516c4e90bba02ada611c97"


@pytest.fixture
def ref(engine, users, files) -> str:
    with unit_of_work(engine) as session:
        ref = create_incident(session, incident_data(), by=users["carla"]).ref
        photo = add_attachment(session, ref, filename="IMG_2291.jpg", data=PHOTO,
                               by=users["carla"])
        add_attachment(session, ref, filename="notes.txt", data=NOTE, by=users["carla"])
        add_custody_event(session, photo.id, kind="transferred", by=users["carla"],
                          at=dt.datetime(2021, 5, 9, 14, 0, tzinfo=dt.UTC),
                          counterpart="Fictional Legal Aid", method="by hand")
    return ref


def _export(engine, ref, out, by, **kwargs):
    with unit_of_work(engine) as session:
        return export_attachments(session, ref, out, by=by, **kwargs)


def test_a_caseworker_exports_the_copies_without_metadata(engine, users, ref, tmp_path):
    out = tmp_path / "handover"
    result = _export(engine, ref, out, users["carla"])
    assert result.written == ["1-IMG_2291.jpg", "2-notes.txt"] and result.left_out == []
    assert sorted(p.name for p in out.iterdir()) == ["1-IMG_2291.jpg", "2-notes.txt",
                                                    "manifest.json"]
    assert b"FictionalCam" not in (out / "1-IMG_2291.jpg").read_bytes()
    assert (out / "2-notes.txt").read_bytes() == NOTE
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["export"]["copies"] == "shown" and manifest["export"]["by"] == "carla"
    photo, note = manifest["files"]
    assert {k: photo[k] for k in ("file", "sha256", "copy", "copy_sha256", "size")} == {
        "file": "1-IMG_2291.jpg", "sha256": PHOTO_SHA256, "copy": "metadata removed",
        "copy_sha256": CLEAN_SHA256, "size": 884}
    assert [(e["kind"], e["at"], e["counterpart"]) for e in photo["custody"]][0] == (
        "transferred", "2021-05-09T14:00:00.000000Z", "Fictional Legal Aid")
    assert (note["copy"], note["sha256"], note["copy_sha256"]) == (
        "as stored", NOTE_SHA256, NOTE_SHA256)
    with read_session(engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert (entry.incident_ref, entry.actor_id) == (ref, users["carla"].id)
    assert json.loads(entry.changes) == {"format": "files", "original": False,
                                         "attachments": [1, 2], "left_out": []}


def test_a_reviewer_exports_the_originals_byte_for_byte(engine, users, ref, tmp_path):
    out = tmp_path / "originals"
    _export(engine, ref, out, users["rana"], original=True)
    assert (out / "1-IMG_2291.jpg").read_bytes() == PHOTO
    manifest = json.loads((out / "manifest.json").read_text())
    assert [(f["copy"], f["copy_sha256"] == f["sha256"]) for f in manifest["files"]] == [
        ("original", True), ("original", True)]


def test_originals_are_refused_below_reviewer_and_nothing_is_written(engine, users, ref,
                                                                     tmp_path):
    out = tmp_path / "originals"
    with pytest.raises(PermissionDenied):
        _export(engine, ref, out, users["carla"], original=True)
    assert not out.exists()


def test_a_folder_that_holds_files_is_not_written_into(engine, users, ref, tmp_path):
    out = tmp_path / "used"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(ValidationError) as refused:
        _export(engine, ref, out, users["carla"])
    assert refused.value.by_field() == {"out": f"{out} exists and is not an empty folder"}
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    with read_session(engine) as session:
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "export")).all() == []


def test_an_incident_the_reader_may_not_see_exports_nothing(engine, users, files, tmp_path):
    with unit_of_work(engine) as session:
        hidden = create_incident(session, incident_data(sensitivity="restricted"),
                                 by=users["carla"]).ref
    with pytest.raises(NotFound):
        _export(engine, hidden, tmp_path / "out", users["chen"])
    assert not (tmp_path / "out").exists()


def test_an_image_that_cannot_be_cleaned_is_left_out_and_named(engine, users, ref, tmp_path):
    with unit_of_work(engine) as session:
        add_attachment(session, ref, filename="damaged.jpg", data=b"\xff\xd8\xff\xe1\x7f\xff",
                       by=users["carla"])
    result = _export(engine, ref, tmp_path / "out", users["carla"])
    assert (result.written, result.left_out) == (["1-IMG_2291.jpg", "2-notes.txt"],
                                                 ["damaged.jpg"])
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["files"][2]["file"] is None
