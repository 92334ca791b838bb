"""An evidence file's type comes from its content, never its name; a file over the size
limit (SIJIL_MAX_FILE_MB) is refused with one sentence before anything is stored."""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from records.config import get_settings
from records.db import read_session, unit_of_work
from records.errors import SijilError, ValidationError
from records.models import Attachment, AuditEntry
from records.services.evidence import add_attachment, max_file_bytes, sniff_type
from records.services.incidents import create_incident
from tests.factories import incident_data


@pytest.mark.parametrize(("content", "mime"), [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8L", "image/webp"),
    (b"GIF89a\x01\x00\x01\x00", "image/gif"),
    (b"II*\x00\x08\x00\x00\x00\x01\x00\x00\x01", "image/tiff"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
    ("شهادة الشاهد، بغداد\n".encode(), "text/plain"),
    # Markup is shown as text, never as a page or a picture a browser would run.
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "text/plain"),
    (b"<!doctype html><html><script>alert(1)</script>", "text/plain"),
    (b"\x00\x01\x02\x03 unknown", "application/octet-stream"),
    (b"\xc3\x28 not UTF-8", "application/octet-stream"),
])
def test_the_type_is_read_from_the_content(content, mime):
    assert sniff_type(content) == mime


def test_text_cut_inside_a_character_at_the_sniffed_length_is_still_text():
    content = b"a" * 8191 + "ش".encode()  # the head ends in the middle of the letter
    assert sniff_type(content) == "text/plain"


def test_the_limit_defaults_to_50_mb(monkeypatch):
    monkeypatch.delenv("SIJIL_MAX_FILE_MB", raising=False)
    assert (get_settings().max_file_mb, max_file_bytes()) == (50, 50_000_000)


@pytest.mark.parametrize("value", ["0", "-3", "ten", "1.5", "²"])
def test_a_malformed_limit_is_named(monkeypatch, value):
    monkeypatch.setenv("SIJIL_MAX_FILE_MB", value)
    with pytest.raises(SijilError) as error:
        get_settings()
    assert str(error.value) == ("SIJIL_MAX_FILE_MB must be a whole number of megabytes, at "
                                f"least 1 (e.g. 50), not {value!r}")


@pytest.mark.parametrize("as_stream", [False, True])
def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(engine, users, files,
                                                                monkeypatch, as_stream):
    monkeypatch.setenv("SIJIL_MAX_FILE_MB", "1")
    with unit_of_work(engine) as session:
        ref = create_incident(session, incident_data(), by=users["carla"]).ref
    content = b"%PDF-1.4\n" + b"x" * 999_992  # 1 000 001 bytes
    with unit_of_work(engine) as session, pytest.raises(ValidationError) as refused:
        add_attachment(session, ref, filename="scan.pdf",
                       data=io.BytesIO(content) if as_stream else content, by=users["carla"])
    assert refused.value.by_field() == {
        "data": "the file is larger than 1 MB, the most this installation accepts "
                "(SIJIL_MAX_FILE_MB)"}
    assert not files.exists() or [p for p in files.rglob("*") if p.is_file()] == []
    with read_session(engine) as session:
        assert session.exec(select(Attachment)).all() == []
        assert session.exec(select(AuditEntry).where(
            AuditEntry.entity_type == "attachment")).all() == []


def test_a_file_of_exactly_the_limit_is_accepted(engine, users, files, monkeypatch):
    monkeypatch.setenv("SIJIL_MAX_FILE_MB", "1")
    with unit_of_work(engine) as session:
        ref = create_incident(session, incident_data(), by=users["carla"]).ref
        attached = add_attachment(session, ref, filename="scan.bin",
                                  data=io.BytesIO(b"%PDF-1.4\n" + b"x" * 999_991),
                                  by=users["carla"])
    assert (attached.size, attached.mime_type) == (1_000_000, "application/pdf")


def test_an_empty_file_is_refused(engine, users, files):
    with unit_of_work(engine) as session:
        ref = create_incident(session, incident_data(), by=users["carla"]).ref
        with pytest.raises(ValidationError) as refused:
            add_attachment(session, ref, filename="empty.jpg", data=b"", by=users["carla"])
    assert refused.value.by_field() == {"data": "the file is empty"}
