"""sealed values need text columns: person names and source titles

Revision ID: 9d4f2b6c8e21
Revises: 3c5e1a7f0b13
Create Date: 2026-11-29 10:40:00

A sealed value (records/sealing.py) is base64 of nonce, ciphertext and tag behind a
prefix: longer than the 300 or 500 characters the plain value may have.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "9d4f2b6c8e21"
down_revision: str | Sequence[str] | None = "3c5e1a7f0b13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (("person", "full_name", 300, False), ("person", "name_original", 300, True),
            ("source", "title", 500, False))


def upgrade() -> None:
    for table, column, length, nullable in _COLUMNS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(column, existing_type=sqlmodel.AutoString(length=length),
                                  type_=sa.Text(), existing_nullable=nullable)


def downgrade() -> None:
    for table, column, length, nullable in _COLUMNS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Text(),
                                  type_=sqlmodel.AutoString(length=length),
                                  existing_nullable=nullable)
