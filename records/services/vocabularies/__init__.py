"""Controlled vocabularies: seeding, labels, validation of codes and admin edits."""

from records.services.vocabularies.terms import (
    active_codes,
    check_code,
    labels,
    list_terms,
    save_term,
    seed_vocabularies,
)

__all__ = [
    "active_codes",
    "check_code",
    "labels",
    "list_terms",
    "save_term",
    "seed_vocabularies",
]
