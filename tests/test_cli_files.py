"""`sijil files add` and `sijil files verify` as a user runs them."""

from __future__ import annotations

import hashlib

import pytest

from records.db import unit_of_work
from records.services.incidents import create_incident
from tests.factories import incident_data

PHOTO = b"\xff\xd8\xff\xe0 fictional photo bytes"
PHOTO_SHA = hashlib.sha256(PHOTO).hexdigest()


@pytest.fixture
def files_dir(tmp_path):
    return tmp_path / "files"


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "upload" / "photo.jpg"
    path.parent.mkdir()
    path.write_bytes(PHOTO)
    return path


@pytest.fixture
def ref(engine, users) -> str:
    with unit_of_work(engine) as session:
        return create_incident(session, incident_data(), by=users["carla"]).ref


@pytest.fixture
def sijil_files(sijil, engine, files_dir):
    """`sijil files …` on the test database, keeping evidence in `files_dir`."""
    return lambda *args: sijil(engine, "files", *args, files_dir=files_dir)


def test_files_add_stores_the_file_by_its_hash(sijil_files, files_dir, photo, ref):
    result = sijil_files("add", ref, str(photo), "--description", "the car", "--as", "carla")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (f"attached photo.jpg to INC-2020-00001 as attachment 1: "
                             f"sha256 {PHOTO_SHA}, 26 bytes, image/jpeg\n")
    stored = files_dir / PHOTO_SHA[:2] / PHOTO_SHA[2:4] / PHOTO_SHA
    assert stored.read_bytes() == PHOTO
    assert not list(files_dir.rglob("photo.jpg"))


@pytest.mark.parametrize(("args", "message"), [
    (["INC-2099-00001", "{photo}"], "sijil: no incident INC-2099-00001"),
    (["{ref}", "{photo}.missing"], "sijil: no file {photo}.missing"),
    (["{ref}", "{photo}", "--as", "vera"],
     "sijil: vera (Viewer) may not edit incidents: it needs the Caseworker role."),
])
def test_files_add_user_errors_are_one_line(sijil_files, photo, ref, args, message):
    filled = [a.format(photo=photo, ref=ref) for a in args]
    result = sijil_files("add", *filled)
    assert result.returncode == 1
    assert result.stderr == message.format(photo=photo) + "\n"


def test_files_add_without_a_file_is_a_usage_error(sijil_files, ref):
    result = sijil_files("add", ref)
    assert result.returncode == 2


def test_files_verify_passes_when_every_file_is_intact(sijil_files, photo, ref):
    assert sijil_files("add", ref, str(photo)).returncode == 0
    result = sijil_files("verify")
    assert (result.returncode, result.stdout) == (0, "all 1 evidence files are intact\n")


def test_files_verify_fails_naming_an_altered_file(sijil_files, files_dir, photo, ref):
    assert sijil_files("add", ref, str(photo)).returncode == 0
    stored = files_dir / PHOTO_SHA[:2] / PHOTO_SHA[2:4] / PHOTO_SHA
    stored.chmod(0o644)
    stored.write_bytes(b"tampered")
    result = sijil_files("verify")
    assert result.returncode == 1
    assert result.stdout == (f"attachment 1 of INC-2020-00001 (photo.jpg): altered file "
                             f"{stored}\n")
    assert result.stderr == "sijil: 0 missing and 1 altered of 1 evidence files\n"


def test_files_verify_fails_naming_a_missing_file(sijil_files, files_dir, photo, ref):
    assert sijil_files("add", ref, str(photo)).returncode == 0
    (files_dir / PHOTO_SHA[:2] / PHOTO_SHA[2:4] / PHOTO_SHA).unlink()
    result = sijil_files("verify")
    assert result.returncode == 1
    assert result.stderr == "sijil: 1 missing and 0 altered of 1 evidence files\n"


@pytest.fixture
def tagged_photo(tmp_path):
    """The photo with GPS, camera and a comment from test_evidence_metadata."""
    from tests.test_evidence_metadata import PHOTO as TAGGED

    path = tmp_path / "upload" / "IMG_2291.jpg"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(TAGGED)
    return path


def test_files_export_writes_the_copies_without_metadata(sijil_files, tagged_photo, ref,
                                                         tmp_path):
    from tests.test_evidence_metadata import CLEAN_SHA256

    assert sijil_files("add", ref, str(tagged_photo), "--as", "carla").returncode == 0
    out = tmp_path / "handover"
    result = sijil_files("export", ref, "--out", str(out), "--as", "carla")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"exported 1 file(s) of INC-2020-00001 to {out}\n"
    shown = (out / "1-IMG_2291.jpg").read_bytes()
    assert hashlib.sha256(shown).hexdigest() == CLEAN_SHA256


def test_files_export_original_is_for_reviewers(sijil_files, tagged_photo, ref, tmp_path):
    assert sijil_files("add", ref, str(tagged_photo), "--as", "carla").returncode == 0
    refused = sijil_files("export", ref, "--out", str(tmp_path / "a"), "--original",
                          "--as", "carla")
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == ("sijil: carla (Caseworker) may not have the original of an "
                              "evidence file: it needs the Reviewer role.\n")
    assert not (tmp_path / "a").exists()
    given = sijil_files("export", ref, "--out", str(tmp_path / "b"), "--original",
                        "--as", "rana")
    assert given.stdout == f"exported 1 original(s) of INC-2020-00001 to {tmp_path / 'b'}\n"
    assert (tmp_path / "b" / "1-IMG_2291.jpg").read_bytes() == tagged_photo.read_bytes()


def test_files_custody_adds_an_event_to_the_chain(sijil_files, engine, users, photo, ref):
    from records.db import read_session
    from records.services.evidence import custody_events

    assert sijil_files("add", ref, str(photo), "--as", "carla").returncode == 0
    result = sijil_files("custody", ref, PHOTO_SHA, "--event", "transferred",
                         "--note", "handed over for the hearing", "--counterpart",
                         "Fictional Legal Aid", "--method", "by hand",
                         "--at", "2021-05-09T14:00+03:00", "--as", "carla")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == ("transferred photo.jpg (attachment 1 of INC-2020-00001) at "
                             "2021-05-09 11:00:00Z, by carla\n")
    with read_session(engine) as session:
        log = custody_events(session, 1, by=users["rana"])
    assert [(e.kind, e.by_user, e.counterpart, e.method, e.note) for e in log] == [
        ("transferred", "carla", "Fictional Legal Aid", "by hand",
         "handed over for the hearing"),
        ("received", "carla", None, "upload", "added to INC-2020-00001")]


@pytest.mark.parametrize(("args", "message"), [
    (["--event", "lost"], "sijil: kind: 'lost' is not a known code; allowed: received, "
     "transferred, verified, copied, examined, returned"),
    (["--event", "examined", "--at", "yesterday"],
     "sijil: --at: not a time: 'yesterday' (e.g. 2021-05-09T14:00Z)"),
    (["--event", "examined", "--as", "chen"], "sijil: INC-2020-00001 was created by someone "
     "else; only its author or a reviewer may edit it."),
])
def test_files_custody_refusals_are_one_line(sijil_files, photo, ref, args, message):
    assert sijil_files("add", ref, str(photo), "--as", "carla").returncode == 0
    result = sijil_files("custody", ref, PHOTO_SHA, *args)
    assert (result.returncode, result.stderr) == (1, message + "\n")


def test_files_custody_names_a_hash_the_incident_does_not_have(sijil_files, ref):
    result = sijil_files("custody", ref, "0" * 64, "--event", "examined")
    assert (result.returncode, result.stderr) == (
        1, f"sijil: INC-2020-00001 has no evidence file with SHA-256 {'0' * 64}\n")
