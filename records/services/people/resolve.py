"""People, actors and sources: find-or-create by uid, so one person stays one person."""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlmodel import Session, select

from records.errors import FieldProblem, NotFound
from records.i18n import _
from records.models import Actor, Person, Source
from records.models.actor import ActorCreate
from records.models.incident_io import ActorRead, PersonRead, SourceRead
from records.models.person import SEXES, PersonCreate
from records.models.source import CONFIDENTIAL_BY_DEFAULT, SourceCreate
from records.services.validation import check_admin1
from records.services.vocabularies import check_code
from records.text import normalize_name

_ACTOR_CACHE = "sijil.actor_by_name"


def check_person(session: Session, data: PersonCreate, prefix: str,
                 problems: list[FieldProblem]) -> None:
    if data.sex not in SEXES:
        problems.append(FieldProblem(
            f"{prefix}sex", _("'{v}' is not allowed; allowed: {a}").format(
                v=data.sex, a=", ".join(SEXES)), data.sex))
    for code in data.profiles:
        check_code(session, f"{prefix}profiles", "profile", code, problems)
    check_admin1(f"{prefix}home_admin1", data.home_admin1, None, problems)


def check_actor(session: Session, data: ActorCreate, prefix: str,
                problems: list[FieldProblem]) -> None:
    check_code(session, f"{prefix}actor_type", "actor_type", data.actor_type, problems,
               required=True)


def check_source(session: Session, data: SourceCreate, prefix: str,
                 problems: list[FieldProblem]) -> None:
    check_code(session, f"{prefix}kind", "source_kind", data.kind, problems, required=True)


def _by_uid(session: Session, model, uid: str):
    return session.exec(select(model).where(model.uid == uid)).first()


def resolve_person(session: Session, uid: str | None, data: PersonCreate | None,
                   prefix: str, problems: list[FieldProblem]) -> Person | None:
    """The existing person with this uid, or a new one (keeping a given uid)."""
    key = uid or (data.uid if data else None)
    if key:
        found = _by_uid(session, Person, key)
        if found is not None:
            return found
        if data is None:
            problems.append(FieldProblem(f"{prefix}person_uid", _("no person with this uid"),
                                         key))
            return None
    assert data is not None
    fields = data.model_dump(exclude={"uid"})
    person = Person(**fields, name_key=normalize_name(data.full_name, data.name_original))
    if key:
        person.uid = key
    return person


def resolve_actor(session: Session, uid: str | None, data: ActorCreate | None,
                  prefix: str, problems: list[FieldProblem]) -> Actor | None:
    """By uid; else the actor of the same name and type; else a new actor."""
    key = uid or (data.uid if data else None)
    if key:
        found = _by_uid(session, Actor, key)
        if found is not None:
            return found
        if data is None:
            problems.append(FieldProblem(f"{prefix}actor_uid", _("no actor with this uid"), key))
            return None
    assert data is not None
    cache = session.info.setdefault(_ACTOR_CACHE, {})
    name_key = (data.name.strip().casefold(), data.actor_type)
    if name_key in cache:
        return cache[name_key]
    found = session.exec(select(Actor).where(
        func.lower(Actor.name) == data.name.strip().lower(),
        Actor.actor_type == data.actor_type)).first()
    if found is None:
        parent = None
        if data.parent_uid:
            parent = _by_uid(session, Actor, data.parent_uid)
            if parent is None:
                problems.append(FieldProblem(f"{prefix}parent_uid", _("no actor with this uid"),
                                             data.parent_uid))
        found = Actor(**data.model_dump(exclude={"uid", "parent_uid"}),
                      parent_id=parent.id if parent else None)
        if key:
            found.uid = key
    cache[name_key] = found
    return found


def resolve_source(session: Session, uid: str | None, data: SourceCreate | None,
                   prefix: str, problems: list[FieldProblem]) -> Source | None:
    key = uid or (data.uid if data else None)
    if key:
        found = _by_uid(session, Source, key)
        if found is not None:
            return found
        if data is None:
            problems.append(FieldProblem(f"{prefix}source_uid", _("no source with this uid"),
                                         key))
            return None
    assert data is not None
    confidential = data.is_confidential
    if confidential is None:
        confidential = data.kind in CONFIDENTIAL_BY_DEFAULT
    source = Source(**data.model_dump(exclude={"uid", "is_confidential"}),
                    is_confidential=confidential)
    if key:
        source.uid = key
    return source


def get_person(session: Session, uid: str) -> PersonRead:
    person = _by_uid(session, Person, uid)
    if person is None:
        raise NotFound(_("no person with uid {uid}").format(uid=uid))
    return PersonRead.model_validate(person)


def find_similar_people(session: Session, name: str, *, limit: int = 10) -> list[PersonRead]:
    """People whose normalised name contains the normalised `name`: likely duplicates."""
    key = normalize_name(name)
    if len(key) < 3:
        return []
    rows = session.exec(select(Person).where(Person.name_key.contains(key))
                        .order_by(Person.full_name).limit(limit)).all()
    return [PersonRead.model_validate(p) for p in rows]


def list_actors(session: Session, *, text: str | None = None, limit: int = 200
                ) -> list[ActorRead]:
    query = select(Actor)
    if text:
        query = query.where(or_(Actor.name.ilike(f"%{text}%")))
    rows = session.exec(query.order_by(Actor.name).limit(limit)).all()
    return [ActorRead.model_validate(a) for a in rows]


def list_sources(session: Session, *, text: str | None = None, limit: int = 200
                 ) -> list[SourceRead]:
    query = select(Source)
    if text:
        query = query.where(Source.title.ilike(f"%{text}%"))
    rows = session.exec(query.order_by(Source.title).limit(limit)).all()
    return [SourceRead.model_validate(s) for s in rows]
