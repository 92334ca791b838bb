"""Which values are sealed, and with whose key: the rules of records/sealing.py (its
docstring has the table, docs/design.md §5 the reasons). Nothing here reads or makes a key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from records.models import Attachment, Citation, Incident, Perpetrator, Person, Source, Victim
from records.sealed_coordinates import CARRIER

NAME_FIELDS = ("full_name", "name_original", "aliases")
SEALABLE: dict[str, tuple[str, ...]] = {
    "person": ("contact", *NAME_FIELDS),
    "source": ("title",),
    "citation": ("statement", "quote"),
    # What identifies the people of a restricted case, not only its narrative.
    "incident": ("narrative", "title", "admin2", "locality", "tags", CARRIER),
    "victim": ("harm_description",),
    "perpetrator": ("basis",),
    "attachment": ("description",),
}
# The rows sealed with their incident's key, while it is restricted.
INCIDENT_PARTS = (Citation, Victim, Perpetrator, Attachment)

# Set by the sealing listener for one flush: the pending victim links by person.
PENDING_VICTIMS = "sijil.pending_victims"


def person_owner(uid: str) -> str:
    return f"person:{uid}"


def incident_owner(ref: str) -> str:
    return f"incident:{ref}"


def source_owner(uid: str) -> str:
    return f"source:{uid}"


def related(session: Session, obj: Any, name: str, model: type, key: int | None):
    loaded = obj.__dict__.get(name)  # the related row, when the relationship is loaded
    if isinstance(loaded, model):
        return loaded
    if key is None:
        return None
    with session.no_autoflush:
        return session.get(model, key)


def owner_of(session: Session, obj: Any) -> str | None:
    if isinstance(obj, Person):
        return person_owner(obj.uid)
    if isinstance(obj, Source):
        return source_owner(obj.uid)
    if isinstance(obj, Incident):
        return incident_owner(obj.ref)
    if isinstance(obj, INCIDENT_PARTS):
        incident = _incident_of(session, obj)
        return None if incident is None else incident_owner(incident.ref)
    return None


def _incident_of(session: Session, part: Any) -> Incident | None:
    if part.incident_id is None and "incident" not in part.__dict__:
        return None  # an evidence file of a source only
    return related(session, part, "incident", Incident, part.incident_id)


def pending_victims(session: Session) -> dict[int, list[Victim]]:
    """The victim links about to be written, by the id() of their person."""
    found: dict[int, list[Victim]] = {}
    deleted = session.deleted  # a new set at each access: taken once
    for v in (*session.new, *session.dirty):
        if isinstance(v, Victim) and v not in deleted:
            person = related(session, v, "person", Person, v.person_id)
            found.setdefault(id(person), []).append(v)
    return found


def _consented_somewhere(session: Session, person: Person) -> bool:
    # In the listener the index is built once per flush: a batch of thousands of rows
    # must not scan every pending row for every person.
    index = session.info.get(PENDING_VICTIMS)
    pending = (index if index is not None else pending_victims(session)).get(id(person), [])
    if any(v.consent_to_publish_name for v in pending):
        return True
    if person.id is None:
        return False
    skip = [v.id for v in (*pending, *(d for d in session.deleted if isinstance(d, Victim)))
            if v.id is not None]
    query = select(Victim.__table__.c.id).where(
        Victim.__table__.c.person_id == person.id,
        Victim.__table__.c.consent_to_publish_name == true())
    if skip:
        query = query.where(Victim.__table__.c.id.not_in(skip))
    return session.connection().execute(query.limit(1)).first() is not None


def name_withheld(session: Session, person: Person) -> bool:
    """The rule of redaction.may_show_name, for the person rather than one victim link:
    a witness's name always; anyone else's unless a public figure or a victim who
    consented to publication in at least one incident."""
    if "witness" in (person.profiles or ()):
        return True
    return not (person.is_public_figure or _consented_somewhere(session, person))


def _confidential(session: Session, citation: Citation) -> bool:
    source = related(session, citation, "source", Source, citation.source_id)
    return bool(source is not None and source.is_confidential)


def sealed_fields(session: Session, obj: Any) -> frozenset[str]:
    """The fields of `obj` that must be sealed as it is now."""
    if isinstance(obj, Person):
        return frozenset(("contact", *NAME_FIELDS) if name_withheld(session, obj)
                         else ("contact",))
    if isinstance(obj, Source):
        return frozenset(("title",)) if obj.is_confidential else frozenset()
    if isinstance(obj, Citation):
        return frozenset(("statement", "quote")) if _confidential(session, obj) else frozenset()
    if isinstance(obj, Incident):
        return frozenset(SEALABLE["incident"]) if obj.sensitivity == "restricted" else (
            frozenset())
    if isinstance(obj, Victim | Perpetrator | Attachment):
        incident = _incident_of(session, obj)
        return frozenset(SEALABLE[type(obj).__tablename__]) if (
            incident is not None and incident.sensitivity == "restricted") else frozenset()
    return frozenset()
