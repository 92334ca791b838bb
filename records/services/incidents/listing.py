"""Finding incidents: the one filter every list, count and figure goes through, and the
paginated list of the Incidents page (newest first, `dates.NEWEST_FIRST`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, select

from records.i18n import _
from records.models import Incident, Perpetrator, Person, Victim
from records.models.actor import Actor
from records.models.incident_io import IncidentSummary
from records.models.page import Page
from records.services.access import (
    Principal,
    require_role,
    victims_named_to,
    visible_incidents,
)
from records.services.incidents.dates import NEWEST_FIRST, overlaps_period
from records.text import normalize_name

MAX_PAGE_SIZE = 200


class IncidentListItem(IncidentSummary):
    """A row of an incident list: the summary with what its date needs to be read
    (`format_incident_date(start_date, end_date, date_precision)`)."""

    end_date: dt.date | None = None
    date_precision: str = "day"


@dataclass
class IncidentFilter:
    """What a list asks for. `date_from`/`date_to` select the incidents whose dates, widened
    to their precision, overlap that period (`dates.overlaps_period`)."""

    statuses: list[str] | None = None
    incident_type: str | None = None
    admin1: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor_uid: str | None = None
    actor_type: str | None = None
    text: str | None = None
    include_archived: bool = False


def filter_incidents(query, filters: IncidentFilter, by: Principal):
    """Narrow a query over Incident to what `by` may see and what `filters` ask for.
    Every list, count and figure of incidents goes through here."""
    query = query.where(visible_incidents(by))
    if filters.statuses:
        query = query.where(Incident.status.in_(filters.statuses))
    elif not filters.include_archived:
        query = query.where(Incident.status != "archived")
    if filters.incident_type:
        query = query.where(Incident.incident_type == filters.incident_type)
    if filters.admin1:
        query = query.where(Incident.admin1 == filters.admin1)
    query = query.where(*overlaps_period(filters.date_from, filters.date_to))
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
                          Person.name_key.contains(normalize_name(text))),
                      victims_named_to(by)]
        query = query.where(or_(Incident.title.ilike(pattern),
                                Incident.narrative.ilike(pattern),
                                Incident.ref == text.upper(),
                                exists().where(and_(*name_match))))
    return query


def list_incidents(session: Session, *, by: Principal, filters: IncidentFilter | None = None,
                   page: int = 1, page_size: int = 50) -> Page:
    """One page of incidents `by` may see, newest first by start date then by ref
    (`NEWEST_FIRST`), with the total count."""
    require_role(by, "viewer", _("read incidents"))
    filters = filters or IncidentFilter()
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    total = session.exec(filter_incidents(select(func.count()).select_from(Incident), filters,
                                          by)).one()
    rows = session.exec(
        filter_incidents(select(Incident), filters, by)
        .order_by(*NEWEST_FIRST)
        .offset((page - 1) * page_size).limit(page_size)
    ).all()
    return Page[IncidentListItem](items=[IncidentListItem.model_validate(r) for r in rows],
                                  total=total, page=page, page_size=page_size)
