"""Finding incidents: the one filter every list, count and figure goes through, and the
paginated list of the Incidents page (newest first, `dates.NEWEST_FIRST`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import Select, func
from sqlmodel import Session, select

from records.i18n import _
from records.models import Incident, Perpetrator
from records.models.actor import Actor
from records.models.incident import SEARCH_INDEX
from records.models.incident_io import IncidentSummary
from records.models.page import Page
from records.sealing import incident_owner, is_sealed, load_data_keys, open_model, person_owner
from records.services.access import (
    Principal,
    can_see_personal_data,
    reading_level,
    redact_place,
    require_role,
    visible_incidents,
)
from records.services.incidents.dates import NEWEST_FIRST, overlaps_period
from records.services.incidents.read import INCIDENT_LOAD, withheld_cutter
from records.services.search import IncidentMatches, query_words, ranked
from records.text import without_unstorable

MAX_PAGE_SIZE = 200


class IncidentListItem(IncidentSummary):
    """A row of an incident list: the summary with what its date needs to be read
    (`format_incident_date(start_date, end_date, date_precision)`)."""

    end_date: dt.date | None = None
    date_precision: str = "day"


# Made once: building a generic pydantic class costs milliseconds on every call.
IncidentPage = Page[IncidentListItem]


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

    def __post_init__(self) -> None:
        # Typed or sent text may hold what no column can (a NUL breaks a PostgreSQL query).
        for name in ("incident_type", "admin1", "actor_uid", "actor_type", "text"):
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, without_unstorable(value))
        if self.statuses:
            self.statuses = [without_unstorable(s) if isinstance(s, str) else s
                             for s in self.statuses]


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
        # The full-text index (records.services.search): every word, in the title, the
        # narrative, the places or a name this reader may see; or the exact ref.
        text = filters.text.strip()
        words = query_words(text)
        # The ref is in the indexed text, so its words find it too.
        query = query.where(IncidentMatches(words, can_see_personal_data(by)) if words
                            else Incident.ref == text.upper())
    return query


def _page_rows(session: Session, filters: IncidentFilter, by: Principal, offset: int,
               limit: int) -> list[Incident]:
    """One page of the list in its order: newest first; when searching, best matches
    first (an exact ref before any). A search first orders only the ids of the matches
    (narrow rows, joined to the index once), then loads the page's incidents."""
    words = query_words(filters.text) if filters.text else []
    if not words:
        return list(session.exec(filter_incidents(select(Incident), filters, by)
                                 .order_by(*NEWEST_FIRST).offset(offset).limit(limit)))
    found = ranked(words, all_names=can_see_personal_data(by),
                   dialect=session.get_bind().dialect.name).subquery()
    unsearched = replace(filters, text=None)
    ids = list(session.exec(
        filter_incidents(_searched(select(Incident.id)).join(
            found, found.c.incident_id == Incident.id), unsearched, by)
        .order_by((Incident.ref == filters.text.strip().upper()).desc(), found.c.rank,
                  *NEWEST_FIRST)
        .offset(offset).limit(limit)))
    loaded = {row.id: row for row in session.exec(select(Incident).where(
        Incident.id.in_(ids)))} if ids else {}
    return [loaded[i] for i in ids]


def _searched(query: Select) -> Select:
    """A query over the matches of a search, told to read the incidents through their
    narrow search index (SEARCH_INDEX), which holds every column the list's visibility,
    filters and order read. Without statistics SQLite would look each match up in the table
    itself, reading 20 000 whole rows to learn their status and date (two to three times
    slower at 100 000 incidents). PostgreSQL plans on its own statistics."""
    return query.with_hint(Incident, f"INDEXED BY {SEARCH_INDEX}", "sqlite")


def list_incidents(session: Session, *, by: Principal, filters: IncidentFilter | None = None,
                   page: int = 1, page_size: int = 50) -> Page:
    """One page of incidents `by` may see, newest first by start date then by ref
    (`NEWEST_FIRST`) — when `filters.text` searches, best match first — with the total
    count."""
    require_role(by, "viewer", _("read incidents"))
    filters = filters or IncidentFilter()
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    counted = select(func.count()).select_from(Incident)
    if filters.text and query_words(filters.text):
        counted = _searched(counted)
    total = session.exec(filter_incidents(counted, filters, by)).one()
    rows = _page_rows(session, filters, by, (page - 1) * page_size, page_size)
    # Only those who may see a restricted incident get its row: its title and locality
    # are opened for them, its keys read in one go.
    load_data_keys(session, [incident_owner(r.ref) for r in rows
                             if r.sensitivity == "restricted"])
    level = reading_level(by)
    items = []
    for row in rows:
        item = open_model(session, IncidentListItem, row)
        # The place as the reader's level shows it (a viewer's list names no locality).
        items.append(item.model_copy(update=redact_place(item.model_dump(), level)))
    if rows and not level.all_names:
        items = _titles_cut(session, rows, items, by)
    return IncidentPage(items=items, total=total, page=page, page_size=page_size)


def _titles_cut(session: Session, rows: list[Incident], items: list, by: Principal) -> list:
    """The list of a reader without every name: a withheld name cut from each title, as
    the incident page cuts it."""
    loaded = session.exec(select(Incident).where(Incident.id.in_([r.id for r in rows]))
                          .options(*INCIDENT_LOAD)).all()
    # The withheld names are opened to be found: their keys in one query, not one each.
    load_data_keys(session, {person_owner(p.uid) for incident in loaded
                             for p in _people(incident) if is_sealed(p.full_name)})
    return [item.model_copy(update={"title": withheld_cutter(session, row, by).cut(item.title)})
            for row, item in zip(rows, items, strict=True)]


def _people(incident: Incident) -> list:
    return [p for p in (*(v.person for v in incident.victims),
                        *(p.person for p in incident.perpetrators),
                        *(e.person for e in incident.case_events)) if p is not None]
