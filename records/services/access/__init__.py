"""Who may do and see what: the acting principal, the role rules (four eyes included) and
redaction, the one place that decides what of a record an audience may see; and the same
visibility as SQL conditions for every list, count and lookup, with who sees a person, group
or source left in no incident (kept by a flush listener, installed when this loads)."""

from records.services.access.permissions import (
    can_see_incident,
    can_see_personal_data,
    check_can_edit,
    check_four_eyes,
    has_role,
    require_role,
)
from records.services.access.principal import (
    SYSTEM,
    Principal,
    act_as,
)
from records.services.access.redaction import (
    LEVELS,
    ExportLevel,
    allowed_levels,
    export_level,
    may_show_name,
    reading_level,
    redact_incident,
    redact_person,
    redact_place,
    round_coordinate,
    source_visible,
)
from records.services.access.unlinked import leave_to_reviewers, lowest_role
from records.services.access.visibility import (
    LINKS,
    victims_named_to,
    visible_actors,
    visible_incidents,
    visible_people,
    visible_rows,
    visible_sources,
)

__all__ = [
    "ExportLevel",
    "LEVELS",
    "LINKS",
    "Principal",
    "SYSTEM",
    "act_as",
    "allowed_levels",
    "can_see_incident",
    "can_see_personal_data",
    "check_can_edit",
    "check_four_eyes",
    "export_level",
    "has_role",
    "leave_to_reviewers",
    "lowest_role",
    "may_show_name",
    "reading_level",
    "redact_incident",
    "redact_person",
    "redact_place",
    "require_role",
    "round_coordinate",
    "source_visible",
    "visible_actors",
    "visible_incidents",
    "visible_people",
    "visible_rows",
    "visible_sources",
    "victims_named_to",
]
