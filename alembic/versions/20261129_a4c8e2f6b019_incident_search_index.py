"""incident search index

Revision ID: a4c8e2f6b019
Revises: 9e3a7c5f1b17
Create Date: 2026-11-29 16:30:00

A search that matches many incidents checks who may see each one (status, sensitivity,
author), applies the list's filters (governorate, type, period) and orders them (start
date, ref) from this narrow index, looked up by id, instead of reading every matching row
(records/models/incident.py, SEARCH_INDEX).
"""
from collections.abc import Sequence

from alembic import op

revision: str = "a4c8e2f6b019"
down_revision: str | Sequence[str] | None = "9e3a7c5f1b17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The columns as they are today: a later change of the model's list needs its own
    # migration.
    op.create_index("ix_incident_search", "incident",
                    ["id", "status", "sensitivity", "created_by_id", "start_date", "ref",
                     "admin1", "incident_type", "end_date", "date_precision"])


def downgrade() -> None:
    op.drop_index("ix_incident_search", table_name="incident")
