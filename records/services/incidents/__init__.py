"""Incidents and their parts (victims, perpetrators, citations, case events): validation,
creation, edits with a version check, read models, the filtered list, and how an incident's
dates read, cover a period and order incidents; who has one open for editing now."""

from records.services.incidents.build import (
    build_incident,
    check_incident_fields,
)
from records.services.incidents.dates import (
    NEWEST_FIRST,
    YEAR_CODES,
    counted_in_months,
    date_grain,
    format_incident_date,
    incident_interval,
    overlaps_period,
    year_only_note,
)
from records.services.incidents.editing import (
    EDITABLE_FIELDS,
    changed_fields,
    check_version,
    create_incident,
    create_incidents,
    flush_or_conflict,
    get_incident,
    touch,
    update_incident,
)
from records.services.incidents.listing import (
    IncidentFilter,
    IncidentListItem,
    filter_incidents,
    list_incidents,
)
from records.services.incidents.parts import (
    add_part,
    remove_part,
    update_case_event,
    update_victim,
)
from records.services.incidents.presence import (
    EDITING_EXPIRY,
    mark_editing,
    others_editing,
    stop_editing,
)
from records.services.incidents.read import (
    INCIDENT_LOAD,
    incident_read,
    load_incident,
)

__all__ = [
    "EDITABLE_FIELDS",
    "EDITING_EXPIRY",
    "INCIDENT_LOAD",
    "NEWEST_FIRST",
    "YEAR_CODES",
    "IncidentFilter",
    "IncidentListItem",
    "add_part",
    "build_incident",
    "changed_fields",
    "check_incident_fields",
    "check_version",
    "counted_in_months",
    "create_incident",
    "create_incidents",
    "date_grain",
    "filter_incidents",
    "flush_or_conflict",
    "format_incident_date",
    "get_incident",
    "incident_interval",
    "incident_read",
    "list_incidents",
    "load_incident",
    "mark_editing",
    "others_editing",
    "overlaps_period",
    "remove_part",
    "stop_editing",
    "touch",
    "update_case_event",
    "update_incident",
    "update_victim",
    "year_only_note",
]
