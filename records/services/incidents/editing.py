"""Creating and changing incidents: validation, the version check, and the audit context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from records.errors import ConflictError, ValidationError
from records.i18n import _
from records.models import AppUser, AuditEntry, Incident
from records.models.incident import IncidentBase
from records.models.incident_io import (
    IncidentCreate,
    IncidentRead,
    IncidentUpdate,
)
from records.models.types import utcnow
from records.sealing import open_row
from records.services.access import (
    Principal,
    act_as,
    check_can_edit,
    require_role,
)
from records.services.incidents.build import build_incident, check_incident_fields
from records.services.incidents.read import incident_read, load_incident
from records.services.validation import parse

EDITABLE_FIELDS = frozenset(IncidentBase.model_fields)


def create_incident(session: Session, data: IncidentCreate | dict, *, by: Principal,
                    reason: str | None = None) -> IncidentRead:
    """Create a draft incident with its victims, perpetrators, citations and case events.

    Everything is validated before anything is written; raises ValidationError listing
    every bad field, PermissionDenied for viewers."""
    require_role(by, "caseworker", _("create incidents"))
    data = parse(IncidentCreate, data)
    act_as(session, by, reason)
    incident = build_incident(session, data, by)
    session.add(incident)
    session.flush()
    return incident_read(session, incident, by)


def create_incidents(session: Session, items: Iterable[IncidentCreate], *, by: Principal,
                     batch_size: int = 500, reason: str | None = None) -> int:
    """The bulk form of create_incident (imports, demo data): the same validation and audit,
    flushed in batches. Returns how many incidents were created."""
    require_role(by, "caseworker", _("create incidents"))
    act_as(session, by, reason)
    count = 0
    for item in items:
        session.add(build_incident(session, item, by))
        count += 1
        if count % batch_size == 0:
            session.flush()
            session.expunge_all()
    session.flush()
    return count


def get_incident(session: Session, ref: str, *, by: Principal) -> IncidentRead:
    """The incident as `by` may see it; NotFound if it is missing or restricted."""
    return incident_read(session, load_incident(session, ref, by=by), by)


def last_change(session: Session, ref: str) -> tuple[str, dt.datetime | None]:
    """Who made the latest recorded change to an incident, and when."""
    row = session.exec(
        select(AppUser.username, AuditEntry.at)
        .select_from(AuditEntry)
        .join(AppUser, AppUser.id == AuditEntry.actor_id, isouter=True)
        .where(AuditEntry.incident_ref == ref)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    if row is None:
        return "system", None
    return row[0] or "system", row[1]


def conflict(session: Session, ref: str) -> ConflictError:
    who, when = last_change(session, ref)
    at = when.strftime("%Y-%m-%d %H:%M UTC") if when else _("an unknown time")
    return ConflictError(
        _("{ref} was changed by {who} at {when} after you opened it. Nothing was saved: "
          "reload it and apply your changes again.").format(ref=ref, who=who, when=at),
        changed_by=who, changed_at=when)


def check_version(session: Session, incident: Incident, expected_version: int) -> None:
    if incident.version != expected_version:
        raise conflict(session, incident.ref)


def touch(incident: Incident, by: Principal) -> None:
    """Mark the incident edited by `by`: bumps its version, so any edit of the aggregate
    (its victims, sources...) makes other open copies stale, and sends it back for review."""
    incident.last_edited_by_id = by.id
    incident.updated_at = utcnow()
    if incident.status == "returned":
        incident.status = "draft"
    elif incident.status in ("verified", "published"):
        # A verified record that changes must be verified again by a second person.
        incident.status = "submitted"
        incident.submitted_by_id = by.id
        incident.verified_by_id = None


def flush_or_conflict(session: Session, incident: Incident) -> None:
    """Flush; a concurrent save that slipped past the version check still ends as a
    conflict (the ORM's UPDATE matched no row of the version it read)."""
    ref = incident.ref
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise conflict(session, ref) from None


def changed_fields(session: Session, incident: Incident, changes: dict) -> dict:
    """The values of `changes` to the incident's own fields, validated as the whole record
    would be after them, keeping only those that differ from what the incident holds.

    `incident` is a row its caller loaded for the acting user and checked they may edit.
    Raises ValidationError for an unknown field or an invalid value."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError.single(
            sorted(unknown)[0], _("this field cannot be changed here"))
    partial = parse(IncidentUpdate, changes).model_dump(exclude_unset=True)
    # Compared and validated as their readers see them: a restricted incident's title,
    # place and coordinates are stored sealed (records/sealing.py).
    current = {**incident.model_dump(include=EDITABLE_FIELDS),
               **{k: v for k, v in open_row(session, incident).items() if k in EDITABLE_FIELDS}}
    merged = parse(IncidentBase, {**current, **partial})
    problems: list = []
    check_incident_fields(session, merged, problems)
    if problems:
        raise ValidationError(problems)
    return {k: v for k, v in merged.model_dump(include=set(changes)).items()
            if current[k] != v}


def update_incident(session: Session, ref: str, changes: dict, *, by: Principal,
                    expected_version: int, reason: str | None = None) -> IncidentRead:
    """Change an incident's own fields.

    `expected_version` is the version the user saw; if someone saved in between, raises
    ConflictError naming them and writes nothing. Unknown or invalid fields raise
    ValidationError; a change that changes nothing writes nothing."""
    incident = load_incident(session, ref, by=by, for_update=True)
    check_can_edit(by, incident)
    check_version(session, incident, expected_version)
    new_values = changed_fields(session, incident, changes)
    if not new_values:
        return incident_read(session, incident, by)
    act_as(session, by, reason)
    for key, value in new_values.items():
        setattr(incident, key, value)
    touch(incident, by)
    flush_or_conflict(session, incident)
    if new_values.get("sensitivity") == "restricted":
        # Imported here: the evidence package builds on this one.
        from records.services.evidence.store import seal_incident_files

        seal_incident_files(session, incident.id, incident.ref)
    return incident_read(session, incident, by)
