"""What an incident record carries beyond its parts, at the internal level: its review
comments, its evidence attachments with their custody events, and its merge history
(docs/design.md §7, §8).

Exported: each comment's author (a username; none for the system), time and body; each
attachment's SHA-256, size, type, name, capture time, description, source, uploader and
custody events. The files themselves are not in a JSON export or a data package.

Imported: a comment keeps its body and time, and its author when an account of that name
exists here (otherwise the system's). An attachment is recreated, with its custody events,
only when its file is already in the files folder (SIJIL_FILES_DIR/ab/cd/<sha256>, the
size matching: the operator copied the folder), and never for a restricted incident, whose
files are stored sealed under its own key (attach them again); each one left out is a
warning of the preview, not a problem.

Merge history ("merges"): each merge whose kept record is the incident, and each merge
whose kept person is one of its victims or perpetrators. A person's history travels with
every exported incident that names the person (each merge once per incident), so an export
of a few incidents still carries it; the import writes each merge once (the same kind, keys
and time). Exported: kind, kept_key, merged_key, at, by, score, undone_at, undone_by;
never the snapshot, which holds rows as stored here, sealed under this database's keys.
Imported: kept_id is the kept record here (the incident itself; the person with that uid,
who must be named by the incident), merged_id is empty (the merged-away record was never
in this database) and the snapshot says the merge came with an import, so it cannot be
undone here. Users unknown here are the system's, as for comments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pydantic
from pydantic import AwareDatetime, BaseModel, Field, ValidationInfo, field_validator
from sqlmodel import Session, select

from records.errors import FieldProblem
from records.i18n import _
from records.models import (
    AppUser,
    Attachment,
    CustodyEvent,
    Perpetrator,
    Person,
    RecordMerge,
    ReviewComment,
    Source,
    Victim,
)
from records.sealing import open_row
from records.services.evidence import file_path
from records.services.exchange.limits import MAX_LONG_TEXT
from records.services.linkage.merge import IMPORTED_SNAPSHOT
from records.services.users import usernames
from records.services.validation import problems_from_pydantic
from records.services.vocabularies import check_code

# Parts of a record beyond IncidentCreate's, and the objects inside them.
EXTRA_PARTS = ("comments", "attachments", "merges")


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


class MergeInput(BaseModel):
    kind: Literal["person", "incident"]
    kept_key: str = Field(min_length=1, max_length=36)
    merged_key: str = Field(min_length=1, max_length=36)
    at: AwareDatetime
    by: str | None = Field(default=None, max_length=64)
    score: float | None = Field(default=None, allow_inf_nan=False)
    undone_at: AwareDatetime | None = None
    undone_by: str | None = Field(default=None, max_length=64)

    @field_validator("merged_key")
    @classmethod
    def _two_records(cls, value: str, info: ValidationInfo) -> str:
        if value.strip().lower() == str(info.data.get("kept_key", "")).strip().lower():
            raise ValueError(_("a record cannot be merged with itself"))
        return value


@dataclass
class Extras:
    """The comments, attachments and merge history of one imported record, validated."""

    comments: list[CommentInput] = field(default_factory=list)
    attachments: list[AttachmentInput] = field(default_factory=list)
    merges: list[MergeInput] = field(default_factory=list)


# --- export -------------------------------------------------------------------------------

def record_extras(session: Session, incident_ids: list[int]) -> dict[int, dict]:
    """{incident id: {"comments": [...], "attachments": [...], "merges": [...]}} for the
    incidents of one page of an internal export, each list oldest first. The caller has
    chosen which incidents the reader may see."""
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
    merges = _merges(session, incident_ids)
    names = usernames(session, {c.author_id for c in comments}
                      | {a.uploaded_by_id for a in attachments}
                      | {e.by_user_id for e in events}
                      | {m.merged_by_id for _i, m in merges}
                      | {m.undone_by_id for _i, m in merges})
    source_ids = {a.source_id for a in attachments if a.source_id is not None}
    uids = dict(session.exec(select(Source.id, Source.uid).where(
        Source.id.in_(source_ids))).all()) if source_ids else {}
    custody: dict[int, list[dict]] = {a.id: [] for a in attachments}
    for e in events:
        custody[e.attachment_id].append({
            "at": e.at, "kind": e.kind, "by": names.get(e.by_user_id),
            "counterpart": e.counterpart, "method": e.method, "note": e.note})
    out: dict[int, dict] = {i: {"comments": [], "attachments": [], "merges": []}
                            for i in incident_ids}
    for incident_id, m in merges:
        out[incident_id]["merges"].append({
            "kind": m.kind, "kept_key": m.kept_key, "merged_key": m.merged_key,
            "at": m.created_at, "by": names.get(m.merged_by_id), "score": m.score,
            "undone_at": m.undone_at, "undone_by": names.get(m.undone_by_id)})
    for c in comments:
        out[c.incident_id]["comments"].append(
            {"author": names.get(c.author_id), "at": c.created_at, "body": c.body})
    for a in attachments:
        out[a.incident_id]["attachments"].append({
            "sha256": a.sha256, "size": a.size, "mime_type": a.mime_type,
            "original_name": a.original_name, "captured_at": a.captured_at,
            "description": open_row(session, a)["description"],  # sealed if restricted
            "source_uid": uids.get(a.source_id),
            "uploaded_by": names.get(a.uploaded_by_id), "custody": custody[a.id]})
    return out


def _merges(session: Session, incident_ids: list[int]) -> list[tuple[int, RecordMerge]]:
    """(incident id, merge) for the merges kept by each incident and by each person it
    names as a victim or perpetrator, oldest first; a merge once per incident."""
    people: dict[int, set[int]] = {}
    for incident_id, person_id in [
            *session.exec(select(Victim.incident_id, Victim.person_id).where(
                Victim.incident_id.in_(incident_ids))).all(),
            *session.exec(select(Perpetrator.incident_id, Perpetrator.person_id).where(
                Perpetrator.incident_id.in_(incident_ids),
                Perpetrator.person_id.is_not(None))).all()]:
        people.setdefault(person_id, set()).add(incident_id)
    rows = session.exec(select(RecordMerge).where(
        ((RecordMerge.kind == "incident") & RecordMerge.kept_id.in_(incident_ids))
        | ((RecordMerge.kind == "person") & RecordMerge.kept_id.in_(list(people))))
        .order_by(RecordMerge.created_at, RecordMerge.id)).all() if incident_ids else []
    out = []
    for m in rows:
        owners = {m.kept_id} if m.kind == "incident" else people[m.kept_id]
        out += [(incident_id, m) for incident_id in sorted(owners)]
    return out


# --- import -------------------------------------------------------------------------------

def _validated(model: type[BaseModel], data, path: str, problems: list[FieldProblem]):
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as error:
        problems += [FieldProblem(f"{path}.{p.field}" if p.field else path, p.message,
                                  p.value) for p in problems_from_pydantic(error)]
        return None


def _named_people(record: dict) -> set[str]:
    """The uids of the people the record names as victims or perpetrators."""
    uids = set()
    for part in ("victims", "perpetrators"):
        for item in record.get(part) or []:
            if not isinstance(item, dict):
                continue
            person = item.get("person")
            uid = person.get("uid") if isinstance(person, dict) else item.get("person_uid")
            if isinstance(uid, str) and uid:
                uids.add(uid.strip().lower())
    return uids


def _check_kept(record: dict, index: int, merge: MergeInput, problems: list[FieldProblem]
                ) -> None:
    """A merge travels with the record it kept: the incident itself, or a person it names."""
    if merge.kind == "incident":
        ref = record.get("ref")
        if not isinstance(ref, str) or merge.kept_key.strip().upper() != ref.strip().upper():
            problems.append(FieldProblem(f"merges.{index}.kept_key", _(
                "an incident's merge must keep this incident"), merge.kept_key))
    elif merge.kept_key.strip().lower() not in _named_people(record):
        problems.append(FieldProblem(f"merges.{index}.kept_key", _(
            "no victim or perpetrator of this incident has this uid"), merge.kept_key))


def read_extras(record: dict, problems: list[FieldProblem]) -> Extras:
    """The record's comments, attachments and merges as input; problems name their field
    path ("attachments.0.custody.1.kind")."""
    extras = Extras()
    for part, model, target in (("comments", CommentInput, extras.comments),
                                ("attachments", AttachmentInput, extras.attachments),
                                ("merges", MergeInput, extras.merges)):
        items = record.get(part) or []
        if not isinstance(items, list):
            problems.append(FieldProblem(part, _("a list of objects was expected"), None))
            continue
        for i, data in enumerate(items):
            found = _validated(model, data, f"{part}.{i}", problems)
            if found is not None:
                target.append(found)
                if part == "merges":
                    _check_kept(record, i, found, problems)
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
    """Create the comments, the attachments whose files are here with their custody
    events, and the merge history, of incidents already flushed (`pending`: (incident,
    extras))."""
    users = _user_ids(session, {c.author for _i, e in pending for c in e.comments}
                      | {a.uploaded_by for _i, e in pending for a in e.attachments}
                      | {c.by for _i, e in pending for a in e.attachments for c in a.custody}
                      | {m.by for _i, e in pending for m in e.merges}
                      | {m.undone_by for _i, e in pending for m in e.merges})
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
    for incident, extras in pending:
        for merge in extras.merges:
            _write_merge(session, incident, merge, users)
    session.flush()


def _write_merge(session: Session, incident, merge: MergeInput, users: dict[str, int]
                 ) -> None:
    """One merge of the history, unless it is here already (a person's history comes with
    each incident that names the person)."""
    if merge.kind == "incident":
        kept_id, kept_key = incident.id, incident.ref
    else:
        kept_key = merge.kept_key.strip().lower()
        kept_id = session.exec(select(Person.id).where(Person.uid == kept_key)).first()
        if kept_id is None:  # read_extras: the incident names the person
            return
    session.flush()  # the merges of the incidents before this one
    if session.exec(select(RecordMerge.id).where(
            RecordMerge.kind == merge.kind, RecordMerge.kept_key == kept_key,
            RecordMerge.merged_key == merge.merged_key,
            RecordMerge.created_at == merge.at)).first() is not None:
        return
    row = RecordMerge(kind=merge.kind, kept_id=kept_id, kept_key=kept_key, merged_id=None,
                      merged_key=merge.merged_key, score=merge.score,
                      snapshot=IMPORTED_SNAPSHOT, merged_by_id=users.get(merge.by),
                      undone_at=merge.undone_at,
                      undone_by_id=users.get(merge.undone_by) if merge.undone_at else None)
    row.created_at = merge.at
    session.add(row)
