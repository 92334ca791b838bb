"""Likely duplicates as users meet them: pairs for the Duplicates page and `sijil
duplicates`, and the likely matches of a victim being added or an incident being saved.

What is compared, and shown, is what the principal may see: people and incidents outside
their visibility (records.services.access.visibility) are not loaded at all. Withheld names
are sealed at rest; they are opened in memory for the comparison, for caseworkers and up
(who see them on the incident pages), and nothing derived from them is stored. A witness's
name is compared and shown only to reviewers and admins: below that role a witness is left
out of every candidate list, so the Duplicates page cannot name one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import String, and_, cast, not_, select
from sqlmodel import Session

from records.i18n import _, ngettext
from records.models import Incident, Person, Victim
from records.sealing import (
    incident_owner,
    is_sealed,
    load_data_keys,
    open_values,
    person_owner,
)
from records.services.access import (
    Principal,
    has_role,
    require_role,
    visible_incidents,
    visible_people,
)
from records.services.incidents.dates import date_grain, incident_interval
from records.services.linkage.judged import judged_pairs
from records.services.linkage.names import DEFAULT_MIN_SCORE
from records.services.linkage.pairs import (
    IncidentRecord,
    PersonRecord,
    incident_pairs,
    matches_for,
    person_pairs,
    score_incidents,
)
from records.services.vocabularies import labels

# Same day, same governorate and same type (55) is not enough (two killings in Baghdad on
# one day are common); with a victim, a place within 10 km or a similar title it is.
DEFAULT_INCIDENT_MIN_SCORE = 60.0


@dataclass(frozen=True)
class Candidate:
    """Two records that may be one: keys (uids or refs), names (titles), score, reasons."""

    kind: str
    a_key: str
    b_key: str
    a_name: str
    b_name: str
    score: float
    reasons: tuple[str, ...]
    a_id: int = 0
    b_id: int = 0


def default_min_score(kind: str) -> float:
    return DEFAULT_MIN_SCORE if kind == "person" else DEFAULT_INCIDENT_MIN_SCORE


def in_words(session: Session, reasons) -> tuple[str, ...]:
    """The reasons of a pair in words; a shared profile by its label in the reader's
    language ("activist" is a code, "Activist" / "ناشط" what a reviewer reads)."""
    names = (labels(session, "profile") if any(code == "profile" for code, _d in reasons)
             else {})
    return tuple(describe(code, detail, names) for code, detail in reasons)


def describe(code: str, detail, profiles: dict[str, str] | None = None) -> str:
    """One reason in words; `profiles` names the profile codes."""
    if code == "name":
        return _("names {score}% alike").format(score=round(detail))
    if code in ("born_close", "born_apart"):
        text = _("born {a} and {b}").format(a=detail[0], b=detail[1])
        return text if code == "born_close" else _("{what}: too far apart").format(what=text)
    if code in ("age_close", "age_apart"):
        text = _("aged {a} and {b}").format(a=detail[0], b=detail[1])
        return text if code == "age_close" else _("{what}: too far apart").format(what=text)
    if code == "days_apart":
        return ngettext("{n} day apart", "{n} days apart", detail).format(n=detail)
    if code == "near":
        return _("{km} km apart").format(km=detail)
    if code == "similar_victim":
        return _("a victim with a similar name ({score}%)").format(score=round(detail))
    if code == "similar_title":
        return _("titles {score}% alike").format(score=detail)
    if code == "profile":
        return _("same profile: {profile}").format(profile=(profiles or {}).get(detail, detail))
    words = {"sex_differs": _("recorded as of different sex"),
             "same_home": _("same home governorate"),
             "other_home": _("different home governorates"),
             "same_day": _("same day"), "dates_overlap": _("dates overlap"),
             "same_governorate": _("same governorate"), "same_type": _("same type"),
             "shared_victim": _("a victim in common")}
    return words.get(code, code)


# --- loading what the principal may see ---------------------------------------------------

def _people_query(by: Principal):
    table = Person.__table__.c
    query = select(table.id, table.uid, table.full_name, table.name_original, table.aliases,
                   table.birth_year, table.age, table.sex, table.home_admin1, table.profiles
                   ).where(visible_people(by))
    if not has_role(by, "reviewer"):
        query = query.where(not_(cast(Person.profiles, String).contains('"witness"')))
    return query


def _opened(session: Session, row) -> tuple[str, ...]:
    values = {"full_name": row.full_name, "name_original": row.name_original,
              "aliases": row.aliases}
    if any(is_sealed(v) for v in values.values()):
        values = open_values(session, "person", person_owner(row.uid), values)
        if any(is_sealed(v) for v in values.values()):
            return ()  # a key that is gone: nothing to compare
    aliases = values["aliases"] if isinstance(values["aliases"], list) else []
    return tuple(n for n in (values["full_name"], values["name_original"], *aliases)
                 if isinstance(n, str) and n.strip())


def load_people(session: Session, *, by: Principal) -> list[PersonRecord]:
    """The people `by` may see, their names opened (caseworkers and up)."""
    require_role(by, "caseworker", _("look for duplicates"))
    out = []
    for row in session.connection().execute(_people_query(by).order_by(Person.__table__.c.id)):
        names = _opened(session, row)
        if names:
            out.append(PersonRecord(id=row.id, key=row.uid, names=names,
                                    birth_year=row.birth_year, age=row.age, sex=row.sex,
                                    home_admin1=row.home_admin1,
                                    profiles=tuple(row.profiles or ())))
    return out


def _opened_places(session: Session, rows) -> list:
    """The rows with a restricted incident's title, locality and coordinates opened (they
    are sealed; the reader may see every row given: visible_incidents), in memory only."""
    sealed = {r.ref for r in rows if is_sealed(r.title)}
    load_data_keys(session, [incident_owner(ref) for ref in sealed])
    return [SimpleNamespace(**open_values(session, "incident", incident_owner(r.ref),
                                          r._asdict())) if r.ref in sealed else r
            for r in rows]


def load_incidents(session: Session, *, by: Principal) -> list[IncidentRecord]:
    """The incidents `by` may see (archived ones left out), with their victims."""
    require_role(by, "caseworker", _("look for duplicates"))
    table = Incident.__table__.c
    rows = session.connection().execute(
        select(table.id, table.ref, table.title, table.incident_type, table.start_date,
               table.end_date, table.date_precision, table.admin1, table.latitude,
               table.longitude, table.locality, table.coordinates)
        .where(visible_incidents(by), table.status != "archived").order_by(table.id)).all()
    people = {p.id: p for p in load_people(session, by=by)}
    victims: dict[int, list[int]] = {}
    for link in session.connection().execute(select(Victim.__table__.c.incident_id,
                                                    Victim.__table__.c.person_id)):
        victims.setdefault(link.incident_id, []).append(link.person_id)
    out = []
    for row in _opened_places(session, rows):
        start, end = incident_interval(row.start_date, row.end_date, row.date_precision)
        ids = [p for p in victims.get(row.id, ()) if p in people]
        out.append(IncidentRecord(
            id=row.id, key=row.ref, title=row.title, incident_type=row.incident_type,
            start=start, end=end, exact_day=date_grain(row.date_precision) == "day",
            admin1=row.admin1, latitude=row.latitude, longitude=row.longitude,
            locality=row.locality, victim_ids=frozenset(ids),
            victim_names=tuple(people[p].names[0] for p in ids)))
    return out


# --- what the pages and the CLI call -----------------------------------------------------

def candidate_pairs(session: Session, kind: str, *, by: Principal,
                    min_score: float | None = None, limit: int | None = None
                    ) -> list[Candidate]:
    """Likely duplicate pairs of `kind` ("person" or "incident") among what `by` may see,
    highest score first, pairs judged not the same left out. Caseworkers and up; raises
    PermissionDenied below."""
    threshold = default_min_score(kind) if min_score is None else min_score
    skip = judged_pairs(session, kind)
    if kind == "person":
        records = load_people(session, by=by)
        found = person_pairs(records, min_score=threshold, skip=skip)
    else:
        records = load_incidents(session, by=by)
        found = incident_pairs(records, min_score=threshold, skip=skip)
    out = []
    for pair in found[:limit]:
        a, b = records[pair.a], records[pair.b]
        if b.id < a.id:  # the older record first: the one a merge keeps by default
            a, b = b, a
        out.append(Candidate(kind, a.key, b.key, _name(a), _name(b), pair.score,
                             in_words(session, pair.reasons),
                             a.id, b.id))
    return out


def _name(record) -> str:
    return record.names[0] if isinstance(record, PersonRecord) else record.title


def person_candidates(session: Session, *, by: Principal, min_score: float | None = None
                      ) -> list[Candidate]:
    return candidate_pairs(session, "person", by=by, min_score=min_score)


def incident_candidates(session: Session, *, by: Principal, min_score: float | None = None
                        ) -> list[Candidate]:
    return candidate_pairs(session, "incident", by=by, min_score=min_score)


def similar_people(session: Session, name: str, *, by: Principal,
                   birth_year: int | None = None, min_score: float | None = None,
                   limit: int = 10) -> list[tuple[str, float, tuple[str, ...]]]:
    """(uid, score, reasons) of the people `by` may see most likely to be `name`, best
    first: what the victim form shows before a new person is added."""
    if not name or not name.strip():
        return []
    found = matches_for(name, load_people(session, by=by),
                        min_score=DEFAULT_MIN_SCORE if min_score is None else min_score,
                        birth_year=birth_year, limit=limit)
    return [(p.key, score, in_words(session, reasons))
            for score, reasons, p in found]


def similar_incidents(session: Session, data: dict, *, by: Principal,
                      min_score: float | None = None, limit: int = 5) -> list[Candidate]:
    """Existing incidents `by` may see most likely to be the one described by `data` (the
    fields of a new incident: title, incident_type, start_date, end_date, date_precision,
    admin1, latitude, longitude, victim names), best first."""
    threshold = DEFAULT_INCIDENT_MIN_SCORE if min_score is None else min_score
    start, end = incident_interval(data["start_date"], data.get("end_date"),
                                   data.get("date_precision"))
    probe = IncidentRecord(
        id=0, key="", title=data.get("title") or "", incident_type=data.get("incident_type")
        or "", start=start, end=end,
        exact_day=date_grain(data.get("date_precision")) == "day",
        admin1=data.get("admin1"), latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        victim_names=tuple(n for n in data.get("victim_names", ()) if n)).prepare()
    window = dt.timedelta(days=3)
    out = []
    for record in load_incidents_between(session, start - window, end + window, by=by):
        score, reasons = score_incidents(probe, record.prepare())
        if score >= threshold:
            out.append(Candidate("incident", "", record.key, probe.title, record.title,
                                 score, in_words(session, reasons), 0,
                                 record.id))
    out.sort(key=lambda c: (-c.score, c.b_key))
    return out[:limit]


def load_incidents_between(session: Session, first: dt.date, last: dt.date, *,
                           by: Principal) -> list[IncidentRecord]:
    """The incidents `by` may see whose dates may fall between `first` and `last`."""
    table = Incident.__table__.c
    rows = session.connection().execute(
        select(table.id, table.ref, table.title, table.incident_type, table.start_date,
               table.end_date, table.date_precision, table.admin1, table.latitude,
               table.longitude, table.locality, table.coordinates)
        .where(visible_incidents(by), table.status != "archived",
               table.start_date <= last,
               and_(table.start_date >= first - dt.timedelta(days=366)))
    ).all()
    out = []
    for row in _opened_places(session, rows):
        start, end = incident_interval(row.start_date, row.end_date, row.date_precision)
        if end < first or start > last:
            continue
        out.append(IncidentRecord(
            id=row.id, key=row.ref, title=row.title, incident_type=row.incident_type,
            start=start, end=end, exact_day=date_grain(row.date_precision) == "day",
            admin1=row.admin1, latitude=row.latitude, longitude=row.longitude,
            locality=row.locality))
    _add_victims(session, out, by)
    return out


def _add_victims(session: Session, incidents: list[IncidentRecord], by: Principal) -> None:
    """Fill in the victims (ids and opened names) of a few incidents, as `by` may see them."""
    if not incidents:
        return
    victim, person = Victim.__table__.c, Person.__table__.c
    links = session.connection().execute(select(victim.incident_id, victim.person_id).where(
        victim.incident_id.in_([i.id for i in incidents]))).all()
    names = {row.id: _opened(session, row) for row in session.connection().execute(
        _people_query(by).where(person.id.in_({link.person_id for link in links})))}
    found: dict[int, list] = {}
    for link in links:
        if names.get(link.person_id):
            found.setdefault(link.incident_id, []).append(
                (link.person_id, names[link.person_id][0]))
    for incident in incidents:
        links = found.get(incident.id, [])
        incident.victim_ids = frozenset(i for i, _name in links)
        incident.victim_names = tuple(name for _i, name in links)
