"""Merging two people or two incidents into one, and undoing it.

A merge keeps the first record and folds the second into it, in one transaction recorded
in the trail as one "merge" action: every victim link, perpetrator link, case event,
citation, review comment and attachment of the merged-away record is moved to the kept one;
a link the kept record already has (the same person a victim of the same incident twice)
is kept once, the other removed. The merged-away record is removed. `record_merge` keeps,
as stored, the removed rows and every move, so `unmerge` puts back both records and every
link as they were (ids included). Reviewers and admins merge and unmerge.

A merge or its undoing is an edit of every incident whose links it changes (for a person
merge, each incident naming the merged-away person): each is marked edited by the one who
merges, as any edit is (`incidents.touch`), so a verified or published one goes back to
review and a second reviewer must verify what the merge brought in (four eyes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from records.audit_chain import audit_action
from records.errors import NotFound, SijilError, ValidationError
from records.i18n import _
from records.models import (
    Attachment,
    CaseEvent,
    Citation,
    Incident,
    Perpetrator,
    Person,
    RecordMerge,
    ReviewComment,
    Victim,
)
from records.models.types import utcnow
from records.sealing import is_sealed, open_row
from records.services.access import Principal, act_as, require_role
from records.services.incidents import load_incident, touch
from records.services.linkage.rows import MODELS, rebuilt, stored_row
from records.services.search import forget_incident  # after search has loaded linkage

# The relationship to set when a link column changes, so the sealing rules see the new
# owner in the same flush (a victim link decides whether a name is sealed).
_RELATION = {("victim", "person_id"): "person", ("victim", "incident_id"): "incident",
             ("perpetrator", "person_id"): "person",
             ("perpetrator", "incident_id"): "incident",
             ("case_event", "person_id"): "person", ("case_event", "incident_id"): "incident",
             ("citation", "incident_id"): "incident"}


# The snapshot of a merge that came with an import (records/services/exchange/extras.py):
# the rows it removed are in the other database, so there is nothing here to put back.
IMPORTED_SNAPSHOT = json.dumps({"imported": True})


class MergeRefused(SijilError):
    """The two records cannot be merged (or the merge undone) as asked; nothing changed."""


@dataclass(frozen=True)
class MergeRead:
    id: int
    kind: str
    kept_key: str
    merged_key: str
    moved: int
    removed: int
    undone: bool


def _read(merge: RecordMerge) -> MergeRead:
    snapshot = json.loads(merge.snapshot)
    if snapshot.get("imported"):
        return MergeRead(merge.id, merge.kind, merge.kept_key, merge.merged_key, 0, 0,
                         merge.undone_at is not None)
    return MergeRead(merge.id, merge.kind, merge.kept_key, merge.merged_key,
                     len(snapshot["moved"]), len(snapshot["deleted"]) - 1,
                     merge.undone_at is not None)


class _Plan:
    """What one merge does, written down as it is done."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.deleted: list[dict[str, Any]] = []
        self.moved: list[dict[str, Any]] = []
        self.created: list[dict[str, Any]] = []

    def delete(self, row) -> None:
        table = type(row).__tablename__
        self.deleted.append({"table": table, "row": stored_row(self.session, table, row.id)})
        self.session.delete(row)

    def move(self, row, column: str, target) -> None:
        table = type(row).__tablename__
        self.moved.append({"table": table, "id": row.id, "column": column,
                           "from": getattr(row, column), "to": target.id})
        relation = _RELATION.get((table, column))
        if relation:
            setattr(row, relation, target)
        else:
            setattr(row, column, target.id)

    def snapshot(self) -> str:
        return json.dumps({"deleted": self.deleted, "moved": self.moved,
                           "created": self.created}, ensure_ascii=False, sort_keys=True)


def _person(session: Session, uid: str) -> Person:
    person = session.scalars(select(Person).where(Person.uid == uid.strip().lower())
                          .with_for_update()).first()
    if person is None:
        raise NotFound(_("no person {uid}").format(uid=uid))
    return person


def _rows(session: Session, model, column, value) -> list:
    return list(session.scalars(select(model).where(column == value).order_by(model.id)).all())


def merge_people(session: Session, kept_uid: str, merged_uid: str, *, by: Principal,
                 score: float | None = None) -> MergeRead:
    """Fold person `merged_uid` into `kept_uid` (see the module docstring). Raises
    PermissionDenied below reviewer, NotFound, MergeRefused (the same person twice)."""
    require_role(by, "reviewer", _("merge records"))
    kept, merged = _person(session, kept_uid), _person(session, merged_uid)
    if kept.id == merged.id:
        raise MergeRefused(_("a record cannot be merged with itself"))
    act_as(session, by)
    plan = _Plan(session)
    with audit_action(session, "merge"):
        kept_incidents = {v.incident_id for v in _rows(session, Victim, Victim.person_id,
                                                       kept.id)}
        changed: set[int] = set()  # the incidents whose links change
        for victim in _rows(session, Victim, Victim.person_id, merged.id):
            changed.add(victim.incident_id)
            if victim.incident_id in kept_incidents:
                plan.delete(victim)  # the kept person is already a victim there
            else:
                plan.move(victim, "person_id", kept)
        for model in (Perpetrator, CaseEvent):
            for row in _rows(session, model, model.person_id, merged.id):
                changed.add(row.incident_id)
                plan.move(row, "person_id", kept)
        _touch_incidents(session, changed, by)
        session.flush()
        plan.delete(merged)
        return _record(session, plan, "person", kept, merged, kept.uid, merged.uid, by, score)


def merge_incidents(session: Session, kept_ref: str, merged_ref: str, *, by: Principal,
                    score: float | None = None) -> MergeRead:
    """Fold incident `merged_ref` into `kept_ref` (see the module docstring). A restricted
    incident is not merged here: its sealed narrative and evidence files are bound to its
    own key. Raises PermissionDenied below reviewer, NotFound, MergeRefused."""
    require_role(by, "reviewer", _("merge records"))
    kept = load_incident(session, kept_ref, by=by, for_update=True)
    merged = load_incident(session, merged_ref, by=by, for_update=True)
    if kept.id == merged.id:
        raise MergeRefused(_("a record cannot be merged with itself"))
    if "restricted" in (kept.sensitivity, merged.sensitivity):
        raise MergeRefused(_("{ref} is restricted: restricted incidents are merged by hand, "
                             "so their sealed files keep their key").format(
            ref=kept.ref if kept.sensitivity == "restricted" else merged.ref))
    if "archived" in (kept.status, merged.status):
        raise MergeRefused(_("an archived incident cannot be merged"))
    act_as(session, by)
    plan = _Plan(session)
    with audit_action(session, "merge"):
        kept_people = {v.person_id for v in _rows(session, Victim, Victim.incident_id,
                                                  kept.id)}
        for victim in _rows(session, Victim, Victim.incident_id, merged.id):
            if victim.person_id in kept_people:
                plan.delete(victim)
            else:
                plan.move(victim, "incident_id", kept)
        for model in (Perpetrator, CaseEvent, ReviewComment, Attachment):
            for row in _rows(session, model, model.incident_id, merged.id):
                plan.move(row, "incident_id", kept)
        for citation in _rows(session, Citation, Citation.incident_id, merged.id):
            _move_citation(session, plan, citation, kept)
        touch(kept, by)
        session.flush()
        session.expire(merged, ["victims", "perpetrators", "citations", "case_events"])
        forget_incident(session, merged.id)
        plan.delete(merged)
        return _record(session, plan, "incident", kept, merged, kept.ref, merged.ref, by,
                       score)


def _touch_incidents(session: Session, ids: set[int], by: Principal) -> None:
    """Mark the incidents `ids` (None ignored) edited by `by`, locked in id order so that
    two merges never wait on each other: a verified or published one goes back to review."""
    ids.discard(None)
    if ids:
        for incident in session.scalars(select(Incident).where(Incident.id.in_(ids))
                                        .order_by(Incident.id).with_for_update()):
            touch(incident, by)


def _move_citation(session: Session, plan: _Plan, citation: Citation, kept: Incident
                   ) -> None:
    if not (is_sealed(citation.statement) or is_sealed(citation.quote)):
        plan.move(citation, "incident_id", kept)
        return
    # A confidential source's words are sealed under the incident's key: the kept incident
    # gets a copy sealed under its own, the original goes (and comes back on undo).
    opened = open_row(session, citation)
    copy = Citation(incident=kept, source_id=citation.source_id, page=citation.page,
                    statement=opened["statement"], quote=opened["quote"])
    session.add(copy)
    plan.delete(citation)
    session.flush()
    plan.created.append({"table": "citation", "id": copy.id})


def _record(session: Session, plan: _Plan, kind: str, kept, merged, kept_key: str,
            merged_key: str, by: Principal, score: float | None) -> MergeRead:
    session.flush()
    merge = RecordMerge(kind=kind, kept_id=kept.id, kept_key=kept_key, merged_id=merged.id,
                        merged_key=merged_key, score=score, snapshot=plan.snapshot(),
                        merged_by_id=by.id)
    session.add(merge)
    session.flush()
    return _read(merge)


def unmerge(session: Session, merge_id: int, *, by: Principal) -> MergeRead:
    """Undo merge `merge_id`: the merged-away record and every removed link come back with
    their ids and stored values, every moved link goes back, copies made by the merge go.
    Raises PermissionDenied below reviewer, NotFound, MergeRefused (already undone, came
    with an import, or a moved link was removed since)."""
    require_role(by, "reviewer", _("undo merges"))
    merge = session.scalars(select(RecordMerge).where(RecordMerge.id == merge_id)
                         .with_for_update()).first()
    if merge is None:
        raise NotFound(_("no merge {id}").format(id=merge_id))
    if merge.undone_at is not None:
        raise MergeRefused(_("merge {id} was already undone").format(id=merge_id))
    snapshot = json.loads(merge.snapshot)
    if snapshot.get("imported"):
        raise MergeRefused(_("merge {id} came with an import: the record it folded away is "
                             "not in this database, so it cannot be undone here").format(
            id=merge_id))
    act_as(session, by)
    with audit_action(session, "unmerge"):
        for item in snapshot["created"]:
            row = session.get(MODELS[item["table"]], item["id"])
            if row is not None:
                session.delete(row)
        session.flush()
        restored = {}
        for item in reversed(snapshot["deleted"]):  # the record first, then its links
            row = rebuilt(item["table"], item["row"])
            session.add(row)
            restored[(item["table"], row.id)] = row
        owners = {"person": Person, "incident": Incident}
        record = restored.get((merge.kind, merge.merged_id))
        for (table, _row_id), row in restored.items():
            for (link_table, column), relation in _RELATION.items():
                if (link_table == table and column == f"{merge.kind}_id"
                        and getattr(row, column) == merge.merged_id):
                    setattr(row, relation, record)  # seen by the sealing rules at once
        # The incidents whose links change; a restored incident is marked before its row
        # is written, so it is never back as verified without a second look.
        changed = {getattr(row, "incident_id", None) for row in restored.values()}
        if merge.kind == "incident":
            touch(record, by)
            changed = {merge.kept_id}
        for item in snapshot["moved"]:
            row = session.get(MODELS[item["table"]], item["id"])
            if row is None:
                raise MergeRefused(_("merge {id} cannot be undone: a link it moved was "
                                     "removed since").format(id=merge_id))
            if merge.kind == "person":
                changed.add(getattr(row, "incident_id", None))
            relation = _RELATION.get((item["table"], item["column"]))
            if relation:
                target = restored.get((merge.kind, item["from"])) or session.get(
                    owners[merge.kind], item["from"])
                setattr(row, relation, target)
            else:
                setattr(row, item["column"], item["from"])
        _touch_incidents(session, changed, by)
        merge.undone_at = utcnow()
        merge.undone_by_id = by.id
        session.flush()
    return _read(merge)


def list_merges(session: Session, *, by: Principal, limit: int = 200) -> list[MergeRead]:
    """The latest merges, newest first (reviewers and admins)."""
    require_role(by, "reviewer", _("see merges"))
    rows = session.scalars(select(RecordMerge).order_by(RecordMerge.id.desc()).limit(limit))
    return [_read(m) for m in rows]


def merge_records(session: Session, kept: str, merged: str, *, by: Principal,
                  score: float | None = None) -> MergeRead:
    """Merge by key: two person uids or two incident refs. Raises ValidationError when
    the keys are of different kinds, and what merge_people / merge_incidents raise."""
    people = sum(1 for key in (kept, merged) if len(key.strip()) == 36)
    if people == 2:
        return merge_people(session, kept, merged, by=by, score=score)
    if people == 0:
        return merge_incidents(session, kept, merged, by=by, score=score)
    raise ValidationError.single("records", _("give two person uids or two incident refs"))
