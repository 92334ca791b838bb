"""An incident as it was: rebuilt from the audit trail, reverted to, or purged for good.

The trail is the only history kept: a create entry carries every non-null field, an update
the fields it changed as [old, new], a delete the old values. Replaying the entries up to a
seq (records.services.audit.replay.apply_entry) gives every row as it was right after that
entry, its null fields left out.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, func, select

from records.audit_chain import EVENT_ACTIONS, SEAL, audit_action, purging
from records.errors import NotFound, ValidationError
from records.i18n import _
from records.models import Attachment, AuditEntry, ReviewComment
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
from records.services.access import (
    Principal,
    act_as,
    can_see_personal_data,
    redact_person,
    require_role,
)
from records.services.audit.log import check_history_access
from records.services.audit.replay import apply_entry
from records.services.incidents import EDITABLE_FIELDS, load_incident, update_incident
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


def _build(session: Session, replay: _Replay, incident: _Row, seq: int, by: Principal
           ) -> IncidentRead:
    def mine(entity_type: str) -> list[_Row]:
        return [r for r in replay.alive(entity_type)
                if r.state.get("incident_id") == incident.id]

    victims, perpetrators = mine("victim"), mine("perpetrator")
    citations, case_events, comments = mine("citation"), mine("case_event"), mine(
        "review_comment")
    shared = _replay_shared(session, {
        "person": {r.state.get("person_id") for r in victims + perpetrators},
        "actor": {r.state.get("actor_id") for r in perpetrators},
        "source": {r.state.get("source_id") for r in citations + case_events},
    }, seq)
    full = can_see_personal_data(by)

    def person(person_id, consented: bool = False) -> PersonRead | None:
        p = _model(PersonRead, shared.rows.get(("person", person_id)))
        if p is None:
            return None
        return redact_person(p, consented=consented, all_names=full, show_confidential=full)

    def source(source_id) -> SourceRead | None:
        s = _model(SourceRead, shared.rows.get(("source", source_id)))
        return s if s is None or full or not s.is_confidential else None

    state = incident.state
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
            **v.state, "id": v.id, "version": v.changes,
            "person": person(v.state.get("person_id"),
                             bool(v.state.get("consent_to_publish_name")))})
            for v in victims],
        "perpetrators": [PerpetratorRead.model_validate({
            **p.state, "id": p.id, "version": p.changes,
            "actor": _model(ActorRead, shared.rows.get(("actor", p.state.get("actor_id")))),
            "person": person(p.state.get("person_id"))}) for p in perpetrators],
        "citations": [CitationRead.model_validate({
            **c.state, "id": c.id, "version": c.changes,
            "source": source(c.state.get("source_id"))})
            for c in citations if source(c.state.get("source_id")) is not None],
        "case_events": [CaseEventRead.model_validate({
            **e.state, "id": e.id, "version": e.changes,
            "source": source(e.state.get("source_id"))}) for e in case_events],
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


def revert_incident(session: Session, ref: str, *, by: Principal, to_seq: int,
                    expected_version: int, fields: list[str] | None = None, reason: str
                    ) -> IncidentRead:
    """Set the incident's own fields (all, or only `fields`) back to their values right
    after entry `to_seq`. It is an edit like any other, recorded as a "revert" entry: the
    `by` must be allowed to edit the incident, `expected_version` must be the current
    version, and the old values must be valid today. Reverting to values the incident
    already has writes nothing.

    Raises ValidationError (no reason, an unknown field, a value no longer valid),
    ConflictError (stale version), PermissionDenied, NotFound (as incident_as_of)."""
    if not reason or not reason.strip():
        raise ValidationError.single("reason", _("say why the incident is reverted"))
    wanted = list(fields) if fields else sorted(EDITABLE_FIELDS)
    unknown = sorted(set(wanted) - EDITABLE_FIELDS)
    if unknown:
        raise ValidationError.single(unknown[0], _("this field cannot be reverted"))
    ref = check_history_access(session, ref, by)
    _replay, past = _replay_incident(session, ref, _whole_flush(session, to_seq))
    changes = {f: past.state.get(f) for f in wanted}
    with audit_action(session, "revert", reason.strip()):
        return update_incident(session, ref, changes, by=by,
                               expected_version=expected_version, reason=reason.strip())


def purge_incident(session: Session, ref: str, *, by: Principal, reason: str) -> None:
    """Delete the incident for good, with its victims, perpetrators, citations, case events
    and review comments (people, actors and sources stay: other incidents may cite them).
    Admins only, with a reason. Each removed row leaves a "purge" entry holding the SHA-256
    of its content, not the content.

    Raises PermissionDenied (not an admin), ValidationError (no reason, or attachments that
    must be removed first), NotFound."""
    require_role(by, "admin", _("purge incidents"))
    if not reason or not reason.strip():
        raise ValidationError.single("reason", _("say why the incident is purged"))
    incident = load_incident(session, ref, by=by, for_update=True)
    if session.exec(select(Attachment.id).where(Attachment.incident_id == incident.id)
                    ).first() is not None:
        raise ValidationError.single("attachments", _(
            "{ref} has evidence files attached: remove them first").format(ref=incident.ref))
    comments = session.exec(select(ReviewComment).where(
        ReviewComment.incident_id == incident.id)).all()
    act_as(session, by, reason.strip())
    with purging(session):
        for row in [*incident.victims, *incident.perpetrators, *incident.citations,
                    *incident.case_events, *comments]:
            session.delete(row)
        session.flush()
        # The collections still hold the deleted rows; reload them (empty) before the
        # incident goes, or the ORM would try to detach rows that no longer exist.
        session.expire(incident, list(_COLLECTIONS))
        session.delete(incident)


_COLLECTIONS = ("victims", "perpetrators", "citations", "case_events")
