"""Looking up people, actors and sources by name, for the forms that attach them: only those
the asking user may see (records.services.access.visibility), and never a contact."""

from __future__ import annotations

from sqlmodel import Session, select

from records.i18n import _
from records.models import Actor, Person, Source
from records.models.incident_io import ActorRead, PersonRead, SourceRead
from records.sealing import open_model
from records.services.access import (
    Principal,
    redact_person,
    require_role,
    visible_actors,
    visible_people,
    visible_sources,
)
from records.text import normalize_name, without_unstorable


def find_similar_people(session: Session, name: str, *, by: Principal, limit: int = 10
                        ) -> list[PersonRead]:
    """People `by` may see who are likely `name`, best first: those record linkage scores
    as likely the same person (spellings, transliterations, Arabic script; withheld names
    compared in memory, records.services.linkage.candidates says whose), then those whose
    normalised name contains the normalised `name` (a partial name typed in a search box).
    Contacts are left out: choosing a person needs none. Raises PermissionDenied below the
    caseworker role."""
    require_role(by, "caseworker", _("look up people"))
    name = without_unstorable(name)
    likely = [person for person, _score, _reasons in find_likely_people(
        session, name, by=by, limit=limit)]
    key = normalize_name(name)
    if len(key) < 3:
        return likely
    seen = {p.uid for p in likely}
    rows = session.exec(select(Person).where(Person.name_key.contains(key), visible_people(by))
                        .order_by(Person.full_name, Person.id).limit(limit)).all()
    return (likely + [_shown(session, p) for p in rows if p.uid not in seen])[:limit]


def find_likely_people(session: Session, name: str, *, by: Principal,
                       birth_year: int | None = None, limit: int = 10
                       ) -> list[tuple[PersonRead, float, tuple[str, ...]]]:
    """(person, score, reasons) of the people `by` may see most likely to be `name`, best
    first: what the victim form shows before a new person is added ("may be the same
    person as …"). Raises PermissionDenied below the caseworker role."""
    # Linkage reads incidents, whose package resolves people through this one: imported
    # when first used, not when this package loads.
    from records.services.linkage import similar_people

    require_role(by, "caseworker", _("look up people"))
    found = similar_people(session, name, by=by, birth_year=birth_year, limit=limit)
    if not found:
        return []
    rows = {p.uid: p for p in session.exec(select(Person).where(
        Person.uid.in_([uid for uid, _s, _r in found]))).all()}
    return [(_shown(session, rows[uid]), score, reasons)
            for uid, score, reasons in found if uid in rows]


def _shown(session: Session, person: Person) -> PersonRead:
    return redact_person(open_model(session, PersonRead, person), all_names=True,
                         show_confidential=False)


def _listed(session: Session, model, read_model, visible, name_column, text: str | None,
            limit: int) -> list:
    query = select(model).where(visible)
    text = without_unstorable(text or "")
    if text:
        query = query.where(name_column.ilike(f"%{text}%"))
    rows = session.exec(query.order_by(name_column, model.id).limit(limit)).all()
    # A confidential source's title is sealed at rest: opened for those who may see it.
    return [open_model(session, read_model, row) for row in rows]


def list_actors(session: Session, *, by: Principal, text: str | None = None, limit: int = 200
                ) -> list[ActorRead]:
    """Perpetrating groups `by` may see, by name (the perpetrator filter and form)."""
    require_role(by, "viewer", _("read incidents"))
    return _listed(session, Actor, ActorRead, visible_actors(by), Actor.name, text, limit)


def list_sources(session: Session, *, by: Principal, text: str | None = None, limit: int = 200
                 ) -> list[SourceRead]:
    """Sources `by` may see, by title (the citation and follow-up forms)."""
    require_role(by, "caseworker", _("look up sources"))
    return _listed(session, Source, SourceRead, visible_sources(by), Source.title, text, limit)
