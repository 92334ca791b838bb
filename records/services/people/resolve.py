"""People, actors and sources on the way in: checked, then found by uid (or name) or created,
so one person stays one person."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from records.errors import FieldProblem
from records.i18n import _
from records.models import Actor, Person, Source
from records.models.actor import ActorCreate
from records.models.person import SEXES, PersonCreate
from records.models.source import CONFIDENTIAL_BY_DEFAULT, SourceCreate
from records.services.access import Principal, visible_rows
from records.services.people.known_uids import (
    directory_of,
    live_uid,
    may_exist,
    note_created,
)
from records.services.validation import check_admin1
from records.services.vocabularies import check_code
from records.text import normalize_name

_ACTOR_CACHE = "sijil.actor_by_name"
_PERSON_CACHE = "sijil.new_person_by_uid"


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
    if not may_exist(session, model, uid):
        return None
    directory = directory_of(session)
    if directory is not None and (model, uid) in directory.ids:
        return session.get(model, directory.ids[model, uid])
    found = session.exec(select(model).where(model.uid == uid)).first()
    if directory is not None and found is not None and found.id is not None:
        directory.ids[model, uid] = found.id
    return found


def _visible(session: Session, model, row_id: int, by: Principal) -> bool:
    directory = directory_of(session)
    if directory is not None and (model, row_id) in directory.visible:
        return directory.visible[model, row_id]
    seen = session.exec(select(model.id).where(
        model.id == row_id, visible_rows(model, by))).first() is not None
    if directory is not None:
        directory.visible[model, row_id] = seen
    return seen


def _keep_uid(session: Session, row, key: str | None) -> None:
    """A new row keeps the uid its input gave; a bulk import is told it now exists."""
    if key:
        row.uid = key
        note_created(session, {key})


def _existing(session: Session, model, by: Principal, uid: str | None, data, field: str,
              unknown: str, problems: list[FieldProblem]):
    """(key, row, refused): the uid given (or carried by `data`) and the row that has it.
    A uid that only rows `by` may not see carry is refused as unknown, so a reference cannot
    reach into a restricted record or tell that it exists; a uid nobody has is refused only
    when there is no `data` to create the row from."""
    key = uid or (data.uid if data else None)
    if not key:
        return None, None, False
    live = live_uid(session, model, key)
    found = _by_uid(session, model, live)
    if found is not None:
        key = live  # a merged-away uid names the person it was merged into
    if found is not None and not _visible(session, model, found.id, by):
        found = None
    elif found is not None or data is not None:
        return key, found, False
    problems.append(FieldProblem(field, unknown, key))
    return key, None, True


def resolve_person(session: Session, by: Principal, uid: str | None,
                   data: PersonCreate | None, prefix: str, problems: list[FieldProblem]
                   ) -> Person | None:
    """The existing person with this uid, or a new one (keeping a given uid)."""
    key, found, refused = _existing(session, Person, by, uid, data, f"{prefix}person_uid",
                                    _("no person with this uid"), problems)
    if found is not None or refused:
        return found
    # One incident may name a new person twice (the suspect, then the suspect arrested):
    # one row, not two rows with the same uid.
    cache = session.info.setdefault(_PERSON_CACHE, {})
    if key and key in cache:
        return cache[key]
    fields = data.model_dump(exclude={"uid"})
    person = Person(**fields, name_key=normalize_name(data.full_name, data.name_original))
    if key:
        _keep_uid(session, person, key)
        cache[key] = person
    return person


def resolve_actor(session: Session, by: Principal, uid: str | None,
                  data: ActorCreate | None, prefix: str, problems: list[FieldProblem]
                  ) -> Actor | None:
    """By uid; else the actor of the same name and type; else a new actor."""
    key, found, refused = _existing(session, Actor, by, uid, data, f"{prefix}actor_uid",
                                    _("no actor with this uid"), problems)
    if found is not None or refused:
        return found
    cache = session.info.setdefault(_ACTOR_CACHE, {})
    name_key = (data.name.strip().casefold(), data.actor_type)
    if name_key in cache:
        return cache[name_key]
    # Only a group `by` may see: a hidden one would show its uid, aliases and parent.
    found = session.exec(select(Actor).where(
        func.lower(Actor.name) == data.name.strip().lower(),
        Actor.actor_type == data.actor_type, visible_rows(Actor, by)).order_by(Actor.id)).first()
    if found is None:
        _key, parent, _refused = _existing(session, Actor, by, data.parent_uid, None,
                                           f"{prefix}parent_uid", _("no actor with this uid"),
                                           problems)
        found = Actor(**data.model_dump(exclude={"uid", "parent_uid"}),
                      parent_id=parent.id if parent else None)
        _keep_uid(session, found, key)
    cache[name_key] = found
    return found


def resolve_source(session: Session, by: Principal, uid: str | None,
                   data: SourceCreate | None, prefix: str, problems: list[FieldProblem]
                   ) -> Source | None:
    key, found, refused = _existing(session, Source, by, uid, data, f"{prefix}source_uid",
                                    _("no source with this uid"), problems)
    if found is not None or refused:
        return found
    confidential = data.is_confidential
    if confidential is None:
        confidential = data.kind in CONFIDENTIAL_BY_DEFAULT
    source = Source(**data.model_dump(exclude={"uid", "is_confidential"}),
                    is_confidential=confidential)
    _keep_uid(session, source, key)
    return source
