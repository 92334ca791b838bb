"""Figures for the dashboard, counted in the database over what the user may see."""

from records.services.stats.dashboard import (
    GovernorateCount,
    dashboard_stats,
)

__all__ = [
    "GovernorateCount",
    "dashboard_stats",
]
