"""A restricted incident's exact coordinates, sealed (records/sealing.py, docs/design.md §5).

Latitude and longitude are numbers, and a sealed value is text. While an incident is
restricted both columns are NULL and the pair is kept in the text column
`incident.coordinates` as the JSON `[latitude, longitude]`, which is sealed like any other
text; once it is no longer restricted the pair goes back to its columns and `coordinates`
is NULL again. Readers who may see the incident get the pair back as latitude and longitude
(`unpack`, through sealing.open_values); a query over the columns themselves (the
dashboard's map and the centres of its governorates) does not see a restricted incident's
place at all.

This module only moves values between the columns; sealing and opening stay in sealing.py.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import inspect

CARRIER = "coordinates"
COORDINATES = ("latitude", "longitude")


def coordinates_now(obj: Any, carried: str | None) -> list[float | None]:
    """The pair the incident `obj` holds now: a coordinate written since the last flush
    (set to None too: a cleared place), else a coordinate in its column, else the one the
    opened `carried` text holds. A restricted incident's row keeps NULL in the columns, so
    an edit that names only the latitude keeps the sealed longitude."""
    written = inspect(obj).committed_state  # the attributes assigned since the last flush
    kept = json.loads(carried) if carried else [None, None]
    pair = []
    for field, old in zip(COORDINATES, kept, strict=True):
        value = getattr(obj, field)
        pair.append(value if value is not None or field in written else old)
    return pair


def carry(obj: Any, pair: list[float | None]) -> None:
    """Move the pair out of the columns into the (still clear) carrier text."""
    obj.latitude = obj.longitude = None
    obj.coordinates = None if pair == [None, None] else json.dumps(pair)


def restore(obj: Any, pair: list[float | None]) -> None:
    """Put the pair back into its columns; the carrier empties."""
    obj.latitude, obj.longitude = pair
    obj.coordinates = None


def unpack(values: dict[str, Any], carried: Any, erased: bool) -> None:
    """Replace the opened carrier in a row's `values` by latitude and longitude: unknown
    (None) when its key was destroyed. A carrier still sealed (no key to open it) is left
    as it is."""
    if erased:
        values.pop(CARRIER, None)
        values.update(dict.fromkeys(COORDINATES))
    elif isinstance(carried, str) and carried:
        values.pop(CARRIER, None)
        values.update(zip(COORDINATES, json.loads(carried), strict=True))
    elif carried is None:
        values.pop(CARRIER, None)
