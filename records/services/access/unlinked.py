"""Who sees a person, group or source once it is in no incident.

While a row appears in incidents, whoever may see one of them sees it (visibility.py). When
it leaves the last one (its victim, perpetrator, citation or case event link removed,
changed, merged away, or purged with its incident) nothing ties it to a record any more,
yet it may carry what only a restricted record held: a witness, a confidential source's
title. So the row keeps, in `unlinked_seen_by`, the lowest role that could see it through
the incidents it left, and the visibility rule shows it to that role and up: never wider
than before.

| a row in no incident when its transaction commits, that         | unlinked_seen_by |
|------------------------------------------------------------------|------------------|
| left an incident viewers may see (not restricted, verified or    | viewer           |
| published)                                                       |                  |
| otherwise left an incident that is not restricted                | caseworker       |
| left only restricted incidents                                   | reviewer         |
| only a purged incident held (`leave_to_reviewers`)               | reviewer         |
| was made outside any incident (an import's parent group)         | caseworker       |
| was in no incident before this rule: nothing known (NULL)        | reviewers only   |

Why a value recorded then, rather than a rule computed at each read: once the links are
gone, nothing in the row's tables tells a row that only a restricted incident held from one
an open incident held (only the trail does, and reading it in every lookup would be slow on
both engines); and recorded when a link is made, it would have to follow every later change
of an incident's sensitivity or status. Recorded on leaving, it reads those as they are
then. A `before_flush` listener notes every link that goes, whichever service removes it,
and just before the transaction commits the rows it named that are in no incident then get
their value: an ordinary audited write, in the same transaction. Deciding at commit, not at
each flush, leaves alone what only passes through no incident (a person merged away). A row
made without a link gets its value as it is made.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from records.models import Actor, Incident, Person, Source
from records.models.person import UNLINKED_ROLES
from records.services.access.permissions import can_see_incident
from records.services.access.principal import Principal
from records.services.access.visibility import LINKS

ORDER = UNLINKED_ROLES  # lowest first
# Made outside any incident: caseworkers still refer to it (an import's parent group).
MADE_UNLINKED = "caseworker"
# What this transaction noted, {(model, id): role}: rows that left an incident, and rows a
# service decided for.
_LEFT = "sijil.unlinked_left"
_DECIDED = "sijil.unlinked_decided"
_CHUNK = 500  # ids per IN (...): far below either engine's limit on parameters

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
    """Show `rows` to reviewers and admins alone if they are in no incident when this
    transaction commits, whatever the incidents they left (a purge: what only the purged
    incident held)."""
    session.info.setdefault(_DECIDED, {}).update(
        {(type(row), row.id): "reviewer" for row in rows})


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


def _note_leaving(session: Session, deleted) -> None:
    """Note each row a stored link stops naming in this flush, with the lowest role that
    saw it through the incident that link was in."""
    left = None
    for obj in (*session.dirty, *deleted):
        references = _REFERENCES.get(type(obj))
        if references is None or obj.id is None:
            continue
        incident_id = _before(obj, "incident_id")
        moved = obj in deleted or _now(obj, "incident_id", "incident") != incident_id
        for column, relation, model in references:
            old = _before(obj, column)
            if old is None or not (moved or _now(obj, column, relation) != old):
                continue
            with session.no_autoflush:
                role = lowest_role(session.get(Incident, incident_id)
                                   if incident_id is not None else None)
            left = left if left is not None else session.info.setdefault(_LEFT, {})
            left[model, old] = min(left.get((model, old), role), role, key=ORDER.index)


def _give_made_rows_their_value(session: Session, deleted) -> None:
    """A person, group or source made in this flush that no link names gets its value at
    once, in the entry that creates it: the import that made it may name it again before
    it commits."""
    made = [obj for obj in session.new if isinstance(obj, Person | Actor | Source)
            # A row put back with its id (an undone merge) keeps its stored value.
            and obj.id is None and obj.unlinked_seen_by is None]
    if not made:
        return
    named = set()
    for obj in (*session.new, *session.dirty):
        references = _REFERENCES.get(type(obj))
        if references is not None and obj not in deleted:
            named.update(_now(obj, column, relation) for column, relation, _m in references)
    for obj in made:
        if (None, id(obj)) not in named:
            obj.unlinked_seen_by = MADE_UNLINKED


@event.listens_for(Session, "before_flush")
def _note_links(session: Session, _flush_context, _instances) -> None:
    deleted = session.deleted  # a new set at each access: taken once
    _note_leaving(session, deleted)
    _give_made_rows_their_value(session, deleted)


def _still_named(session: Session, candidates: Iterable[tuple[type, int]]
                 ) -> set[tuple[type, int]]:
    """The candidates some incident names, as the database holds it now."""
    wanted: dict[type, list[int]] = {}
    for model, row_id in candidates:
        wanted.setdefault(model, []).append(row_id)
    found = set()
    conn = session.connection()
    for model, ids in wanted.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = sorted(ids[start:start + _CHUNK])
            for column, _incident_id in LINKS[model]:
                found.update((model, row_id) for row_id in conn.execute(
                    select(column).where(column.in_(chunk)).distinct()).scalars())
    return found


@event.listens_for(Session, "before_commit")
def _record_before_commit(session: Session) -> None:
    if not any(key in session.info for key in (_LEFT, _DECIDED)):
        return
    session.flush()  # the links as they will be committed
    roles = session.info.pop(_LEFT, {})
    roles.update(session.info.pop(_DECIDED, {}))
    named = _still_named(session, roles)
    for (model, row_id), role in roles.items():
        if (model, row_id) in named:
            continue
        with session.no_autoflush:
            row = session.get(model, row_id)
        if row is not None and row not in session.deleted and row.unlinked_seen_by != role:
            row.unlinked_seen_by = role
    session.flush()


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, _previous) -> None:
    for key in (_LEFT, _DECIDED):
        session.info.pop(key, None)
