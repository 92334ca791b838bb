"""Static SVG charts and the incident map of the advocacy report (no scripts, no CDN, no
tiles: the map is drawn from the governorate boundaries shipped with the package).

A chart is its shapes plus its labels. The HTML report inlines the whole SVG, and the
browser lays out the labels in any script. The PDF draws the shapes from the same SVG and
sets the labels itself with HarfBuzz shaping (reports/pdf.py), since fpdf2 draws SVG text
unshaped, which would break Arabic and Sorani names apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

from records.i18n import _
from records.services.geography import IRAQ_FRAME, Frame, governorate_boundaries

COLOUR = "#8b1e3f"
GRID = "#cccccc"
PALE = "#f3e6ea"
# The map's darkest shade: light enough for dark names and circles on every governorate.
MAP_DARK = "#c27a90"
EMPTY = "#f1efe9"
FONT = "IBM Plex Sans Arabic, DejaVu Sans, Helvetica, Arial, sans-serif"
# Rough advance of a character, in ems, to keep a label inside its frame before the
# renderer measures it (the PDF measures and clamps again).
CHAR_EM = 0.56


@dataclass
class Label:
    """A line of text at (x, y), its baseline; `anchor` as SVG's text-anchor."""

    x: float
    y: float
    text: str
    anchor: str = "start"
    size: float = 12
    fill: str = "#222222"
    halo: bool = False  # a pale ground under the text, where it lies over shapes


@dataclass
class Chart:
    width: int
    height: int
    shapes: list[str] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)

    def svg(self, *, with_labels: bool = True) -> str:
        """The chart as one SVG element; every label is escaped. Left-to-right geometry
        (anchors mean left, middle, right) whatever the page's direction."""
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" '
                 f'height="{self.height}" viewBox="0 0 {self.width} {self.height}" '
                 f'direction="ltr" font-family="{FONT}">', *self.shapes]
        if with_labels:
            halo = ' stroke="#ffffff" stroke-width="3" stroke-opacity="0.8" paint-order="stroke"'
            parts += [f'<text x="{lb.x:.1f}" y="{lb.y:.1f}" text-anchor="{lb.anchor}" '
                      f'font-size="{lb.size}" fill="{lb.fill}"{halo if lb.halo else ""}>'
                      f'{escape(lb.text)}</text>' for lb in self.labels]
        parts.append("</svg>")
        return "".join(parts)

    def __str__(self) -> str:
        return self.svg()


def _short(text: str, limit: int = 34) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _inside(label: Label, width: float, height: float, margin: float = 3) -> Label:
    """The label moved (not cut) so its estimated extent stays within the frame."""
    half = len(label.text) * CHAR_EM * label.size / 2
    left = {"start": label.x, "middle": label.x - half, "end": label.x - 2 * half}[label.anchor]
    left = min(max(left, margin), max(margin, width - margin - 2 * half))
    x = {"start": left, "middle": left + half, "end": left + 2 * half}[label.anchor]
    y = min(max(label.y, label.size + margin), height - margin)
    return Label(x, y, label.text, label.anchor, label.size, label.fill, label.halo)


def bar_chart(items: list[tuple[str, int]], *, width: int = 640, rtl: bool = False
              ) -> Chart:
    """Horizontal bars, one per (label, value), largest first as given; mirrored for a
    right-to-left report (labels on the right, bars growing to the left)."""
    items = items[:15] or [(_("(none)"), 0)]
    top = max(v for _l, v in items) or 1
    row, side = 22, 230
    chart = Chart(width, row * len(items) + 10)
    axis = width - side if rtl else side
    for i, (label, value) in enumerate(items):
        y = 5 + i * row
        bar = (width - side - 60) * value / top
        x = axis - bar if rtl else axis
        chart.shapes.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{bar:.1f}" '
                            f'height="{row - 6}" fill="{COLOUR}"/>')
        chart.labels.append(Label(axis + 6 if rtl else axis - 6, y + 14, _short(label),
                                  "start" if rtl else "end"))
        chart.labels.append(Label(x - 5 if rtl else x + bar + 5, y + 14, str(value),
                                  "end" if rtl else "start"))
    return chart


def column_chart(items: list[tuple[str, int]], *, width: int = 640, height: int = 220
                 ) -> Chart:
    """Vertical columns over time (label per column, e.g. 2020-03), with a few tick labels.
    Time runs left to right in every language, as on the dashboard."""
    items = items or [("", 0)]
    top = max(v for _l, v in items) or 1
    left, bottom, plot_h = 40, 40, height - 60
    step = (width - left - 10) / len(items)
    chart = Chart(width, height, [f'<line x1="{left}" y1="{height - bottom}" '
                                  f'x2="{width - 10}" y2="{height - bottom}" stroke="{GRID}"/>'],
                  [Label(left - 5, height - bottom - plot_h + 4, str(top), "end", 11),
                   Label(left - 5, height - bottom + 4, "0", "end", 11)])
    every = max(1, len(items) // 8)
    for i, (label, value) in enumerate(items):
        h = plot_h * value / top
        x = left + i * step
        chart.shapes.append(f'<rect x="{x + step * 0.1:.1f}" y="{height - bottom - h:.1f}" '
                            f'width="{min(max(step * 0.8, 0.5), 40):.1f}" height="{h:.1f}" '
                            f'fill="{COLOUR}"/>')
        if i % every == 0:
            chart.labels.append(_inside(Label(x, height - bottom + 16, label, size=11),
                                        width, height))
    return chart


def _shade(count: int, top: int) -> str:
    """From PALE (one incident) to MAP_DARK (the most); EMPTY where there are none."""
    if count <= 0:
        return EMPTY
    share = math.sqrt(count / top) if top else 1
    pale = [int(PALE[i:i + 2], 16) for i in (1, 3, 5)]
    dark = [int(MAP_DARK[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(a + (b - a) * share):02x}" for a, b in zip(pale, dark,
                                                                               strict=True))


def _rings(geometry: dict) -> list[list[list[float]]]:
    polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                else geometry["coordinates"])
    return [ring for polygon in polygons for ring in polygon]


def governorate_map(counts: dict[str, int], points: list[tuple[float, float, int]],
                    names: dict[str, str], *, width: int = 600,
                    frame: Frame = IRAQ_FRAME) -> Chart:
    """Iraq's governorates shaded by their incidents (`counts`, code → n), the incident
    locations (longitude, latitude, weight) as circles, and each governorate's name
    (`names`, code → label in the report's language) with its count, kept inside the
    frame. The frame is the whole country whatever the data; points outside it are left
    out. Coordinates are those of the export level: the map shows no finer place than the
    records it is drawn from."""
    # Equirectangular at Iraq's middle latitude: true shapes this close to the equator
    # within a few percent, and no projection library needed.
    squeeze = math.cos(math.radians((frame.north + frame.south) / 2))
    scale = width / ((frame.east - frame.west) * squeeze)
    height = round((frame.north - frame.south) * scale)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (lon - frame.west) * squeeze * scale, (frame.north - lat) * scale

    top = max(counts.values(), default=0)
    chart = Chart(width, height, [f'<rect x="0" y="0" width="{width}" height="{height}" '
                                  f'fill="#fbfaf7"/>'])
    features = governorate_boundaries()["features"]
    for feature in features:
        path = " ".join("M" + " L".join("{:.1f},{:.1f}".format(*xy(lon, lat))
                                         for lon, lat in ring) + " Z"
                        for ring in _rings(feature["geometry"]))
        chart.shapes.append(f'<path d="{path}" fill="{_shade(counts.get(feature["id"], 0), top)}"'
                            f' stroke="#ffffff" stroke-width="1"/>')
    biggest = max((w for _x, _y, w in points), default=1)
    for lon, lat, weight in points:
        if not (frame.west <= lon <= frame.east and frame.south <= lat <= frame.north):
            continue
        x, y = xy(lon, lat)
        radius = 2.5 + 7.5 * math.sqrt(weight / biggest)
        chart.shapes.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" '
                            f'fill="{COLOUR}" fill-opacity="0.55" stroke="#ffffff" '
                            f'stroke-width="0.6"/>')
    for feature in features:
        code = feature["id"]
        x, y = xy(*feature["properties"]["label_point"])
        count = counts.get(code, 0)
        text = _short(names.get(code, code), 24) + (f" ({count})" if count else "")
        chart.labels.append(_inside(Label(x, y, text, "middle", 10, halo=True), width, height))
    return chart
