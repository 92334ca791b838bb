"""Render the first page of a PDF read from stdin as a PNG on stdout, preceded by the page
count (4 bytes, big-endian). Run as a script by preview.py, never imported: a PDF is
someone else's program for a complex renderer, so a crash, a runaway allocation or an
endless page stays in this short-lived process, which has a memory cap and no keys."""

from __future__ import annotations

import io
import resource
import struct
import sys

MEMORY_CAP = 1 << 30


def main() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    import pypdfium2 as pdfium

    longest = int(sys.argv[1])
    document = pdfium.PdfDocument(sys.stdin.buffer.read())
    page = document[0]
    width, height = page.get_size()
    image = page.render(scale=longest / max(width, height, 1)).to_pil()
    out = io.BytesIO()
    image.save(out, format="PNG")
    sys.stdout.buffer.write(struct.pack(">I", len(document)) + out.getvalue())


if __name__ == "__main__":
    main()
