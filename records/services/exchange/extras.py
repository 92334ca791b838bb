"""What an incident record carries beyond its parts, at the internal level: its review
comments, and its evidence attachments with their custody events (docs/design.md §7).

Exported: each comment's author (a username; none for the system), time and body; each
attachment's SHA-256, size, type, name, capture time, description, source, uploader and
custody events. The files themselves are not in a JSON export or a data package.

Imported: a comment keeps its body and time, and its author when an account of that name
exists here (otherwise the system's). An attachment is recreated, with its custody events,
only when its file is already in the files folder (SIJIL_FILES_DIR/ab/cd/<sha256>, the
size matching: the operator copied the folder), and never for a restricted incident, whose
files are stored sealed under its own key (attach them again); each one left out is a
warning of the preview, not a problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pydantic
from pydantic import AwareDatetime, BaseModel, Field
from sqlmodel import Session, select

from records.errors import FieldProblem
from records.i18n import _
from records.models import AppUser, Attachment, CustodyEvent, ReviewComment, Source
from records.services.evidence import file_path
from records.services.exchange.limits import MAX_LONG_TEXT
from records.services.users import usernames
from records.services.validation import problems_from_pydantic
from records.services.vocabularies import check_code

# Parts of a record beyond IncidentCreate's, and the objects inside them.
EXTRA_PARTS = ("comments", "attachments")


class CommentInput(BaseModel):
    author: str | None = Field(default=None, max_length=64)
    at: AwareDatetime | None = None
    body: str = Field(min_length=1, max_length=MAX_LONG_TEXT)


class CustodyInput(BaseModel):
    at: AwareDatetime
    kind: str = Field(max_length=30)
    by: str | None = Field(default=None, max_length=64)
    counterpart: str | None = Field(default=None, max_length=300)
    method: str | None = Field(default=None, max_length=300)
    note: str = Field(default="", max_length=MAX_LONG_TEXT)


class AttachmentInput(BaseModel):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0, le=2**31 - 1)
    mime_type: str = Field(default="application/octet-stream", max_length=200)
    original_name: str = Field(default="", max_length=500)
    captured_at: AwareDatetime | None = None
    description: str = Field(default="", max_length=MAX_LONG_TEXT)
    source_uid: str | None = Field(default=None, max_length=36)
    uploaded_by: str | None = Field(default=None, max_length=64)
    custody: list[CustodyInput] = Field(default_factory=list)


@dataclass
class Extras:
    """The comments and attachments of one imported record, validated."""

    comments: list[CommentInput] = field(default_factory=list)
    attachments: list[AttachmentInput] = field(default_factory=list)


# --- export -------------------------------------------------------------------------------

def record_extras(session: Session, incident_ids: list[int]) -> dict[int, dict]:
    """{incident id: {"comments": [...], "attachments": [...]}} for the incidents of one
    page of an internal export, each list oldest first. The caller has chosen which
    incidents the reader may see."""
    if not incident_ids:
        return {}
    comments = session.exec(select(ReviewComment).where(
        ReviewComment.incident_id.in_(incident_ids))
        .order_by(ReviewComment.created_at, ReviewComment.id)).all()
    attachments = session.exec(select(Attachment).where(
        Attachment.incident_id.in_(incident_ids)).order_by(Attachment.id)).all()
    events = session.exec(select(CustodyEvent).where(
        CustodyEvent.attachment_id.in_([a.id for a in attachments]))
        .order_by(CustodyEvent.at, CustodyEvent.id)).all() if attachments else []
    names = usernames(session, {c.author_id for c in comments}
                      | {a.uploaded_by_id for a in attachments}
                      | {e.by_user_id for e in events})
    source_ids = {a.source_id for a in attachments if a.source_id is not None}
    uids = dict(session.exec(select(Source.id, Source.uid).where(
        Source.id.in_(source_ids))).all()) if source_ids else {}
    custody: dict[int, list[dict]] = {a.id: [] for a in attachments}
    for e in events:
        custody[e.attachment_id].append({
            "at": e.at, "kind": e.kind, "by": names.get(e.by_user_id),
            "counterpart": e.counterpart, "method": e.method, "note": e.note})
    out: dict[int, dict] = {i: {"comments": [], "attachments": []} for i in incident_ids}
    for c in comments:
        out[c.incident_id]["comments"].append(
            {"author": names.get(c.author_id), "at": c.created_at, "body": c.body})
    for a in attachments:
        out[a.incident_id]["attachments"].append({
            "sha256": a.sha256, "size": a.size, "mime_type": a.mime_type,
            "original_name": a.original_name, "captured_at": a.captured_at,
            "description": a.description, "source_uid": uids.get(a.source_id),
            "uploaded_by": names.get(a.uploaded_by_id), "custody": custody[a.id]})
    return out


# --- import -------------------------------------------------------------------------------

def _validated(model: type[BaseModel], data, path: str, problems: list[FieldProblem]):
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as error:
        problems += [FieldProblem(f"{path}.{p.field}" if p.field else path, p.message,
                                  p.value) for p in problems_from_pydantic(error)]
        return None


def read_extras(record: dict, problems: list[FieldProblem]) -> Extras:
    """The record's comments and attachments as input; problems name their field path
    ("attachments.0.custody.1.kind")."""
    extras = Extras()
    for part, model, target in (("comments", CommentInput, extras.comments),
                                ("attachments", AttachmentInput, extras.attachments)):
        items = record.get(part) or []
        if not isinstance(items, list):
            problems.append(FieldProblem(part, _("a list of objects was expected"), None))
            continue
        for i, data in enumerate(items):
            found = _validated(model, data, f"{part}.{i}", problems)
            if found is not None:
                target.append(found)
    return extras


def _file_present(attachment: AttachmentInput, files_dir: Path | str | None) -> bool:
    path = file_path(attachment.sha256, files_dir)
    return path.is_file() and path.stat().st_size == attachment.size


def check_extras(session: Session, extras: Extras, *, restricted: bool, label: str,
                 source_known: Callable[[str], bool], problems: list[FieldProblem],
                 warnings: list[str], files_dir: Path | str | None = None) -> None:
    """Problems of the comments and attachments that read_extras let through (custody
    kinds, sources, a file listed twice); a warning for each attachment that will not be
    recreated, saying why. `label` names the incident in the warnings."""
    seen: set[str] = set()
    for i, attachment in enumerate(extras.attachments):
        prefix = f"attachments.{i}."
        if attachment.sha256 in seen:
            problems.append(FieldProblem(f"{prefix}sha256", _(
                "the same file is listed twice for this incident"), attachment.sha256))
        seen.add(attachment.sha256)
        if attachment.source_uid and not source_known(attachment.source_uid):
            problems.append(FieldProblem(f"{prefix}source_uid", _("no source with this uid"),
                                         attachment.source_uid))
        for j, event in enumerate(attachment.custody):
            check_code(session, f"{prefix}custody.{j}.kind", "custody_kind", event.kind,
                       problems, required=True)
        name = f"{attachment.original_name[:80]} (sha256 {attachment.sha256[:16]}…)"
        if restricted:
            warnings.append(_(
                "{label}: evidence file {name} of a restricted incident is not imported from "
                "a file; attach it again").format(label=label, name=name))
        elif not _file_present(attachment, files_dir):
            warnings.append(_(
                "{label}: evidence file {name} is not in the files folder; its record and "
                "custody events were not imported").format(label=label, name=name))


def _user_ids(session: Session, names: set[str | None]) -> dict[str, int]:
    wanted = {n for n in names if n}
    if not wanted:
        return {}
    return {name: id_ for id_, name in session.exec(
        select(AppUser.id, AppUser.username).where(AppUser.username.in_(wanted))).all()}


def write_extras(session: Session, pending: list[tuple[object, Extras]],
                 files_dir: Path | str | None = None) -> None:
    """Create the comments, and the attachments whose files are here with their custody
    events, of incidents already flushed (`pending`: (incident, extras))."""
    users = _user_ids(session, {c.author for _i, e in pending for c in e.comments}
                      | {a.uploaded_by for _i, e in pending for a in e.attachments}
                      | {c.by for _i, e in pending for a in e.attachments for c in a.custody})
    created: list[tuple[Attachment, AttachmentInput]] = []
    for incident, extras in pending:
        for comment in extras.comments:
            row = ReviewComment(incident_id=incident.id, author_id=users.get(comment.author),
                                body=comment.body)
            if comment.at is not None:
                row.created_at = comment.at
            session.add(row)
        if incident.sensitivity == "restricted":
            continue
        for attachment in extras.attachments:
            if not _file_present(attachment, files_dir):
                continue
            source_id = session.exec(select(Source.id).where(
                Source.uid == attachment.source_uid)).first() if attachment.source_uid else None
            row = Attachment(
                sha256=attachment.sha256, size=attachment.size, mime_type=attachment.mime_type,
                original_name=attachment.original_name, captured_at=attachment.captured_at,
                description=attachment.description, incident_id=incident.id,
                source_id=source_id, uploaded_by_id=users.get(attachment.uploaded_by))
            session.add(row)
            created.append((row, attachment))
    session.flush()
    for row, attachment in created:
        for event in attachment.custody:
            session.add(CustodyEvent(
                attachment_id=row.id, at=event.at, kind=event.kind,
                by_user_id=users.get(event.by), counterpart=event.counterpart,
                method=event.method, note=event.note))
    session.flush()
