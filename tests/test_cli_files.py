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
     "sijil: vera (viewer) may not edit incidents: it needs the caseworker role."),
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
