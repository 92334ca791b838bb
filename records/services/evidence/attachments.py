"""Attachments: evidence files described and traced in the database (who received, passed
on or checked each file, and when), with the name the user gave kept only as metadata.
The files themselves are kept by records.services.evidence.store."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session, select

from records.audit_chain import append_event
from records.errors import FieldProblem, NotFound, ValidationError
from records.i18n import _
from records.keys import StoredKeyError
from records.models import Attachment, CustodyEvent, Incident, Source
from records.models.evidence_io import (
    AttachmentRead,
    CustodyEventRead,
    FilesReport,
)
from records.sealing import data_key, incident_owner, open_values
from records.services.access import (
    Principal,
    act_as,
    can_see_incident,
    check_can_edit,
    require_role,
    visible_sources,
)
from records.services.evidence.metadata import needs_cleaning, strip_metadata
from records.services.evidence.sniffing import read_within_limit, sniff_type
from records.services.evidence.store import (
    EvidenceFileError,
    file_path,
    incident_file_key,
    read_sealed,
    store_file,
    store_sealed,
)
from records.services.incidents import check_version, flush_or_conflict, load_incident, touch
from records.services.users import usernames
from records.services.vocabularies import check_code

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Clocks of the computers that record custody differ a little.
CLOCK_SKEW = dt.timedelta(minutes=5)
_SHA256 = re.compile(r"[0-9a-f]{64}")


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
        original_name=a.original_name, captured_at=a.captured_at,
        # A restricted incident's file descriptions are sealed with its key.
        description=open_values(session, "attachment", incident_owner(refs[a.incident_id])
                                if a.incident_id in refs else None,
                                {"description": a.description})["description"],
        created_at=a.created_at, incident_ref=refs.get(a.incident_id),
        source_uid=uids.get(a.source_id), uploaded_by=names.get(a.uploaded_by_id),
        custody=custody[a.id]) for a in attachments]


def _check_time(field: str, value: dt.datetime | None) -> None:
    if value is not None and value.tzinfo is None:
        raise ValidationError.single(field, _("give a time with its time zone (UTC)"), value)


def add_attachment(session: Session, ref: str, *, filename: str, data: bytes | BinaryIO,
                   by: Principal, expected_version: int | None = None,
                   description: str = "", captured_at: dt.datetime | None = None,
                   source_uid: str | None = None,
                   files_dir: Path | str | None = None) -> AttachmentRead:
    """Attach an evidence file to an incident, with a custody event "received" by `by`.

    Its type is read from its content (sniff_type), never from its name. A file larger
    than SIJIL_MAX_FILE_MB, or empty, raises ValidationError and nothing is stored.

    Needs the right to edit the incident (PermissionDenied otherwise; NotFound when it is
    missing or not visible). Like any edit of the incident it bumps its version (a stale
    `expected_version` raises ConflictError) and sends a verified record back for review.
    The same content attached twice to one incident raises ValidationError. The file is
    stored before the row is written, so a row never points to a file that is not there."""
    # The role first: a viewer is refused the same way whether or not the incident exists.
    require_role(by, "caseworker", _("edit incidents"))
    incident = load_incident(session, ref, by=by, for_update=True)
    check_can_edit(by, incident)
    if expected_version is not None:
        check_version(session, incident, expected_version)
    name = _clean_name(filename)
    _check_time("captured_at", captured_at)
    content = read_within_limit(data)
    mime = sniff_type(content)
    source_id = None
    if source_uid:
        # A source hidden from `by` is refused like one nobody has.
        source_id = session.exec(select(Source.id).where(Source.uid == source_uid,
                                                         visible_sources(by))).first()
        if source_id is None:
            raise ValidationError([FieldProblem("source_uid", _("no source with this uid"),
                                                source_uid)])
    if incident.sensitivity == "restricted":
        # Evidence of a restricted incident is stored sealed under the incident's key.
        owner = incident_owner(incident.ref)
        sha256, size = store_sealed(content, data_key(session, owner, create=True), owner,
                                    files_dir)
    else:
        sha256, size = store_file(content, files_dir)
    if session.exec(select(Attachment.id).where(Attachment.incident_id == incident.id,
                                                Attachment.sha256 == sha256)).first():
        raise ValidationError.single("data", _("this file is already attached to {ref}")
                                     .format(ref=incident.ref), name)
    act_as(session, by)
    attachment = Attachment(sha256=sha256, size=size, mime_type=mime, original_name=name,
                            captured_at=captured_at, description=(description or "").strip(),
                            incident_id=incident.id, source_id=source_id,
                            uploaded_by_id=by.id)
    session.add(attachment)
    session.flush()
    session.add(CustodyEvent(attachment_id=attachment.id, kind="received", by_user_id=by.id,
                             method="upload", note=_("added to {ref}").format(ref=incident.ref)))
    touch(incident, by)
    flush_or_conflict(session, incident)
    return _reads(session, [attachment])[0]


def list_attachments(session: Session, ref: str, *, by: Principal) -> list[AttachmentRead]:
    """The evidence files of an incident, oldest first, with their custody events.

    Evidence can show people, so viewers may not list it (PermissionDenied); NotFound
    when the incident is missing or not visible to `by`."""
    require_role(by, "caseworker", _("see evidence files"))
    incident = load_incident(session, ref, by=by)
    rows = session.exec(select(Attachment).where(Attachment.incident_id == incident.id)
                        .order_by(Attachment.id)).all()
    return _reads(session, list(rows))


def custody_events(session: Session, attachment_id: int, *,
                   by: Principal) -> list[CustodyEventRead]:
    """The chain of custody of one evidence file, oldest first (the order it happened in,
    then the order it was recorded). Same rights and errors as list_attachments."""
    return _reads(session, [_visible_attachment(session, attachment_id, by)])[0].custody


def attachment_by_hash(session: Session, ref: str, sha256: str, *,
                       by: Principal) -> AttachmentRead:
    """The evidence file of incident `ref` whose content has this SHA-256 (64 hex digits,
    either case). NotFound when there is none or `by` may not see the incident;
    PermissionDenied for viewers."""
    require_role(by, "caseworker", _("see evidence files"))
    incident = load_incident(session, ref, by=by)
    digest = (sha256 or "").strip().lower()
    if not _SHA256.fullmatch(digest):
        raise ValidationError.single("sha256", _("give the 64 hexadecimal digits of the "
                                                 "file's SHA-256"), sha256)
    attachment = session.exec(select(Attachment).where(Attachment.incident_id == incident.id,
                                                       Attachment.sha256 == digest)).first()
    if attachment is None:
        raise NotFound(_("{ref} has no evidence file with SHA-256 {sha}").format(
            ref=incident.ref, sha=digest))
    return _reads(session, [attachment])[0]


def _visible_attachment(session: Session, attachment_id: int, by: Principal) -> Attachment:
    require_role(by, "caseworker", _("see evidence files"))
    attachment = session.get(Attachment, attachment_id)
    missing = NotFound(_("no attachment {id}").format(id=attachment_id))
    if attachment is None:
        raise missing
    if attachment.incident_id is not None:
        incident = session.get(Incident, attachment.incident_id)
        if incident is None or not can_see_incident(by, incident):
            raise missing
    return attachment


def open_attachment(session: Session, attachment_id: int, *, by: Principal,
                    original: bool = False,
                    files_dir: Path | str | None = None) -> tuple[AttachmentRead, bytes]:
    """The attachment and the copy of its content that `by` may have, the stored file
    checked against its SHA-256 first.

    The copy that is shown and exported: an image without its identifying metadata (GPS,
    camera, software, comments, colour profile, thumbnails; metadata.strip_metadata, pixels
    unchanged), any other file as stored. `original=True`: the stored bytes, byte-identical,
    for reviewers and admins only (PermissionDenied below, whether or not it exists).

    NotFound when the attachment is missing or its incident is not visible to `by`,
    PermissionDenied for viewers, EvidenceFileError when the stored file is missing or
    was altered (the content is then not returned), MetadataError for an image whose
    metadata cannot be removed (only the original exists then)."""
    if original:
        require_role(by, "reviewer", _("have the original of an evidence file"))
    attachment = _visible_attachment(session, attachment_id, by)
    path = file_path(attachment.sha256, files_dir)
    incident = session.get(Incident, attachment.incident_id) if attachment.incident_id else None
    sealing = incident_file_key(session, incident.ref if incident else None)
    try:
        content = None if sealing is None else read_sealed(attachment.sha256, *sealing,
                                                           files_dir)
        if content is None:
            content = path.read_bytes()
    except StoredKeyError:
        raise EvidenceFileError(_("the file of attachment {id} was altered: it no longer "
                                  "opens under its incident's key").format(
                                      id=attachment_id)) from None
    except FileNotFoundError:
        raise EvidenceFileError(_("the file of attachment {id} is missing from {path}").format(
            id=attachment_id, path=path)) from None
    if hashlib.sha256(content).hexdigest() != attachment.sha256:
        raise EvidenceFileError(_("the file of attachment {id} was altered: its content no "
                                  "longer matches its SHA-256").format(id=attachment_id))
    if not original:
        # The content decides, not the row: a type recorded from a name before types were
        # read from content must not let an image through uncleaned.
        mime = sniff_type(content)
        if needs_cleaning(mime):
            content = strip_metadata(content, mime)
    return _reads(session, [attachment])[0], content


def add_custody_event(session: Session, attachment_id: int, *, kind: str, by: Principal,
                      counterpart: str | None = None, method: str | None = None,
                      note: str = "", at: dt.datetime | None = None) -> CustodyEventRead:
    """Record who received, transferred, examined, returned (…) an evidence file, when and
    how: `by` is who did it; `counterpart` from or to whom; `method` how (by hand, encrypted
    drive…); `at` when (now when not given; a time zone is required and a time more than
    five minutes ahead is refused).

    `kind` is a code of the custody_kind vocabulary (ValidationError otherwise); needs the
    right to edit the attachment's incident. The event does not change the incident."""
    attachment = _visible_attachment(session, attachment_id, by)
    if attachment.incident_id is not None:
        check_can_edit(by, session.get(Incident, attachment.incident_id))
    problems: list[FieldProblem] = []
    check_code(session, "kind", "custody_kind", kind, problems, required=True)
    for field, value, limit in (("counterpart", counterpart, 300), ("method", method, 300)):
        if value is not None and len(value) > limit:
            problems.append(FieldProblem(field, _("at most {n} characters").format(n=limit),
                                         value))
    if problems:
        raise ValidationError(problems)
    _check_time("at", at)
    if at is not None and at > dt.datetime.now(dt.UTC) + CLOCK_SKEW:
        raise ValidationError.single("at", _("this time is in the future"), at)
    act_as(session, by)
    event = CustodyEvent(attachment_id=attachment.id, kind=kind, by_user_id=by.id,
                         counterpart=(counterpart or "").strip() or None,
                         method=(method or "").strip() or None, note=(note or "").strip())
    if at is not None:
        event.at = at
    session.add(event)
    session.flush()
    return CustodyEventRead(id=event.id, attachment_id=event.attachment_id, at=event.at,
                            kind=event.kind, by_user=by.username if by.id else None,
                            counterpart=event.counterpart, method=event.method, note=event.note)


def audit_files_check(session: Session, report: FilesReport, *, by: Principal) -> None:
    """The audit entry of a files check: how many were checked, which failed and how.

    Kept apart from verify_files so the hashing runs outside the write transaction."""
    act_as(session, by)
    append_event(session, action="files_verify", entity_type="attachment",
                 changes={"checked": report.checked,
                          "missing": [p.attachment_id for p in report.missing],
                          "altered": [p.attachment_id for p in report.altered]})
