"""The role rules of docs/design.md §4, in one place."""

from __future__ import annotations

from records.errors import PermissionDenied
from records.i18n import _
from records.labels import role_name
from records.models import Incident
from records.services.access.principal import ROLE_RANK, Principal

EDITABLE_BY_CASEWORKER = ("draft", "returned")
# What viewers read: records a second person has verified. Drafts, records in review or sent
# back, and archived ones are work in progress, for caseworkers and up (docs/design.md §4).
SEEN_BY_VIEWERS = ("verified", "published")


def has_role(by: Principal, role: str) -> bool:
    return ROLE_RANK.get(by.role, -1) >= ROLE_RANK[role]


def require_role(by: Principal, role: str, doing: str) -> None:
    if not has_role(by, role):
        raise PermissionDenied(
            _("{user} ({role}) may not {doing}: it needs the {needed} role.").format(
                user=by.username, role=role_name(by.role), doing=doing,
                needed=role_name(role)
            )
        )


def can_see_restricted(by: Principal, incident: Incident | None = None) -> bool:
    if has_role(by, "reviewer"):
        return True
    return incident is not None and by.id is not None and incident.created_by_id == by.id


def can_see_incident(by: Principal, incident: Incident) -> bool:
    """Whether `by` may read the incident at all; `visibility.visible_incidents` is its SQL
    twin and must say the same."""
    if not has_role(by, "caseworker") and incident.status not in SEEN_BY_VIEWERS:
        return False
    if incident.sensitivity != "restricted":
        return True
    return can_see_restricted(by, incident)


def can_see_personal_data(by: Principal) -> bool:
    """Names without consent and contacts: everyone who enters or reviews data, not viewers."""
    return has_role(by, "caseworker")


def check_can_edit(by: Principal, incident: Incident) -> None:
    """Caseworkers edit their own drafts and returned records; reviewers and admins any
    record that is not archived."""
    if incident.status == "archived":
        raise PermissionDenied(
            _("{ref} is archived and cannot be edited.").format(ref=incident.ref)
        )
    if has_role(by, "reviewer"):
        return
    require_role(by, "caseworker", _("edit incidents"))
    if incident.created_by_id != by.id:
        raise PermissionDenied(
            _("{ref} was created by someone else; only its author or a reviewer may edit it.")
            .format(ref=incident.ref)
        )
    if incident.status not in EDITABLE_BY_CASEWORKER:
        raise PermissionDenied(
            _("{ref} is {status}; caseworkers edit only drafts and returned records.")
            .format(ref=incident.ref, status=incident.status)
        )


def check_four_eyes(by: Principal, incident: Incident) -> None:
    """Verifying needs a named user who neither last edited nor submitted the record: the
    system principal never verifies, since no second person would stand behind it."""
    if by.is_system:
        raise PermissionDenied(
            _("Four-eyes rule: {ref} must be verified by a named reviewer who did not edit "
              "or submit it, not by the system.").format(ref=incident.ref)
        )
    if by.id in (incident.last_edited_by_id, incident.submitted_by_id):
        raise PermissionDenied(
            _("Four-eyes rule: you last edited or submitted {ref}, so another reviewer must "
              "verify it.").format(ref=incident.ref)
        )
