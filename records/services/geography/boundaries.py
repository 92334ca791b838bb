"""Iraq's governorates as GeoJSON, read from records/data/iraq-governorates.geojson.

The file holds Natural Earth's 1:10m first-order boundaries for Iraq, simplified to about
1 km (Douglas–Peucker, 0.01°) and keyed by the ISO 3166-2 codes of the governorate
vocabulary (IQ-BG, IQ-KI, …): small enough to ship, fine enough for a national map.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

BOUNDARIES_FILE = Path(__file__).resolve().parents[2] / "data" / "iraq-governorates.geojson"


@dataclass(frozen=True)
class Frame:
    """A longitude/latitude box a map shows whole."""

    west: float
    south: float
    east: float
    north: float


# Iraq's extent (38.79–48.58 E, 29.06–37.38 N) with a little margin around it.
IRAQ_FRAME = Frame(west=38.6, south=28.9, east=48.8, north=37.5)


@cache
def _load() -> dict:
    return json.loads(BOUNDARIES_FILE.read_text(encoding="utf-8"))


def governorate_boundaries() -> dict:
    """A GeoJSON FeatureCollection of the 18 governorates; each feature's `id` and
    `properties.iso_3166_2` are its code, `properties.label_point` ([lon, lat]) a point
    inside it for its name. A fresh copy: callers may add properties (counts, labels)."""
    return copy.deepcopy(_load())


def governorate_label_points() -> dict[str, tuple[float, float]]:
    """Code → (longitude, latitude) of a point inside the governorate, for its name."""
    return {f["id"]: tuple(f["properties"]["label_point"]) for f in _load()["features"]}
