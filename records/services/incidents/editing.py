"""Creating, reading, changing and finding incidents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from records.errors import ConflictError, ValidationError
from records.i18n import _
from records.models import AppUser, AuditEntry, Incident, Perpetrator, Person, Victim
from records.models.actor import Actor
from records.models.incident import IncidentBase
from records.models.incident_io import (
    IncidentCreate,
    IncidentRead,
    IncidentSummary,
    IncidentUpdate,
    Page,
)
from records.models.types import utcnow
from records.services.access import (
    Principal,
    act_as,
    can_see_personal_data,
    check_can_edit,
    has_role,
    require_role,
)
from records.services.incidents.build import build_incident, check_incident_fields
from records.services.incidents.read import incident_read, load_incident
from records.services.validation import parse
from records.text import normalize_name

EDITABLE_FIELDS = frozenset(IncidentBase.model_fields)
MAX_PAGE_SIZE = 200


def create_incident(session: Session, data: IncidentCreate | dict, *, actor: Principal,
                    reason: str | None = None) -> IncidentRead:
    """Create a draft incident with its victims, perpetrators, citations and case events.

    Everything is validated before anything is written; raises ValidationError listing
    every bad field, PermissionDenied for viewers."""
    require_role(actor, "caseworker", _("create incidents"))
    data = parse(IncidentCreate, data)
    act_as(session, actor, reason)
    incident = build_incident(session, data, actor.id)
    session.add(incident)
    session.flush()
    return incident_read(session, incident, actor)


def create_incidents(session: Session, items: Iterable[IncidentCreate], *, actor: Principal,
                     batch_size: int = 500, reason: str | None = None) -> int:
    """The bulk form of create_incident (imports, demo data): the same validation and audit,
    flushed in batches. Returns how many incidents were created."""
    require_role(actor, "caseworker", _("create incidents"))
    act_as(session, actor, reason)
    count = 0
    for item in items:
        session.add(build_incident(session, item, actor.id))
        count += 1
        if count % batch_size == 0:
            session.flush()
            session.expunge_all()
    session.flush()
    return count


def get_incident(session: Session, ref: str, *, actor: Principal) -> IncidentRead:
    """The incident as `actor` may see it; NotFound if it is missing or restricted."""
    return incident_read(session, load_incident(session, ref, actor=actor), actor)


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


def touch(incident: Incident, actor: Principal) -> None:
    """Mark the incident edited by `actor`: bumps its version, so any edit of the aggregate
    (its victims, sources...) makes other open copies stale, and sends it back for review."""
    incident.last_edited_by_id = actor.id
    incident.updated_at = utcnow()
    if incident.status == "returned":
        incident.status = "draft"
    elif incident.status in ("verified", "published"):
        # A verified record that changes must be verified again by a second person.
        incident.status = "submitted"
        incident.submitted_by_id = actor.id
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


def update_incident(session: Session, ref: str, changes: dict, *, actor: Principal,
                    expected_version: int, reason: str | None = None) -> IncidentRead:
    """Change an incident's own fields.

    `expected_version` is the version the user saw; if someone saved in between, raises
    ConflictError naming them and writes nothing. Unknown or invalid fields raise
    ValidationError; a change that changes nothing writes nothing."""
    incident = load_incident(session, ref, actor=actor, for_update=True)
    check_can_edit(actor, incident)
    check_version(session, incident, expected_version)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError.single(
            sorted(unknown)[0], _("this field cannot be changed here"))
    partial = parse(IncidentUpdate, changes).model_dump(exclude_unset=True)
    current = incident.model_dump(include=EDITABLE_FIELDS)
    merged = parse(IncidentBase, {**current, **partial})
    problems: list = []
    check_incident_fields(session, merged, problems)
    if problems:
        raise ValidationError(problems)
    new_values = merged.model_dump(include=set(changes))
    if all(current[k] == v for k, v in new_values.items()):
        return incident_read(session, incident, actor)
    act_as(session, actor, reason)
    for key, value in new_values.items():
        setattr(incident, key, value)
    touch(incident, actor)
    flush_or_conflict(session, incident)
    return incident_read(session, incident, actor)


@dataclass
class IncidentFilter:
    statuses: list[str] | None = None
    incident_type: str | None = None
    admin1: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor_uid: str | None = None
    actor_type: str | None = None
    text: str | None = None
    include_archived: bool = False


def filter_incidents(query, filters: IncidentFilter, actor: Principal):
    """Narrow a query over Incident to what `actor` may see and what `filters` ask for.
    Every list, count and figure of incidents goes through here."""
    if not has_role(actor, "reviewer"):
        visible = Incident.sensitivity != "restricted"
        if actor.id is not None:
            visible = or_(visible, Incident.created_by_id == actor.id)
        query = query.where(visible)
    if filters.statuses:
        query = query.where(Incident.status.in_(filters.statuses))
    elif not filters.include_archived:
        query = query.where(Incident.status != "archived")
    if filters.incident_type:
        query = query.where(Incident.incident_type == filters.incident_type)
    if filters.admin1:
        query = query.where(Incident.admin1 == filters.admin1)
    if filters.date_from:
        query = query.where(Incident.start_date >= filters.date_from)
    if filters.date_to:
        query = query.where(Incident.start_date <= filters.date_to)
    if filters.actor_uid or filters.actor_type:
        # An uncorrelated IN lets the database collect the few matching incidents once,
        # instead of probing the perpetrators of every incident.
        perpetrated = select(Perpetrator.incident_id).join(Actor,
                                                           Actor.id == Perpetrator.actor_id)
        if filters.actor_uid:
            perpetrated = perpetrated.where(Actor.uid == filters.actor_uid)
        if filters.actor_type:
            perpetrated = perpetrated.where(Actor.actor_type == filters.actor_type)
        query = query.where(Incident.id.in_(perpetrated))
    if filters.text and filters.text.strip():
        text = filters.text.strip()
        pattern = f"%{text}%"
        name_match = [Victim.incident_id == Incident.id, Person.id == Victim.person_id,
                      or_(Person.full_name.ilike(pattern),
                          Person.name_key.contains(normalize_name(text)))]
        if not can_see_personal_data(actor):
            # Searching by a withheld name must not reveal where that person appears.
            name_match.append(or_(Victim.consent_to_publish_name, Person.is_public_figure))
        query = query.where(or_(Incident.title.ilike(pattern),
                                Incident.narrative.ilike(pattern),
                                Incident.ref == text.upper(),
                                exists().where(and_(*name_match))))
    return query


def list_incidents(session: Session, *, actor: Principal, filters: IncidentFilter | None = None,
                   page: int = 1, page_size: int = 50) -> Page:
    """One page of incidents the actor may see, newest first, with the total count."""
    require_role(actor, "viewer", _("read incidents"))
    filters = filters or IncidentFilter()
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    total = session.exec(filter_incidents(select(func.count()).select_from(Incident), filters,
                                   actor)).one()
    rows = session.exec(
        filter_incidents(select(Incident), filters, actor)
        .order_by(Incident.start_date.desc(), Incident.id.desc())
        .offset((page - 1) * page_size).limit(page_size)
    ).all()
    return Page(items=[IncidentSummary.model_validate(r) for r in rows], total=total,
                page=page, page_size=page_size)
