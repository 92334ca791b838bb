"""Incidents and their parts (victims, perpetrators, citations, case events): validation,
creation, edits with a version check, read models and the filtered list."""

from records.services.incidents.build import (
    build_incident,
    check_incident_fields,
)
from records.services.incidents.editing import (
    EDITABLE_FIELDS,
    check_version,
    create_incident,
    create_incidents,
    flush_or_conflict,
    get_incident,
    touch,
    update_incident,
)
from records.services.incidents.listing import IncidentFilter, filter_incidents, list_incidents
from records.services.incidents.parts import (
    add_part,
    remove_part,
    update_victim,
)
from records.services.incidents.read import (
    INCIDENT_LOAD,
    incident_read,
    load_incident,
)

__all__ = [
    "EDITABLE_FIELDS",
    "INCIDENT_LOAD",
    "IncidentFilter",
    "add_part",
    "build_incident",
    "check_incident_fields",
    "check_version",
    "create_incident",
    "create_incidents",
    "filter_incidents",
    "flush_or_conflict",
    "get_incident",
    "incident_read",
    "list_incidents",
    "load_incident",
    "remove_part",
    "touch",
    "update_incident",
    "update_victim",
]
