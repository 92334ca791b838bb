"""Figures for the dashboard, counted in the database over what the user may see."""

from records.services.stats.dashboard import (
    GovernorateCount,
    dashboard_stats,
)
from records.services.stats.locations import (
    LocationCount,
    incident_locations,
    map_decimals,
)

__all__ = [
    "GovernorateCount",
    "LocationCount",
    "dashboard_stats",
    "incident_locations",
    "map_decimals",
]
