"""Bringing a database to a working state: schema at head, vocabularies seeded; and its
first start: a one-time setup code and exactly one first admin."""

from records.services.setup.database import (
    prepare_database,
)
from records.services.setup.first_start import (
    create_first_admin,
    discard_setup_code,
    issue_setup_code,
    setup_code_file,
)

__all__ = [
    "create_first_admin",
    "discard_setup_code",
    "issue_setup_code",
    "prepare_database",
    "setup_code_file",
]
