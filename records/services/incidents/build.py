"""Validating an incident with everything attached, and building its rows (not yet flushed)."""

from __future__ import annotations

from sqlmodel import Session, func, select

from records.errors import FieldProblem, ValidationError
from records.i18n import _
from records.models import AuditEntry, CaseEvent, Citation, Incident, Perpetrator, Victim
from records.models.incident import CONFIDENCE_LEVELS, SENSITIVITIES, IncidentBase
from records.models.incident_io import (
    CaseEventInput,
    CitationInput,
    IncidentCreate,
    PerpetratorInput,
    VictimInput,
)
from records.services.access import Principal
from records.services.incidents.public_figure import mark_public_figure
from records.services.people import (
    check_actor,
    check_person,
    check_source,
    resolve_actor,
    resolve_person,
    resolve_source,
)
from records.services.validation import check_admin1, check_country
from records.services.vocabularies import check_code

_REF_COUNTERS = "sijil.ref_counters"


def check_incident_fields(session: Session, data: IncidentBase,
                          problems: list[FieldProblem]) -> None:
    """Vocabulary codes, fixed choices and places of the incident's own fields."""
    check_code(session, "incident_type", "incident_type", data.incident_type, problems,
               required=True)
    check_code(session, "method", "method", data.method, problems)
    check_code(session, "context", "context", data.context, problems)
    check_code(session, "date_precision", "date_precision", data.date_precision, problems,
               required=True)
    check_code(session, "geo_precision", "geo_precision", data.geo_precision, problems)
    for field, value, allowed in (("confidence", data.confidence, CONFIDENCE_LEVELS),
                                  ("sensitivity", data.sensitivity, SENSITIVITIES)):
        if value not in allowed:
            problems.append(FieldProblem(field, _("'{v}' is not allowed; allowed: {a}").format(
                v=value, a=", ".join(allowed)), value))
    check_country("country", data.country, problems)
    check_admin1("admin1", data.admin1, data.country, problems)


def next_ref(session: Session, year: int) -> str:
    """The next free INC-YYYY-NNNNN for `year` (writers are serialised by the unit of work)."""
    counters = session.info.setdefault(_REF_COUNTERS, {})
    if year not in counters:
        prefix = f"INC-{year:04d}-"
        # The trail remembers refs of purged incidents too: a ref is never handed out twice,
        # so two incidents never share one history.
        in_use = session.exec(select(func.max(Incident.ref))
                              .where(Incident.ref.startswith(prefix))).one()
        in_trail = session.exec(select(func.max(AuditEntry.incident_ref))
                                .where(AuditEntry.incident_ref.startswith(prefix))).one()
        last = max(in_use or "", in_trail or "")
        counters[year] = int(last[len(prefix):]) if last else 0
    counters[year] += 1
    if counters[year] > 99999:
        raise ValidationError.single("ref", _("no free reference left for {y}").format(y=year))
    return f"INC-{year:04d}-{counters[year]:05d}"


def build_victim(session: Session, by: Principal, item: VictimInput, prefix: str,
                 problems: list[FieldProblem]) -> Victim | None:
    check_code(session, f"{prefix}outcome", "victim_outcome", item.outcome, problems,
               required=True)
    if item.person is not None:
        check_person(session, item.person, f"{prefix}person.", problems)
    person = resolve_person(session, by, item.person_uid, item.person, f"{prefix}", problems)
    if person is None:
        return None
    return Victim(person=person, outcome=item.outcome, harm_description=item.harm_description,
                  consent_to_publish_name=item.consent_to_publish_name)


def build_perpetrator(session: Session, by: Principal, item: PerpetratorInput, prefix: str,
                      problems: list[FieldProblem]) -> Perpetrator | None:
    check_code(session, f"{prefix}attribution", "attribution", item.attribution, problems,
               required=True)
    actor = person = None
    if item.actor_uid or item.actor:
        if item.actor is not None:
            check_actor(session, item.actor, f"{prefix}actor.", problems)
        actor = resolve_actor(session, by, item.actor_uid, item.actor, prefix, problems)
    if item.person_uid or item.person:
        if item.person is not None:
            check_person(session, item.person, f"{prefix}person.", problems)
        person = resolve_person(session, by, item.person_uid, item.person, prefix, problems)
    if actor is None and person is None:
        return None
    return Perpetrator(actor=actor, person=person, attribution=item.attribution,
                       basis=item.basis)


def build_citation(session: Session, by: Principal, item: CitationInput, prefix: str,
                   problems: list[FieldProblem]) -> Citation | None:
    if item.source is not None:
        check_source(session, item.source, f"{prefix}source.", problems)
    source = resolve_source(session, by, item.source_uid, item.source, prefix, problems)
    if source is None:
        return None
    return Citation(source=source, statement=item.statement, page=item.page, quote=item.quote)


def case_event_values(session: Session, by: Principal, item: CaseEventInput, prefix: str,
                      problems: list[FieldProblem]) -> dict:
    """The checked values of a case event, its source, person and actor resolved (a new
    person or actor not yet added); what is wrong goes to `problems`."""
    check_code(session, f"{prefix}kind", "case_event_kind", item.kind, problems, required=True)
    check_code(session, f"{prefix}date_precision", "date_precision", item.date_precision,
               problems, required=True)
    source = person = actor = None
    if item.source_uid:
        source = resolve_source(session, by, item.source_uid, None, prefix, problems)
    if item.person_uid or item.person:
        if item.person is not None:
            check_person(session, item.person, f"{prefix}person.", problems)
        person = resolve_person(session, by, item.person_uid, item.person, prefix, problems)
    if item.actor_uid or item.actor:
        if item.actor is not None:
            check_actor(session, item.actor, f"{prefix}actor.", problems)
        actor = resolve_actor(session, by, item.actor_uid, item.actor, prefix, problems)
    return {"date": item.date, "date_precision": item.date_precision, "kind": item.kind,
            "description": item.description, "source": source, "person": person,
            "actor": actor}


def build_case_event(session: Session, by: Principal, item: CaseEventInput, prefix: str,
                     problems: list[FieldProblem]) -> CaseEvent | None:
    return CaseEvent(**case_event_values(session, by, item, prefix, problems))


def derive_counts(incident: Incident) -> None:
    """Fatalities and injured are at least what the listed victims show."""
    outcomes = [v.outcome for v in incident.victims]
    incident.fatalities = max(incident.fatalities or 0, outcomes.count("killed"))
    incident.injured = max(incident.injured or 0, outcomes.count("injured"))


def build_incident(session: Session, data: IncidentCreate, by: Principal) -> Incident:
    """Check everything first; only a wholly valid incident yields rows (not yet added),
    created by `by`, whose references (person, actor, source uids) must be rows `by` may see."""
    problems: list[FieldProblem] = []
    check_incident_fields(session, data, problems)
    if data.ref and session.exec(select(Incident.id).where(Incident.ref == data.ref)).first():
        problems.append(FieldProblem("ref", _("an incident with this reference exists"),
                                     data.ref))
    parts = []
    for name, items, build in (("victims", data.victims, build_victim),
                               ("perpetrators", data.perpetrators, build_perpetrator),
                               ("citations", data.citations, build_citation),
                               ("case_events", data.case_events, build_case_event)):
        parts.append([build(session, by, item, f"{name}.{i}.", problems)
                      for i, item in enumerate(items)])
    for i, (item, event) in enumerate(zip(data.case_events, parts[3], strict=True)):
        mark_public_figure(session, event.person if event else None, item.person_public_figure,
                           incident_id=None, field=f"case_events.{i}.person_public_figure",
                           problems=problems)
    if problems:
        raise ValidationError(problems)
    fields = data.model_dump(include=set(IncidentBase.model_fields))
    incident = Incident(**fields, ref=data.ref or next_ref(session, data.start_date.year),
                        status="draft", created_by_id=by.id, last_edited_by_id=by.id)
    victims, perpetrators, citations, case_events = parts
    incident.victims = victims
    incident.perpetrators = perpetrators
    incident.citations = citations
    incident.case_events = case_events
    derive_counts(incident)
    return incident
