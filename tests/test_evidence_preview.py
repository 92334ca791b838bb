"""Previews for the workspace: images from the copy without metadata, a PDF's first page
drawn in a separate process, nothing for other files."""

from __future__ import annotations

import io

import pytest
from fpdf import FPDF
from PIL import Image

from records.db import read_session, unit_of_work
from records.errors import PermissionDenied
from records.services.evidence import MetadataError, add_attachment, preview_attachment
from records.services.incidents import create_incident
from tests.factories import incident_data
from tests.test_evidence_metadata import PHOTO


def _pdf(pages: int) -> bytes:
    document = FPDF(format=(200, 100), unit="pt")
    document.set_font("helvetica", size=12)
    for number in range(pages):
        document.add_page()
        document.cell(text=f"Fictional statement, page {number + 1}")
    return bytes(document.output())


@pytest.fixture
def attach(engine, users, monkeypatch, tmp_path):
    monkeypatch.setenv("SIJIL_FILES_DIR", str(tmp_path / "files"))
    with unit_of_work(engine) as session:
        ref = create_incident(session, incident_data(), by=users["carla"]).ref

    def attach(name: str, data: bytes) -> int:
        with unit_of_work(engine) as session:
            return add_attachment(session, ref, filename=name, data=data,
                                  by=users["carla"]).id
    return attach


def _preview(engine, by, attachment_id):
    with read_session(engine) as session:
        return preview_attachment(session, attachment_id, by=by)


def test_an_image_is_previewed_from_its_copy_without_metadata(engine, users, attach):
    preview = _preview(engine, users["carla"], attach("IMG_2291.jpg", PHOTO))
    assert (preview.mime, preview.width, preview.height, preview.pages) == (
        "image/jpeg", 8, 8, None)
    assert b"FictionalCam" not in preview.data


def test_a_large_image_is_previewed_smaller(engine, users, attach):
    out = io.BytesIO()
    Image.new("RGBA", (3000, 1500), (200, 10, 10, 128)).save(out, format="PNG")
    preview = _preview(engine, users["carla"], attach("wall.png", out.getvalue()))
    assert (preview.mime, preview.width, preview.height) == ("image/png", 1280, 640)


def test_a_pdf_is_previewed_by_its_first_page(engine, users, attach):
    preview = _preview(engine, users["carla"], attach("statement.pdf", _pdf(3)))
    assert (preview.mime, preview.width, preview.height, preview.pages) == (
        "image/jpeg", 1280, 640, 3)


def test_a_damaged_pdf_and_other_files_have_no_preview(engine, users, attach):
    assert _preview(engine, users["carla"], attach("cut.pdf", _pdf(1)[:60])) is None
    assert _preview(engine, users["carla"], attach("notes.txt", b"plain words")) is None


def test_previews_follow_the_rights_of_the_shown_copy(engine, users, attach):
    damaged = attach("damaged.jpg", b"\xff\xd8\xff\xe1\x7f\xff")
    with pytest.raises(MetadataError):
        _preview(engine, users["rana"], damaged)
    with pytest.raises(PermissionDenied):
        _preview(engine, users["vera"], attach("IMG_2291.jpg", PHOTO))
