"""People, actors (perpetrating groups) and sources shared between incidents: found or
created by uid, so one person stays one person, and looked up by name."""

from records.services.people.lookup import (
    find_likely_people,
    find_similar_people,
    list_actors,
    list_sources,
)
from records.services.people.resolve import (
    check_actor,
    check_person,
    check_source,
    resolve_actor,
    resolve_person,
    resolve_source,
)

__all__ = [
    "check_actor",
    "check_person",
    "check_source",
    "find_likely_people",
    "find_similar_people",
    "list_actors",
    "list_sources",
    "resolve_actor",
    "resolve_person",
    "resolve_source",
]
