"""Evidence files on disk, stored by content (SHA-256), and their check against the hashes.

A file lives at files_dir/ab/cd/<sha256>, never under the name the user gave, so the same
content is stored once, a name cannot escape the directory, and the hash in the database is
enough to find and check the file.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session, select

from records.config import get_settings
from records.errors import SijilError
from records.i18n import _
from records.models import Attachment, Incident
from records.models.evidence_io import FileProblem, FilesReport
from records.services.access import Principal, require_role

READ_SIZE = 1 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class EvidenceFileError(SijilError):
    """A stored evidence file is missing or its content no longer matches its hash."""


def _root(files_dir: Path | str | None) -> Path:
    return Path(files_dir) if files_dir is not None else get_settings().files_dir


def file_path(sha256: str, files_dir: Path | str | None = None) -> Path:
    """Where the content with this SHA-256 is stored: files_dir/ab/cd/<sha256>."""
    if not _SHA256.match(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return _root(files_dir) / sha256[:2] / sha256[2:4] / sha256


def _chunks(data: bytes | BinaryIO) -> Iterator[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        yield bytes(data)
        return
    while block := data.read(READ_SIZE):
        yield block


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in _chunks(handle):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # directories cannot be opened on every platform
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def store_file(data: bytes | BinaryIO, files_dir: Path | str | None = None) -> tuple[str, int]:
    """Store content under files_dir/ab/cd/<sha256> and return (sha256, size).

    The content goes to a temporary file in files_dir first and is renamed into place only
    when complete and synced, so a crash never leaves a partial file under a hash. Storing
    the same content again writes nothing new (and replaces a stored copy that was
    altered, since the new copy is known to match its hash)."""
    root = _root(files_dir)
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle = tempfile.NamedTemporaryFile(dir=root, prefix=".incoming-", delete=False)  # noqa: SIM115
    temp = Path(handle.name)
    try:
        with handle:
            for block in _chunks(data):
                digest.update(block)
                size += len(block)
                handle.write(block)
            handle.flush()
            os.fsync(handle.fileno())
        sha256 = digest.hexdigest()
        target = file_path(sha256, root)
        if target.is_file() and target.stat().st_size == size and _hash_file(target) == sha256:
            temp.unlink()
            return sha256, size
        target.parent.mkdir(parents=True, exist_ok=True)
        temp.chmod(0o444)  # stored evidence is never edited in place
        os.replace(temp, target)
        _fsync_dir(target.parent)
        return sha256, size
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def verify_files(session: Session, files_dir: Path | str | None = None, *, by: Principal,
                 page_size: int = 1000) -> FilesReport:
    """Recompute the SHA-256 of every stored attachment file; report the missing and the
    altered ones by attachment id, name and incident. Writes nothing. For reviewers and
    admins (the report names files of every incident); raises PermissionDenied below."""
    require_role(by, "reviewer", _("check the evidence files"))
    report = FilesReport()
    known: dict[str, str] = {}  # sha256 -> "ok" / "missing" / "altered"; content is shared
    last_id = 0
    while True:
        rows = session.exec(
            select(Attachment.id, Attachment.sha256, Attachment.original_name, Incident.ref)
            .select_from(Attachment)
            .join(Incident, Incident.id == Attachment.incident_id, isouter=True)
            .where(Attachment.id > last_id).order_by(Attachment.id).limit(page_size)).all()
        if not rows:
            return report
        for attachment_id, sha256, name, ref in rows:
            path = file_path(sha256, files_dir)
            if sha256 not in known:
                if not path.is_file():
                    known[sha256] = "missing"
                else:
                    known[sha256] = "ok" if _hash_file(path) == sha256 else "altered"
            report.checked += 1
            if known[sha256] != "ok":
                report.problems.append(FileProblem(attachment_id, name, sha256, ref, path,
                                                   known[sha256]))
        last_id = rows[-1][0]


