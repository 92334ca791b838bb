"""Checking one imported incident the way incident_build would, naming row and column."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pydantic
from sqlmodel import Session, select

from records.errors import FieldProblem
from records.i18n import _
from records.models import Actor, Person, Source
from records.models.actor import ActorCreate
from records.models.incident_io import IncidentCreate
from records.services.access import Principal, visible_rows
from records.services.exchange.extras import EXTRA_PARTS, check_extras, read_extras
from records.services.exchange.readers import ImportItem
from records.services.incidents import check_incident_fields
from records.services.people import check_actor, check_person, check_source
from records.services.people.known_uids import live_uid, may_exist
from records.services.validation import problems_from_pydantic
from records.services.vocabularies import check_code

# Kept by the importer itself (status as provenance, the external id), or provenance of
# an earlier import that this import replaces with its own.
_RECORD_ONLY = ("status", "external_id", "imported_status", "imported_from")
# An actor's parent group travels beside it (parent_uid, parent_name, parent_type); the
# importer links it (importing._Writer), so the input model never sees the name and type.
_PARENT_KEYS = ("parent_uid", "parent_name", "parent_type")


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
            if k not in (*_RECORD_ONLY, *EXTRA_PARTS, "victims", "perpetrators", "citations",
                         "case_events")}
    data = {k: v for k, v in data.items() if v is not None or k in ("end_date",)}
    data["victims"] = [
        {**{k: v for k, v in victim.items() if k != "person" and v is not None},
         **_ref_or_new(victim.get("person"), "person_uid", "person", "full_name")}
        for victim in record.get("victims") or []]
    perpetrators = []
    for item in record.get("perpetrators") or []:
        perpetrators.append({
            "attribution": item.get("attribution") or "", "basis": item.get("basis") or "",
            **_ref_or_new(_without_parent(item.get("actor")), "actor_uid", "actor", "name"),
            **_ref_or_new(item.get("person"), "person_uid", "person", "full_name")})
    data["perpetrators"] = perpetrators
    data["citations"] = [
        {"statement": c.get("statement") or "", "page": c.get("page"),
         "quote": c.get("quote") or "",
         **_ref_or_new(c.get("source"), "source_uid", "source", "title")}
        for c in record.get("citations") or []]
    data["case_events"] = [
        {"date": e.get("date"), "date_precision": e.get("date_precision") or "day",
         "kind": e.get("kind") or "", "description": e.get("description") or "",
         "source_uid": e.get("source_uid"),
         **_ref_or_new(_without_parent(e.get("actor")), "actor_uid", "actor", "name"),
         **_ref_or_new(e.get("person"), "person_uid", "person", "full_name")}
        for e in record.get("case_events") or []]
    return data


def _without_parent(actor: dict | None) -> dict | None:
    return {k: v for k, v in actor.items() if k not in _PARENT_KEYS} if actor else None


def actor_parents(record: dict) -> list[tuple[str, int, dict]]:
    """(part, index, actor) of each actor of a perpetrator or case event that names a
    parent group, by uid or by name."""
    found = []
    for part in ("perpetrators", "case_events"):
        for i, entry in enumerate(record.get(part) or []):
            actor = entry.get("actor") if isinstance(entry, dict) else None
            if isinstance(actor, dict) and (actor.get("parent_uid") or actor.get("parent_name")):
                found.append((part, i, actor))
    return found


def parent_input(actor: dict) -> ActorCreate | None:
    """The parent group an actor of a file names with its name (and type), as input; None
    when only its uid is given (then it must be a known group, or the link is dropped)."""
    if not actor.get("parent_name"):
        return None
    return ActorCreate.model_validate({"uid": actor.get("parent_uid") or None,
                                       "name": actor.get("parent_name"),
                                       "actor_type": actor.get("parent_type") or ""})


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

    def visible(self, model, uid: str) -> bool:
        uid = live_uid(self.session, model, uid)
        return may_exist(self.session, model, uid) and self.session.exec(select(model.id).where(
            model.uid == uid, visible_rows(model, self.by))).first() is not None

    def _hidden(self, model, uid: str) -> bool:
        uid = live_uid(self.session, model, uid)
        return (may_exist(self.session, model, uid)
                and self.session.exec(select(model.id).where(model.uid == uid)).first()
                is not None and not self.visible(model, uid))

    def check(self, model, uid: str | None, field: str, message: str,
              problems: list[FieldProblem], *, defined: bool = False) -> None:
        """A uid the item only refers to must be known; one it defines (`defined`, with
        the row's data) must not belong to a row hidden from `by`."""
        if not uid or uid in self.file_uids:
            if not uid and not defined:
                problems.append(FieldProblem(field, message, uid))
            return
        if self._hidden(model, uid) if defined else not self.visible(model, uid):
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
        check_code(session, f"{prefix}date_precision", "date_precision",
                   event.date_precision, problems, required=True)
        if event.source_uid and event.source_uid not in cited:
            refs.check(Source, event.source_uid, f"{prefix}source_uid",
                       _("no source with this uid (cite it in this incident or an earlier one)"),
                       problems)
        _check_concerned(session, event, prefix, refs, problems)


def _check_concerned(session: Session, event, prefix: str, refs: _References,
                     problems: list[FieldProblem]) -> None:
    """The person or group a case event concerns, checked like a perpetrator's."""
    if event.actor is not None:
        check_actor(session, event.actor, f"{prefix}actor.", problems)
        refs.check(Actor, event.actor.uid, f"{prefix}actor.uid", _("no actor with this uid"),
                   problems, defined=True)
    elif event.actor_uid:
        refs.check(Actor, event.actor_uid, f"{prefix}actor_uid", _("no actor with this uid"),
                   problems)
    if event.person is not None:
        check_person(session, event.person, f"{prefix}person.", problems)
        refs.check(Person, event.person.uid, f"{prefix}person.uid",
                   _("no person with this uid"), problems, defined=True)
    elif event.person_uid:
        refs.check(Person, event.person_uid, f"{prefix}person_uid",
                   _("no person with this uid"), problems)


def _check_parents(session: Session, record: dict, refs: _References,
                   problems: list[FieldProblem]) -> set[str]:
    """Parent groups a file names (a brigade within the PMF): one given by name needs a
    known actor type, and its uid may not be that of a group hidden from the importer;
    one given by uid alone is linked when known and otherwise left out, as before parents
    travelled with their names. Returns the uids of the parents the file defines."""
    defined = set()
    for part, i, actor in actor_parents(record):
        prefix = f"{part}.{i}.actor."
        uid = actor.get("parent_uid")
        if uid is not None and not isinstance(uid, str):
            problems.append(FieldProblem(f"{prefix}parent_uid", _("text was expected"), None))
            continue
        try:
            parent = parent_input(actor)
        except pydantic.ValidationError as error:
            problems += [FieldProblem(f"{prefix}parent_{p.field.removeprefix('actor_')}",
                                      p.message, p.value)
                         for p in problems_from_pydantic(error)]
            continue
        if parent is None:
            continue
        check_code(session, f"{prefix}parent_type", "actor_type", parent.actor_type, problems,
                   required=True)
        if parent.uid:
            refs.check(Actor, parent.uid, f"{prefix}parent_uid", _("no actor with this uid"),
                       problems, defined=True)
            defined.add(parent.uid)
    return defined


def _remember_uids(data: IncidentCreate, cited: set[str | None], file_uids: set[str]) -> None:
    """Later items of the file may refer to the people, actors and sources this one defines."""
    for victim in data.victims:
        if victim.person is not None and victim.person.uid:
            file_uids.add(victim.person.uid)
    for entry in (*data.perpetrators, *data.case_events):
        for row in (entry.actor, entry.person):
            if row is not None and row.uid:
                file_uids.add(row.uid)
    file_uids |= {uid for uid in cited if uid}


def check_item(session: Session, item: ImportItem, file_uids: set[str], *, by: Principal,
               warnings: list[str] | None = None, files_dir: Path | str | None = None
               ) -> list[FieldProblem]:
    """Every problem of one incident imported by `by`, located; remembers the uids it
    defines in `file_uids`, for the items after it. Evidence files that will not be
    recreated (extras.check_extras) are added to `warnings`."""
    extra_problems: list[FieldProblem] = []
    extras = read_extras(item.record, extra_problems)
    try:
        data = IncidentCreate.model_validate(create_dict(item.record))
    except pydantic.ValidationError as error:
        problems = problems_from_pydantic(error) + extra_problems
        _check_raw_codes(session, item.record, problems)
        return [located(item, p) for p in problems]
    problems: list[FieldProblem] = extra_problems
    check_incident_fields(session, data, problems)
    refs = _References(session, by, file_uids)
    _check_victims(session, data, refs, problems)
    _check_perpetrators(session, data, refs, problems)
    cited = _check_citations(session, data, refs, problems)
    _check_case_events(session, data, cited, refs, problems)
    parents = _check_parents(session, item.record, refs, problems)
    _remember_uids(data, cited | parents, file_uids)
    item.checked = data
    check_extras(session, extras, restricted=data.sensitivity == "restricted",
                 label=data.ref or _("row {n}").format(n=item.row),
                 source_known=lambda uid: uid in file_uids or refs.visible(Source, uid),
                 problems=problems, warnings=[] if warnings is None else warnings,
                 files_dir=files_dir)
    return [located(item, p) for p in problems]
