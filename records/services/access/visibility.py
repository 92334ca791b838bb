"""Who may see which rows, as SQL conditions: the twins of `can_see_incident` for lists,
counts, filter options and lookups, so that no read is wider than the incident pages.

People, actors and sources are shared between incidents. One of them is visible to a user
when it appears (as victim, perpetrator, cited source, or in a case event) in an incident
that user may see; one that appears only in incidents the user may not see does not exist
for them: a lookup does not offer it and a reference to its uid is refused as unknown.
One that appears in no incident at all is visible to the roles its `unlinked_seen_by`
names (records/services/access/unlinked.py): those who could see it just before it left
its last incident, reviewers alone when a purge took that incident, or when nobody knows.

| the row appears in                    | visible to                                      |
|---------------------------------------|-------------------------------------------------|
| an incident `by` may see              | `by`                                            |
| only incidents `by` may not see       | reviewers and admins (and whoever may see one)  |
| no incident                           | reviewers and admins, and the roles from        |
|                                       | `unlinked_seen_by` up (NULL: nobody else)       |
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, String, and_, cast, exists, not_, or_, true

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
from records.models.person import UNLINKED_ROLES
from records.services.access.permissions import (
    SEEN_BY_VIEWERS,
    can_see_personal_data,
    has_role,
)
from records.services.access.principal import Principal

# Where a person, group or source appears: (link column, its incident's id column).
LINKS = {
    Person: ((Victim.person_id, Victim.incident_id),
             (Perpetrator.person_id, Perpetrator.incident_id),
             (CaseEvent.person_id, CaseEvent.incident_id)),
    Actor: ((Perpetrator.actor_id, Perpetrator.incident_id),
            (CaseEvent.actor_id, CaseEvent.incident_id)),
    Source: ((Citation.source_id, Citation.incident_id),
             (CaseEvent.source_id, CaseEvent.incident_id)),
}


def visible_incidents(by: Principal) -> ColumnElement[bool]:
    """The incidents `by` may see (the SQL twin of `can_see_incident`): every one for
    reviewers and admins; otherwise those not restricted and the restricted ones `by`
    created, and of these, below caseworker, only the verified and published."""
    if has_role(by, "reviewer"):
        return true()
    visible = Incident.sensitivity != "restricted"
    if by.id is not None:
        visible = or_(visible, Incident.created_by_id == by.id)
    if not has_role(by, "caseworker"):
        visible = and_(visible, Incident.status.in_(SEEN_BY_VIEWERS))
    return visible


def _linked(by: Principal, model) -> ColumnElement[bool]:
    """In an incident `by` may see; or in none at all, and left to `by`'s role or below
    (the table of the module docstring; called below reviewer)."""
    links = LINKS[model]
    seen = [exists().where(column == model.id, incident_id == Incident.id, visible_incidents(by))
            for column, incident_id in links]
    anywhere = [exists().where(column == model.id) for column, _incident_id in links]
    roles = [role for role in UNLINKED_ROLES if has_role(by, role)]
    return or_(*seen, and_(not_(or_(*anywhere)), model.unlinked_seen_by.in_(roles)))


def visible_people(by: Principal) -> ColumnElement[bool]:
    """People (victims, alleged perpetrators, those a case event concerns) `by` may see or
    refer to."""
    if has_role(by, "reviewer"):
        return true()
    return _linked(by, Person)


def visible_actors(by: Principal) -> ColumnElement[bool]:
    """Perpetrating groups `by` may see or refer to."""
    if has_role(by, "reviewer"):
        return true()
    return _linked(by, Actor)


def visible_sources(by: Principal) -> ColumnElement[bool]:
    """Sources `by` may see or refer to; confidential ones only for those who may see
    personal data."""
    if has_role(by, "reviewer"):
        return true()
    visible = _linked(by, Source)
    if not can_see_personal_data(by):
        visible = and_(visible, not_(Source.is_confidential))
    return visible


def visible_rows(model, by: Principal) -> ColumnElement[bool]:
    """The condition for people, actors or sources, chosen by model."""
    return {Person: visible_people, Actor: visible_actors, Source: visible_sources}[model](by)


def victims_named_to(by: Principal) -> ColumnElement[bool]:
    """The victims whose names `by` sees: the SQL twin of redaction.may_show_name, so a
    search by a withheld name cannot tell where that person appears."""
    if can_see_personal_data(by):
        return true()
    # Profiles are a JSON list of codes; its text holds "witness" with the quotes.
    witness = cast(Person.profiles, String).contains('"witness"')
    return and_(or_(Victim.consent_to_publish_name, Person.is_public_figure), not_(witness))
