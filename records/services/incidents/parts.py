"""Victims, perpetrators, citations and case events of an existing incident.

Each change is an edit of the incident: it needs the right to edit it, the version the user
saw, and it bumps the incident's version so other open copies become stale."""

from __future__ import annotations

from sqlmodel import Session

from records.errors import FieldProblem, NotFound, ValidationError
from records.i18n import _
from records.models import CaseEvent, Citation, Perpetrator, Victim
from records.models.incident_io import (
    CaseEventInput,
    CitationInput,
    IncidentRead,
    PerpetratorInput,
    VictimInput,
)
from records.sealing import open_row
from records.services.access import Principal, act_as, check_can_edit
from records.services.incidents.build import (
    build_case_event,
    build_citation,
    build_perpetrator,
    build_victim,
    case_event_values,
    derive_counts,
)
from records.services.incidents.editing import check_version, flush_or_conflict, touch
from records.services.incidents.public_figure import mark_public_figure
from records.services.incidents.read import incident_read, load_incident
from records.services.validation import parse

_PARTS = {
    "victims": (VictimInput, build_victim, Victim),
    "perpetrators": (PerpetratorInput, build_perpetrator, Perpetrator),
    "citations": (CitationInput, build_citation, Citation),
    "case_events": (CaseEventInput, build_case_event, CaseEvent),
}


def _editable(session: Session, ref: str, by: Principal, expected_version: int):
    incident = load_incident(session, ref, by=by, for_update=True)
    check_can_edit(by, incident)
    check_version(session, incident, expected_version)
    return incident


def add_part(session: Session, ref: str, part: str, data, *, by: Principal,
             expected_version: int, reason: str | None = None) -> IncidentRead:
    """Attach a victim, perpetrator, citation or case event (`part` names which)."""
    model, build, _row = _PARTS[part]
    item = parse(model, data, prefix=f"{part}.0.")
    incident = _editable(session, ref, by, expected_version)
    problems: list = []
    row = build(session, by, item, f"{part}.0.", problems)
    if part == "case_events" and row is not None:
        mark_public_figure(session, row.person, item.person_public_figure,
                           incident_id=incident.id, field="case_events.0.person_public_figure",
                           problems=problems)
    if part == "victims" and row is not None and any(
            v.person_id == row.person.id for v in incident.victims if row.person.id):
        problems.append(FieldProblem("victims.0.person_uid",
                                     _("this person is already a victim here")))
    if problems or row is None:
        raise ValidationError(problems)
    act_as(session, by, reason)
    getattr(incident, part).append(row)
    derive_counts(incident)
    touch(incident, by)
    flush_or_conflict(session, incident)
    return incident_read(session, incident, by)


def _find(incident, part: str, part_id: int):
    for row in getattr(incident, part):
        if row.id == part_id:
            return row
    raise NotFound(_("no such entry in {ref}").format(ref=incident.ref))


def update_victim(session: Session, ref: str, victim_id: int, changes: dict, *,
                  by: Principal, expected_version: int, reason: str | None = None
                  ) -> IncidentRead:
    """Change a victim's outcome, harm description or consent to publish the name."""
    incident = _editable(session, ref, by, expected_version)
    victim = _find(incident, "victims", victim_id)
    allowed = {"outcome", "harm_description", "consent_to_publish_name"}
    if set(changes) - allowed:
        raise ValidationError.single(sorted(set(changes) - allowed)[0],
                                     _("this field cannot be changed here"))
    # The harm as its readers see it: sealed while the incident is restricted.
    current = {"outcome": victim.outcome,
               "harm_description": open_row(session, victim)["harm_description"],
               "consent_to_publish_name": victim.consent_to_publish_name}
    merged = {**current, **changes, "person_uid": victim.person.uid}
    item = parse(VictimInput, merged, prefix="victims.0.")
    problems: list = []
    build_victim(session, by, item, "victims.0.", problems)
    if problems:
        raise ValidationError(problems)
    act_as(session, by, reason)
    for key in changes:
        if getattr(item, key) != current[key]:
            setattr(victim, key, getattr(item, key))
    if session.is_modified(victim):
        derive_counts(incident)
        touch(incident, by)
        flush_or_conflict(session, incident)
    return incident_read(session, incident, by)


# Whom a case event concerns: naming anyone in a change replaces whoever it named before,
# since it concerns one person or one group.
_CONCERNED = ("person_uid", "person", "actor_uid", "actor")
_CASE_EVENT_FIELDS = {"date", "date_precision", "kind", "description", "source_uid",
                      "person_public_figure", *_CONCERNED}


def update_case_event(session: Session, ref: str, event_id: int, changes: dict, *,
                      by: Principal, expected_version: int, reason: str | None = None
                      ) -> IncidentRead:
    """Change a case event: its date and precision, kind, description, source, or the
    person or group it concerns (an existing one by uid, or a new one).

    Raises NotFound for an event not of this incident, ValidationError naming the field
    (`case_events.0.…`), ConflictError for a stale version; a change that changes nothing
    writes nothing."""
    incident = _editable(session, ref, by, expected_version)
    event = _find(incident, "case_events", event_id)
    unknown = set(changes) - _CASE_EVENT_FIELDS
    if unknown:
        raise ValidationError.single(f"case_events.0.{sorted(unknown)[0]}",
                                     _("this field cannot be changed here"))
    current = {"date": event.date, "date_precision": event.date_precision,
               "kind": event.kind, "description": event.description,
               "source_uid": event.source.uid if event.source else None,
               "person_uid": event.person.uid if event.person else None,
               "actor_uid": event.actor.uid if event.actor else None}
    if set(changes) & set(_CONCERNED):
        current = {k: v for k, v in current.items() if k not in _CONCERNED}
    item = parse(CaseEventInput, {**current, **changes}, prefix="case_events.0.")
    problems: list = []
    with session.no_autoflush:
        values = case_event_values(session, by, item, "case_events.0.", problems)
        mark_public_figure(session, values["person"], item.person_public_figure,
                           incident_id=incident.id, field="case_events.0.person_public_figure",
                           problems=problems)
    if problems:
        raise ValidationError(problems)
    act_as(session, by, reason)
    for key, value in values.items():
        if getattr(event, key) is not value and getattr(event, key) != value:
            setattr(event, key, value)
    person = values["person"]
    if session.is_modified(event) or (person is not None and session.is_modified(person)):
        touch(incident, by)
        flush_or_conflict(session, incident)
    return incident_read(session, incident, by)


def remove_part(session: Session, ref: str, part: str, part_id: int, *, by: Principal,
                expected_version: int, reason: str | None = None) -> IncidentRead:
    """Detach a victim, perpetrator, citation or case event; the people and sources stay,
    and the trail keeps what the removed link said."""
    incident = _editable(session, ref, by, expected_version)
    row = _find(incident, part, part_id)
    act_as(session, by, reason)
    getattr(incident, part).remove(row)
    session.delete(row)
    touch(incident, by)
    flush_or_conflict(session, incident)
    return incident_read(session, incident, by)
