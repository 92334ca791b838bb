"""What a file is, told from its content and never from its name, and how large it may be.

A name is whatever the sender typed: a photo saved as "statement.pdf" is still a photo, and
is shown, cleaned of its metadata and handed on as one."""

from __future__ import annotations

import codecs
from typing import BinaryIO

import filetype

from records.config import get_settings
from records.errors import ValidationError
from records.i18n import _

# filetype reads at most this much of the beginning of a file.
HEAD_SIZE = 8192
OCTET_STREAM = "application/octet-stream"
READ_SIZE = 1 << 20


def sniff_type(content: bytes) -> str:
    """The MIME type of `content` from its signature: image/jpeg, application/pdf …; text
    that reads as UTF-8 is text/plain (never text/html or image/svg+xml, which a browser
    would run); anything else application/octet-stream."""
    head = bytes(content[:HEAD_SIZE])
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if head and b"\x00" not in head:
        try:
            # Not final: the head may end inside a character that the rest completes.
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            return OCTET_STREAM
        return "text/plain"
    return OCTET_STREAM


def max_file_bytes() -> int:
    """The largest evidence file accepted: SIJIL_MAX_FILE_MB megabytes (default 50)."""
    return get_settings().max_file_mb * 1_000_000


def read_within_limit(data: bytes | BinaryIO, field: str = "data") -> bytes:
    """The whole content, read no further than one byte past the limit; ValidationError
    naming the limit for a larger file or an empty one, before anything is stored."""
    limit = max_file_bytes()
    if isinstance(data, bytes | bytearray | memoryview):
        content = bytes(data)
    else:
        blocks, size = [], 0
        while size <= limit and (block := data.read(min(READ_SIZE, limit + 1 - size))):
            blocks.append(block)
            size += len(block)
        content = b"".join(blocks)
    if len(content) > limit:
        raise ValidationError.single(field, _(
            "the file is larger than {mb} MB, the most this installation accepts "
            "(SIJIL_MAX_FILE_MB)").format(mb=limit // 1_000_000))
    if not content:
        raise ValidationError.single(field, _("the file is empty"))
    return content
