"""Where incidents happened, for the dashboard map, at the precision the reader may see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Numeric, cast, func
from sqlmodel import Session, select

from records.i18n import _
from records.models import Incident
from records.services.access import Principal, reading_level, require_role, round_coordinate
from records.services.incidents import IncidentFilter
from records.services.incidents import filter_incidents as visible_incidents

# Caseworkers and up read exact coordinates on the records; a national map needs no more
# than about 1 km, and fewer distinct points keep the chart light.
MAP_DECIMALS = 2


@dataclass(frozen=True)
class LocationCount:
    latitude: float
    longitude: float
    incidents: int


def map_decimals(by: Principal) -> int:
    """Decimal places of the coordinates `by` sees on a map: the rounding of the level `by`
    reads at (`reading_level`: a viewer gets the public export's 0.1°, about 11 km); a
    level that shows exact coordinates (caseworkers and up) gets MAP_DECIMALS."""
    decimals = reading_level(by).coordinate_decimals
    return MAP_DECIMALS if decimals is None else decimals


def incident_locations(session: Session, *, by: Principal,
                       filters: IncidentFilter | None = None) -> list[LocationCount]:
    """Incidents `by` may see that have coordinates, counted per location rounded to
    `map_decimals(by)` in the database (so no finer coordinate leaves it), most incidents
    first. A restricted incident is not among them, for anyone: its coordinates are sealed
    (records/sealed_coordinates.py) and its page alone shows them. Raises PermissionDenied
    for unknown roles."""
    require_role(by, "viewer", _("read incidents"))
    decimals = map_decimals(by)
    # NUMERIC: PostgreSQL rounds only exact numbers to a number of places.
    lat = func.round(cast(Incident.latitude, Numeric), decimals)
    lon = func.round(cast(Incident.longitude, Numeric), decimals)
    query = visible_incidents(select(lat, lon, func.count()).select_from(Incident),
                              filters or IncidentFilter(), by)
    query = query.where(Incident.latitude.is_not(None), Incident.longitude.is_not(None))
    rows = session.exec(query.group_by(lat, lon)).all()
    return sorted((LocationCount(round_coordinate(float(y), decimals),
                                 round_coordinate(float(x), decimals), n)
                   for y, x, n in rows),
                  key=lambda p: (-p.incidents, p.latitude, p.longitude))
