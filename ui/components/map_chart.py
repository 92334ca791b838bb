"""The dashboard's map: Iraq's governorates shaded by their incidents, with incident
locations on top, drawn by Vega-Lite in the browser from data the page sends. No tiles and
no map style: nothing is fetched from another server (tests/ui/test_browser_offline_map.py)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from records.services.geography import governorate_boundaries
from records.services.stats import LocationCount
from ui.i18n import _

SHADES = ["#f3e6ea", "#8b1e3f"]
POINT = "#2b2b2b"


def governorate_map(counts: dict[str, int], points: list[LocationCount],
                    names: dict[str, str], *, height: int = 420) -> alt.LayerChart:
    """`counts`: incidents per governorate code; `points`: locations already rounded to
    what the reader may see (records.services.stats.incident_locations); `names`: code →
    governorate name in the reader's language."""
    governorate, incidents = _("Governorate"), _("Incidents")
    features = governorate_boundaries()["features"]
    for feature in features:
        code = feature["id"]
        feature["properties"] = {"name": names.get(code, code),
                                 "incidents": counts.get(code, 0)}
    shapes = alt.Chart(alt.Data(values=features)).mark_geoshape(
        stroke="#ffffff", strokeWidth=0.8).encode(
        color=alt.Color("properties.incidents:Q", title=incidents,
                        scale=alt.Scale(range=SHADES, domainMin=0)),
        tooltip=[alt.Tooltip("properties.name:N", title=governorate),
                 alt.Tooltip("properties.incidents:Q", title=incidents)])
    layers = [shapes]
    if points:
        frame = pd.DataFrame({"lat": [p.latitude for p in points],
                              "lon": [p.longitude for p in points],
                              "incidents": [p.incidents for p in points]})
        layers.append(alt.Chart(frame).mark_circle(color=POINT, opacity=0.55).encode(
            latitude="lat:Q", longitude="lon:Q",
            # Area grows with the count; a lone incident stays a small dot.
            size=alt.Size("incidents:Q", legend=None, scale=alt.Scale(
                domain=[0, max(5, max(p.incidents for p in points))], range=[0, 360])),
            tooltip=[alt.Tooltip("lat:Q", title=_("Latitude")),
                     alt.Tooltip("lon:Q", title=_("Longitude")),
                     alt.Tooltip("incidents:Q", title=incidents)]))
    return alt.layer(*layers).project(type="mercator").properties(height=height)
