"""Maps drawn from data shipped with the package, so no map ever asks another server for
tiles: Iraq's 18 governorates (Natural Earth, public domain; docs/data-licences.md) and the
frame that holds them."""

from records.services.geography.boundaries import (
    IRAQ_FRAME,
    Frame,
    governorate_boundaries,
    governorate_label_points,
)

__all__ = [
    "IRAQ_FRAME",
    "Frame",
    "governorate_boundaries",
    "governorate_label_points",
]
