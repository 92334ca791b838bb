"""The review workflow: draft → submitted → verified → published, returned, archived."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from records.audit_chain import audit_action
from records.errors import PermissionDenied, ValidationError
from records.i18n import N_, _
from records.labels import status_name
from records.models import ReviewComment
from records.models.incident_io import IncidentRead
from records.services.access import (
    Principal,
    act_as,
    check_can_edit,
    check_four_eyes,
    has_role,
    require_role,
)
from records.services.incidents import (
    check_version,
    flush_or_conflict,
    incident_read,
    load_incident,
)


@dataclass(frozen=True)
class Step:
    """One workflow step: from which statuses, to which, and the role it needs."""

    allowed_from: tuple[str, ...]
    to: str
    role: str
    doing: str  # what the role may do, for "may not …" (translated where shown)
    refused: str  # why not now, with {ref} and {status} (translated where shown)


_EDITABLE = ("draft", "submitted", "returned", "verified", "published")
STEPS = {
    # A returned record may go straight back to review once fixed: editing it makes it a
    # draft again, so this only saves a caseworker a click.
    "submit": Step(("draft", "returned"), "submitted", "caseworker",
                   N_("submit incidents"),
                   N_("{ref} cannot be submitted now: its status is {status}.")),
    "verify": Step(("submitted",), "verified", "reviewer", N_("verify incidents"),
                   N_("{ref} cannot be verified now: its status is {status}.")),
    "return": Step(("submitted",), "returned", "reviewer", N_("return incidents"),
                   N_("{ref} cannot be returned now: its status is {status}.")),
    "reopen": Step(("returned",), "draft", "caseworker", N_("reopen incidents"),
                   N_("{ref} cannot be reopened now: its status is {status}.")),
    "publish": Step(("verified",), "published", "reviewer", N_("publish incidents"),
                    N_("{ref} cannot be published now: its status is {status}.")),
    "archive": Step(_EDITABLE, "archived", "admin", N_("archive incidents"),
                    N_("{ref} cannot be archived now: its status is {status}.")),
}
# Steps that change the record's own content-status: they need the right to edit it.
_AUTHOR_STEPS = ("submit", "reopen")


def workflow_actions(by: Principal, record) -> list[str]:
    """The steps the role of `by` and the record's status allow now, in STEPS order (the
    author rule and four eyes are checked again when a step is taken)."""
    return [name for name, step in STEPS.items()
            if record.status in step.allowed_from and has_role(by, step.role)]


def _transition(session: Session, ref: str, name: str, *, by: Principal,
                expected_version: int, reason: str | None = None, four_eyes: bool = False,
                **fields) -> IncidentRead:
    step = STEPS[name]
    incident = load_incident(session, ref, by=by, for_update=True)
    if name in _AUTHOR_STEPS:
        check_can_edit(by, incident)
    else:
        require_role(by, step.role, _(step.doing))
    check_version(session, incident, expected_version)
    if incident.status not in step.allowed_from:
        raise PermissionDenied(_(step.refused).format(
            ref=incident.ref, status=status_name(incident.status)))
    if four_eyes:
        check_four_eyes(by, incident)
    act_as(session, by, reason)
    with audit_action(session, name, reason):
        incident.status = step.to
        for key, value in fields.items():
            setattr(incident, key, value)
        if reason and name == "return":
            session.add(ReviewComment(incident_id=incident.id, author_id=by.id, body=reason))
        flush_or_conflict(session, incident)
    return incident_read(session, incident, by)


def submit_incident(session: Session, ref: str, *, by: Principal, expected_version: int,
                    reason: str | None = None) -> IncidentRead:
    """Send a draft (or a returned record) for review: its author, or a reviewer."""
    return _transition(session, ref, "submit", by=by, expected_version=expected_version,
                       reason=reason, submitted_by_id=by.id)


def verify_incident(session: Session, ref: str, *, by: Principal, expected_version: int,
                    reason: str | None = None) -> IncidentRead:
    """Verify a submitted incident: a named reviewer, never the one who last edited or
    submitted it, and never the system principal (four eyes). Raises PermissionDenied
    otherwise, NotFound for a ref `by` cannot see, ConflictError for a stale version."""
    return _transition(session, ref, "verify", by=by, expected_version=expected_version,
                       reason=reason, four_eyes=True, verified_by_id=by.id)


def return_incident(session: Session, ref: str, *, by: Principal, expected_version: int,
                    comment: str) -> IncidentRead:
    """Send a submitted incident back to its caseworker with a required comment."""
    if not comment or not comment.strip():
        raise ValidationError.single("comment", _("say what needs to change"))
    return _transition(session, ref, "return", by=by, expected_version=expected_version,
                       reason=comment.strip())


def reopen_incident(session: Session, ref: str, *, by: Principal, expected_version: int
                    ) -> IncidentRead:
    """Take a returned incident back into draft."""
    return _transition(session, ref, "reopen", by=by, expected_version=expected_version)


def publish_incident(session: Session, ref: str, *, by: Principal, expected_version: int,
                     reason: str | None = None) -> IncidentRead:
    """Publish a verified incident (reviewers)."""
    return _transition(session, ref, "publish", by=by,
                       expected_version=expected_version, reason=reason)


def archive_incident(session: Session, ref: str, *, by: Principal, expected_version: int,
                     reason: str) -> IncidentRead:
    """Archive (soft-delete) an incident from any status: admins only, with a reason."""
    if not reason or not reason.strip():
        raise ValidationError.single("reason", _("say why the incident is archived"))
    return _transition(session, ref, "archive", by=by,
                       expected_version=expected_version, reason=reason.strip())


def add_comment(session: Session, ref: str, body: str, *, by: Principal) -> IncidentRead:
    """A review comment on an incident (anyone who may edit or review it)."""
    if not body or not body.strip():
        raise ValidationError.single("comment", _("the comment is empty"))
    incident = load_incident(session, ref, by=by)
    if incident.created_by_id != by.id:
        require_role(by, "reviewer", _("comment on incidents"))
    act_as(session, by)
    session.add(ReviewComment(incident_id=incident.id, author_id=by.id, body=body.strip()))
    session.flush()
    return incident_read(session, incident, by)
