"""a restricted incident's title, place and coordinates are sealed

Revision ID: c8a24e0b0008
Revises: c2a24e0b0002
Create Date: 2026-12-08 01:40:00

A sealed value (records/sealing.py) is longer than the 300 or 200 characters the plain
title, district or locality may have: their columns become text. Coordinates are numbers
and a sealed value is text: a restricted incident's pair is kept sealed in the new text
column `coordinates`, its latitude and longitude NULL (records/sealed_coordinates.py).
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "c8a24e0b0008"
down_revision: str | Sequence[str] | None = "c2a24e0b0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (("title", 300, False), ("admin2", 200, True), ("locality", 200, True))


def upgrade() -> None:
    with op.batch_alter_table("incident") as batch_op:
        for column, length, nullable in _COLUMNS:
            batch_op.alter_column(column, existing_type=sqlmodel.AutoString(length=length),
                                  type_=sa.Text(), existing_nullable=nullable)
        batch_op.add_column(sa.Column("coordinates", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incident") as batch_op:
        batch_op.drop_column("coordinates")
        for column, length, nullable in _COLUMNS:
            batch_op.alter_column(column, existing_type=sa.Text(),
                                  type_=sqlmodel.AutoString(length=length),
                                  existing_nullable=nullable)
