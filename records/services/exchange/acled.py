"""ACLED's CSV (or XLSX) export mapped onto Sijil incidents: one ACLED event, one incident.

- event_id_cnty → external_id "acled:<id>" (a second import of the event is skipped); its
  ISO 3166 alpha-3 prefix gives the country unless a `country` column names it.
- event_date → start_date (YYYY-MM-DD or "14 March 2020").
- time_precision → date_precision: 1 day, 2 approximate (within a week), 3 month.
- event_type, sub_event_type → incident_type: fatalities > 0 → killing; Abduction/forced
  disappearance → abduction; Arrests → arbitrary_detention; Looting/property destruction →
  attack_on_property; Sexual violence, Excessive force against protesters, Mob violence,
  Violent demonstration, Protest with intervention → assault; Attack, Air/drone strike and
  explosions → attempted_killing; anything else → other. method: Air/drone strike → drone;
  Remote explosive/landmine/IED, Suicide bomb, Grenade → ied. context: Protests and Riots →
  protest_related. title: "<sub_event_type> in <location>".
- actor1 → a perpetrator (attribution alleged) unless it names protesters, rioters or
  civilians; actor type from the name: Military/Police Forces of … → state_forces; Popular
  Mobilization/PMF/Hashd → state_affiliated_armed_group; Unidentified Armed Group →
  unidentified_gunmen; Communal/Tribal militia → tribal_group; other militias, armed groups,
  Islamic State → non_state_armed_group; otherwise unknown.
- assoc_actor_1 → the perpetrator's basis ("ACLED associated actors: …").
- admin1 → admin1 as ISO 3166-2 (ACLED's names are matched, e.g. Ninewa → IQ-NI; Halabja →
  IQ-SU, its ISO parent); admin2 → admin2; location → locality.
- latitude, longitude → latitude, longitude; geo_precision: 1 near, 2 district,
  3 governorate.
- source → one citation per "; "-separated source (kind media; one source per name).
- notes → narrative; fatalities → fatalities; tags → tags ("; "-separated).

Imported events are drafts with confidence "reported" and no imported status (ACLED says
nothing of review): ACLED codes events, Sijil verifies them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterator

import pycountry

from records.errors import FieldProblem
from records.i18n import _
from records.services.exchange.readers import ImportItem, parse_date
from records.services.exchange.tables import Table

COLUMNS = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
           "actor1", "assoc_actor_1", "admin1", "admin2", "location", "latitude", "longitude",
           "geo_precision", "source", "notes", "fatalities", "tags")
REQUIRED = ("event_id_cnty", "event_date", "event_type")
TIME_PRECISION = {"1": "day", "2": "approximate", "3": "month"}
GEO_PRECISION = {"1": "near", "2": "district", "3": "governorate"}
_SOURCE_NAMESPACE = uuid.UUID("5b0a1f4e-2d0c-4c59-9a8e-ac1ed0000000")
_ADMIN1_ALIASES = {
    "erbil": "IQ-AR", "irbil": "IQ-AR", "duhok": "IQ-DA", "dohuk": "IQ-DA",
    "kerbala": "IQ-KA", "karbala": "IQ-KA", "ninewa": "IQ-NI", "ninawa": "IQ-NI",
    "nineveh": "IQ-NI", "qadissiya": "IQ-QA", "qadisiyah": "IQ-QA", "diwaniyah": "IQ-QA",
    "salahaldin": "IQ-SD", "salahuddin": "IQ-SD", "sulaymaniyah": "IQ-SU",
    "sulaimaniya": "IQ-SU", "halabja": "IQ-SU", "basra": "IQ-BA", "thiqar": "IQ-DQ",
}
_KILLING_TYPES = {"violence against civilians", "explosions/remote violence", "battles",
                  "riots"}
_SUB_TYPES = {
    "abduction/forced disappearance": "abduction", "arrests": "arbitrary_detention",
    "looting/property destruction": "attack_on_property", "sexual violence": "assault",
    "excessive force against protesters": "assault", "mob violence": "assault",
    "violent demonstration": "assault", "protest with intervention": "assault",
    "attack": "attempted_killing", "air/drone strike": "attempted_killing",
    "suicide bomb": "attempted_killing", "remote explosive/landmine/ied": "attempted_killing",
    "grenade": "attempted_killing", "shelling/artillery/missile attack": "attempted_killing",
}
_METHODS = {"air/drone strike": "drone", "remote explosive/landmine/ied": "ied",
            "suicide bomb": "ied", "grenade": "ied"}
_NOT_PERPETRATORS = ("protesters", "rioters", "civilians")
_Bad = Callable[[str, str], None]


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"\b(governorate|province|al|an|as|ad|ash)\b", " ", text)
    return re.sub(r"[^a-z]", "", text)


def admin1_code(name: str, country: str) -> str | None:
    """The ISO 3166-2 code of a governorate named the ACLED way, or None."""
    name = name.strip()
    if pycountry.subdivisions.get(code=name.upper()) is not None:
        return name.upper()
    if _key(name) in _ADMIN1_ALIASES and _ADMIN1_ALIASES[_key(name)].startswith(country):
        return _ADMIN1_ALIASES[_key(name)]
    for sub in pycountry.subdivisions.get(country_code=country) or []:
        if _key(sub.name) == _key(name):
            return sub.code
    return None


def actor_type(name: str) -> str:
    lower = name.lower()
    if lower.startswith(("military forces of", "police forces of")):
        return "state_forces"
    if any(w in lower for w in ("popular mobilization", "pmf", "hashd")):
        return "state_affiliated_armed_group"
    if lower.startswith("unidentified armed group"):
        return "unidentified_gunmen"
    if "communal militia" in lower or "tribal" in lower:
        return "tribal_group"
    if any(w in lower for w in ("militia", "islamic state", "armed group", "rebel")):
        return "non_state_armed_group"
    return "unknown"


def _date(text) -> dt.date:
    if isinstance(text, dt.date):
        return text.date() if isinstance(text, dt.datetime) else text
    value = str(text).strip()
    for pattern in ("%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return parse_date(value)


def _country(event_id: str, raw: dict) -> str:
    named = str(raw.get("country") or "").strip()
    if named:
        found = pycountry.countries.get(name=named) or pycountry.countries.get(
            common_name=named)
        if found is not None:
            return found.alpha_2
    prefix = re.match(r"^[A-Za-z]{3}", event_id)
    found = pycountry.countries.get(alpha_3=prefix.group(0).upper()) if prefix else None
    return found.alpha_2 if found else "IQ"


_PATH_COLUMNS = {
    "external_id": "event_id_cnty", "start_date": "event_date",
    "date_precision": "time_precision", "incident_type": "event_type",
    "title": "sub_event_type", "narrative": "notes", "admin1": "admin1", "admin2": "admin2",
    "locality": "location", "latitude": "latitude", "longitude": "longitude",
    "geo_precision": "geo_precision", "fatalities": "fatalities", "tags": "tags",
    "perpetrators": "actor1", "citations": "source", "country": "event_id_cnty",
    "method": "sub_event_type", "context": "event_type",
}


def _text(raw: dict, column: str) -> str:
    value = raw.get(column)
    return "" if value is None else str(value).strip()


def _when(raw: dict, bad: _Bad) -> dict:
    try:
        start = _date(raw.get("event_date"))
    except ValueError as error:
        bad("event_date", str(error))
        start = None
    precision = TIME_PRECISION.get(_text(raw, "time_precision") or "1")
    if precision is None:
        bad("time_precision", _("'{v}' is not an ACLED time precision; allowed: 1, 2, 3")
            .format(v=_text(raw, "time_precision")))
    return {"start_date": start, "date_precision": precision}


def _numbers(raw: dict, bad: _Bad) -> dict:
    numbers: dict = {}
    for column in ("latitude", "longitude", "fatalities"):
        text = _text(raw, column)
        try:
            numbers[column] = (int(float(text)) if column == "fatalities" else float(text)
                               ) if text else (0 if column == "fatalities" else None)
        except ValueError:
            bad(column, _("not a number"))
            numbers[column] = None
    return numbers


def _admin1(raw: dict, country: str, bad: _Bad) -> str | None:
    admin1 = _text(raw, "admin1")
    code = admin1_code(admin1, country) if admin1 else None
    if admin1 and code is None:
        names = sorted(sub.name for sub in pycountry.subdivisions.get(country_code=country)
                       or [])
        bad("admin1", _("unknown governorate; known: {a}").format(a=", ".join(names)))
    return code


def _classification(raw: dict, fatalities: int | None) -> dict:
    """incident_type, method, context and title from ACLED's event types."""
    event_type, sub_type = _text(raw, "event_type"), _text(raw, "sub_event_type")
    if (fatalities or 0) > 0 and event_type.lower() in _KILLING_TYPES:
        incident_type = "killing"
    else:
        incident_type = _SUB_TYPES.get(sub_type.lower(), "other")
    location = _text(raw, "location")
    return {
        "incident_type": incident_type, "method": _METHODS.get(sub_type.lower()),
        "context": "protest_related" if event_type.lower() in ("protests", "riots") else None,
        "title": (f"{sub_type or event_type} in {location}" if location
                  else sub_type or event_type)[:300],
    }


def _perpetrators(raw: dict) -> list[dict]:
    actor = _text(raw, "actor1")
    if not actor or actor.lower().startswith(_NOT_PERPETRATORS):
        return []
    associated = _text(raw, "assoc_actor_1")
    return [{"actor": {"name": actor[:300], "actor_type": actor_type(actor)},
             "person": None, "attribution": "alleged",
             "basis": _("ACLED associated actors: {a}").format(a=associated)
             if associated else ""}]


def _citations(raw: dict, event_id: str) -> list[dict]:
    """One citation per distinct source name; the uid makes each name one source."""
    return [
        {"source": {"uid": str(uuid.uuid5(_SOURCE_NAMESPACE, name.casefold())),
                    "kind": "media", "title": name[:500], "publisher": name[:300]},
         "statement": _("Cited by ACLED for event {id}").format(id=event_id), "page": None,
         "quote": ""}
        for name in dict.fromkeys(s.strip() for s in _text(raw, "source").split(";"))
        if name]


def _event(number: int, raw: dict, problems: list[FieldProblem]) -> dict:
    def bad(column: str, message: str) -> None:
        problems.append(FieldProblem(column, message, raw.get(column), number))

    event_id = _text(raw, "event_id_cnty")
    country = _country(event_id, raw)
    when = _when(raw, bad)
    numbers = _numbers(raw, bad)
    geo_precision = _text(raw, "geo_precision")
    return {
        "external_id": f"acled:{event_id}" if event_id else None, "country": country,
        "confidence": "reported", **when, **numbers,
        "geo_precision": GEO_PRECISION.get(geo_precision) if geo_precision else None,
        "admin1": _admin1(raw, country, bad),
        **_classification(raw, numbers["fatalities"]),
        "narrative": _text(raw, "notes"), "admin2": _text(raw, "admin2") or None,
        "locality": _text(raw, "location") or None,
        "tags": [t.strip() for t in _text(raw, "tags").split(";") if t.strip()],
        "perpetrators": _perpetrators(raw), "citations": _citations(raw, event_id),
        "victims": [], "case_events": [],
    }


def acled_items(table: Table, problems: list[FieldProblem], warnings: list[str]
                ) -> Iterator[ImportItem]:
    """Incidents of an ACLED export, one per event; conversion problems go to `problems`."""
    if not table.has_columns(REQUIRED, _("the ACLED column is missing"), problems):
        return
    ignored = [h for h in table.header if h and h not in COLUMNS and h != "country"]
    if ignored and not warnings:
        warnings.append(_("ACLED columns not imported: {c}").format(c=", ".join(ignored)))
    for number, raw in table.named_rows():
        record = _event(number, raw, problems)

        def locate(path: str, number=number) -> tuple[int, str]:
            return number, _PATH_COLUMNS.get(path.split(".")[0], path)

        yield ImportItem(number, record, locate)
