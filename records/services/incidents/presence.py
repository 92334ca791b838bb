"""Who has an incident open for editing now, to tell the others (docs/design.md §4).

A hint, never a lock: two people may still edit at once, and the version check still
refuses the second save. A presence row (records/models/presence.py) lives outside the
audit trail and says nothing once its holder has given no sign of life for EDITING_EXPIRY.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlmodel import Session, select

from records.models import AppUser
from records.models.presence import EditPresence
from records.models.types import utcnow
from records.services.access import Principal, check_can_edit
from records.services.incidents.read import load_incident

# An editor's page signs in on every run (each click); a closed tab or a lost connection
# signs nothing. Ten quiet minutes is long enough to read a long narrative, short enough
# that the sentence does not stay on for someone who has gone home.
EDITING_EXPIRY = dt.timedelta(minutes=10)


def _now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return utcnow()
    return now if now.tzinfo else now.replace(tzinfo=dt.UTC)


def mark_editing(session: Session, ref: str, *, by: Principal,
                 now: dt.datetime | None = None) -> None:
    """Note that `by` has the incident open for editing, as of `now` (default: the current
    time). The first mark, or one after the last expired, starts the `since` shown to
    others; later ones keep it and only renew the sign of life. The system principal is
    nobody at a screen: nothing is noted for it.

    Raises NotFound (missing, or not visible to `by`), PermissionDenied (may not edit it)."""
    incident = load_incident(session, ref, by=by)
    check_can_edit(by, incident)
    if by.id is None:
        return
    now = _now(now)
    row = session.exec(select(EditPresence).where(
        EditPresence.incident_ref == incident.ref, EditPresence.user_id == by.id)).first()
    if row is None:
        session.add(EditPresence(incident_ref=incident.ref, user_id=by.id, since=now,
                                 seen_at=now))
    else:
        if now - row.seen_at > EDITING_EXPIRY:
            row.since = now
        row.seen_at = now
    # Rows nobody renews would otherwise stay for good; they are ignored already.
    session.execute(delete(EditPresence).where(EditPresence.incident_ref == incident.ref,
                                            EditPresence.seen_at < now - EDITING_EXPIRY))
    session.flush()


def stop_editing(session: Session, ref: str, *, by: Principal) -> None:
    """`by` no longer has the incident open for editing (saved, or cancelled). Nothing
    happens when they had not marked it."""
    if by.id is None:
        return
    session.execute(delete(EditPresence).where(
        EditPresence.incident_ref == ref.strip().upper(), EditPresence.user_id == by.id))
    session.flush()


def others_editing(session: Session, ref: str, *, by: Principal,
                   now: dt.datetime | None = None) -> list[tuple[str, dt.datetime]]:
    """Who else has the incident open for editing, as of `now` (default: the current
    time): (username, since) pairs, the longest editing first. `by` is left out, and so is
    anyone whose last sign of life is older than EDITING_EXPIRY.

    Raises NotFound when the incident is missing or `by` may not read it."""
    incident = load_incident(session, ref, by=by)
    now = _now(now)
    query = (select(AppUser.username, EditPresence.since)
             .join(AppUser, AppUser.id == EditPresence.user_id)
             .where(EditPresence.incident_ref == incident.ref,
                    EditPresence.seen_at >= now - EDITING_EXPIRY)
             .order_by(EditPresence.since, AppUser.username))
    if by.id is not None:
        query = query.where(EditPresence.user_id != by.id)
    return [(username, since) for username, since in session.exec(query)]
