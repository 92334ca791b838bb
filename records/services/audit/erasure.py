"""Erasure that works: purging a person or an incident destroys its data key.

The rows go (each leaves a "purge" entry holding only a digest of its content), and the
owner's data key is destroyed: its sealed values (records/sealing.py), in the database and
in every trail entry that ever recorded them, can no longer be opened by anyone, the
installation's master key included. Once the purge commits, the key of every backup
generation made before it is destroyed too (records/services/backup/generations.py): an
older archive, whose data keys are wrapped under its generation key, opens no sealed value
any more, anyone's. The entries stay, so the chain still verifies. Values that were never
sealed (the name of a victim who consented to its publication) stay in the trail's past
entries and in older backups: docs/design.md §5 says which values are sealed.
"""

from __future__ import annotations

import re

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from records.audit_chain import append_event, purging
from records.errors import NotFound, SijilError, ValidationError
from records.i18n import _
from records.keys import FIELDS_PURPOSE, key_id
from records.models import (
    Attachment,
    CaseEvent,
    CustodyEvent,
    DataKey,
    Perpetrator,
    Person,
    ReviewComment,
    Victim,
)
from records.models.types import utcnow
from records.sealing import forget_data_key, incident_owner, person_owner
from records.services.access import Principal, act_as, require_role
from records.services.audit.purged_rows import hide_rows_only_in
from records.services.backup.generations import KeyRingError, destroy_generations
from records.services.evidence.store import (
    file_path,
    incident_file_key,
    remove_after_commit,
    sealed_path,
)
from records.services.incidents import load_incident
from records.services.search import forget_incident

_UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_keys = DataKey.__table__
_OLD_BACKUPS = "sijil.destroy_backup_generations"


def _destroy_old_backup_keys_after_commit(session: Session) -> None:
    # After the commit, never before: a purge that rolls back must leave older backups
    # as they were. A backup whose copy was taken before the commit has its key in the
    # ring by then (making.py puts it there first), so it is destroyed too.
    session.info[_OLD_BACKUPS] = True


@event.listens_for(OrmSession, "after_commit")
def _destroy_old_backup_keys(session: Session) -> None:
    if session.info.pop(_OLD_BACKUPS, False):
        try:
            destroy_generations()
        except (KeyRingError, OSError) as error:
            raise SijilError(_("the purge is done, but the keys of older backups could not "
                               "be destroyed: {error}").format(error=error)) from None


@event.listens_for(OrmSession, "after_rollback")
def _keep_old_backup_keys(session: Session) -> None:
    session.info.pop(_OLD_BACKUPS, None)


def destroy_data_key(session: Session, owner: str) -> str | None:
    """Destroy `owner`'s data key (the row stays, without the key, saying when) and record
    it in the trail. Returns the key's id, or None when the owner had none."""
    conn = session.connection()
    row = conn.execute(select(_keys.c.id, _keys.c.key_id).where(
        _keys.c.purpose == FIELDS_PURPOSE, _keys.c.owner == owner,
        _keys.c.wrapped.is_not(None))).first()
    forget_data_key(session, owner)
    if row is None:
        return None
    conn.execute(update(_keys).where(_keys.c.id == row.id).values(
        wrapped=None, destroyed_at=utcnow()))
    append_event(session, action="keys_destroy", entity_type="data_key",
                 changes={"owner": owner, "key_id": row.key_id})
    return row.key_id


def _reason(reason: str | None, what: str) -> str:
    if not reason or not reason.strip():
        raise ValidationError.single("reason", _("say why the {what} is purged").format(
            what=what))
    return reason.strip()


def purge_person(session: Session, uid: str, *, by: Principal, reason: str) -> None:
    """Delete the person for good, with their places in incidents (as victim, perpetrator,
    or the person a case event concerns), and destroy their data key. The incidents stay.
    Admins only, with a reason. Once it commits, older backups open no sealed value.

    Raises PermissionDenied, ValidationError (no reason), NotFound."""
    require_role(by, "admin", _("purge people"))
    why = _reason(reason, _("person"))
    person = session.scalars(select(Person).where(Person.uid == uid.strip().lower())
                             .with_for_update()).first()
    if person is None:
        raise NotFound(_("no person {uid}").format(uid=uid))
    act_as(session, by, why)
    owner = person_owner(person.uid)
    with purging(session):
        for model in (Victim, Perpetrator, CaseEvent):
            for row in session.scalars(select(model).where(model.person_id == person.id)
                                       ).all():
                session.delete(row)
        session.flush()
        session.delete(person)
    destroy_data_key(session, owner)
    _destroy_old_backup_keys_after_commit(session)


def purge_incident(session: Session, ref: str, *, by: Principal, reason: str) -> None:
    """Delete the incident for good, with its victims, perpetrators, citations, case
    events, review comments and evidence attachments, and destroy its data key. People,
    actors and sources stay (other incidents may cite them); those no other incident names
    are shown to reviewers and admins alone from then on, and the data keys of those people
    and sources are destroyed too (records/services/audit/purged_rows.py). Admins only,
    with a reason. Evidence files no other incident uses are removed from disk once the
    purge commits, and older backups then open no sealed value.

    Raises PermissionDenied (not an admin), ValidationError (no reason), NotFound."""
    require_role(by, "admin", _("purge incidents"))
    why = _reason(reason, _("incident"))
    incident = load_incident(session, ref, by=by, for_update=True)
    comments = session.scalars(select(ReviewComment).where(
        ReviewComment.incident_id == incident.id)).all()
    attachments = session.scalars(select(Attachment).where(
        Attachment.incident_id == incident.id)).all()
    custody = session.scalars(select(CustodyEvent).where(
        CustodyEvent.attachment_id.in_([a.id for a in attachments]))).all()
    owner = incident_owner(incident.ref)
    sealing = incident_file_key(session, incident.ref)
    files = [sealed_path(a.sha256, key_id(sealing[0])) for a in attachments] if sealing else []
    act_as(session, by, why)
    only_here = hide_rows_only_in(session, incident)
    with purging(session):
        for row in [*custody, *incident.victims, *incident.perpetrators,
                    *incident.citations, *incident.case_events, *comments]:
            session.delete(row)
        session.flush()
        for row in attachments:
            session.delete(row)
        session.flush()
        # The collections still hold the deleted rows; reload them (empty) before the
        # incident goes, or the ORM would try to detach rows that no longer exist.
        session.expire(incident, ["victims", "perpetrators", "citations", "case_events"])
        forget_incident(session, incident.id)  # its searchable text goes with it
        session.delete(incident)
    for attachment in attachments:
        if session.scalar(select(Attachment.id).where(
                Attachment.sha256 == attachment.sha256).limit(1)) is None:
            files.append(file_path(attachment.sha256))
    # Its sealed values, here and in the trail, and its sealed files become unreadable,
    # and so do those of the people and sources only it named.
    for erased in (owner, *only_here):
        destroy_data_key(session, erased)
    remove_after_commit(session, files)
    _destroy_old_backup_keys_after_commit(session)


def purge(session: Session, target: str, *, by: Principal, reason: str) -> str:
    """Purge the incident REF or the person UID `target` (as purge_incident or
    purge_person); returns what was purged, in words."""
    target = target.strip()
    if _UID.fullmatch(target):
        purge_person(session, target, by=by, reason=reason)
        return _("person {uid}").format(uid=target.lower())
    purge_incident(session, target, by=by, reason=reason)
    return _("incident {ref}").format(ref=target.upper())

