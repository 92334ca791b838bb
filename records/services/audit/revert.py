"""Reverting an incident to an entry of its history: the whole record as it was then.

The trail is read as history.incident_as_of reads it (the entry and the rest of its flush),
and the incident is brought back to that state in one flush, so every entry the revert
writes carries the same time and reads as one change (docs/design.md §5, History):

- the incident's own fields get their values of then;
- a victim, perpetrator, citation or case event that exists now but did not then is
  deleted; one that existed then but not now is created again (with a new id); one that
  changed gets its values of then. A row is the same row when it has the same id, or, for
  a victim, the same person (one victim per person and incident); a row of then that is
  gone is matched with a row of now holding exactly its values before a new one is made,
  so reverting twice writes nothing the second time;
- the people, actors and sources the parts point to are shared with other incidents and
  are not reverted: each must still exist.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import TypeAdapter
from sqlmodel import Session

from records.audit_chain import audit_action, audited_fields, to_json_value
from records.errors import FieldProblem, ValidationError
from records.i18n import _
from records.models import (
    Actor,
    CaseEvent,
    Citation,
    Incident,
    Perpetrator,
    Person,
    Source,
    Victim,
)
from records.models.incident_io import IncidentRead
from records.sealing import (
    erased_text,
    incident_owner,
    is_sealed,
    open_values,
    person_owner,
    source_owner,
)
from records.services.access import Principal, act_as, check_can_edit
from records.services.audit.history import (
    _replay_incident,
    _replay_shared,
    _Row,
    _whole_flush,
)
from records.services.audit.log import check_history_access
from records.services.incidents import (
    EDITABLE_FIELDS,
    changed_fields,
    check_version,
    flush_or_conflict,
    incident_read,
    load_incident,
    touch,
)
from records.services.vocabularies import check_code

PARTS: dict[str, type] = {"victims": Victim, "perpetrators": Perpetrator,
                          "citations": Citation, "case_events": CaseEvent}

# The codes a restored part carries must still be in use: (field, vocabulary).
_CODES: dict[str, tuple[tuple[str, str], ...]] = {
    "victims": (("outcome", "victim_outcome"),),
    "perpetrators": (("attribution", "attribution"),),
    "case_events": (("kind", "case_event_kind"), ("date_precision", "date_precision")),
}

# A part's reference to a shared row: (the row's model, the relationship, its table).
_REFERENCES: dict[str, tuple[type, str, str]] = {
    "person_id": (Person, "person", "person"),
    "actor_id": (Actor, "actor", "actor"),
    "source_id": (Source, "source", "source"),
}

# Whose data key seals a shared row's values (records/sealing.py).
_OWNERS = {"person": person_owner, "source": source_owner}

_UNKNOWN = object()


def _fields(model: type) -> list[str]:
    return [f for f in audited_fields(model) if f != "incident_id"]


@functools.cache
def _adapter(model: type, field: str) -> TypeAdapter:
    return TypeAdapter(model.model_fields[field].annotation)


def _then(model: type, field: str, state: dict[str, Any]) -> Any:
    """The value of `field` in a replayed row: the trail leaves null fields out, so a field
    missing is None, unless the column cannot be null. Then the trail never knew it (a
    column added after the row was written) and the value of now stands: _UNKNOWN."""
    if field in state:
        return _adapter(model, field).validate_python(state[field])
    return None if model.__table__.c[field].nullable else _UNKNOWN


def _differs(model: type, row: Any, state: dict[str, Any]) -> dict[str, Any]:
    """The fields of `row` whose value is not the value of then, with the value of then
    (compared as the trail writes values)."""
    changes = {}
    for field in _fields(model):
        then = _then(model, field, state)
        if then is not _UNKNOWN and to_json_value(getattr(row, field)) != to_json_value(then):
            changes[field] = then
    return changes


def _same_row(part: str, row: Any, then: _Row) -> bool:
    if part == "victims":
        return row.person_id == then.state.get("person_id")
    return row.id == then.id


class _Plan:
    """What the revert does to one kind of part."""

    def __init__(self, part: str, now: list[Any], then: list[_Row]):
        model = PARTS[part]
        left = list(now)
        self.part, self.model = part, model
        self.update: list[tuple[Any, dict[str, Any]]] = []
        self.create: list[dict[str, Any]] = []
        for old in then:
            row = next((r for r in left if _same_row(part, r, old)), None)
            if row is None:
                self.create.append(old.state)
                continue
            left.remove(row)
            changes = _differs(model, row, old.state)
            if changes:
                self.update.append((row, changes))
        for state in list(self.create):
            twin = next((r for r in left if not _differs(model, r, state)), None)
            if twin is not None:
                left.remove(twin)
                self.create.remove(state)
        self.delete = left

    def created(self) -> list[dict[str, Any]]:
        """Every known field of each row created again."""
        return [{f: v for f in _fields(self.model)
                 if (v := _then(self.model, f, state)) is not _UNKNOWN}
                for state in self.create]

    def new_values(self) -> list[dict[str, Any]]:
        """The values the revert writes: rows created again, changed fields of the others."""
        return self.created() + [changes for _row, changes in self.update]

    def empty(self) -> bool:
        return not (self.update or self.create or self.delete)


def _shared_label(session: Session, row: _Row | None, table: str, row_id: int) -> str:
    """A row gone from the database, by its name in the trail (opened when sealed: only
    those who may edit the incident, and so see every name, get here) and its uid."""
    state = (row.state if row is not None else None) or {}
    uid = state.get("uid")
    if uid and table in _OWNERS:
        state = open_values(session, table, _OWNERS[table](uid), state)
    name = state.get("full_name") or state.get("name") or state.get("title")
    if name == erased_text() or is_sealed(name):
        name = None  # its key was destroyed with it: the uid is all that is left
    if name and uid:
        return f"“{name}” ({uid})"
    return f"“{name}”" if name else str(uid or f"{table} {row_id}")


def _check(session: Session, plans: list[_Plan], seq: int) -> list[FieldProblem]:
    """Problems that keep the record from being restored as it was: a code no longer in
    use, a person, actor or source that no longer exists."""
    problems: list[FieldProblem] = []
    missing: dict[str, set[int]] = {}
    for plan in plans:
        for i, values in enumerate(plan.new_values()):
            for field, vocabulary in _CODES.get(plan.part, ()):
                if field in values:
                    check_code(session, f"{plan.part}.{i}.{field}", vocabulary,
                               values[field], problems, required=True)
            for field, (model, _name, table) in _REFERENCES.items():
                row_id = values.get(field)
                if row_id is not None and session.get(model, row_id) is None:
                    missing.setdefault(table, set()).add(row_id)
    if missing:
        then = _replay_shared(session, {t: set(ids) for t, ids in missing.items()}, seq)
        words = {"person": _("the person {name} no longer exists"),
                 "actor": _("the group {name} no longer exists"),
                 "source": _("the source {name} no longer exists")}
        for table, ids in sorted(missing.items()):
            for row_id in sorted(ids):
                name = _shared_label(session, then.rows.get((table, row_id)), table, row_id)
                problems.append(FieldProblem(table, _(
                    "{missing}: the record cannot be restored as it was").format(
                    missing=words[table].format(name=name)), row_id))
    return problems


def _assign(session: Session, row: Any, values: dict[str, Any]) -> None:
    for field, value in values.items():
        if field in _REFERENCES:
            model, name, _table = _REFERENCES[field]
            # Set the related row too: a loaded relationship would otherwise win over the id.
            setattr(row, name, None if value is None else session.get(model, value))
        setattr(row, field, value)


def revert_incident(session: Session, ref: str, *, by: Principal, to_seq: int,
                    expected_version: int, fields: list[str] | None = None, reason: str
                    ) -> IncidentRead:
    """Bring the incident back to how it was right after entry `to_seq` (and the entries
    written at once with it): its own fields, victims, perpetrators, citations and case
    events, as incident_as_of shows it, with new ids for parts created again. With
    `fields`, only those of the incident's own fields, and no part.

    One edit like any other, written in one flush: `by` must be allowed to edit the
    incident, `expected_version` must be its current version, and the values of then must
    be valid today. The trail records the changed rows as "revert" (parts created or
    deleted as "create" and "delete"), all with the reason and the same time. Reverting to
    the state the incident is in writes nothing.

    Raises ValidationError (no reason, an unknown field, a value or code no longer valid,
    a person, actor or source that no longer exists), ConflictError (stale version),
    PermissionDenied, NotFound (as incident_as_of)."""
    if not reason or not reason.strip():
        raise ValidationError.single("reason", _("say why the incident is reverted"))
    reason = reason.strip()
    wanted = list(fields) if fields else sorted(EDITABLE_FIELDS)
    unknown = sorted(set(wanted) - EDITABLE_FIELDS)
    if unknown:
        raise ValidationError.single(unknown[0], _("this field cannot be reverted"))
    ref = check_history_access(session, ref, by)
    incident = load_incident(session, ref, by=by, for_update=True)
    check_can_edit(by, incident)
    check_version(session, incident, expected_version)
    seq = _whole_flush(session, to_seq)
    replay, past = _replay_incident(session, ref, seq)
    # The values of then as their readers see them: a restricted incident's title, place
    # and coordinates are sealed in the trail (records/sealing.py).
    then = open_values(session, "incident", incident_owner(ref), past.state)
    values = {f: v for f in wanted if (v := _then(Incident, f, then)) is not _UNKNOWN}
    changes = changed_fields(session, incident, values)
    plans = [] if fields else [
        _Plan(part, list(getattr(incident, part)),
              [r for r in replay.alive(model.__tablename__)
               if r.state.get("incident_id") == past.id])
        for part, model in PARTS.items()]
    problems = _check(session, plans, seq)
    if problems:
        raise ValidationError(problems)
    plans = [p for p in plans if not p.empty()]
    if not (changes or plans):
        return incident_read(session, incident, by)
    act_as(session, by, reason)
    with audit_action(session, "revert", reason):
        # One flush: a query for a related row must not write half of the revert first.
        with session.no_autoflush:
            for field, value in changes.items():
                setattr(incident, field, value)
            for plan in plans:
                rows = getattr(incident, plan.part)
                for row in plan.delete:
                    rows.remove(row)
                    session.delete(row)
                for row, row_changes in plan.update:
                    _assign(session, row, row_changes)
                for state_values in plan.created():
                    row = plan.model(incident_id=incident.id)
                    _assign(session, row, state_values)
                    rows.append(row)
            touch(incident, by)
        flush_or_conflict(session, incident)
    return incident_read(session, incident, by)
