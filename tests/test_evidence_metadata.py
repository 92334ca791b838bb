"""The copy of an evidence image that is shown and exported has no identifying metadata and
the same pixels; the original stays byte-identical, for reviewers and admins."""

from __future__ import annotations

import base64
import hashlib
import io
import struct

import pytest
from PIL import Image

from records.db import read_session, unit_of_work
from records.errors import PermissionDenied
from records.services.evidence import (
    MetadataError,
    add_attachment,
    open_attachment,
    strip_metadata,
)
from records.services.incidents import create_incident
from tests.factories import incident_data

# An 8×8 JPEG made once with Pillow and typed here, so that the hashes below do not depend
# on the JPEG encoder: EXIF Make "FictionalCam", Model "FC-1", GPS 33°18'25"N 44°21'40"E,
# and the comment "fictional: taken at the safe house".
PHOTO = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/4QC0RXhpZgAATU0AKgAAAAgAAwEPAAIAAAANAAAAMgEQAAIAAAAFAAAAQIgl"
    "AAQAAAABAAAARgAAAABGaWN0aW9uYWxDYW0AAEZDLTEAAAAEAAEAAgAAAAJOAAAAAAIABQAAAAMAAAB8AAMAAgAA"
    "AAJFAAAAAAQABQAAAAMAAACUAAAAAAAAACEAAAABAAAAEgAAAAEAAAAZAAAAAQAAACwAAAABAAAAFQAAAAEAAAAo"
    "AAAAAf/+ACRmaWN0aW9uYWw6IHRha2VuIGF0IHRoZSBzYWZlIGhvdXNl/9sAQwADAgIDAgIDAwMDBAMDBAUIBQUE"
    "BAUKBwcGCAwKDAwLCgsLDQ4SEA0OEQ4LCxAWEBETFBUVFQwPFxgWFBgSFBUU/9sAQwEDBAQFBAUJBQUJFA0LDRQU"
    "FBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU/8AAEQgACAAIAwEiAAIRAQMR"
    "Af/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFB"
    "BhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVm"
    "Z2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh"
    "4uPk5ebn6Onq8fLz9PX29/j5+v/EAB8BAAMBAQEBAQEBAQEAAAAAAAABAgMEBQYHCAkKC//EALURAAIBAgQEAwQH"
    "BQQEAAECdwABAgMRBAUhMQYSQVEHYXETIjKBCBRCkaGxwQkjM1LwFWJy0QoWJDThJfEXGBkaJicoKSo1Njc4OTpD"
    "REVGR0hJSlNUVVZXWFlaY2RlZmdoaWpzdHV2d3h5eoKDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5"
    "usLDxMXGx8jJytLT1NXW19jZ2uLj5OXm5+jp6vLz9PX29/j5+v/aAAwDAQACEQMRAD8Az/hR+yp/qf8AQ/T+Giii"
    "vss24nzP60/3hXh7xjnH9hUv3v8AVl5n/9k=")
# `sha256sum` of the file above, typed.
PHOTO_SHA256 = "268358e68b53d81d499b65273e62f78b7cb22109811d2f3c72bee2ef3a2bcc1a"
# The same file less its APP1 (EXIF, 182 bytes) and COM (38 bytes) segments: 884 - 220.
CLEAN_SIZE = 664
CLEAN_SHA256 = "151b3b23958f5895bb09306067ad4bd9a5dfc719e260f7dae75d689a7868f092"
GPS_IFD, MAKE, MODEL, ORIENTATION = 0x8825, 0x010F, 0x0110, 0x0112


def _pixels(content: bytes) -> tuple[tuple[int, int], bytes]:
    with Image.open(io.BytesIO(content)) as image:
        return image.size, image.convert("RGB").tobytes()


def _identifying(content: bytes) -> dict:
    with Image.open(io.BytesIO(content)) as image:
        exif = image.getexif()
        return {"gps": dict(exif.get_ifd(GPS_IFD)), "make": exif.get(MAKE),
                "model": exif.get(MODEL), "comment": image.info.get("comment")}


def test_the_photo_typed_here_carries_what_would_identify_its_taker():
    assert hashlib.sha256(PHOTO).hexdigest() == PHOTO_SHA256
    assert _identifying(PHOTO) == {
        "gps": {1: "N", 2: (33.0, 18.0, 25.0), 3: "E", 4: (44.0, 21.0, 40.0)},
        "make": "FictionalCam", "model": "FC-1",
        "comment": b"fictional: taken at the safe house"}


@pytest.fixture
def photo_id(engine, users, files) -> int:
    with unit_of_work(engine) as session:
        ref = create_incident(session, incident_data(), by=users["carla"]).ref
        return add_attachment(session, ref, filename="IMG_2291.jpg", data=PHOTO,
                              by=users["carla"]).id


def test_a_caseworker_gets_the_photo_without_gps_camera_or_comment(engine, users, photo_id):
    with read_session(engine) as session:
        read, shown = open_attachment(session, photo_id, by=users["carla"])
    assert (read.sha256, read.mime_type) == (PHOTO_SHA256, "image/jpeg")
    assert (len(shown), hashlib.sha256(shown).hexdigest()) == (CLEAN_SIZE, CLEAN_SHA256)
    assert _identifying(shown) == {"gps": {}, "make": None, "model": None, "comment": None}
    assert b"FictionalCam" not in shown and b"safe house" not in shown
    # Not recompressed: the picture is the original's, pixel for pixel.
    assert _pixels(shown) == _pixels(PHOTO)
    assert _pixels(shown)[0] == (8, 8)


@pytest.mark.parametrize("who", ["rana", "admin"])
def test_reviewers_and_admins_may_have_the_original_byte_for_byte(engine, users, photo_id,
                                                                 files, who):
    with read_session(engine) as session:
        read, original = open_attachment(session, photo_id, by=users[who], original=True)
        _read, shown = open_attachment(session, photo_id, by=users[who])
    assert original == PHOTO and read.sha256 == PHOTO_SHA256
    assert hashlib.sha256(shown).hexdigest() == CLEAN_SHA256
    # The stored file is still the original: its hash is unchanged.
    stored = files / PHOTO_SHA256[:2] / PHOTO_SHA256[2:4] / PHOTO_SHA256
    assert stored.read_bytes() == PHOTO


@pytest.mark.parametrize("who", ["carla", "chen"])
def test_the_original_is_refused_below_reviewer(engine, users, photo_id, who):
    with read_session(engine) as session, pytest.raises(PermissionDenied) as refused:
        open_attachment(session, photo_id, by=users[who], original=True)
    assert str(refused.value) == (f"{who} (Caseworker) may not have the original of an "
                                  "evidence file: it needs the Reviewer role.")


def test_an_upright_orientation_is_kept_and_nothing_else():
    image = Image.new("RGB", (4, 2), (10, 20, 30))
    exif = Image.Exif()
    exif[MAKE], exif[ORIENTATION] = "FictionalCam", 6
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    shown = strip_metadata(out.getvalue(), "image/jpeg")
    with Image.open(io.BytesIO(shown)) as opened:
        assert dict(opened.getexif()) == {ORIENTATION: 6}
    assert _pixels(shown) == _pixels(out.getvalue())


def test_a_jfif_thumbnail_and_anything_after_the_image_are_dropped():
    # A JFIF header with a 1×1 thumbnail, and a trailer appended after the end of image.
    start = PHOTO.index(b"\xff\xe1")
    jfif = (b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x01\x01" + b"\xff\x00\x00")
    with_thumbnail = (b"\xff\xd8\xff\xe0" + struct.pack(">H", len(jfif) + 2) + jfif
                      + PHOTO[start:] + b"appended: the uncropped original")
    shown = strip_metadata(with_thumbnail, "image/jpeg")
    assert shown[:20] == (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01"
                          b"\x00\x00")
    assert shown.endswith(b"\xff\xd9") and b"uncropped" not in shown
    assert _pixels(shown) == _pixels(PHOTO)


def _tagged(fmt: str, **options) -> bytes:
    image = Image.new("RGBA" if fmt == "PNG" else "RGB", (6, 3))
    image.putdata([(x * 40, y * 80, 90, 255)[:len(image.mode)] for y in range(3)
                   for x in range(6)])
    exif = Image.Exif()
    exif[MAKE], exif[MODEL] = "FictionalCam", "FC-1"
    exif.get_ifd(GPS_IFD)[1] = "N"
    out = io.BytesIO()
    image.save(out, format=fmt, **({"exif": exif} if fmt != "GIF" else {}), **options)
    return out.getvalue()


@pytest.mark.parametrize(("fmt", "mime", "options"), [
    ("PNG", "image/png", {}),
    ("WEBP", "image/webp", {"lossless": True}),
    ("TIFF", "image/tiff", {}),
    ("GIF", "image/gif", {"comment": b"FictionalCam at the safe house"}),
])
def test_other_image_types_lose_their_metadata_and_keep_their_pixels(fmt, mime, options):
    original = _tagged(fmt, **options)
    assert b"FictionalCam" in original
    shown = strip_metadata(original, mime)
    assert b"FictionalCam" not in shown and b"safe house" not in shown
    assert _identifying(shown) == {"gps": {}, "make": None, "model": None, "comment": None}
    assert _pixels(shown) == _pixels(original)


@pytest.mark.parametrize(("content", "mime", "message"), [
    (b"\xff\xd8\xff\xe0 not really a photo", "image/jpeg",
     "this file does not read as a well-formed image/jpeg image, so its metadata cannot be "
     "removed: only reviewers and admins may have the original"),
    (b"\x00\x00\x00\x18ftypheic", "image/heic",
     "the metadata of image/heic images cannot be removed here, so only reviewers and "
     "admins may have the original"),
])
def test_an_image_that_cannot_be_cleaned_is_not_handed_out(content, mime, message):
    with pytest.raises(MetadataError) as refused:
        strip_metadata(content, mime)
    assert str(refused.value) == message


def test_a_caseworker_gets_no_copy_of_an_image_that_cannot_be_cleaned(engine, users, files):
    damaged = b"\xff\xd8\xff\xe1\x7f\xffExif\x00\x00MM cut off"
    with unit_of_work(engine) as session:
        ref = create_incident(session, incident_data(), by=users["carla"]).ref
        attached = add_attachment(session, ref, filename="damaged.jpg", data=damaged,
                                  by=users["carla"])
    with read_session(engine) as session:
        with pytest.raises(MetadataError):
            open_attachment(session, attached.id, by=users["carla"])
        assert open_attachment(session, attached.id, by=users["rana"],
                               original=True)[1] == damaged
