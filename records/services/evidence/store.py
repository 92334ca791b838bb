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

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from records.config import get_settings
from records.errors import SijilError
from records.i18n import _
from records.keys import ErasedKeyError, StoredKeyError, decrypt_value, encrypt_value, key_id
from records.models import Attachment, Incident
from records.models.evidence_io import FileProblem, FilesReport
from records.private_paths import STORED_FILE, private_dir
from records.sealing import data_key, incident_owner
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


def sealed_path(sha256: str, key_id: str, files_dir: Path | str | None = None) -> Path:
    """Where the content with this SHA-256 is stored sealed under the data key `key_id`
    (an evidence file of a restricted incident): beside the plain path, never the same."""
    return file_path(sha256, files_dir).with_name(f"{sha256}.{key_id}.sealed")


def _private_folders(folder: Path, root: Path) -> None:
    """The files folder and its ab/cd/ subfolders, made if missing, owner-only (0700)."""
    private_dir(root)
    private_dir(folder)


def _file_associated(sha256: str, owner: str) -> bytes:
    return f'["sijil-file",1,"{sha256}","{owner}"]'.encode()


def _write_atomically(target: Path, content: bytes, root: Path) -> None:
    _private_folders(target.parent, root)
    handle = tempfile.NamedTemporaryFile(dir=root, prefix=".incoming-", delete=False)  # noqa: SIM115
    temp = Path(handle.name)
    try:
        with handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        temp.chmod(STORED_FILE)
        os.replace(temp, target)
        _fsync_dir(target.parent)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def store_sealed(data: bytes | BinaryIO, key: bytes, owner: str,
                 files_dir: Path | str | None = None) -> tuple[str, int]:
    """Store content encrypted under `owner`'s data key (AES-256-GCM, the file's hash and
    owner as associated data) and return (sha256 of the plaintext, size). The plaintext
    never touches the disk."""
    content = b"".join(_chunks(data))
    sha256 = hashlib.sha256(content).hexdigest()
    root = _root(files_dir)
    target = sealed_path(sha256, key_id(key), root)
    if not target.is_file():
        _write_atomically(target, encrypt_value(key, content, _file_associated(sha256, owner)),
                          root)
    return sha256, len(content)


def read_sealed(sha256: str, key: bytes, owner: str,
                files_dir: Path | str | None = None) -> bytes | None:
    """The plaintext of the sealed copy of `sha256` under `key`, None when there is none.
    Raises StoredKeyError when it does not open (altered)."""
    path = sealed_path(sha256, key_id(key), files_dir)
    if not path.is_file():
        return None
    return decrypt_value(key, path.read_bytes(), _file_associated(sha256, owner))


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
    root = private_dir(_root(files_dir))
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
        _private_folders(target.parent, root)
        temp.chmod(STORED_FILE)  # stored evidence is never edited in place
        os.replace(temp, target)
        _fsync_dir(target.parent)
        return sha256, size
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def incident_file_key(session: Session, ref: str | None) -> tuple[bytes, str] | None:
    """The data key and owner that seal the evidence files of incident `ref`, if it has
    one (None for an incident that never had anything sealed, or whose key is erased)."""
    if ref is None:
        return None
    owner = incident_owner(ref)
    try:
        key = data_key(session, owner)
    except ErasedKeyError:
        return None
    return None if key is None else (key, owner)


def _erased(session: Session, ref: str | None) -> bool:
    if ref is None:
        return False
    try:
        data_key(session, incident_owner(ref))
    except ErasedKeyError:
        return True
    return False


def _state(session: Session, sha256: str, ref: str | None, files_dir) -> str:
    sealing = incident_file_key(session, ref)
    if sealing is None and _erased(session, ref):
        # Its key destroyed (a backup restored after a purge): the sealed copy can never
        # be opened or checked, and is not a fault of the files folder.
        return "erased"
    if sealing is not None and sealed_path(sha256, key_id(sealing[0]), files_dir).is_file():
        try:
            content = read_sealed(sha256, *sealing, files_dir)
        except StoredKeyError:
            return "altered"
        return "ok" if hashlib.sha256(content).hexdigest() == sha256 else "altered"
    path = file_path(sha256, files_dir)
    if not path.is_file():
        return "missing"
    return "ok" if _hash_file(path) == sha256 else "altered"


def seal_incident_files(session: Session, incident_id: int, ref: str,
                        files_dir: Path | str | None = None) -> int:
    """Seal the evidence files of an incident that has just become restricted: a sealed
    copy under its key for each, and the plain copy removed after commit unless another
    incident still uses it. Returns how many were sealed. A missing or altered plain file
    is left for `verify_files` to report."""
    owner = incident_owner(ref)
    hashes = session.exec(select(Attachment.sha256).where(
        Attachment.incident_id == incident_id)).all()
    if not hashes:
        return 0
    key = data_key(session, owner, create=True)
    plain: list[Path] = []
    for sha256 in hashes:
        path = file_path(sha256, files_dir)
        if sealed_path(sha256, key_id(key), files_dir).is_file() or not path.is_file():
            continue
        content = path.read_bytes()
        if hashlib.sha256(content).hexdigest() != sha256:
            continue
        store_sealed(content, key, owner, files_dir)
        others = session.exec(select(Attachment.id).where(
            Attachment.sha256 == sha256, Attachment.incident_id != incident_id).limit(1)
        ).first()
        if others is None:
            plain.append(path)
    remove_after_commit(session, plain)
    return len(hashes)


_REMOVE = "sijil.files_to_remove"


def remove_after_commit(session: Session, paths: list[Path]) -> None:
    """Delete these stored files once the session's transaction commits (never before:
    a rollback must find them still there)."""
    session.info.setdefault(_REMOVE, []).extend(paths)


@event.listens_for(OrmSession, "after_commit")
def _remove_files(session: Session) -> None:
    for path in session.info.pop(_REMOVE, []):
        path.unlink(missing_ok=True)


@event.listens_for(OrmSession, "after_rollback")
def _keep_files(session: Session) -> None:
    session.info.pop(_REMOVE, None)


def verify_files(session: Session, files_dir: Path | str | None = None, *, by: Principal,
                 page_size: int = 1000) -> FilesReport:
    """Recompute the SHA-256 of every stored attachment file; report the missing and the
    altered ones by attachment id, name and incident. Writes nothing. For reviewers and
    admins (the report names files of every incident); raises PermissionDenied below."""
    require_role(by, "reviewer", _("check the evidence files"))
    report = FilesReport()
    known: dict[tuple, str] = {}  # (sha256, ref) -> "ok" / "missing" / "altered"
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
            # A restricted incident's copy is sealed under its own key: checked per incident.
            if (sha256, ref) not in known:
                known[(sha256, ref)] = _state(session, sha256, ref, files_dir)
            report.checked += 1
            if known[(sha256, ref)] not in ("ok", "erased"):
                report.problems.append(FileProblem(attachment_id, name, sha256, ref, path,
                                                   known[(sha256, ref)]))
        last_id = rows[-1][0]


