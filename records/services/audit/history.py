"""An incident as it was: rebuilt from the audit trail (reverting to it: revert.py), or
purged for good.

The trail is the only history kept: a create entry carries every non-null field, an update
the fields it changed as [old, new], a delete the old values. Replaying the entries up to a
seq (records.services.audit.replay.apply_entry) gives every row as it was right after that
entry, its null fields left out.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session, func, select

from records.audit_chain import EVENT_ACTIONS, SEAL
from records.errors import NotFound
from records.i18n import _
from records.models import AuditEntry
from records.models.incident_io import (
    ActorRead,
    CaseEventRead,
    CitationRead,
    CommentRead,
    IncidentRead,
    PerpetratorRead,
    PersonRead,
    SourceRead,
    VictimRead,
)
from records.sealing import open_values
from records.services.access import (
    Principal,
    can_see_personal_data,
    redact_person,
)
from records.services.audit.log import check_history_access
from records.services.audit.replay import apply_entry
from records.services.users import usernames


@dataclass
class _Row:
    """One replayed row: its non-null fields as the trail writes them (None: no row at that
    point), and when it changed."""

    id: int
    state: dict[str, Any] | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    changes: int = 0
    actor_id: int | None = None


@dataclass
class _Replay:
    rows: dict[tuple[str, int], _Row] = field(default_factory=dict)
    last_at: dt.datetime | None = None
    last_actor_id: int | None = None

    def apply(self, seq_at: dt.datetime, actor_id: int | None, action: str, entity_type: str,
              entity_id: int | None, changes: str) -> None:
        if entity_id is None or action in EVENT_ACTIONS:
            return
        row = self.rows.setdefault((entity_type, entity_id), _Row(entity_id))
        row.state = apply_entry(row.state, action, json.loads(changes))
        if action == SEAL:
            # The seal adopts what the rows already held into the keyed trail: no edit.
            return
        if action == "create":
            row.created_at = seq_at
        row.updated_at = seq_at
        row.changes += 1
        row.actor_id = actor_id
        self.last_at, self.last_actor_id = seq_at, actor_id

    def alive(self, entity_type: str) -> list[_Row]:
        return sorted((r for (t, _i), r in self.rows.items()
                       if t == entity_type and r.state is not None), key=lambda r: r.id)


_COLUMNS = (AuditEntry.at, AuditEntry.actor_id, AuditEntry.action, AuditEntry.entity_type,
            AuditEntry.entity_id, AuditEntry.changes)


def _whole_flush(session: Session, seq: int) -> int:
    """The last seq written together with `seq`: the rows of one flush (an incident and its
    new victim's person, say) changed at once, so no state lies between their entries."""
    at = session.exec(select(AuditEntry.at).where(AuditEntry.seq == seq)).first()
    if at is None:
        return seq
    return session.exec(select(func.max(AuditEntry.seq)).where(
        AuditEntry.at == at, AuditEntry.seq >= seq)).one()


def _replay_incident(session: Session, ref: str, seq: int) -> tuple[_Replay, _Row]:
    replay = _Replay()
    for row in session.exec(select(*_COLUMNS).where(AuditEntry.incident_ref == ref,
                                                    AuditEntry.seq <= seq)
                            .order_by(AuditEntry.seq)):
        replay.apply(*row)
    incidents = replay.alive("incident")
    if not incidents:
        raise NotFound(_("{ref} did not exist at entry {seq}").format(ref=ref, seq=seq))
    return replay, incidents[-1]


def _replay_shared(session: Session, wanted: dict[str, set[int]], seq: int) -> _Replay:
    """People, actors and sources are shared between incidents: their entries carry no ref."""
    replay = _Replay()
    for entity_type, ids in wanted.items():
        ids.discard(None)
        if not ids:
            continue
        for row in session.exec(select(*_COLUMNS).where(
                AuditEntry.entity_type == entity_type, AuditEntry.entity_id.in_(sorted(ids)),
                AuditEntry.seq <= seq).order_by(AuditEntry.seq)):
            replay.apply(*row)
    return replay


def _model(read_model, row: _Row | None):
    if row is None or row.state is None:
        return None
    return read_model.model_validate({**row.state, "id": row.id, "version": row.changes})


def _opened(session: Session, row: _Row | None, table: str, full: bool,
            owner: str | None = None) -> _Row | None:
    """`row` with the sealed values the trail holds opened, for a reader who may see them
    (an erased owner's read as erased)."""
    if row is None or row.state is None or not full:
        return row
    if owner is None:
        owner = f"{table}:{row.state.get('uid')}"
    return replace(row, state=open_values(session, table, owner, row.state))


def _build(session: Session, replay: _Replay, incident: _Row, seq: int, by: Principal
           ) -> IncidentRead:
    def mine(entity_type: str) -> list[_Row]:
        return [r for r in replay.alive(entity_type)
                if r.state.get("incident_id") == incident.id]

    victims, perpetrators = mine("victim"), mine("perpetrator")
    citations, case_events, comments = mine("citation"), mine("case_event"), mine(
        "review_comment")
    shared = _replay_shared(session, {
        "person": {r.state.get("person_id") for r in victims + perpetrators + case_events},
        "actor": {r.state.get("actor_id") for r in perpetrators + case_events},
        "source": {r.state.get("source_id") for r in citations + case_events},
    }, seq)
    full = can_see_personal_data(by)

    def person(person_id, consented: bool = False) -> PersonRead | None:
        p = _model(PersonRead, _opened(session, shared.rows.get(("person", person_id)),
                                       "person", full))
        if p is None:
            return None
        return redact_person(p, consented=consented, all_names=full, show_confidential=full)

    def source(source_id) -> SourceRead | None:
        s = _model(SourceRead, _opened(session, shared.rows.get(("source", source_id)),
                                       "source", full))
        return s if s is None or full or not s.is_confidential else None

    state = open_values(session, "incident", f"incident:{incident.state.get('ref')}",
                        incident.state)
    names = usernames(session, {state.get("created_by_id"), state.get("submitted_by_id"),
                                 state.get("verified_by_id"), replay.last_actor_id}
                       | {c.state.get("author_id") for c in comments})
    return IncidentRead.model_validate({
        **state, "id": incident.id, "version": incident.changes,
        "created_at": incident.created_at, "updated_at": replay.last_at,
        "created_by": names.get(state.get("created_by_id")),
        "last_edited_by": names.get(replay.last_actor_id, "system"),
        "submitted_by": names.get(state.get("submitted_by_id")),
        "verified_by": names.get(state.get("verified_by_id")),
        "last_edited_by_id": replay.last_actor_id,
        "victims": [VictimRead.model_validate({
            **_opened(session, v, "victim", True, f"incident:{state.get('ref')}").state,
            "id": v.id, "version": v.changes,
            "person": person(v.state.get("person_id"),
                             bool(v.state.get("consent_to_publish_name")))})
            for v in victims],
        "perpetrators": [PerpetratorRead.model_validate({
            **_opened(session, p, "perpetrator", True, f"incident:{state.get('ref')}").state,
            "id": p.id, "version": p.changes,
            "actor": _model(ActorRead, shared.rows.get(("actor", p.state.get("actor_id")))),
            "person": person(p.state.get("person_id"))}) for p in perpetrators],
        "citations": [CitationRead.model_validate({
            **_opened(session, c, "citation", True, f"incident:{state.get('ref')}").state,
            "id": c.id, "version": c.changes, "source": source(c.state.get("source_id"))})
            for c in citations if source(c.state.get("source_id")) is not None],
        "case_events": [CaseEventRead.model_validate({
            **e.state, "id": e.id, "version": e.changes,
            "source": source(e.state.get("source_id")),
            "person": person(e.state.get("person_id")),
            "actor": _model(ActorRead, shared.rows.get(("actor", e.state.get("actor_id"))))})
            for e in case_events],
        "comments": [CommentRead(id=c.id, author=names.get(c.state.get("author_id"), "system"),
                                 body=c.state.get("body", ""), created_at=c.created_at)
                     for c in comments],
    })


def incident_as_of(session: Session, ref: str, *, by: Principal, seq: int) -> IncidentRead:
    """The incident with its victims, perpetrators, citations, case events and comments as
    they were right after entry `seq` (and the entries written at once with it), rebuilt
    from the trail alone and shown as `by` may see it. `version` counts the recorded
    changes of each row; `updated_at` and `last_edited_by` are those of the latest entry
    about the incident.

    Raises PermissionDenied for viewers, NotFound when `by` may not read the history of
    `ref` or the incident did not exist (yet, or any more) at that entry."""
    ref = check_history_access(session, ref, by)
    seq = _whole_flush(session, seq)
    replay, incident = _replay_incident(session, ref, seq)
    return _build(session, replay, incident, seq, by)


def incident_as_of_time(session: Session, ref: str, *, by: Principal, at: dt.datetime
                        ) -> IncidentRead:
    """incident_as_of the last entry written at or before `at` (UTC when naive)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    seq = session.exec(select(func.max(AuditEntry.seq)).where(AuditEntry.at <= at)).one()
    if seq is None:
        raise NotFound(_("{ref} did not exist at {at}").format(ref=ref, at=at.isoformat()))
    return incident_as_of(session, ref, by=by, seq=seq)
