"""What the index holds for an incident, written to search_text straight from the stored
rows, in chunks, with SQLAlchemy Core on the caller's connection (so an ORM unit of work and
a batched Core import feed it the same way, in their own transaction).

- title: the title.
- body: the ref, the narrative, the places (governorate code and its English, Arabic and
  Sorani names, district) and the names and aliases of the perpetrating groups.
- names_public / names_all: see records.models.search.SearchText. The locality goes with
  names_all: the public level leaves it out (redaction.redact_place), so only readers who
  read the exact place (caseworkers and up) may find an incident by it.
- An incident that names someone whose name a reader may be refused (an unconsented victim,
  a witness, anyone not a public figure, as victim, perpetrator or the person a follow-up
  event concerns) keeps its title and narrative in names_all instead: they may name that
  person, and the public level cuts the name from them (access/withheld_text.py), so only
  readers of every name may find the incident by their words.

A value stored sealed (records/sealing.py) is never opened here: it is left out. A
restricted incident is therefore indexed by its ref, its governorate and the names and
groups stored in clear: its title, narrative, district and locality are sealed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from sqlalchemy import Connection, delete, insert, select

from records.models import (
    Actor,
    CaseEvent,
    Incident,
    Perpetrator,
    Person,
    SearchText,
    Victim,
    VocabularyTerm,
)
from records.sealing import is_sealed
from records.services.access import may_show_name
from records.services.search.folding import fold

CHUNK = 500
_search = SearchText.__table__
_incident = Incident.__table__
_person = Person.__table__
_victim = Victim.__table__
_perpetrator = Perpetrator.__table__
_actor = Actor.__table__
_case_event = CaseEvent.__table__
_terms = VocabularyTerm.__table__


def _clear(value) -> str | None:
    """`value` as text when it is stored in clear; None when sealed or empty."""
    if value is None or is_sealed(value):
        return None
    if isinstance(value, list):
        return " ".join(str(v) for v in value if v and not is_sealed(v)) or None
    return str(value) or None


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def governorate_names(conn: Connection) -> dict[str, str]:
    """Governorate code → its names in every language the vocabulary holds."""
    rows = conn.execute(select(_terms.c.code, _terms.c.label_en, _terms.c.label_ar,
                               _terms.c.label_ku).where(_terms.c.vocabulary == "governorate"))
    return {r.code: " ".join(x for x in (r.label_en, r.label_ar, r.label_ku) if x)
            for r in rows}


def _person_names(row) -> str | None:
    return " ".join(x for x in (_clear(row.full_name), _clear(row.name_original),
                                _clear(row.aliases)) if x) or None


def _shown_to_all(row, consented: bool) -> bool:
    """Whether a reader without every name may see this person's name (the one rule)."""
    return may_show_name(profiles=row.profiles, is_public_figure=bool(row.is_public_figure),
                         consented=bool(consented), all_names=False)


def documents(conn: Connection, ids: list[int], places: dict[str, str]) -> list[dict]:
    """The search_text rows of the incidents `ids` that exist."""
    names_public: dict[int, list[str]] = defaultdict(list)
    names_all: dict[int, list[str]] = defaultdict(list)
    groups: dict[int, list[str]] = defaultdict(list)
    victims = conn.execute(
        select(_victim.c.incident_id, _victim.c.consent_to_publish_name, _person.c.full_name,
               _person.c.name_original, _person.c.aliases, _person.c.profiles,
               _person.c.is_public_figure)
        .join(_person, _person.c.id == _victim.c.person_id)
        .where(_victim.c.incident_id.in_(ids)))
    # Incidents naming someone whose name some reader may not see: their title and
    # narrative may name that person, so only readers of every name search them.
    withheld: set[int] = set()
    for row in victims:
        if not _shown_to_all(row, row.consent_to_publish_name):
            withheld.add(row.incident_id)
        if names := _person_names(row):
            names_all[row.incident_id].append(names)
            if _shown_to_all(row, row.consent_to_publish_name):
                names_public[row.incident_id].append(names)
    perpetrators = conn.execute(
        select(_perpetrator.c.incident_id, _actor.c.name.label("actor_name"),
               _actor.c.aliases.label("actor_aliases"), _person.c.full_name,
               _person.c.name_original, _person.c.aliases, _person.c.profiles,
               _person.c.is_public_figure)
        .outerjoin(_actor, _actor.c.id == _perpetrator.c.actor_id)
        .outerjoin(_person, _person.c.id == _perpetrator.c.person_id)
        .where(_perpetrator.c.incident_id.in_(ids)))
    for row in perpetrators:
        if row.actor_name:
            groups[row.incident_id].append(
                " ".join(x for x in (row.actor_name, _clear(row.actor_aliases)) if x))
        if row.full_name is not None and not _shown_to_all(row, False):
            withheld.add(row.incident_id)
        if row.full_name is not None and (names := _person_names(row)):
            names_all[row.incident_id].append(names)
            if _shown_to_all(row, False):
                names_public[row.incident_id].append(names)
    concerned = conn.execute(
        select(_case_event.c.incident_id, _person.c.profiles, _person.c.is_public_figure)
        .join(_person, _person.c.id == _case_event.c.person_id)
        .where(_case_event.c.incident_id.in_(ids)))
    withheld.update(row.incident_id for row in concerned if not _shown_to_all(row, False))
    incidents = conn.execute(
        select(_incident.c.id, _incident.c.ref, _incident.c.title, _incident.c.narrative,
               _incident.c.admin1, _incident.c.admin2, _incident.c.locality)
        .where(_incident.c.id.in_(ids)))
    out = []
    for row in incidents:
        public = fold(*names_public[row.id])
        title, narrative = _clear(row.title), _clear(row.narrative)
        hidden = row.id in withheld
        out.append({
            "incident_id": row.id,
            "title": fold(None if hidden else title),
            "body": fold(row.ref, None if hidden else narrative, row.admin1,
                         places.get(row.admin1 or ""), _clear(row.admin2), *groups[row.id]),
            "names_public": public,
            "names_all": fold(*names_all[row.id], _clear(row.locality),
                              *((title, narrative) if hidden else ())),
        })
    return out


def write_documents(conn: Connection, incident_ids: Iterable[int]) -> int:
    """Bring the index rows of `incident_ids` up to date with the stored rows (an id that
    no longer exists loses its row). Returns how many rows were written."""
    places: dict[str, str] | None = None
    written = 0
    for chunk in _chunks(incident_ids):
        places = places if places is not None else governorate_names(conn)
        rows = documents(conn, chunk, places)
        conn.execute(delete(_search).where(_search.c.incident_id.in_(chunk)))
        if rows:
            conn.execute(insert(_search), rows)
        written += len(rows)
    return written


def delete_documents(conn: Connection, incident_ids: Iterable[int]) -> None:
    """Remove the index rows of `incident_ids` (before the incidents themselves go)."""
    for chunk in _chunks(incident_ids):
        conn.execute(delete(_search).where(_search.c.incident_id.in_(chunk)))


def all_incident_ids(conn: Connection) -> list[int]:
    return list(conn.execute(select(_incident.c.id)).scalars())
