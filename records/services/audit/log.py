"""Reading the audit trail: pages of entries, and the history of one incident.

Who may read it (kept simple on purpose):
- viewers: nothing (entries hold personal data and the names of who changed what);
- caseworkers: the entries of incidents they can see now, that is entries with an incident
  ref whose incident is not restricted or was created by them (so no entries of people,
  users, vocabularies, and none of purged incidents);
- reviewers, admins and the system: everything.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, select

from records.errors import NotFound, ValidationError
from records.i18n import _
from records.models import AppUser, AuditEntry, Incident
from records.models.page import Page
from records.sealing import is_sealed
from records.services.access import (
    Principal,
    can_see_incident,
    has_role,
    require_role,
    visible_incidents,
)

MAX_PAGE_SIZE = 1000
_TYPED_ID = re.compile(r"^([a-z_]+):(\d+)$")
_REF = re.compile(r"^INC-\d{4}-\d{5}$")


def _shown(value: Any) -> Any:
    # A sealed value (records/sealing.py) says what it is; its ciphertext tells nobody
    # anything. The incident's History opens it for those who may read it.
    return _("[encrypted]") if is_sealed(value) else value


class FieldChange(BaseModel):
    field: str
    old: Any = None
    new: Any = None


class AuditEntryRead(BaseModel):
    seq: int
    at: dt.datetime
    actor: str
    actor_id: int | None = None
    action: str
    entity_type: str
    entity_id: int | None = None
    incident_ref: str | None = None
    changes: list[FieldChange]
    reason: str | None = None


AuditPage = Page[AuditEntryRead]


def field_changes(changes: str) -> list[FieldChange]:
    """The stored {field: [old, new]} as a list; an event's plain values show as new."""
    try:
        data = json.loads(changes)
    except ValueError:
        return [FieldChange(field="?", new=changes)]
    if not isinstance(data, dict):
        return [FieldChange(field="?", new=data)]
    items = []
    for field, value in data.items():
        if isinstance(value, list) and len(value) == 2:
            items.append(FieldChange(field=field, old=_shown(value[0]), new=_shown(value[1])))
        else:
            items.append(FieldChange(field=field, new=value))
    return items


def _select_entries():
    return (select(AuditEntry, AppUser.username)
            .join(AppUser, AppUser.id == AuditEntry.actor_id, isouter=True))


def _read(entry: AuditEntry, username: str | None) -> AuditEntryRead:
    return AuditEntryRead(
        seq=entry.seq, at=entry.at, actor=username or "system", actor_id=entry.actor_id,
        action=entry.action, entity_type=entry.entity_type, entity_id=entry.entity_id,
        incident_ref=entry.incident_ref, changes=field_changes(entry.changes),
        reason=entry.reason)


def _visible_to(query, by: Principal):
    if has_role(by, "reviewer"):
        return query
    return query.where(AuditEntry.incident_ref.in_(
        select(Incident.ref).where(visible_incidents(by))))


def _as_utc(since: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(since, dt.datetime):
        return since if since.tzinfo else since.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)


def _entity_filter(entity_ref: str):
    text = entity_ref.strip()
    if _REF.match(text.upper()):
        return AuditEntry.incident_ref == text.upper()
    typed = _TYPED_ID.match(text)
    if typed:
        return (AuditEntry.entity_type == typed.group(1)) & (
            AuditEntry.entity_id == int(typed.group(2)))
    raise ValidationError.single("entity", _("give an incident reference (INC-2024-00001) or "
                                            "a type and id (person:12)"), entity_ref)


def list_entries(session: Session, *, by: Principal, entity_ref: str | None = None,
                 actor_name: str | None = None, since: dt.date | dt.datetime | None = None,
                 action: str | None = None, page: int = 1, page_size: int = 50) -> AuditPage:
    """One page of entries, newest first, with the total that match; only that page is read
    from the database. `entity_ref` is an incident ref (all entries about the incident and
    its victims, perpetrators, citations, case events) or "type:id"; `actor_name` a username
    or "system"; `since` a date or time (UTC when naive).

    Raises PermissionDenied for viewers, ValidationError for a malformed entity_ref, NotFound
    for an unknown username. Caseworkers see only entries of incidents they can see."""
    require_role(by, "caseworker", _("read the audit trail"))
    conditions = []
    if entity_ref:
        conditions.append(_entity_filter(entity_ref))
    if actor_name:
        if actor_name == "system":
            conditions.append(AuditEntry.actor_id.is_(None))
        else:
            user_id = session.exec(select(AppUser.id).where(AppUser.username == actor_name)
                                   ).first()
            if user_id is None:
                raise NotFound(_("no user named {name}").format(name=actor_name))
            conditions.append(AuditEntry.actor_id == user_id)
    if since is not None:
        conditions.append(AuditEntry.at >= _as_utc(since))
    if action:
        conditions.append(AuditEntry.action == action)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    total = session.exec(_visible_to(select(func.count()).select_from(AuditEntry), by)
                         .where(*conditions)).one()
    rows = session.exec(_visible_to(_select_entries(), by).where(*conditions)
                        .order_by(AuditEntry.seq.desc())
                        .offset((page - 1) * page_size).limit(page_size)).all()
    return AuditPage(items=[_read(e, name) for e, name in rows], total=total, page=page,
                     page_size=page_size)


def check_history_access(session: Session, ref: str, by: Principal) -> str:
    """The normalised ref, if `by` may read the history of that incident.

    An existing incident: whoever can see it (caseworkers and up). One that no longer
    exists (purged): reviewers and admins, and only if the trail knows it. Raises
    PermissionDenied for viewers and NotFound otherwise."""
    require_role(by, "caseworker", _("read the audit trail"))
    ref = ref.strip().upper()
    incident = session.exec(select(Incident).where(Incident.ref == ref)).first()
    if incident is not None:
        if can_see_incident(by, incident):
            return ref
    elif has_role(by, "reviewer") and session.exec(
            select(AuditEntry.seq).where(AuditEntry.incident_ref == ref).limit(1)).first():
        return ref
    raise NotFound(_("no incident {ref}").format(ref=ref))


def incident_history(session: Session, ref: str, *, by: Principal) -> list[AuditEntryRead]:
    """Every entry about the incident and its victims, perpetrators, citations, case events
    and comments, oldest first. Raises PermissionDenied for viewers, NotFound when `by`
    may not see the incident (see check_history_access)."""
    ref = check_history_access(session, ref, by)
    rows = session.exec(_select_entries().where(AuditEntry.incident_ref == ref)
                        .order_by(AuditEntry.seq)).all()
    return [_read(e, name) for e, name in rows]
