"""Checking one imported incident the way incident_build would, naming row and column."""

from __future__ import annotations

from dataclasses import dataclass

import pydantic
from sqlmodel import Session, select

from records.errors import FieldProblem
from records.i18n import _
from records.models import Actor, Person, Source
from records.models.incident_io import IncidentCreate
from records.services.access import Principal, visible_rows
from records.services.exchange.readers import ImportItem
from records.services.incidents import check_incident_fields
from records.services.people import check_actor, check_person, check_source
from records.services.validation import problems_from_pydantic
from records.services.vocabularies import check_code

_RECORD_ONLY = ("status", "external_id")


def _ref_or_new(data: dict | None, uid_key: str, key: str, name_field: str) -> dict:
    """{"person": {...}} for a new entry; {"person_uid": uid} when only a uid is given."""
    if not data:
        return {}
    if data.get("uid") and not data.get(name_field):
        return {uid_key: data["uid"]}
    # Columns the file lacks take the model's defaults.
    clean = {k: v for k, v in data.items() if k != "name_withheld" and v is not None}
    if not clean.get("uid"):
        clean.pop("uid", None)
    return {key: clean}


def create_dict(record: dict) -> dict:
    """The IncidentCreate input for a record read from a file."""
    data = {k: v for k, v in record.items()
            if k not in (*_RECORD_ONLY, "victims", "perpetrators", "citations", "case_events")}
    data = {k: v for k, v in data.items() if v is not None or k in ("end_date",)}
    data["victims"] = [
        {**{k: v for k, v in victim.items() if k != "person" and v is not None},
         **_ref_or_new(victim.get("person"), "person_uid", "person", "full_name")}
        for victim in record.get("victims") or []]
    perpetrators = []
    for item in record.get("perpetrators") or []:
        # A parent group may be missing from the file; the link is not imported.
        actor = {k: v for k, v in item["actor"].items() if k != "parent_uid"} if item.get(
            "actor") else None
        perpetrators.append({
            "attribution": item.get("attribution") or "", "basis": item.get("basis") or "",
            **_ref_or_new(actor, "actor_uid", "actor", "name"),
            **_ref_or_new(item.get("person"), "person_uid", "person", "full_name")})
    data["perpetrators"] = perpetrators
    data["citations"] = [
        {"statement": c.get("statement") or "", "page": c.get("page"),
         "quote": c.get("quote") or "",
         **_ref_or_new(c.get("source"), "source_uid", "source", "title")}
        for c in record.get("citations") or []]
    data["case_events"] = [
        {"date": e.get("date"), "kind": e.get("kind") or "",
         "description": e.get("description") or "", "source_uid": e.get("source_uid")}
        for e in record.get("case_events") or []]
    return data


_MESSAGES = (
    ("Field required", lambda f: _("a value is required")),
    ("String should have at least 1 character", lambda f: _("a value is required")),
    ("Input should be greater than or equal to", lambda f: _range(f)),
    ("Input should be less than or equal to", lambda f: _range(f)),
)


def _range(field: str) -> str:
    if field.endswith("latitude"):
        return _("coordinates out of range: latitude must be between -90 and 90")
    if field.endswith("longitude"):
        return _("coordinates out of range: longitude must be between -180 and 180")
    return _("out of range")


def located(item: ImportItem, problem: FieldProblem) -> FieldProblem:
    """The problem with the row and column of the file it came from."""
    row, column = item.locate(problem.field)
    message = problem.message
    for prefix, better in _MESSAGES:
        if message.startswith(prefix):
            message = better(problem.field)
    if problem.field.endswith("end_date") and "before the start" in message:
        message = _("end before start: the end date is before the start date")
    value = None if isinstance(problem.value, dict | list) else problem.value
    return FieldProblem(column, message, value, row)


@dataclass
class _References:
    """What a uid in the file may refer to: a row `by` may see, or an item earlier in the
    file. A row only others may see counts as unknown, as it does when the file is written."""

    session: Session
    by: Principal
    file_uids: set[str]

    def _visible(self, model, uid: str) -> bool:
        return self.session.exec(select(model.id).where(
            model.uid == uid, visible_rows(model, self.by))).first() is not None

    def _hidden(self, model, uid: str) -> bool:
        return (self.session.exec(select(model.id).where(model.uid == uid)).first()
                is not None and not self._visible(model, uid))

    def check(self, model, uid: str | None, field: str, message: str,
              problems: list[FieldProblem], *, defined: bool = False) -> None:
        """A uid the item only refers to must be known; one it defines (`defined`, with
        the row's data) must not belong to a row hidden from `by`."""
        if not uid or uid in self.file_uids:
            if not uid and not defined:
                problems.append(FieldProblem(field, message, uid))
            return
        if self._hidden(model, uid) if defined else not self._visible(model, uid):
            problems.append(FieldProblem(field, message, uid))


_RAW_CODES = (("incident_type", "incident_type", True), ("method", "method", False),
              ("context", "context", False), ("date_precision", "date_precision", False),
              ("geo_precision", "geo_precision", False))
_RAW_PART_CODES = (("victims", "outcome", "victim_outcome"),
                   ("perpetrators", "attribution", "attribution"),
                   ("case_events", "kind", "case_event_kind"))


def _check_raw_codes(session: Session, record: dict, problems: list[FieldProblem]) -> None:
    """Vocabulary checks that still make sense when the record failed to parse, so one
    report lists every problem of the row."""
    for field, vocabulary, required in _RAW_CODES:
        if isinstance(record.get(field), str | None):
            check_code(session, field, vocabulary, record.get(field), problems,
                       required=required)
    for part, field, vocabulary in _RAW_PART_CODES:
        for i, entry in enumerate(record.get(part) or []):
            if isinstance(entry, dict) and isinstance(entry.get(field), str | None):
                check_code(session, f"{part}.{i}.{field}", vocabulary, entry.get(field),
                           problems, required=True)


def _check_victims(session: Session, data: IncidentCreate, refs: _References,
                   problems: list[FieldProblem]) -> None:
    for i, victim in enumerate(data.victims):
        prefix = f"victims.{i}."
        check_code(session, f"{prefix}outcome", "victim_outcome", victim.outcome, problems,
                   required=True)
        if victim.person is not None:
            check_person(session, victim.person, f"{prefix}person.", problems)
            refs.check(Person, victim.person.uid, f"{prefix}person.uid",
                       _("no person with this uid"), problems, defined=True)
        else:
            refs.check(Person, victim.person_uid, f"{prefix}person_uid",
                       _("no person with this uid"), problems)


def _check_perpetrators(session: Session, data: IncidentCreate, refs: _References,
                        problems: list[FieldProblem]) -> None:
    for i, perpetrator in enumerate(data.perpetrators):
        prefix = f"perpetrators.{i}."
        check_code(session, f"{prefix}attribution", "attribution", perpetrator.attribution,
                   problems, required=True)
        if perpetrator.actor is not None:
            check_actor(session, perpetrator.actor, f"{prefix}actor.", problems)
            refs.check(Actor, perpetrator.actor.uid, f"{prefix}actor.uid",
                       _("no actor with this uid"), problems, defined=True)
        elif perpetrator.actor_uid:
            refs.check(Actor, perpetrator.actor_uid, f"{prefix}actor_uid",
                       _("no actor with this uid"), problems)
        if perpetrator.person is not None:
            check_person(session, perpetrator.person, f"{prefix}person.", problems)
            refs.check(Person, perpetrator.person.uid, f"{prefix}person.uid",
                       _("no person with this uid"), problems, defined=True)
        elif perpetrator.person_uid:
            refs.check(Person, perpetrator.person_uid, f"{prefix}person_uid",
                       _("no person with this uid"), problems)


def _check_citations(session: Session, data: IncidentCreate, refs: _References,
                     problems: list[FieldProblem]) -> set[str | None]:
    """Check the citations; the uids of the sources they define."""
    cited = set()
    for i, citation in enumerate(data.citations):
        prefix = f"citations.{i}."
        if citation.source is not None:
            check_source(session, citation.source, f"{prefix}source.", problems)
            refs.check(Source, citation.source.uid, f"{prefix}source.uid",
                       _("no source with this uid"), problems, defined=True)
            cited.add(citation.source.uid)
        else:
            refs.check(Source, citation.source_uid, f"{prefix}source_uid",
                       _("no source with this uid"), problems)
    return cited


def _check_case_events(session: Session, data: IncidentCreate, cited: set[str | None],
                       refs: _References, problems: list[FieldProblem]) -> None:
    for i, event in enumerate(data.case_events):
        prefix = f"case_events.{i}."
        check_code(session, f"{prefix}kind", "case_event_kind", event.kind, problems,
                   required=True)
        if event.source_uid and event.source_uid not in cited:
            refs.check(Source, event.source_uid, f"{prefix}source_uid",
                       _("no source with this uid (cite it in this incident or an earlier one)"),
                       problems)


def _remember_uids(data: IncidentCreate, cited: set[str | None], file_uids: set[str]) -> None:
    """Later items of the file may refer to the people, actors and sources this one defines."""
    for victim in data.victims:
        if victim.person is not None and victim.person.uid:
            file_uids.add(victim.person.uid)
    for perpetrator in data.perpetrators:
        for entry in (perpetrator.actor, perpetrator.person):
            if entry is not None and entry.uid:
                file_uids.add(entry.uid)
    file_uids |= {uid for uid in cited if uid}


def check_item(session: Session, item: ImportItem, file_uids: set[str], *, by: Principal
               ) -> list[FieldProblem]:
    """Every problem of one incident imported by `by`, located; remembers the uids it
    defines in `file_uids`, for the items after it."""
    try:
        data = IncidentCreate.model_validate(create_dict(item.record))
    except pydantic.ValidationError as error:
        problems = problems_from_pydantic(error)
        _check_raw_codes(session, item.record, problems)
        return [located(item, p) for p in problems]
    problems: list[FieldProblem] = []
    check_incident_fields(session, data, problems)
    refs = _References(session, by, file_uids)
    _check_victims(session, data, refs, problems)
    _check_perpetrators(session, data, refs, problems)
    cited = _check_citations(session, data, refs, problems)
    _check_case_events(session, data, cited, refs, problems)
    _remember_uids(data, cited, file_uids)
    return [located(item, p) for p in problems]
