"""An incident's evidence files written to a folder (`sijil files export`): the copies that
are shown (images without their metadata) by default, the originals for reviewers and
admins, with a manifest of hashes and chains of custody."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from records.audit_chain import append_event, format_time
from records.errors import ValidationError
from records.i18n import _
from records.models.evidence_io import AttachmentRead
from records.services.access import Principal, act_as, require_role
from records.services.evidence.attachments import list_attachments, open_attachment
from records.services.evidence.metadata import MetadataError
from records.services.evidence.sniffing import sniff_type

MANIFEST = "manifest.json"


@dataclass
class FilesExport:
    """What an export wrote: files by name, and the images left out because only their
    original exists (their metadata cannot be removed)."""

    folder: Path
    original: bool
    written: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def _custody(attachment: AttachmentRead) -> list[dict]:
    return [{"at": format_time(e.at), "kind": e.kind, "by": e.by_user,
             "counterpart": e.counterpart, "method": e.method, "note": e.note}
            for e in attachment.custody]


def _entry(attachment: AttachmentRead, name: str | None, copy: str,
           content: bytes | None) -> dict:
    return {"file": name, "attachment_id": attachment.id,
            "original_name": attachment.original_name, "description": attachment.description,
            "mime_type": attachment.mime_type, "sha256": attachment.sha256,
            "size": attachment.size, "copy": copy,
            "copy_sha256": hashlib.sha256(content).hexdigest() if content is not None
            else None,
            "custody": _custody(attachment)}


def _write(path: Path, content: bytes) -> None:
    with path.open("xb") as handle:  # never over a file that is already there
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def export_attachments(session: Session, ref: str, folder: Path | str, *, by: Principal,
                       original: bool = False,
                       files_dir: Path | str | None = None) -> FilesExport:
    """Write the evidence files of incident `ref` into `folder` (created; refused with a
    ValidationError when it exists and is not empty), each as `<attachment id>-<name>`,
    and `manifest.json`: every file's SHA-256 as stored and of the copy written, what the
    copy is, and its chain of custody. The export is audited (action `export`, format
    `files`). Nothing is left behind when it fails.

    Caseworker and up (PermissionDenied below), and only incidents `by` may see (NotFound).
    `original=True` needs the reviewer role. Without it, images whose metadata cannot be
    removed are left out and named in the result; EvidenceFileError for a missing or
    altered stored file."""
    if original:
        require_role(by, "reviewer", _("have the original of an evidence file"))
    attachments = list_attachments(session, ref, by=by)
    target = Path(folder)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ValidationError.single("out", _("{path} exists and is not an empty folder")
                                     .format(path=target), str(target))
    made = not target.exists()
    target.mkdir(parents=True, exist_ok=True)
    result = FilesExport(folder=target, original=original)
    entries, written = [], []
    try:
        for attachment in attachments:
            try:
                _read, content = open_attachment(session, attachment.id, by=by,
                                                 original=original, files_dir=files_dir)
            except MetadataError:
                result.left_out.append(attachment.original_name)
                entries.append(_entry(attachment, None, "left out: only the original", None))
                continue
            name = f"{attachment.id}-{attachment.original_name}"
            _write(target / name, content)
            written.append(target / name)
            result.written.append(name)
            copy = ("original" if original
                    else "metadata removed" if sniff_type(content).startswith("image/")
                    else "as stored")
            entries.append(_entry(attachment, name, copy, content))
        manifest = {"export": {"format": "sijil-files", "version": 1, "incident": ref.upper(),
                               "copies": "original" if original else "shown",
                               "generated_at": format_time(dt.datetime.now(dt.UTC)),
                               "by": by.username if by.id else None},
                    "files": entries}
        _write(target / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2)
               .encode() + b"\n")
        written.append(target / MANIFEST)
        act_as(session, by)
        append_event(session, action="export", entity_type="attachment",
                     incident_ref=attachments[0].incident_ref if attachments else ref.upper(),
                     changes={"format": "files", "original": original,
                              "attachments": [e["attachment_id"] for e in entries
                                              if e["file"]],
                              "left_out": [e["attachment_id"] for e in entries
                                           if not e["file"]]})
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        if made:
            target.rmdir()
        raise
    return result
