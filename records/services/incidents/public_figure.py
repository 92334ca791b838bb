"""Marking the person a follow-up event concerns (a commander, an official) a public
figure, so that a suspect arrested in public is named where the rules allow
(redaction.may_show_name)."""

from __future__ import annotations

from sqlalchemy import func, union_all
from sqlmodel import Session, select

from records.errors import FieldProblem
from records.i18n import _
from records.models import CaseEvent, Incident, Perpetrator, Person, Victim
from records.models.incident import STATUSES

_REVIEWED = tuple(s for s in STATUSES if s in ("verified", "published"))


def _reviewed_elsewhere(session: Session, person_id: int, incident_id: int | None) -> int:
    """How many verified or published incidents other than `incident_id` name the person."""
    links = union_all(*(select(model.incident_id.label("incident_id"))
                        .where(model.person_id == person_id)
                        for model in (Victim, Perpetrator, CaseEvent))).subquery()
    query = (select(func.count(func.distinct(Incident.id)))
             .where(Incident.id == links.c.incident_id, Incident.status.in_(_REVIEWED)))
    if incident_id is not None:
        query = query.where(Incident.id != incident_id)
    return session.exec(query).one()


def mark_public_figure(session: Session, person: Person | None, value: bool | None, *,
                       incident_id: int | None, field: str,
                       problems: list[FieldProblem]) -> None:
    """Set the person's public-figure mark to `value` (None: leave it). The mark names the
    person in every incident; it changes here only when no other verified or published
    incident names them, since that one would be named without a second person's review
    (the edited incident itself goes back to review as any edit does)."""
    if value is None or person is None or bool(person.is_public_figure) == value:
        return
    if person.id is not None and _reviewed_elsewhere(session, person.id, incident_id):
        problems.append(FieldProblem(field, _(
            "this person is named in another verified incident, which the mark would "
            "change without review"), value))
        return
    person.is_public_figure = value
