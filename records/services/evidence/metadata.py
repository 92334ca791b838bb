"""Images without what identifies the person who took them: the copy of an evidence image
that is shown, downloaded and exported below the reviewer role.

A phone photo carries where it was taken (GPS), the camera and its serial number, the
software, the owner's name, comments, a colour profile and often a thumbnail of the
uncropped picture. The copy keeps the image itself and nothing else. JPEG, PNG, WebP and GIF
are taken apart by their own structure and only the segments that draw the picture are
copied, byte for byte, so the pixels are exactly the original's (no recompression); TIFF,
whose metadata sits among the image's own tags, is decoded and written again losslessly.
Anything after the end of the image (trailers, appended files) is dropped. The stored
original is never changed: its SHA-256 stays the one recorded.

Any other image type is refused rather than handed out with its metadata."""

from __future__ import annotations

import io
import struct

from records.errors import SijilError
from records.i18n import _

CLEANED_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "image/tiff"})


class MetadataError(SijilError):
    """An image whose identifying metadata cannot be removed (an unsupported type, or
    content that does not follow its format): only its original exists, for reviewers."""


def needs_cleaning(mime: str) -> bool:
    """Whether the shown copy of content of this type must be cleaned: every image."""
    return mime.startswith("image/")


def strip_metadata(content: bytes, mime: str) -> bytes:
    """`content` (of the sniffed type `mime`) without identifying metadata, its pixels
    unchanged. Raises MetadataError when that cannot be done."""
    cleaner = _CLEANERS.get(mime)
    if cleaner is None:
        raise MetadataError(_("the metadata of {mime} images cannot be removed here, so only "
                              "reviewers and admins may have the original").format(mime=mime))
    try:
        return cleaner(content)
    except (ValueError, IndexError, struct.error, OSError) as error:
        raise MetadataError(_("this file does not read as a well-formed {mime} image, so its "
                              "metadata cannot be removed: only reviewers and admins may "
                              "have the original").format(mime=mime)) from error


# --- JPEG ----------------------------------------------------------------------------------

_SOI, _EOI, _SOS, _APP0, _APP14, _COM = 0xD8, 0xD9, 0xDA, 0xE0, 0xEE, 0xFE
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RST0-7 carry no length
_ORIENTATION = 0x0112


def _orientation(content: bytes) -> int:
    """The EXIF orientation, so that the cleaned copy still stands the right way up."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(content)) as image:
            value = image.getexif().get(_ORIENTATION, 1)
    except Exception:  # noqa: BLE001 - unreadable EXIF: no orientation to keep
        return 1
    return value if isinstance(value, int) and 2 <= value <= 8 else 1


def _orientation_segment(orientation: int) -> bytes:
    # A minimal big-endian EXIF block: one IFD with one SHORT entry, Orientation.
    tiff = b"MM\x00\x2a\x00\x00\x00\x08" + struct.pack(">HHHIHHI", 1, _ORIENTATION, 3, 1,
                                                        orientation, 0, 0)
    body = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def _jfif_without_thumbnail(body: bytes) -> bytes:
    # JFIF header: identifier, version, units, densities; then the thumbnail, left out.
    return body[:12] + b"\x00\x00"


def _entropy_end(content: bytes, start: int) -> int:
    """Where the compressed data of a scan ends: at the first marker that is neither a
    stuffed 0xFF00 nor a restart marker (or at the end of a cut-off file)."""
    i = start
    while True:
        i = content.find(b"\xff", i)
        if i < 0 or i + 1 >= len(content):
            return len(content)
        following = content[i + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            i += 1 if following == 0xFF else 2
            continue
        return i


def _strip_jpeg(content: bytes) -> bytes:
    if content[:2] != b"\xff\xd8":
        raise ValueError("no JPEG start of image")
    orientation = _orientation(content)
    out = [b"\xff\xd8"]
    i = 2
    while i < len(content):
        if content[i] != 0xFF:
            raise ValueError(f"no marker at {i}")
        while i < len(content) and content[i] == 0xFF:  # fill bytes before a marker
            i += 1
        if i >= len(content):
            break
        marker = content[i]
        i += 1
        if marker == _EOI:
            out.append(b"\xff\xd9")
            break  # anything after the image is not part of it
        if marker == _SOI:
            raise ValueError("a second start of image")
        if marker in _STANDALONE:
            out.append(bytes((0xFF, marker)))
            continue
        (length,) = struct.unpack(">H", content[i:i + 2])
        if length < 2 or i + length > len(content):
            raise ValueError(f"segment {marker:#x} runs past the end")
        body = content[i + 2:i + length]
        i += length
        if marker == _APP0 and body.startswith(b"JFIF\x00") and len(body) >= 14:
            body = _jfif_without_thumbnail(body)
            out.append(b"\xff\xe0" + struct.pack(">H", len(body) + 2) + body)
        elif marker == _APP14 and body.startswith(b"Adobe"):
            # Says how the colours were transformed: the decoded pixels depend on it.
            out.append(bytes((0xFF, marker)) + struct.pack(">H", length) + body)
        elif 0xE0 <= marker <= 0xEF or marker == _COM:
            continue  # EXIF, GPS, XMP, IPTC, ICC, maker notes, previews, comments
        else:
            out.append(bytes((0xFF, marker)) + struct.pack(">H", length) + body)
            if marker == _SOS:
                end = _entropy_end(content, i)
                out.append(content[i:end])
                i = end
    if orientation != 1:  # after the JFIF header, which must come first
        out.insert(2 if out[1].startswith(b"\xff\xe0") else 1,
                   _orientation_segment(orientation))
    return b"".join(out)


# --- PNG -----------------------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What draws the picture (and its animation); text, eXIf, iCCP, tIME and every private
# chunk are left out.
_PNG_KEEP = {b"IHDR", b"PLTE", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"bKGD",
             b"IDAT", b"IEND", b"acTL", b"fcTL", b"fdAT"}


def _strip_png(content: bytes) -> bytes:
    if not content.startswith(_PNG_SIGNATURE):
        raise ValueError("no PNG signature")
    out = [_PNG_SIGNATURE]
    i = len(_PNG_SIGNATURE)
    while True:
        length, kind = struct.unpack(">I4s", content[i:i + 8])
        end = i + 12 + length
        if end > len(content):
            raise ValueError(f"chunk {kind!r} runs past the end")
        if kind in _PNG_KEEP:
            out.append(content[i:end])
        i = end
        if kind == b"IEND":
            return b"".join(out)


# --- WebP ----------------------------------------------------------------------------------

_WEBP_KEEP = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"}
_VP8X_METADATA_FLAGS = 0x20 | 0x08 | 0x04  # ICC profile, EXIF, XMP


def _strip_webp(content: bytes) -> bytes:
    if content[:4] != b"RIFF" or content[8:12] != b"WEBP":
        raise ValueError("no WebP header")
    (riff_size,) = struct.unpack("<I", content[4:8])
    end_of_riff = min(8 + riff_size, len(content))
    chunks, i = [], 12
    while i + 8 <= end_of_riff:
        kind, size = struct.unpack("<4sI", content[i:i + 8])
        end = i + 8 + size + (size & 1)
        if i + 8 + size > len(content):
            raise ValueError(f"chunk {kind!r} runs past the end")
        if kind in _WEBP_KEEP:
            chunk = bytearray(content[i:end])
            if kind == b"VP8X":
                chunk[8] &= ~_VP8X_METADATA_FLAGS & 0xFF
            chunks.append(bytes(chunk))
        i = end
    if not chunks:
        raise ValueError("no image data")
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


# --- GIF -----------------------------------------------------------------------------------

_GIF_LOOPING = (b"NETSCAPE2.0", b"ANIMEXTS1.0")


def _sub_blocks_end(content: bytes, i: int) -> int:
    while True:
        size = content[i]
        i += 1 + size
        if size == 0:
            return i


def _strip_gif(content: bytes) -> bytes:
    if content[:6] not in (b"GIF87a", b"GIF89a"):
        raise ValueError("no GIF header")
    packed = content[10]
    i = 13 + (3 << ((packed & 7) + 1) if packed & 0x80 else 0)
    out = [content[:i]]
    while True:
        introducer = content[i]
        if introducer == 0x3B:  # trailer: the end of the image
            out.append(b"\x3b")
            return b"".join(out)
        if introducer == 0x21:
            label = content[i + 1]
            end = _sub_blocks_end(content, i + 2)
            application = content[i + 3:i + 14] if label == 0xFF else b""
            # Graphic control and plain-text blocks draw the picture; of the application
            # blocks (XMP, ICC, editors' data) only the looping of an animation is kept.
            if label in (0xF9, 0x01) or application in _GIF_LOOPING:
                out.append(content[i:end])
        elif introducer == 0x2C:
            local = content[i + 9]
            data = i + 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0)
            end = _sub_blocks_end(content, data + 1)
            out.append(content[i:end])
        else:
            raise ValueError(f"unknown GIF block {introducer:#x}")
        if end > len(content):
            raise ValueError("block runs past the end")
        i = end


# --- TIFF ----------------------------------------------------------------------------------

def _strip_tiff(content: bytes) -> bytes:
    from PIL import Image, ImageSequence

    with Image.open(io.BytesIO(content)) as image:
        frames = []
        for frame in ImageSequence.Iterator(image):
            copy = frame.copy()  # a plain image: none of the file's tags come with it
            copy.info = {}
            frames.append(copy)
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", compression="tiff_lzw", save_all=True,
                   append_images=frames[1:])
    return out.getvalue()


_CLEANERS = {"image/jpeg": _strip_jpeg, "image/png": _strip_png, "image/webp": _strip_webp,
             "image/gif": _strip_gif, "image/tiff": _strip_tiff}
