"""Sijil's flat format (CSV, the first XLSX sheet): one row per victim of an incident.

Incident columns are repeated on every row of the incident and the rows are grouped by
incident_ref; an incident without victims is one row. Perpetrators, citations and case
events are parallel lists in incident columns: item i of every perpetrator_* column belongs
to perpetrator i. Lists are joined with "; "; a ";" or "\\" inside an item is written "\\;"
or "\\\\". Text cells that begin with = + - @ ' tab or CR, or with = + - @ after leading blanks,
get a leading "'" so spreadsheets never run them as formulas; the importer removes exactly
that one "'" again.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

INCIDENT_COLUMNS = {
    "incident_ref": "ref", "external_id": "external_id", "title": "title",
    "narrative": "narrative", "incident_type": "incident_type", "start_date": "start_date",
    "end_date": "end_date", "date_precision": "date_precision", "time_of_day": "time_of_day",
    "country": "country", "admin1": "admin1", "admin2": "admin2", "locality": "locality",
    "latitude": "latitude", "longitude": "longitude", "geo_precision": "geo_precision",
    "method": "method", "context": "context", "fatalities": "fatalities",
    "injured": "injured", "status": "status", "imported_status": "imported_status",
    "imported_from": "imported_from", "confidence": "confidence",
    "sensitivity": "sensitivity", "tags": "tags",
}
VICTIM_COLUMNS = {
    "victim_uid": "person.uid", "victim_name": "person.full_name",
    "victim_name_original": "person.name_original", "victim_aliases": "person.aliases",
    "victim_sex": "person.sex", "victim_age": "person.age",
    "victim_birth_year": "person.birth_year", "victim_occupation": "person.occupation",
    "victim_profiles": "person.profiles", "victim_affiliation": "person.affiliation",
    "victim_home_admin1": "person.home_admin1",
    "victim_public_figure": "person.is_public_figure", "victim_contact": "person.contact",
    "victim_name_withheld": "person.name_withheld", "victim_outcome": "outcome",
    "victim_harm": "harm_description", "victim_consent": "consent_to_publish_name",
}
PERPETRATOR_COLUMNS = {
    "perpetrator_actor_uid": "actor.uid", "perpetrator_actor_name": "actor.name",
    "perpetrator_actor_type": "actor.actor_type",
    "perpetrator_actor_parent_uid": "actor.parent_uid",
    "perpetrator_actor_parent_name": "actor.parent_name",
    "perpetrator_actor_parent_type": "actor.parent_type", "perpetrator_person_uid": "person.uid",
    "perpetrator_person_name": "person.full_name",
    "perpetrator_attribution": "attribution", "perpetrator_basis": "basis",
}
CITATION_COLUMNS = {
    "citation_source_uid": "source.uid", "citation_source_kind": "source.kind",
    "citation_source_title": "source.title", "citation_source_publisher": "source.publisher",
    "citation_source_url": "source.url", "citation_source_published_on": "source.published_on",
    "citation_source_language": "source.language",
    "citation_source_reliability": "source.reliability",
    "citation_source_credibility": "source.credibility",
    "citation_source_confidential": "source.is_confidential",
    "citation_statement": "statement", "citation_page": "page", "citation_quote": "quote",
}
CASE_EVENT_COLUMNS = {
    "case_event_date": "date", "case_event_date_precision": "date_precision",
    "case_event_kind": "kind", "case_event_description": "description",
    "case_event_source_uid": "source.uid", "case_event_person_uid": "person.uid",
    "case_event_person_name": "person.full_name", "case_event_actor_uid": "actor.uid",
    "case_event_actor_name": "actor.name", "case_event_actor_type": "actor.actor_type",
    "case_event_actor_parent_uid": "actor.parent_uid",
    "case_event_actor_parent_name": "actor.parent_name",
    "case_event_actor_parent_type": "actor.parent_type",
}
# (part of the record, its columns, the column whose items count the entries)
LIST_GROUPS = (
    ("perpetrators", PERPETRATOR_COLUMNS, "perpetrator_attribution"),
    ("citations", CITATION_COLUMNS, "citation_source_kind"),
    ("case_events", CASE_EVENT_COLUMNS, "case_event_date"),
)
COLUMNS: list[str] = [*INCIDENT_COLUMNS, *PERPETRATOR_COLUMNS, *CITATION_COLUMNS,
                      *CASE_EVENT_COLUMNS, *VICTIM_COLUMNS]
REQUIRED_COLUMNS = ("title", "incident_type", "start_date")

# Column kinds for reading: anything not listed is free text.
INT_COLUMNS = {"fatalities", "injured", "victim_age", "victim_birth_year",
               "citation_source_credibility"}
FLOAT_COLUMNS = {"latitude", "longitude"}
DATE_COLUMNS = {"start_date", "end_date", "case_event_date", "citation_source_published_on"}
BOOL_COLUMNS = {"victim_public_figure", "victim_consent", "victim_name_withheld",
                "citation_source_confidential"}
LIST_COLUMNS = {"tags", "victim_aliases", "victim_profiles"}
CODE_COLUMNS = {"incident_ref", "incident_type", "date_precision", "country", "admin1",
                "geo_precision", "method", "context", "status", "imported_status",
                "confidence", "sensitivity",
                "victim_uid", "victim_sex", "victim_home_admin1", "victim_outcome",
                "perpetrator_actor_uid", "perpetrator_actor_type", "perpetrator_person_uid",
                "perpetrator_actor_parent_uid", "perpetrator_actor_parent_type",
                "perpetrator_attribution", "citation_source_uid", "citation_source_kind",
                "citation_source_language", "citation_source_reliability",
                "case_event_kind", "case_event_date_precision", "case_event_source_uid",
                "case_event_person_uid", "case_event_actor_uid", "case_event_actor_type",
                "case_event_actor_parent_uid", "case_event_actor_parent_type",
                "external_id"}

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r", "'")
# Spreadsheets skip leading blanks before they look for a formula sign, and some read the
# full-width signs as formulas too.
_FORMULA_SIGNS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _without_leading_blanks(value: str) -> str:
    """The text after its leading blanks: any white space (spaces, tabs, new lines, no-break
    spaces) and invisible format characters (direction marks, zero-width spaces, BOM)."""
    for i, char in enumerate(value):
        if not (char.isspace() or unicodedata.category(char) == "Cf"):
            return value[i:]
    return ""


def neutralise(value: str) -> str:
    """A text cell a spreadsheet will not evaluate as a formula: one that begins with a
    formula sign, a tab, a CR or a "'", or with a formula sign after leading blanks, gets a
    leading "'" (which unneutralise removes again on import)."""
    dangerous = (value.startswith(_DANGEROUS_START)
                 or _without_leading_blanks(value).startswith(_FORMULA_SIGNS))
    return "'" + value if dangerous else value


def unneutralise(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def join_list(items) -> str:
    return "; ".join(str(i).replace("\\", "\\\\").replace(";", "\\;") for i in items)


def split_list(text: str) -> list[str]:
    """The items of a "; "-joined cell (an empty cell has none)."""
    if text == "":
        return []
    items, current, chars = [], [], iter(text)
    for char in chars:
        if char == "\\":
            current.append(next(chars, "\\"))
        elif char == ";":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [items[0]] + [i[1:] if i.startswith(" ") else i for i in items[1:]]


def cell_value(value):
    """A record value as a spreadsheet cell: "" for None, true/false, ISO dates, joined lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return join_list(value)
    return value


def safe_cell(value):
    """A cell value whose text a spreadsheet will not run as a formula."""
    return neutralise(value) if isinstance(value, str) else value


def _get(data: dict | None, path: str):
    for key in path.split("."):
        if data is None:
            return None
        data = data.get(key)
    return data


def flat_rows(record: dict) -> list[dict]:
    """The flat rows of one (redacted) incident record: one per victim, at least one."""
    base = {column: cell_value(record.get(key)) for column, key in INCIDENT_COLUMNS.items()}
    for part, columns, _count in LIST_GROUPS:
        items = record[part]
        for column, path in columns.items():
            base[column] = (join_list(cell_value(_get(item, path)) for item in items)
                            if items else "")
    victims = record["victims"] or [None]
    rows = []
    for victim in victims:
        row = dict(base)
        for column, path in VICTIM_COLUMNS.items():
            row[column] = cell_value(_get(victim, path)) if victim else ""
        rows.append(row)
    return rows


def part_rows(record: dict, part: str) -> list[dict]:
    """One row per victim, perpetrator, citation or case event, keyed by flat column."""
    columns = VICTIM_COLUMNS if part == "victims" else dict(
        (p, c) for p, c, _n in LIST_GROUPS)[part]
    return [{"incident_ref": record["ref"],
             **{column: cell_value(_get(item, path)) for column, path in columns.items()}}
            for item in record[part]]
