"""Static SVG charts and the incident map of the advocacy report (no scripts, no CDN).

The same SVG is inlined in the HTML report and drawn into the PDF by fpdf2, so both show
the same figures. Labels are folded to plain Latin letters: the PDF draws SVG text with a
core font.
"""

from __future__ import annotations

import unicodedata
from html import escape

COLOUR = "#8b1e3f"
GRID = "#cccccc"


def _label(text: str, limit: int = 34) -> str:
    folded = unicodedata.normalize("NFKD", str(text))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = folded.encode("latin-1", "ignore").decode("latin-1")
    return escape(folded if len(folded) <= limit else folded[: limit - 1] + "...")


def bar_chart(items: list[tuple[str, int]], *, width: int = 640) -> str:
    """Horizontal bars, one per (label, value), largest first as given."""
    items = items[:15] or [("(none)", 0)]
    top = max(v for _l, v in items) or 1
    row, left = 22, 230
    height = row * len(items) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" '
             f'font-size="12">']
    for i, (label, value) in enumerate(items):
        y = 5 + i * row
        bar = (width - left - 60) * value / top
        parts.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{_label(label)}'
                     f'</text>')
        parts.append(f'<rect x="{left}" y="{y + 2}" width="{bar:.1f}" height="{row - 6}" '
                     f'fill="{COLOUR}"/>')
        parts.append(f'<text x="{left + bar + 5:.1f}" y="{y + 14}">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def column_chart(items: list[tuple[str, int]], *, width: int = 640, height: int = 220) -> str:
    """Vertical columns over time (label per column, e.g. 2020-03), with a few tick labels."""
    items = items or [("", 0)]
    top = max(v for _l, v in items) or 1
    left, bottom, plot_h = 40, 40, height - 60
    step = (width - left - 10) / len(items)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" '
             f'font-size="11">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" '
             f'y2="{height - bottom}" stroke="{GRID}"/>',
             f'<text x="{left - 5}" y="{height - bottom - plot_h + 4}" text-anchor="end">'
             f'{top}</text>',
             f'<text x="{left - 5}" y="{height - bottom + 4}" text-anchor="end">0</text>']
    every = max(1, len(items) // 8)
    for i, (label, value) in enumerate(items):
        h = plot_h * value / top
        x = left + i * step
        parts.append(f'<rect x="{x + step * 0.1:.1f}" y="{height - bottom - h:.1f}" '
                     f'width="{min(max(step * 0.8, 0.5), 40):.1f}" height="{h:.1f}" '
                     f'fill="{COLOUR}"/>')
        if i % every == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - bottom + 16}">{_label(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def point_map(points: list[tuple[float, float, int]], labels: list[tuple[float, float, str]],
              *, width: int = 640, height: int = 420) -> str:
    """Incident locations (longitude, latitude, weight) on a graticule, with governorate
    names at the centre of their incidents. Coordinates are those of the export level."""
    if not points:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="40" '
                f'font-family="Helvetica, Arial, sans-serif" font-size="12"><text x="5" y="20">'
                f'No incident with coordinates.</text></svg>')
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    west, east = min(lons) - 0.5, max(lons) + 0.5
    south, north = min(lats) - 0.5, max(lats) + 0.5
    scale = min((width - 20) / (east - west), (height - 20) / (north - south))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return 10 + (lon - west) * scale, 10 + (north - lat) * scale

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" '
             f'font-size="10">',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f6f4ef"/>']
    for lon in range(int(west), int(east) + 1):
        x, _y = xy(lon, north)
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height}" stroke="{GRID}"/>')
        parts.append(f'<text x="{x + 2:.1f}" y="{height - 4}" fill="#777">{lon}E</text>')
    for lat in range(int(south), int(north) + 1):
        _x, y = xy(west, lat)
        parts.append(f'<line x1="0" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="2" y="{y - 2:.1f}" fill="#777">{lat}N</text>')
    for lon, lat, weight in points:
        x, y = xy(lon, lat)
        radius = min(3 + weight * 1.5, 12)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{COLOUR}" '
                     f'fill-opacity="0.6" stroke="{COLOUR}"/>')
    for lon, lat, text in labels:
        x, y = xy(lon, lat)
        parts.append(f'<text x="{x + 8:.1f}" y="{y + 4:.1f}" fill="#333">{_label(text, 24)}'
                     f'</text>')
    parts.append("</svg>")
    return "".join(parts)
