"""Reading incidents for export: filtered in the database, a page at a time, as plain dicts.

Every format is written from the same nested record (the JSON export's object), so formats
cannot disagree; each record passes through `redaction.redact_incident` before it is used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from sqlalchemy import and_, exists, func, or_
from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from records.errors import ValidationError
from records.i18n import _
from records.models import Actor, Incident, Perpetrator
from records.models.incident import STATUSES
from records.sealing import (
    SEALABLE,
    incident_owner,
    is_sealed,
    load_data_keys,
    open_row,
    open_values,
    owner_of,
)
from records.services.access import ExportLevel, redact_incident
from records.services.exchange.extras import record_extras
from records.services.incidents import (
    INCIDENT_LOAD,
    NEWEST_FIRST,
    format_incident_date,
    overlaps_period,
)

PAGE_SIZE = 500
DEFAULT_STATUSES = ("verified", "published")
INCIDENT_FIELDS = (
    "ref", "external_id", "title", "narrative", "incident_type", "start_date", "end_date",
    "date_precision", "time_of_day", "country", "admin1", "admin2", "locality", "latitude",
    "longitude", "geo_precision", "method", "context", "fatalities", "injured", "status",
    "confidence", "sensitivity", "tags",
)
PERSON_FIELDS = (
    "uid", "full_name", "name_original", "aliases", "sex", "age", "birth_year", "occupation",
    "profiles", "affiliation", "home_admin1", "is_public_figure", "contact",
)
SOURCE_FIELDS = (
    "uid", "kind", "title", "publisher", "url", "published_on", "language", "reliability",
    "credibility", "is_confidential",
)


@dataclass
class ExportFilters:
    """Which incidents to export. `statuses` None means every status, archived included;
    `since`/`until` select incidents whose dates, widened to their precision, overlap that
    period (`incidents.overlaps_period`)."""

    statuses: tuple[str, ...] | None = DEFAULT_STATUSES
    since: dt.date | None = None
    until: dt.date | None = None
    admin1: str | None = None
    incident_type: str | None = None
    perpetrator: str | None = None

    def describe(self) -> dict:
        data = asdict(self)
        data["statuses"] = list(self.statuses) if self.statuses else "all"
        return {k: v for k, v in data.items() if v is not None}


def parse_statuses(text: str | None) -> tuple[str, ...] | None:
    """'verified,published' → a tuple; 'all' → None (every status, archived included)."""
    if text is None or not text.strip():
        return DEFAULT_STATUSES
    if text.strip().lower() == "all":
        return None
    wanted = tuple(s.strip().lower() for s in text.split(",") if s.strip())
    unknown = [s for s in wanted if s not in STATUSES]
    if unknown:
        raise ValidationError.single("status", _("'{v}' is not a status; allowed: {a}").format(
            v=unknown[0], a=", ".join(STATUSES) + ", all"), unknown[0])
    return wanted


def _conditions(filters: ExportFilters, level: ExportLevel) -> list:
    conditions = []
    statuses = filters.statuses
    if level.statuses is not None:
        statuses = tuple(s for s in (statuses or STATUSES) if s in level.statuses)
    if statuses is not None:
        conditions.append(Incident.status.in_(statuses or ("-",)))
    if not level.restricted:
        conditions.append(Incident.sensitivity != "restricted")
    conditions += overlaps_period(filters.since, filters.until)
    if filters.admin1:
        conditions.append(Incident.admin1 == filters.admin1.strip().upper())
    if filters.incident_type:
        conditions.append(Incident.incident_type == filters.incident_type.strip())
    if filters.perpetrator:
        value = filters.perpetrator.strip()
        conditions.append(exists().where(
            Perpetrator.incident_id == Incident.id, Perpetrator.actor_id == Actor.id,
            or_(Actor.actor_type == value, Actor.uid == value,
                func.lower(Actor.name) == value.lower())))
    return conditions


def count_incidents(session: Session, filters: ExportFilters, level: ExportLevel) -> int:
    """How many incidents the filters select at this level (before redaction drops any)."""
    return session.exec(select(func.count()).select_from(Incident)
                        .where(*_conditions(filters, level))).one()




def _person(p) -> dict | None:
    if p is None:
        return None
    # Opened here, for every level: redact_incident then takes out what a level may not show.
    data = {**{f: getattr(p, f) for f in PERSON_FIELDS}, **open_row(object_session(p), p)}
    data["aliases"] = list(data["aliases"] or [])
    data["profiles"] = list(data["profiles"] or [])
    data["name_withheld"] = False
    return data


def _source(s) -> dict | None:
    if s is None:
        return None
    return {**{f: getattr(s, f) for f in SOURCE_FIELDS}, **open_row(object_session(s), s)}


def _citation(c, owner: str) -> dict:
    # A citation's values are sealed with its incident's key (sealing.owner_of), known here.
    text = open_values(object_session(c), "citation", owner,
                       {f: getattr(c, f) for f in SEALABLE["citation"]})
    return {"source": _source(c.source), "statement": text["statement"], "page": c.page,
            "quote": text["quote"]}


def _actor(a, parents: dict[int, tuple[str, str, str]]) -> dict | None:
    """An actor with its parent group's uid, name and type: enough for an import to create
    the parent where it is missing (a brigade within the PMF stays within it)."""
    if a is None:
        return None
    parent_uid, parent_name, parent_type = parents.get(a.parent_id, (None, None, None))
    return {"uid": a.uid, "name": a.name, "aliases": list(a.aliases or []),
            "actor_type": a.actor_type, "parent_uid": parent_uid, "parent_name": parent_name,
            "parent_type": parent_type}


def _case_event(e, parents: dict[int, tuple[str, str, str]]) -> dict:
    return {"date": e.date, "date_precision": e.date_precision,
            # Files are in English whatever the exporting user's language (docs/design.md §3).
            "date_text": format_incident_date(e.date, None, e.date_precision, lang="en"),
            "kind": e.kind, "description": e.description, "source": _source(e.source),
            "person": _person(e.person), "actor": _actor(e.actor, parents)}


def incident_record(incident: Incident, parents: dict[int, tuple[str, str, str]], *,
                    provenance: bool = False) -> dict:
    """The full (unredacted) nested record of a loaded incident; `date_text` is its date as
    a reader says it ("December 2019"), next to the ISO dates and their precision.
    `parents` maps the id of every parent actor to its (uid, name, actor_type); with
    `provenance` the record says where an imported incident came from."""
    record = {}
    for name in INCIDENT_FIELDS:
        record[name] = getattr(incident, name)
        if name == "date_precision":
            record["date_text"] = format_incident_date(incident.start_date, incident.end_date,
                                                       incident.date_precision, lang="en")
        if name == "status" and provenance:
            record["imported_status"] = incident.imported_status
            record["imported_from"] = incident.imported_from
    record.update(open_row(object_session(incident), incident))
    record["tags"] = list(record["tags"] or [])
    record["victims"] = [
        {"person": _person(v.person), "outcome": v.outcome,
         "harm_description": open_row(object_session(v), v)["harm_description"],
         "consent_to_publish_name": v.consent_to_publish_name}
        for v in sorted(incident.victims, key=lambda v: v.id)]
    record["perpetrators"] = [
        {"actor": _actor(p.actor, parents),
         "person": _person(p.person), "attribution": p.attribution,
         "basis": open_row(object_session(p), p)["basis"]}
        for p in sorted(incident.perpetrators, key=lambda p: p.id)]
    record["citations"] = [
        _citation(c, incident_owner(incident.ref))
        for c in sorted(incident.citations, key=lambda c: c.id)]
    record["case_events"] = [
        _case_event(e, parents) for e in sorted(incident.case_events, key=lambda e: e.id)]
    return record


def _sealed_owners(session: Session, incidents) -> set[str]:
    """The owners of every sealed value of these loaded incidents and their parts."""
    rows = []
    owners = set()
    for incident in incidents:
        rows.append(incident)
        rows += [v.person for v in incident.victims]
        rows += [p.person for p in incident.perpetrators]
        rows += [c.source for c in incident.citations]
        if any(is_sealed(getattr(c, f)) for c in incident.citations
               for f in SEALABLE["citation"]):
            owners.add(incident_owner(incident.ref))  # a citation's key is its incident's
        for e in incident.case_events:
            rows += [e.person, e.source]
    for row in rows:
        if row is not None and any(is_sealed(getattr(row, f))
                                   for f in SEALABLE[type(row).__tablename__]):
            owner = owner_of(session, row)
            if owner is not None:
                owners.add(owner)
    return owners


def iter_records(session: Session, filters: ExportFilters, level: ExportLevel, *,
                 page_size: int = PAGE_SIZE, with_record: bool = False) -> Iterator:
    """Redacted records of the selected incidents, newest first (`NEWEST_FIRST`, the order
    of the Incidents page), loaded `page_size` at a time (keyset pagination on start date
    and ref) so memory stays flat however many incidents there are. `with_record` yields
    (record as built, redacted record) pairs instead, for telling what redaction took out."""
    conditions = _conditions(filters, level)
    parents = {row.id: (row.uid, row.name, row.actor_type) for row in session.exec(
        select(Actor.id, Actor.uid, Actor.name, Actor.actor_type)
        .where(Actor.id.in_(select(Actor.parent_id))))}
    # Where imported records came from (file names and hashes) stays in the organisation.
    provenance = level.organisation_records
    after: list = []
    while True:
        keys = session.exec(select(Incident.start_date, Incident.ref, Incident.id)
                            .where(*conditions, *after)
                            .order_by(*NEWEST_FIRST).limit(page_size)).all()
        if not keys:
            return
        start, ref, _id = keys[-1]
        after = [or_(Incident.start_date < start,
                     and_(Incident.start_date == start, Incident.ref < ref))]
        rows = session.exec(select(Incident).where(Incident.id.in_([k.id for k in keys]))
                            .options(*INCIDENT_LOAD).order_by(*NEWEST_FIRST)).all()
        # Review comments and evidence (with custody) are the organisation's own work.
        extras = record_extras(session, [k.id for k in keys]) if provenance else {}
        # The data keys of the page in a few queries, not one per person, source or
        # incident as its values are opened.
        load_data_keys(session, _sealed_owners(session, rows))
        for incident in rows:
            record = incident_record(incident, parents, provenance=provenance)
            record.update(extras.get(incident.id, {}))
            shown = redact_incident(record, level, fresh=True)
            if shown is not None:
                yield (record, shown) if with_record else shown
        # Keep the identity map from growing with every page.
        session.expunge_all()
