"""What a purged incident alone held: the people, groups and sources no other incident
names. They stay as rows (other records may have been merged with them, and a person is
purged on their own with `sijil purge UID`), but they are shown to reviewers and admins
alone from then on (records/services/access/unlinked.py), and the data keys of those people
and sources are destroyed with the incident's: a witness's name, a contact, a confidential
source's title, sealed in the database, the trail and backups, can never be opened again.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from records.models import Incident, Person, Source
from records.sealing import person_owner, source_owner
from records.services.access import LINKS, leave_to_reviewers

_OWNER = {Person: person_owner, Source: source_owner}


def hide_rows_only_in(session: Session, incident: Incident) -> list[str]:
    """Leave the rows only `incident` names to reviewers once it is purged (call this
    before its links go), and return the owners of their data keys (people and sources;
    groups have none), for the purge to destroy once the links are gone."""
    rows = []
    for model, links in LINKS.items():
        here = or_(*[model.id.in_(select(column).where(incident_id == incident.id))
                     for column, incident_id in links])
        elsewhere = [model.id.not_in(select(column).where(
            incident_id != incident.id, column.is_not(None))) for column, incident_id in links]
        rows += session.scalars(select(model).where(here, and_(*elsewhere))
                                .order_by(model.id)).all()
    leave_to_reviewers(session, rows)
    return [_OWNER[type(row)](row.uid) for row in rows if type(row) in _OWNER]
