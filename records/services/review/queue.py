"""The review queue: submitted incidents, the longest waiting first, a page at a time.

An incident waits from the moment it last entered review. The incident row keeps no such
time, but the audit trail does, exactly: the entry that set its status to `submitted` (the
submit step, an edit of a verified or published record, or an import that kept the status).
That entry's `seq` orders the queue: gap-free and increasing, it is the order in which
submissions happened, even when many share one flush and so one timestamp.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

from pydantic import BaseModel
from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from records.errors import ValidationError
from records.i18n import _
from records.models import AuditEntry, Incident
from records.models.incident import STATUSES
from records.sealing import incident_owner, open_values
from records.services.access import Principal, require_role, visible_incidents
from records.services.users import usernames

MAX_LIMIT = 1000
IN_REVIEW = "submitted"
# How the trail writes a change of status into review (docs/design.md §5: compact JSON with
# sorted keys, values as [old, new]), one pattern per status it can come from; `null` is
# the incident's creation. Fixed strings, so the match cannot hit a title that quotes them
# (inside a JSON string every quote is escaped).
_INTO_REVIEW = tuple(
    f'"status":[{json.dumps(old)},{json.dumps(IN_REVIEW)}]'
    for old in (None, *STATUSES) if old != IN_REVIEW)


class QueueItem(BaseModel):
    """One incident waiting for review, with when and by whom it entered review."""

    ref: str
    title: str
    incident_type: str
    start_date: dt.date
    end_date: dt.date | None
    date_precision: str
    sensitivity: str
    submitted_at: dt.datetime | None
    submitted_by: str
    # Where the queue stands after this item: pass it as `after` for what follows.
    cursor: str


class QueuePage(BaseModel):
    """A slice of the queue, the total waiting that `by` may see, and the cursor of the
    next slice (None when this one reaches the end)."""

    items: list[QueueItem]
    total: int
    next_after: str | None


def _entered_review():
    """The seq of the incident's latest entry into review (NULL if the trail has none)."""
    # The ref too: SQLite may give a purged incident's id to a new one; refs never return.
    return (select(func.max(AuditEntry.seq))
            .where(AuditEntry.entity_type == Incident.__tablename__,
                   AuditEntry.entity_id == Incident.id,
                   AuditEntry.incident_ref == Incident.ref,
                   or_(*(AuditEntry.changes.contains(p, autoescape=True)
                         for p in _INTO_REVIEW)))
            .correlate(Incident).scalar_subquery())


def _parse_cursor(after: str) -> tuple[int, int]:
    seq, _sep, incident_id = after.strip().partition(":")
    if not (seq.isdigit() and incident_id.isdigit()):
        raise ValidationError.single(
            "after", _("'{value}' is not a position in the review queue").format(value=after),
            after)
    return int(seq), int(incident_id)


def list_review_queue(session: Session, *, by: Principal, limit: int = 50,
                      after: str | None = None) -> QueuePage:
    """Up to `limit` (1 to MAX_LIMIT) submitted incidents `by` may see, the longest waiting
    first, starting after the cursor `after` (from a previous page's `next_after` or an
    item's `cursor`); keyset paging, so every page costs the same and an incident verified
    meanwhile shifts nothing. Raises PermissionDenied below caseworker, ValidationError for
    a cursor this queue did not hand out."""
    require_role(by, "caseworker", _("read the review queue"))
    limit = max(1, min(limit, MAX_LIMIT))
    waiting = (select(Incident.id, Incident.ref, Incident.title, Incident.incident_type,
                      Incident.start_date, Incident.end_date, Incident.date_precision,
                      Incident.sensitivity, Incident.submitted_by_id,
                      func.coalesce(_entered_review(), 0).label("seq"))
               .where(Incident.status == IN_REVIEW, visible_incidents(by)).subquery())
    query = (select(waiting, AuditEntry.at, AuditEntry.actor_id)
             .outerjoin(AuditEntry, AuditEntry.seq == waiting.c.seq))
    if after:
        seq, incident_id = _parse_cursor(after)
        query = query.where(or_(waiting.c.seq > seq,
                                and_(waiting.c.seq == seq, waiting.c.id > incident_id)))
    # One row more than asked says whether another page follows.
    rows = session.exec(query.order_by(waiting.c.seq, waiting.c.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    total = session.exec(select(func.count()).select_from(Incident).where(
        Incident.status == IN_REVIEW, visible_incidents(by))).one()
    # The entry's actor is who sent it into review; an incident whose entry is missing
    # (written outside the trail) falls back to the row's own submitter.
    who = [row.actor_id if row.at is not None else row.submitted_by_id for row in rows]
    names = usernames(session, set(who))
    # A restricted incident's title is sealed; the queue lists it for those who may see it.
    items = [QueueItem(ref=row.ref, title=open_values(session, "incident", incident_owner(
                           row.ref), {"title": row.title})["title"],
                       incident_type=row.incident_type,
                       start_date=row.start_date, end_date=row.end_date,
                       date_precision=row.date_precision, sensitivity=row.sensitivity,
                       submitted_at=row.at, submitted_by=names.get(actor, "system"),
                       cursor=f"{row.seq}:{row.id}")
             for row, actor in zip(rows, who, strict=True)]
    return QueuePage(items=items, total=total,
                     next_after=items[-1].cursor if more and items else None)


def iter_review_queue(session: Session, *, by: Principal, after: str | None = None,
                      page_size: int = 500) -> Iterator[QueueItem]:
    """The whole queue from `after` on, longest waiting first, read `page_size` at a time so
    memory stays flat however long it is. Raises as `list_review_queue`."""
    while True:
        page = list_review_queue(session, by=by, limit=page_size, after=after)
        yield from page.items
        if page.next_after is None:
            return
        after = page.next_after
