"""The review workflow: draft → submitted → verified → published, returned, archived."""

from __future__ import annotations

from sqlmodel import Session

from records.audit_chain import audit_action
from records.errors import PermissionDenied, ValidationError
from records.i18n import _
from records.models import ReviewComment
from records.models.incident_io import IncidentRead
from records.services.incident_read import incident_read, load_incident
from records.services.incidents import check_version, flush_or_conflict
from records.services.permissions import check_can_edit, check_four_eyes, require_role
from records.services.principal import Principal, act_as


def _wrong_status(ref: str, status: str, action: str) -> PermissionDenied:
    return PermissionDenied(_("{ref} is {status}: it cannot be {action} now.").format(
        ref=ref, status=status, action=action))


def _transition(session: Session, ref: str, *, actor: Principal, expected_version: int,
                action: str, allowed_from: tuple[str, ...], to: str, role: str,
                reason: str | None = None, four_eyes: bool = False, **fields) -> IncidentRead:
    incident = load_incident(session, ref, actor=actor, for_update=True)
    if action in ("submitted", "reopened"):
        check_can_edit(actor, incident)
    else:
        require_role(actor, role, _("{action} incidents").format(action=action))
    check_version(session, incident, expected_version)
    if incident.status not in allowed_from:
        raise _wrong_status(incident.ref, incident.status, action)
    if four_eyes:
        check_four_eyes(actor, incident)
    act_as(session, actor, reason)
    verb = {"submitted": "submit", "verified": "verify", "returned": "return",
            "published": "publish", "archived": "archive", "reopened": "reopen"}[action]
    with audit_action(session, verb, reason):
        incident.status = to
        for key, value in fields.items():
            setattr(incident, key, value)
        if reason and action == "returned":
            session.add(ReviewComment(incident_id=incident.id, author_id=actor.id, body=reason))
        flush_or_conflict(session, incident)
    return incident_read(session, incident, actor)


def submit_incident(session: Session, ref: str, *, actor: Principal, expected_version: int,
                    reason: str | None = None) -> IncidentRead:
    """Send a draft for review (its author, or a reviewer)."""
    return _transition(session, ref, actor=actor, expected_version=expected_version,
                       action="submitted", allowed_from=("draft",), to="submitted",
                       role="caseworker", reason=reason, submitted_by_id=actor.id)


def verify_incident(session: Session, ref: str, *, actor: Principal, expected_version: int,
                    reason: str | None = None) -> IncidentRead:
    """Verify a submitted incident: reviewers only, never the one who last edited or
    submitted it (four eyes)."""
    return _transition(session, ref, actor=actor, expected_version=expected_version,
                       action="verified", allowed_from=("submitted",), to="verified",
                       role="reviewer", reason=reason, four_eyes=True,
                       verified_by_id=actor.id)


def return_incident(session: Session, ref: str, *, actor: Principal, expected_version: int,
                    comment: str) -> IncidentRead:
    """Send a submitted incident back to its caseworker with a required comment."""
    if not comment or not comment.strip():
        raise ValidationError.single("comment", _("say what needs to change"))
    return _transition(session, ref, actor=actor, expected_version=expected_version,
                       action="returned", allowed_from=("submitted",), to="returned",
                       role="reviewer", reason=comment.strip())


def reopen_incident(session: Session, ref: str, *, actor: Principal, expected_version: int
                    ) -> IncidentRead:
    """Take a returned incident back into draft."""
    return _transition(session, ref, actor=actor, expected_version=expected_version,
                       action="reopened", allowed_from=("returned",), to="draft",
                       role="caseworker")


def publish_incident(session: Session, ref: str, *, actor: Principal, expected_version: int,
                     reason: str | None = None) -> IncidentRead:
    return _transition(session, ref, actor=actor, expected_version=expected_version,
                       action="published", allowed_from=("verified",), to="published",
                       role="reviewer", reason=reason)


def archive_incident(session: Session, ref: str, *, actor: Principal, expected_version: int,
                     reason: str) -> IncidentRead:
    """Archive (soft-delete) an incident from any status: admins only, with a reason."""
    if not reason or not reason.strip():
        raise ValidationError.single("reason", _("say why the incident is archived"))
    return _transition(session, ref, actor=actor, expected_version=expected_version,
                       action="archived",
                       allowed_from=("draft", "submitted", "returned", "verified", "published"),
                       to="archived", role="admin", reason=reason.strip())


def add_comment(session: Session, ref: str, body: str, *, actor: Principal) -> IncidentRead:
    """A review comment on an incident (anyone who may edit or review it)."""
    if not body or not body.strip():
        raise ValidationError.single("comment", _("the comment is empty"))
    incident = load_incident(session, ref, actor=actor)
    if incident.created_by_id != actor.id:
        require_role(actor, "reviewer", _("comment on incidents"))
    act_as(session, actor)
    session.add(ReviewComment(incident_id=incident.id, author_id=actor.id, body=body.strip()))
    session.flush()
    return incident_read(session, incident, actor)
