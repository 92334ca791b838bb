"""Figures for the dashboard, aggregated in the database over the incidents a user may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import distinct, extract, func, true
from sqlmodel import Session, select

from records.db import is_sqlite
from records.i18n import _
from records.models import Incident, Perpetrator, Person, Victim
from records.models.actor import Actor
from records.services.access import Principal, require_role, round_coordinate
from records.services.incidents import YEAR_CODES, IncidentFilter, counted_in_months
from records.services.incidents import filter_incidents as visible_incidents
from records.services.stats.locations import map_decimals


@dataclass
class GovernorateCount:
    admin1: str
    incidents: int
    latitude: float | None
    longitude: float | None


@dataclass
class DashboardStats:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    per_month: list[tuple[str, int]] = field(default_factory=list)
    per_year: list[tuple[int, int]] = field(default_factory=list)
    year_only: int = 0
    by_governorate: list[GovernorateCount] = field(default_factory=list)
    by_type: dict[str, int] = field(default_factory=dict)
    by_actor_type: dict[str, int] = field(default_factory=dict)
    victims_by_profile: dict[str, int] = field(default_factory=dict)
    victims_by_outcome: dict[str, int] = field(default_factory=dict)


def _counts(session: Session, query) -> dict[str, int]:
    return {key: count for key, count in session.exec(query).all() if key is not None}


def dashboard_stats(session: Session, *, by: Principal,
                    filters: IncidentFilter | None = None) -> DashboardStats:
    """Counts over the incidents `by` may see (restricted ones only for their authors and
    reviewers; archived ones left out unless the filter asks), computed by the database.

    Months are "YYYY-MM" of the start date, oldest first, counting only incidents whose
    month is known: those dated to the year only are in `per_year` (every incident by its
    start year) and counted in `year_only`. Governorates carry the mean coordinates of their
    incidents where known, rounded to `map_decimals(by)`: a restricted incident is counted
    but its sealed coordinates are not known here. Raises PermissionDenied for unknown
    roles."""
    require_role(by, "viewer", _("read incidents"))
    filters = filters or IncidentFilter()

    def grouped(column, *joins):
        query = select(column, func.count(distinct(Incident.id))).select_from(Incident)
        for target, on in joins:
            query = query.join(target, on)
        return visible_incidents(query, filters, by).group_by(column)

    stats = DashboardStats()
    stats.by_status = _counts(session, grouped(Incident.status))
    stats.total = sum(stats.by_status.values())
    stats.by_type = _counts(session, grouped(Incident.incident_type))
    stats.by_actor_type = _counts(session, grouped(
        Actor.actor_type, (Perpetrator, Perpetrator.incident_id == Incident.id),
        (Actor, Actor.id == Perpetrator.actor_id)))

    year = extract("year", Incident.start_date)
    month = extract("month", Incident.start_date)
    months = visible_incidents(
        select(year, month, func.count()).select_from(Incident), filters, by
    ).where(counted_in_months()).group_by(year, month).order_by(year, month)
    stats.per_month = [(f"{int(y):04d}-{int(m):02d}", n) for y, m, n in session.exec(months)]
    years = visible_incidents(select(year, func.count()).select_from(Incident), filters, by
                              ).group_by(year).order_by(year)
    stats.per_year = [(int(y), n) for y, n in session.exec(years)]
    stats.year_only = session.exec(visible_incidents(
        select(func.count()).select_from(Incident), filters, by
    ).where(Incident.date_precision.in_(YEAR_CODES))).one()

    places = visible_incidents(
        select(Incident.admin1, func.count(), func.avg(Incident.latitude),
               func.avg(Incident.longitude)).select_from(Incident), filters, by
    ).where(Incident.admin1.is_not(None)).group_by(Incident.admin1)
    # The mean of one incident's coordinates is that incident's location: rounded like the
    # map's points, so a viewer never reads a finer place here than there.
    decimals = map_decimals(by)
    stats.by_governorate = sorted(
        (GovernorateCount(code, n,
                          round_coordinate(float(lat), decimals) if lat is not None else None,
                          round_coordinate(float(lon), decimals) if lon is not None else None)
         for code, n, lat, lon in session.exec(places)),
        key=lambda g: (-g.incidents, g.admin1))

    victims = select(Victim.outcome, func.count()).select_from(Incident).join(
        Victim, Victim.incident_id == Incident.id)
    stats.victims_by_outcome = _counts(
        session, visible_incidents(victims, filters, by).group_by(Victim.outcome))
    stats.victims_by_profile = _profile_counts(session, filters, by)
    return stats


def _profile_counts(session: Session, filters: IncidentFilter, by: Principal
                    ) -> dict[str, int]:
    """Victims per profile: the JSON list of profiles is unnested by the database."""
    unnest = func.json_each if is_sqlite(session) else func.json_array_elements_text
    profile = unnest(Person.profiles).table_valued("value").alias("profile")
    query = (select(profile.c.value, func.count()).select_from(Incident)
             .join(Victim, Victim.incident_id == Incident.id)
             .join(Person, Person.id == Victim.person_id)
             .join(profile, true()))
    return _counts(session, visible_incidents(query, filters, by).group_by(profile.c.value))
