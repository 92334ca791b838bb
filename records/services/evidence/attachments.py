"""Evidence files: stored on disk by content (SHA-256), described and traced in the database.

A file lives at files_dir/ab/cd/<sha256>, never under the name the user gave, so the same
content is stored once, a name cannot escape the directory, and the hash in the database is
enough to find and check the file. The name the user gave is kept only as metadata.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session, select

from records.audit_chain import append_event
from records.config import get_settings
from records.errors import FieldProblem, NotFound, SijilError, ValidationError
from records.i18n import _
from records.models import Attachment, CustodyEvent, Incident, Source
from records.models.evidence_io import (
    AttachmentRead,
    CustodyEventRead,
    FileProblem,
    FilesReport,
)
from records.services.access import (
    Principal,
    act_as,
    can_see_incident,
    check_can_edit,
    require_role,
)
from records.services.incidents import check_version, flush_or_conflict, load_incident, touch
from records.services.users import usernames
from records.services.vocabularies import check_code

__all__ = ["AttachmentRead", "CustodyEventRead", "FileProblem", "FilesReport", "add_attachment",
           "add_custody_event", "audit_files_check", "file_path", "list_attachments",
           "open_attachment", "store_file", "verify_files"]

READ_SIZE = 1 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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


def _clean_name(filename: str) -> str:
    # Keep only the last path component of whatever the browser or shell sent.
    name = _CONTROL.sub("", re.split(r"[\\/]", filename or "")[-1]).strip()
    if not name or name in (".", ".."):
        raise ValidationError.single("filename", _("the file needs a name"), filename)
    if len(name) > 500:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 500 - len(ext) - 1] + dot + ext) if dot and len(ext) < 20 else name[:500]
    return name


def _reads(session: Session, attachments: list[Attachment]) -> list[AttachmentRead]:
    ids = [a.id for a in attachments]
    events = session.exec(select(CustodyEvent).where(CustodyEvent.attachment_id.in_(ids))
                          .order_by(CustodyEvent.at, CustodyEvent.id)).all() if ids else []
    names = usernames(session, {a.uploaded_by_id for a in attachments}
                       | {e.by_user_id for e in events})
    incident_ids = {a.incident_id for a in attachments if a.incident_id is not None}
    refs = dict(session.exec(select(Incident.id, Incident.ref)
                             .where(Incident.id.in_(incident_ids))).all()) if incident_ids else {}
    source_ids = {a.source_id for a in attachments if a.source_id is not None}
    uids = dict(session.exec(select(Source.id, Source.uid)
                             .where(Source.id.in_(source_ids))).all()) if source_ids else {}
    custody: dict[int, list[CustodyEventRead]] = {i: [] for i in ids}
    for e in events:
        custody[e.attachment_id].append(CustodyEventRead(
            id=e.id, attachment_id=e.attachment_id, at=e.at, kind=e.kind,
            by_user=names.get(e.by_user_id), counterpart=e.counterpart, method=e.method,
            note=e.note))
    return [AttachmentRead(
        id=a.id, version=a.version, sha256=a.sha256, size=a.size, mime_type=a.mime_type,
        original_name=a.original_name, description=a.description, captured_at=a.captured_at,
        created_at=a.created_at, incident_ref=refs.get(a.incident_id),
        source_uid=uids.get(a.source_id), uploaded_by=names.get(a.uploaded_by_id),
        custody=custody[a.id]) for a in attachments]


def _check_time(field: str, value: dt.datetime | None) -> None:
    if value is not None and value.tzinfo is None:
        raise ValidationError.single(field, _("give a time with its time zone (UTC)"), value)


def add_attachment(session: Session, ref: str, *, filename: str, data: bytes | BinaryIO,
                   actor: Principal, expected_version: int | None = None,
                   description: str = "", mime_type: str | None = None,
                   captured_at: dt.datetime | None = None, source_uid: str | None = None,
                   files_dir: Path | str | None = None) -> AttachmentRead:
    """Attach an evidence file to an incident, with a custody event "received" by `actor`.

    Needs the right to edit the incident (PermissionDenied otherwise; NotFound when it is
    missing or not visible). Like any edit of the incident it bumps its version (a stale
    `expected_version` raises ConflictError) and sends a verified record back for review.
    The same content attached twice to one incident raises ValidationError. The file is
    stored before the row is written, so a row never points to a file that is not there."""
    incident = load_incident(session, ref, actor=actor, for_update=True)
    check_can_edit(actor, incident)
    if expected_version is not None:
        check_version(session, incident, expected_version)
    name = _clean_name(filename)
    _check_time("captured_at", captured_at)
    mime = (mime_type or "").strip() or mimetypes.guess_type(name)[0] or (
        "application/octet-stream")
    if len(mime) > 200:
        raise ValidationError.single("mime_type", _("at most 200 characters"), mime)
    source_id = None
    if source_uid:
        source_id = session.exec(select(Source.id).where(Source.uid == source_uid)).first()
        if source_id is None:
            raise ValidationError([FieldProblem("source_uid", _("no source with this uid"),
                                                source_uid)])
    sha256, size = store_file(data, files_dir)
    if session.exec(select(Attachment.id).where(Attachment.incident_id == incident.id,
                                                Attachment.sha256 == sha256)).first():
        raise ValidationError.single("data", _("this file is already attached to {ref}")
                                     .format(ref=incident.ref), name)
    act_as(session, actor)
    attachment = Attachment(sha256=sha256, size=size, mime_type=mime, original_name=name,
                            captured_at=captured_at, description=(description or "").strip(),
                            incident_id=incident.id, source_id=source_id,
                            uploaded_by_id=actor.id)
    session.add(attachment)
    session.flush()
    session.add(CustodyEvent(attachment_id=attachment.id, kind="received", by_user_id=actor.id,
                             method="upload", note=_("added to {ref}").format(ref=incident.ref)))
    touch(incident, actor)
    flush_or_conflict(session, incident)
    return _reads(session, [attachment])[0]


def list_attachments(session: Session, ref: str, *, actor: Principal) -> list[AttachmentRead]:
    """The evidence files of an incident, oldest first, with their custody events.

    Evidence can show people, so viewers may not list it (PermissionDenied); NotFound
    when the incident is missing or not visible to the actor."""
    incident = load_incident(session, ref, actor=actor)
    require_role(actor, "caseworker", _("see evidence files"))
    rows = session.exec(select(Attachment).where(Attachment.incident_id == incident.id)
                        .order_by(Attachment.id)).all()
    return _reads(session, list(rows))


def _visible_attachment(session: Session, attachment_id: int, actor: Principal) -> Attachment:
    attachment = session.get(Attachment, attachment_id)
    missing = NotFound(_("no attachment {id}").format(id=attachment_id))
    if attachment is None:
        raise missing
    if attachment.incident_id is not None:
        incident = session.get(Incident, attachment.incident_id)
        if incident is None or not can_see_incident(actor, incident):
            raise missing
    require_role(actor, "caseworker", _("see evidence files"))
    return attachment


def open_attachment(session: Session, attachment_id: int, *, actor: Principal,
                    files_dir: Path | str | None = None) -> tuple[AttachmentRead, bytes]:
    """The attachment and its content, checked against its SHA-256 before it is handed out.

    NotFound when the attachment is missing or its incident is not visible to the actor,
    PermissionDenied for viewers, EvidenceFileError when the stored file is missing or
    was altered (the content is then not returned)."""
    attachment = _visible_attachment(session, attachment_id, actor)
    path = file_path(attachment.sha256, files_dir)
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise EvidenceFileError(_("the file of attachment {id} is missing from {path}").format(
            id=attachment_id, path=path)) from None
    if hashlib.sha256(content).hexdigest() != attachment.sha256:
        raise EvidenceFileError(_("the file of attachment {id} was altered: its content no "
                                  "longer matches its SHA-256").format(id=attachment_id))
    return _reads(session, [attachment])[0], content


def add_custody_event(session: Session, attachment_id: int, *, kind: str, actor: Principal,
                      counterpart: str | None = None, method: str | None = None,
                      note: str = "", at: dt.datetime | None = None) -> CustodyEventRead:
    """Record who received, transferred, verified or copied an evidence file, and how.

    `kind` is a code of the custody_kind vocabulary (ValidationError otherwise); needs the
    right to edit the attachment's incident. The event does not change the incident."""
    attachment = _visible_attachment(session, attachment_id, actor)
    if attachment.incident_id is not None:
        check_can_edit(actor, session.get(Incident, attachment.incident_id))
    problems: list[FieldProblem] = []
    check_code(session, "kind", "custody_kind", kind, problems, required=True)
    for field, value, limit in (("counterpart", counterpart, 300), ("method", method, 300)):
        if value is not None and len(value) > limit:
            problems.append(FieldProblem(field, _("at most {n} characters").format(n=limit),
                                         value))
    if problems:
        raise ValidationError(problems)
    _check_time("at", at)
    act_as(session, actor)
    event = CustodyEvent(attachment_id=attachment.id, kind=kind, by_user_id=actor.id,
                         counterpart=(counterpart or "").strip() or None,
                         method=(method or "").strip() or None, note=(note or "").strip())
    if at is not None:
        event.at = at
    session.add(event)
    session.flush()
    return CustodyEventRead(id=event.id, attachment_id=event.attachment_id, at=event.at,
                            kind=event.kind, by_user=actor.username if actor.id else None,
                            counterpart=event.counterpart, method=event.method, note=event.note)


def verify_files(session: Session, files_dir: Path | str | None = None, *,
                 page_size: int = 1000) -> FilesReport:
    """Recompute the SHA-256 of every stored attachment file; report the missing and the
    altered ones by attachment id and name. Writes nothing."""
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


def audit_files_check(session: Session, report: FilesReport, *, actor: Principal) -> None:
    """The audit entry of a files check: how many were checked, which failed and how.

    Kept apart from verify_files so the hashing runs outside the write transaction."""
    act_as(session, actor)
    append_event(session, action="files_verify", entity_type="attachment",
                 changes={"checked": report.checked,
                          "missing": [p.attachment_id for p in report.missing],
                          "altered": [p.attachment_id for p in report.altered]})
