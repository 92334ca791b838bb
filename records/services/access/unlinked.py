"""Who sees a person, group or source once it is in no incident.

While a row appears in incidents, whoever may see one of them sees it (visibility.py). When
it leaves the last one (its victim, perpetrator, citation or case event link removed,
changed, merged away, or purged with its incident) nothing ties it to a record any more,
yet it may carry what only a restricted record held: a witness, a confidential source's
title. So the row keeps, in `unlinked_seen_by`, the lowest role that could see it just
before, and the visibility rule shows it to that role and up, never wider than before:

| what the row leaves, in the flush that leaves it in no incident | unlinked_seen_by |
|------------------------------------------------------------------|------------------|
| an incident viewers may see (not restricted, verified/published) | viewer           |
| otherwise an incident that is not restricted                     | caseworker       |
| only restricted incidents                                        | reviewer         |
| what only a purged incident held (`leave_to_reviewers`)          | reviewer         |
| nothing: made outside any incident (a parent group of an import) | caseworker       |
| nothing known: in no incident before this rule (NULL)            | reviewers only   |

Why a value recorded at that moment, rather than a rule computed at each read: once the
links are gone, nothing in the row's tables tells a row that only a restricted incident
held from one an open incident held (only the trail does, and reading it in every lookup
would be slow on both engines); and recorded when a link is made, it would have to follow
every later change of an incident's sensitivity or status. Recorded on leaving, it reads
those as they are then. One `before_flush` listener sees every way a link goes, so no
service can forget it, and the change is an ordinary audited write of the row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from records.models import Actor, Incident, Person, Source
from records.services.access.permissions import can_see_incident
from records.services.access.principal import Principal
from records.services.access.visibility import LINKS

# Rows a service has decided for in this transaction, (model, id): see leave_to_reviewers.
_DECIDED = "sijil.unlinked_decided"
ORDER = ("viewer", "caseworker", "reviewer")
# Made outside any incident: caseworkers still refer to it (an import's parent group).
MADE_UNLINKED = "caseworker"

# Each link model's references: (id column, relationship, the model it names).
_REFERENCES: dict[type, tuple[tuple[str, str, type], ...]] = {}
for _model, _links in LINKS.items():
    for _column, _incident_id in _links:
        _REFERENCES[_column.class_] = (*_REFERENCES.get(_column.class_, ()),
                                       (_column.key, _column.key.removesuffix("_id"), _model))
_ANYONE = {role: Principal(id=None, username=role, role=role) for role in ORDER[:2]}


def lowest_role(incident: Incident | None) -> str:
    """The lowest role that may see `incident` (can_see_incident decides); reviewer when
    none below may, or there is no incident."""
    for role, anyone in _ANYONE.items():
        if incident is not None and can_see_incident(anyone, incident):
            return role
    return "reviewer"


def leave_to_reviewers(session: Session, rows: Iterable[Person | Actor | Source]) -> None:
    """Show `rows` to reviewers and admins alone once they are in no incident, whatever
    the incidents they leave in this transaction (a purge: what only the purged incident
    held). Call it before their links go."""
    decided = session.info.setdefault(_DECIDED, set())
    for row in rows:
        if row.unlinked_seen_by != "reviewer":
            row.unlinked_seen_by = "reviewer"
        decided.add((type(row), row.id))


def _before(obj: Any, field: str) -> Any:
    """The stored value of `field` (loaded when it had expired)."""
    history = inspect(obj).attrs[field].history
    if history.deleted:
        return history.deleted[0]
    if history.added:
        return None  # set where there was nothing
    return getattr(obj, field)


def _key(target: Any) -> Any:
    """A row as a link names it: its id, or (None, id()) for a row not yet inserted."""
    if target is None or isinstance(target, int):
        return target
    return target.id if target.id is not None else (None, id(target))


def _now(obj: Any, column: str, relation: str) -> Any:
    """The key of what the link names after this flush (the relationship wins: the
    column follows it only when the flush writes)."""
    history = inspect(obj).attrs[relation].history
    if history.added:
        return _key(history.added[0])
    history = inspect(obj).attrs[column].history
    return history.added[0] if history.added else getattr(obj, column)


def _leaving(session: Session, deleted) -> tuple[dict, set]:
    """({(model, id): ids of the incidents it leaves}, {(link model, link id, column)} of
    the stored links that stop naming what they named) for this flush."""
    leaving: dict[tuple[type, int], set[int | None]] = {}
    gone: set[tuple[type, int, str]] = set()
    for obj in (*session.dirty, *deleted):
        references = _REFERENCES.get(type(obj))
        if references is None or obj.id is None:
            continue
        incident_id = _before(obj, "incident_id")
        moved = obj in deleted or _now(obj, "incident_id", "incident") != incident_id
        for column, relation, model in references:
            old = _before(obj, column)
            if old is not None and (moved or _now(obj, column, relation) != old):
                leaving.setdefault((model, old), set()).add(incident_id)
                gone.add((type(obj), obj.id, column))
    return leaving, gone


def _named_in_session(session: Session, deleted) -> set:
    """(model, key) of every row a pending link names after this flush."""
    named = set()
    for obj in (*session.new, *session.dirty):
        references = _REFERENCES.get(type(obj))
        if references is not None and obj not in deleted:
            for column, relation, model in references:
                key = _now(obj, column, relation)
                if key is not None:
                    named.add((model, key))
    return named


def _named_in_database(session: Session, candidates: Iterable[tuple[type, int]],
                       gone: set) -> set[tuple[type, int]]:
    """The candidates a stored link still names after this flush."""
    wanted: dict[type, set[int]] = {}
    for model, row_id in candidates:
        wanted.setdefault(model, set()).add(row_id)
    found = set()
    conn = session.connection()
    for model, ids in wanted.items():
        for column, _incident_id in LINKS[model]:
            link = column.class_
            for link_id, row_id in conn.execute(select(link.__table__.c.id, column)
                                                .where(column.in_(sorted(ids)))):
                if (link, link_id, column.key) not in gone:
                    found.add((model, row_id))
    return found


def _role_on_leaving(session: Session, incident_ids: set[int | None]) -> str:
    """The lowest role that could see a row through the incidents it leaves."""
    with session.no_autoflush:
        roles = [lowest_role(session.get(Incident, i) if i is not None else None)
                 for i in incident_ids]
    return min(roles, key=ORDER.index)


@event.listens_for(Session, "before_flush")
def _record_who_sees_unlinked_rows(session: Session, _flush_context, _instances) -> None:
    deleted = session.deleted  # a new set at each access: taken once
    leaving, gone = _leaving(session, deleted)
    made = [obj for obj in session.new
            if isinstance(obj, Person | Actor | Source) and obj.unlinked_seen_by is None
            and obj.id is None]  # a row put back with its id (unmerge) keeps its value
    if not (leaving or made):
        return
    named = _named_in_session(session, deleted)
    if leaving:
        named |= _named_in_database(session, leaving, gone)
        decided = session.info.pop(_DECIDED, set())
        for (model, row_id), incident_ids in leaving.items():
            if (model, row_id) in named:
                continue
            with session.no_autoflush:
                row = session.get(model, row_id)
            if row is None or row in deleted:
                continue
            role = "reviewer" if (model, row_id) in decided else _role_on_leaving(
                session, incident_ids)
            if row.unlinked_seen_by != role:
                row.unlinked_seen_by = role
    for obj in made:
        if (type(obj), _key(obj)) not in named:
            obj.unlinked_seen_by = MADE_UNLINKED
