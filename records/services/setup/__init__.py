"""Bringing a database to a working state: schema at head, vocabularies seeded."""

from records.services.setup.database import (
    prepare_database,
)

__all__ = [
    "prepare_database",
]
