"""Bringing a database to a working state: schema at head, vocabularies seeded."""

from __future__ import annotations

from sqlalchemy import Engine

from records.db import unit_of_work
from records.migrations import upgrade_to_head
from records.services.access import SYSTEM, act_as
from records.services.vocabularies import seed_vocabularies


def prepare_database(engine: Engine) -> None:
    """Upgrade to the newest schema and add any missing vocabulary terms (idempotent).
    The CLI, the app and the tests all start here."""
    upgrade_to_head(engine)
    with unit_of_work(engine) as session:
        act_as(session, SYSTEM)
        seed_vocabularies(session)
