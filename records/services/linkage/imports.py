"""Likely duplicates of the rows of a file about to be imported: per row, the existing
incidents it may report again and the existing people its victims may be. Reported in the
import preview; an import never merges on its own."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session

from records.services.access import Principal, has_role
from records.services.incidents.dates import date_grain, incident_interval
from records.services.linkage.candidates import (
    DEFAULT_INCIDENT_MIN_SCORE,
    in_words,
    load_incidents,
    load_people,
)
from records.services.linkage.names import DEFAULT_MIN_SCORE
from records.services.linkage.pairs import (
    IncidentRecord,
    PeopleIndex,
    matches_for,
    score_incidents,
)

PER_ROW = 3
AT_MOST = 1000
WINDOW = dt.timedelta(days=3)
LONGEST = dt.timedelta(days=31)  # a day-dated incident lasting longer is found by victims


@dataclass(frozen=True)
class RowDuplicate:
    """Row `row` of the file (its incident's title, or one victim's name, in `what`) may be
    the existing `kind` `key` (`name`)."""

    row: int
    kind: str
    what: str
    key: str
    name: str
    score: float
    reasons: tuple[str, ...]


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _victim_names(record: dict) -> list[str]:
    names = []
    for victim in record.get("victims") or ():
        person = victim.get("person") if isinstance(victim, dict) else None
        if isinstance(person, dict):
            for field in ("full_name", "name_original"):
                if isinstance(person.get(field), str) and person[field].strip():
                    names.append(person[field].strip())
                    break
    return names


def _float(value) -> float | None:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


def import_duplicates(session: Session, items: Iterable, *, by: Principal) -> list[RowDuplicate]:
    """For each item (row, record) of a file: up to PER_ROW existing incidents and, per
    victim, existing people that score as likely the same, among what `by` may see; best
    first within a row, at most AT_MOST in all. Writes nothing. Empty below caseworker."""
    if not has_role(by, "caseworker"):
        return []
    people = PeopleIndex(load_people(session, by=by))
    incidents = [r.prepare() for r in load_incidents(session, by=by)]
    # Day-dated incidents by date; all of them by victim key, for pairs where a date is
    # known only to the month or year (worth a look only with a victim in common, as in
    # the candidate pairs).
    exact = sorted((r for r in incidents if r.exact_day), key=lambda r: r.start)
    starts = [r.start for r in exact]
    by_victim: dict = {}
    for incident in incidents:
        for key in incident.victim_keys:
            by_victim.setdefault(key, []).append(incident)
    out: list[RowDuplicate] = []
    for item in items:
        record = item.record if isinstance(item.record, dict) else {}
        own_ref = str(record.get("ref") or "").strip().upper()
        own_uids = {str(v.get("person_uid") or (v.get("person") or {}).get("uid") or "")
                    .strip().lower() for v in record.get("victims") or ()
                    if isinstance(v, dict)}
        names = _victim_names(record)
        for name in names:
            for score, reasons, person in matches_for(name, people,
                                                      min_score=DEFAULT_MIN_SCORE,
                                                      limit=PER_ROW):
                if person.key in own_uids:
                    continue  # the file names this very person: not a duplicate
                out.append(RowDuplicate(item.row, "person", name, person.key,
                                        person.names[0], score,
                                        in_words(session, reasons)))
        start = _date(record.get("start_date"))
        if start is not None:
            first, last = incident_interval(start, _date(record.get("end_date")),
                                            record.get("date_precision"))
            probe = IncidentRecord(
                id=0, key="", title=str(record.get("title") or ""),
                incident_type=str(record.get("incident_type") or ""), start=first, end=last,
                exact_day=date_grain(record.get("date_precision")) == "day",
                admin1=record.get("admin1"), latitude=_float(record.get("latitude")),
                longitude=_float(record.get("longitude")), victim_names=tuple(names)
            ).prepare()
            near: dict[int, IncidentRecord] = {}
            if probe.exact_day:
                low = bisect.bisect_left(starts, first - LONGEST)
                high = bisect.bisect_right(starts, last + WINDOW)
                near.update((r.id, r) for r in exact[low:high])
            for key in probe.victim_keys:
                near.update((r.id, r) for r in by_victim.get(key, ()))
            found = []
            for existing in near.values():
                if (existing.end + WINDOW < first or existing.start - WINDOW > last
                        or existing.key == own_ref):
                    continue
                score, reasons = score_incidents(probe, existing,
                                                 DEFAULT_INCIDENT_MIN_SCORE)
                if score >= DEFAULT_INCIDENT_MIN_SCORE:
                    found.append((score, reasons, existing))
            found.sort(key=lambda f: (-f[0], f[2].key))
            for score, reasons, existing in found[:PER_ROW]:
                out.append(RowDuplicate(item.row, "incident", probe.title, existing.key,
                                        existing.title, score,
                                        in_words(session, reasons)))
        if len(out) >= AT_MOST:
            break
    return out[:AT_MOST]
