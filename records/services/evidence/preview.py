"""Previews of evidence files for the workspace: a picture small enough to send to a page,
made from the copy `by` may have (an image without its metadata), or a PDF's first page."""

from __future__ import annotations

import io
import logging
import os
import struct
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from sqlmodel import Session

from records.services.access import Principal
from records.services.evidence.attachments import open_attachment
from records.services.evidence.sniffing import sniff_type

LONGEST_SIDE = 1280
PDF_SECONDS = 20
_PDF_PAGE = Path(__file__).with_name("pdf_page.py")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Preview:
    """A picture of the file (PNG or JPEG bytes) and what it shows."""

    mime: str
    data: bytes
    width: int
    height: int
    pages: int | None = None  # a PDF's page count; the picture is its first page


def _picture(content: bytes) -> Preview | None:
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.draft("RGB", (LONGEST_SIDE, LONGEST_SIDE))  # JPEG: decode at a smaller scale
            shown = ImageOps.exif_transpose(image)
            shown.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
            transparent = shown.mode in ("RGBA", "LA", "PA") or "transparency" in shown.info
            shown = shown.convert("RGBA" if transparent else "RGB")
    except Exception as error:  # noqa: BLE001 - a damaged image has no preview, not an error
        log.info("no preview: %s", error)
        return None
    out = io.BytesIO()
    if transparent:
        shown.save(out, format="PNG")
    else:
        shown.save(out, format="JPEG", quality=85)
    return Preview("image/png" if transparent else "image/jpeg", out.getvalue(), *shown.size)


def _pdf_page(content: bytes) -> Preview | None:
    # No SIJIL_* variables (the master key above all) reach the renderer.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIJIL_")}
    try:
        done = subprocess.run([sys.executable, "-I", str(_PDF_PAGE), str(LONGEST_SIDE)],  # noqa: S603
                              input=content, capture_output=True, timeout=PDF_SECONDS,
                              env=env, check=False)
    except subprocess.TimeoutExpired:
        log.info("no preview: the PDF took more than %s s to draw", PDF_SECONDS)
        return None
    if done.returncode != 0 or len(done.stdout) < 4:
        log.info("no preview: %s", done.stderr.decode(errors="replace")[-500:])
        return None
    (pages,) = struct.unpack(">I", done.stdout[:4])
    picture = _picture(done.stdout[4:])
    return None if picture is None else replace(picture, pages=pages)


def preview_attachment(session: Session, attachment_id: int, *, by: Principal,
                       files_dir: Path | str | None = None) -> Preview | None:
    """A preview of an evidence file: images (from the copy without metadata) and PDFs
    (their first page); None for other files and for content that cannot be drawn.
    Same rights and errors as open_attachment (MetadataError for an image that only
    exists as its original)."""
    _read, content = open_attachment(session, attachment_id, by=by, files_dir=files_dir)
    mime = sniff_type(content)
    if mime.startswith("image/"):
        return _picture(content)
    if mime == "application/pdf":
        return _pdf_page(content)
    return None
