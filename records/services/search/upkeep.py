"""Keeping the index current: every ORM flush notes which incidents it touched (directly,
or through a victim, perpetrator, follow-up event, person or group), and just before the transaction
commits their index rows are rewritten from the stored rows, on the same connection, so
the index commits or rolls back with the change. Writers that bypass the ORM (a batched
Core import) call `note_incidents` with the ids they wrote, or `write_documents` on their
connection; a purge calls `forget_incident` before the incident's row goes.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from records.i18n import _
from records.models import (
    Actor,
    CaseEvent,
    Incident,
    Perpetrator,
    Person,
    SearchText,
    Victim,
)
from records.services.access import Principal, require_role
from records.services.search.documents import (
    all_incident_ids,
    delete_documents,
    write_documents,
)

_PENDING = "sijil.search_pending"


def _pending(session: Session) -> dict[str, set[int]]:
    return session.info.setdefault(_PENDING, {"incident": set(), "person": set(),
                                              "actor": set()})


def note_incidents(session: Session, incident_ids: Iterable[int]) -> None:
    """Have the index rows of `incident_ids` rewritten when `session` commits."""
    _pending(session)["incident"].update(i for i in incident_ids if i is not None)


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _flush_context) -> None:
    pending = None
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Incident):
            key, value = "incident", obj.id
        elif isinstance(obj, Victim | Perpetrator | CaseEvent):
            key, value = "incident", obj.incident_id
        elif isinstance(obj, Person):
            key, value = "person", obj.id
        elif isinstance(obj, Actor):
            key, value = "actor", obj.id
        else:
            continue
        if value is not None:
            pending = pending if pending is not None else _pending(session)
            pending[key].add(value)


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    if not session.info.get(_PENDING):
        return
    session.flush()
    pending = session.info.pop(_PENDING)
    ids = set(pending["incident"])
    conn = session.connection()
    if pending["person"]:
        people = sorted(pending["person"])
        for model in (Victim, Perpetrator, CaseEvent):
            table = model.__table__
            ids.update(conn.execute(select(table.c.incident_id).where(
                table.c.person_id.in_(people))).scalars())
    if pending["actor"]:
        table = Perpetrator.__table__
        ids.update(conn.execute(select(table.c.incident_id).where(
            table.c.actor_id.in_(sorted(pending["actor"])))).scalars())
    if ids:
        write_documents(conn, ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, _previous) -> None:
    session.info.pop(_PENDING, None)


def forget_incident(session: Session, incident_id: int) -> None:
    """Remove an incident's index rows now: called by the purge before the row goes."""
    delete_documents(session.connection(), [incident_id])
    _pending(session)["incident"].discard(incident_id)


def rebuild_index(session: Session, *, by: Principal) -> int:
    """Rewrite the whole index from the stored rows (an existing database, or after a
    change of what is indexed). Admins only (raises PermissionDenied). Returns the number
    of incidents indexed."""
    require_role(by, "admin", _("rebuild the search index"))
    conn = session.connection()
    ids = all_incident_ids(conn)
    stale = set(conn.execute(select(SearchText.__table__.c.incident_id)).scalars()) - set(ids)
    delete_documents(conn, stale)
    return write_documents(conn, ids)
